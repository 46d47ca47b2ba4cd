"""Provisioning bands and ageing buckets: days past due → bucket, days → provision rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PPM = 1_000_000

# (bucket, first day, last day or None)
BUCKETS: tuple[tuple[int, int, int | None], ...] = (
    (0, 0, 0),
    (1, 1, 30),
    (2, 31, 60),
    (3, 61, 90),
    (4, 91, 180),
    (5, 181, 360),
    (6, 361, None),
)


def bucket_of(days_past_due: int) -> int:
    for bucket, low, high in BUCKETS:
        if days_past_due >= low and (high is None or days_past_due <= high):
            return bucket
    raise ValueError(f"negative days past due: {days_past_due}")


@dataclass(frozen=True)
class Band:
    restructured: bool
    min_days: int
    max_days: int | None
    rate_ppm: int
    category: str = ""
    label_fr: str = ""
    label_en: str = ""

    def covers(self, days: int) -> bool:
        return days >= self.min_days and (self.max_days is None or days <= self.max_days)


@dataclass(frozen=True)
class BandProblem:
    index: int | None  # position of the band in the list given (None: the table as a whole)
    code: str  # negative_days, negative_rate, rate_above_100, inverted, overlap, gap, no_start, not_open_ended, missing_kind
    restructured: bool
    min_days: int | None = None
    max_days: int | None = None
    other_min: int | None = None
    other_max: int | None = None


def percent_to_ppm(percent: Decimal) -> int:
    """``Decimal("12.5")`` → 125000; more than four decimals is refused (ValueError)."""
    ppm = percent * 10_000
    if ppm != ppm.to_integral_value():
        raise ValueError("at most four decimals")
    return int(ppm)


def ppm_to_percent(ppm: int) -> Decimal:
    return (Decimal(ppm) / 10_000).normalize()


def check_bands(bands: list[Band]) -> list[BandProblem]:
    """Every problem of a provisioning table. A good table has, for ordinary loans and for
    restructured loans, bands that start at 0 day, follow each other without gap or
    overlap, end with an open band (no upper limit), and rates between 0 and 100 %."""
    problems: list[BandProblem] = []
    for i, b in enumerate(bands):
        if b.min_days < 0 or (b.max_days is not None and b.max_days < 0):
            problems.append(BandProblem(i, "negative_days", b.restructured, b.min_days, b.max_days))
        if b.rate_ppm < 0:
            problems.append(BandProblem(i, "negative_rate", b.restructured, b.min_days, b.max_days))
        if b.rate_ppm > PPM:
            problems.append(
                BandProblem(i, "rate_above_100", b.restructured, b.min_days, b.max_days)
            )
        if b.max_days is not None and b.max_days < b.min_days:
            problems.append(BandProblem(i, "inverted", b.restructured, b.min_days, b.max_days))
    if problems:
        return problems
    for restructured in (False, True):
        group = sorted(
            ((i, b) for i, b in enumerate(bands) if b.restructured == restructured),
            key=lambda ib: ib[1].min_days,
        )
        if not group:
            problems.append(BandProblem(None, "missing_kind", restructured))
            continue
        if group[0][1].min_days != 0:
            problems.append(
                BandProblem(
                    group[0][0],
                    "no_start",
                    restructured,
                    group[0][1].min_days,
                    group[0][1].max_days,
                )
            )
        for (_, prev), (j, cur) in zip(group, group[1:], strict=False):
            if prev.max_days is None or cur.min_days <= prev.max_days:
                problems.append(
                    BandProblem(
                        j,
                        "overlap",
                        restructured,
                        cur.min_days,
                        cur.max_days,
                        prev.min_days,
                        prev.max_days,
                    )
                )
            elif cur.min_days > prev.max_days + 1:
                problems.append(
                    BandProblem(
                        j,
                        "gap",
                        restructured,
                        cur.min_days,
                        cur.max_days,
                        prev.min_days,
                        prev.max_days,
                    )
                )
        last_i, last = group[-1]
        if last.max_days is not None:
            problems.append(
                BandProblem(last_i, "not_open_ended", restructured, last.min_days, last.max_days)
            )
    return problems


def band_for(bands: list[Band], *, days: int, restructured: bool) -> Band | None:
    for b in bands:
        if b.restructured == restructured and b.covers(days):
            return b
    return None


def provision_minor(principal_minor: int, rate_ppm: int) -> int:
    """One loan's provision: principal × rate, rounded half up to the minor unit (the SQL
    of end of day computes ``(principal * rate_ppm + 500000) / 1000000`` the same way)."""
    value = (Decimal(principal_minor) * rate_ppm / PPM).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value)
