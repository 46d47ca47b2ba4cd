"""Working days: the next business date after a closed one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

MAX_SKIP = 366


def is_working_day(
    day: dt.date, *, weekend_days: Collection[int], holidays: Collection[dt.date]
) -> bool:
    """``weekend_days`` are ISO weekday numbers (6 = Saturday, 7 = Sunday)."""
    return day.isoweekday() not in weekend_days and day not in holidays


def next_working_day(
    day: dt.date, *, weekend_days: Collection[int], holidays: Collection[dt.date]
) -> dt.date:
    """The first working day after ``day``. Raises ValueError if every weekday is a
    weekend day, or if a year goes by without a working day."""
    weekend = {int(d) for d in weekend_days}
    if weekend >= set(range(1, 8)):
        raise ValueError("every day of the week is a weekend day")
    nxt = day + dt.timedelta(days=1)
    for _ in range(MAX_SKIP):
        if is_working_day(nxt, weekend_days=weekend, holidays=holidays):
            return nxt
        nxt += dt.timedelta(days=1)
    raise ValueError("no working day within a year")


def working_days(
    start: dt.date, until: dt.date, *, weekend_days: Collection[int], holidays: Collection[dt.date]
) -> list[dt.date]:
    """Business dates end of day will close from ``start`` (itself a business date,
    whatever the calendar says) up to and including the last one on or before ``until``."""
    days: list[dt.date] = []
    day = start
    while day <= until:
        days.append(day)
        day = next_working_day(day, weekend_days=weekend_days, holidays=holidays)
    return days


def month_end_dates(dates: Iterable[dt.date]) -> list[dt.date]:
    """The last date of each month among ``dates`` (sorted)."""
    last: dict[tuple[int, int], dt.date] = {}
    for d in sorted(dates):
        last[(d.year, d.month)] = d
    return sorted(last.values())


def last_working_day(
    day: dt.date, *, weekend_days: Collection[int], holidays: Collection[dt.date]
) -> dt.date:
    """The last working day on or before ``day`` (a month's last business date when
    ``day`` is its last calendar day)."""
    weekend = {int(d) for d in weekend_days}
    if weekend >= set(range(1, 8)):
        raise ValueError("every day of the week is a weekend day")
    for _ in range(MAX_SKIP):
        if is_working_day(day, weekend_days=weekend, holidays=holidays):
            return day
        day -= dt.timedelta(days=1)
    raise ValueError("no working day within a year")
