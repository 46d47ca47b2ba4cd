"""End-of-day balances from an opening balance and dated movements.

The balance that earns interest for a day is the balance at the end of that day,
after every movement of the day (a deposit in the morning and a withdrawal in the
afternoon of the same day both count before the day is closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Movement:
    """A change of the balance on a value date: ``delta_minor`` > 0 in, < 0 out."""

    on_date: dt.date
    delta_minor: int


def daily_balances(
    *, opening_minor: int, movements: Iterable[Movement], start: dt.date, end: dt.date
) -> list[tuple[dt.date, int]]:
    """(day, end-of-day balance) for every day from ``start`` to ``end`` inclusive.

    ``opening_minor`` is the balance at the end of the day before ``start``; movements
    dated before ``start`` are refused (fold them into the opening balance), movements
    after ``end`` are ignored.
    """
    if end < start:
        raise ValueError("end is before start")
    by_day: dict[dt.date, int] = {}
    for m in movements:
        if m.on_date < start:
            raise ValueError(f"movement on {m.on_date} is before the period start {start}")
        if m.on_date <= end:
            by_day[m.on_date] = by_day.get(m.on_date, 0) + m.delta_minor
    out: list[tuple[dt.date, int]] = []
    balance = opening_minor
    day = start
    one = dt.timedelta(days=1)
    while day <= end:
        balance += by_day.get(day, 0)
        out.append((day, balance))
        day += one
    return out
