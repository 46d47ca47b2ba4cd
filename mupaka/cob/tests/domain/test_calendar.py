import datetime as dt

import pytest

from mupaka.cob.domain.calendar import month_end_dates, next_working_day, working_days

SUNDAY_ONLY = [7]
WEEKEND = [6, 7]


def test_next_day_on_an_ordinary_week():
    assert next_working_day(dt.date(2026, 11, 2), weekend_days=SUNDAY_ONLY, holidays=set()) == (
        dt.date(2026, 11, 3)
    )


def test_saturday_goes_to_monday_when_sunday_is_the_weekend():
    saturday = dt.date(2026, 11, 7)
    assert next_working_day(saturday, weekend_days=SUNDAY_ONLY, holidays=set()) == dt.date(
        2026, 11, 9
    )


def test_friday_goes_to_monday_with_a_two_day_weekend():
    assert next_working_day(dt.date(2026, 11, 6), weekend_days=WEEKEND, holidays=set()) == (
        dt.date(2026, 11, 9)
    )


def test_holiday_and_weekend_are_skipped_together():
    # 30 June (Independence Day in DRC) falls on a Tuesday in 2026; say Monday 29 too
    holidays = {dt.date(2026, 6, 29), dt.date(2026, 6, 30)}
    assert next_working_day(dt.date(2026, 6, 27), weekend_days=SUNDAY_ONLY, holidays=holidays) == (
        dt.date(2026, 7, 1)
    )


def test_year_end_with_new_year_holiday():
    assert next_working_day(
        dt.date(2026, 12, 31), weekend_days=SUNDAY_ONLY, holidays={dt.date(2027, 1, 1)}
    ) == dt.date(2027, 1, 2)


def test_a_week_with_no_working_day_is_refused():
    with pytest.raises(ValueError):
        next_working_day(dt.date(2026, 1, 1), weekend_days=range(1, 8), holidays=set())


def test_working_days_to_close_up_to_a_sunday_stop_on_saturday():
    days = working_days(
        dt.date(2026, 11, 26), dt.date(2026, 11, 29), weekend_days=SUNDAY_ONLY, holidays=set()
    )
    assert days == [dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 28)]


def test_month_ends_of_a_list_of_dates():
    dates = [
        dt.date(2026, 10, 30),
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 30),
    ]
    assert month_end_dates(dates) == [dt.date(2026, 10, 31), dt.date(2026, 11, 30)]
