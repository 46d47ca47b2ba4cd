"""Cash counted by denomination at closing. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class CountError(ValueError):
    """A count that cannot be accepted; ``problems`` lists every reason (codes)."""

    def __init__(self, problems: list[tuple[str, str, int]]):
        # (code, currency, value_minor)
        self.problems = problems
        super().__init__("; ".join(f"{c} {cur} {v}" for c, cur, v in problems))


@dataclass(frozen=True, slots=True)
class CountLine:
    currency: str
    value_minor: int
    pieces: int

    @property
    def total_minor(self) -> int:
        return self.value_minor * self.pieces


def count_totals(
    counts: Mapping[str, Mapping[int, object]],
    allowed: Mapping[str, Iterable[int]],
) -> dict[str, int]:
    """Total per currency (minor units) of ``{"CDF": {2000000: 3, 5000: 10}}``.

    Every problem is collected before refusing: ``negative`` (fewer than zero pieces),
    ``not_integer`` (a fraction of a note, a bool or text), ``unknown_denomination``
    (a face value not in the currency's table), ``unknown_currency`` (no table at all).
    """
    problems: list[tuple[str, str, int]] = []
    totals: dict[str, int] = {}
    for currency, lines in counts.items():
        if currency not in allowed:
            problems.append(("unknown_currency", currency, 0))
            continue
        values = set(allowed[currency])
        total = 0
        for value, pieces in lines.items():
            if isinstance(pieces, bool) or not isinstance(pieces, int):
                problems.append(("not_integer", currency, int(value)))
                continue
            if pieces < 0:
                problems.append(("negative", currency, int(value)))
                continue
            if int(value) not in values:
                problems.append(("unknown_denomination", currency, int(value)))
                continue
            total += int(value) * pieces
        totals[currency] = total
    if problems:
        raise CountError(problems)
    return totals


def differences(expected: Mapping[str, int], counted: Mapping[str, int]) -> dict[str, int]:
    """counted − expected per currency (negative: the till is short)."""
    return {
        cur: int(counted.get(cur, 0)) - int(expected.get(cur, 0))
        for cur in sorted(set(expected) | set(counted))
    }
