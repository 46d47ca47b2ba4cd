"""Portfolio at risk and ageing, on the SEEP definition.

Sources:

* SEEP Network, *Microfinance Financial Reporting Standards* (MFRS, 2010), asset quality
  ratios: "Portfolio at risk > X days = outstanding principal balance of all loans with an
  instalment past due more than X days, **plus all renegotiated (restructured,
  rescheduled, refinanced) loans**, divided by the gross loan portfolio".
* CGAP/SEEP, *Microfinance Consensus Guidelines: Definitions of Selected Financial
  Terms, Ratios and Adjustments for Microfinance* (3rd ed., September 2003), Portfolio
  quality: PAR is the *whole* outstanding principal of a late loan, not just the late
  instalments; the gross loan portfolio excludes loans written off.

Conventions here (chosen so that PAR figures and the ageing table always agree):

* ``days_past_due`` counts from the oldest unpaid instalment (what the loans app caches).
* PAR1 = loans late 1 day or more (every bucket but "current"); PAR30 = late more than
  30 days (buckets 31–60 and beyond); PAR90 = late more than 90 days.
* A restructured loan counts in every PAR figure whatever its days past due; in the
  ageing table it stays in the bucket of its days past due (and is counted apart).
* Amounts are integers in minor units of one currency: portfolio figures are never added
  across currencies. Ratios are exact ``Decimal`` fractions; rounding happens on display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Bucket:
    key: str
    min_days: int
    max_days: int | None  # None: no upper bound


BUCKETS: tuple[Bucket, ...] = (
    Bucket("current", 0, 0),
    Bucket("1-30", 1, 30),
    Bucket("31-60", 31, 60),
    Bucket("61-90", 61, 90),
    Bucket("91-180", 91, 180),
    Bucket("181-360", 181, 360),
    Bucket(">360", 361, None),
)
BUCKET_KEYS: tuple[str, ...] = tuple(b.key for b in BUCKETS)

# PAR "X" → loans late at least this many days count (plus restructured loans).
PAR_THRESHOLDS: dict[int, int] = {1: 1, 30: 31, 90: 91}


def bucket_of(days_past_due: int) -> str:
    """The ageing bucket of a loan late ``days_past_due`` days."""
    if days_past_due < 0:
        raise ValueError("days past due cannot be negative")
    for bucket in BUCKETS:
        if bucket.max_days is None or days_past_due <= bucket.max_days:
            if days_past_due >= bucket.min_days:
                return bucket.key
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class LoanPosition:
    """One active loan as the PAR sees it."""

    outstanding_minor: int  # principal outstanding
    days_past_due: int
    restructured: bool = False
    overdue_minor: int = 0  # amount in arrears (all components), for the ageing table


@dataclass(frozen=True)
class BucketTotals:
    """What a snapshot row (or a SQL GROUP BY) says about one bucket of one slice."""

    bucket: str
    loans: int
    outstanding_minor: int
    restructured_loans: int = 0
    restructured_outstanding_minor: int = 0
    overdue_minor: int = 0


def totals_from_positions(positions: Iterable[LoanPosition]) -> list[BucketTotals]:
    """Loan-level positions summed by bucket (the reference the aggregated path must equal)."""
    acc: dict[str, list[int]] = {key: [0, 0, 0, 0, 0] for key in BUCKET_KEYS}
    for p in positions:
        row = acc[bucket_of(p.days_past_due)]
        row[0] += 1
        row[1] += p.outstanding_minor
        if p.restructured:
            row[2] += 1
            row[3] += p.outstanding_minor
        row[4] += p.overdue_minor
    return [BucketTotals(k, *v) for k, v in acc.items()]


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator as an exact Decimal; None when the denominator is zero."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True)
class BucketFigure:
    key: str
    loans: int
    outstanding_minor: int
    restructured_loans: int
    restructured_outstanding_minor: int
    overdue_minor: int
    share: Decimal | None  # of the gross loan portfolio


@dataclass(frozen=True)
class ParFigure:
    days: int  # 1, 30, 90
    loans: int
    amount_minor: int  # outstanding principal at risk (late ones + restructured ones)
    late_amount_minor: int  # of which: late more than the threshold
    restructured_amount_minor: int  # of which: restructured but not that late
    ratio: Decimal | None  # over the gross loan portfolio


@dataclass(frozen=True)
class PortfolioQuality:
    gross_loan_portfolio_minor: int
    loans: int
    restructured_loans: int
    restructured_outstanding_minor: int
    overdue_minor: int
    buckets: tuple[BucketFigure, ...]
    par: dict[int, ParFigure] = field(default_factory=dict)


def _bucket_min(key: str) -> int:
    return next(b.min_days for b in BUCKETS if b.key == key)


def portfolio_quality(totals: Iterable[BucketTotals]) -> PortfolioQuality:
    """PAR1/30/90 and the ageing table from bucket totals (any number of rows per bucket,
    e.g. one per branch, officer, product and sex: they are summed first)."""
    acc: dict[str, list[int]] = {key: [0, 0, 0, 0, 0] for key in BUCKET_KEYS}
    for t in totals:
        if t.bucket not in acc:
            raise ValueError(f"unknown bucket {t.bucket!r}")
        row = acc[t.bucket]
        row[0] += t.loans
        row[1] += t.outstanding_minor
        row[2] += t.restructured_loans
        row[3] += t.restructured_outstanding_minor
        row[4] += t.overdue_minor
    glp = sum(v[1] for v in acc.values())
    buckets = tuple(
        BucketFigure(k, v[0], v[1], v[2], v[3], v[4], ratio(v[1], glp)) for k, v in acc.items()
    )
    par: dict[int, ParFigure] = {}
    for days, min_days in PAR_THRESHOLDS.items():
        late_loans = late_amount = rs_loans = rs_amount = 0
        for b in buckets:
            if _bucket_min(b.key) >= min_days:
                late_loans += b.loans
                late_amount += b.outstanding_minor
            else:
                rs_loans += b.restructured_loans
                rs_amount += b.restructured_outstanding_minor
        amount = late_amount + rs_amount
        par[days] = ParFigure(
            days, late_loans + rs_loans, amount, late_amount, rs_amount, ratio(amount, glp)
        )
    return PortfolioQuality(
        gross_loan_portfolio_minor=glp,
        loans=sum(b.loans for b in buckets),
        restructured_loans=sum(b.restructured_loans for b in buckets),
        restructured_outstanding_minor=sum(b.restructured_outstanding_minor for b in buckets),
        overdue_minor=sum(b.overdue_minor for b in buckets),
        buckets=buckets,
        par=par,
    )


def percent(value: Decimal | None, places: int = 2) -> Decimal | None:
    """A ratio as a percentage rounded half-even to ``places`` decimals (for display)."""
    if value is None:
        return None
    return (value * 100).quantize(Decimal(1).scaleb(-places))
