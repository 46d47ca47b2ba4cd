"""When interest is posted: at the end of each month, quarter or year (calendar
periods), or at maturity for a term deposit."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class PostingFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"
    AT_MATURITY = "at_maturity"


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).month != day.month


def is_posting_date(day: dt.date, frequency: PostingFrequency | str) -> bool:
    """True when ``day`` closes an interest period of ``frequency`` (never for
    ``at_maturity``: a term deposit's interest is posted when it matures)."""
    frequency = PostingFrequency(frequency)
    if frequency == PostingFrequency.AT_MATURITY or not _is_month_end(day):
        return False
    if frequency == PostingFrequency.MONTHLY:
        return True
    if frequency == PostingFrequency.QUARTERLY:
        return day.month in (3, 6, 9, 12)
    return day.month == 12


def period_start(day: dt.date, frequency: PostingFrequency | str) -> dt.date:
    """The first day of the calendar period of ``frequency`` that contains ``day``."""
    frequency = PostingFrequency(frequency)
    if frequency == PostingFrequency.MONTHLY:
        return day.replace(day=1)
    if frequency == PostingFrequency.QUARTERLY:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)
