from decimal import Decimal

import pytest

from mupaka.cob.domain.bands import (
    Band,
    band_for,
    bucket_of,
    check_bands,
    percent_to_ppm,
    ppm_to_percent,
    provision_minor,
)


def table(*normal, restructured=((0, None, 100_000),)):
    return [Band(False, lo, hi, rate) for lo, hi, rate in normal] + [
        Band(True, lo, hi, rate) for lo, hi, rate in restructured
    ]


GOOD = table((0, 0, 0), (1, 30, 50_000), (31, None, 1_000_000))


@pytest.mark.parametrize(
    "days,bucket",
    [(0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (180, 4),
     (181, 5), (360, 5), (361, 6), (5000, 6)],
)  # fmt: skip
def test_bucket_boundaries(days, bucket):
    assert bucket_of(days) == bucket


def test_a_good_table_has_no_problem():
    assert check_bands(GOOD) == []
    assert band_for(GOOD, days=30, restructured=False).rate_ppm == 50_000
    assert band_for(GOOD, days=400, restructured=True).rate_ppm == 100_000


def codes(bands):
    return [p.code for p in check_bands(bands)]


def test_overlap_gap_start_and_open_end():
    assert codes(table((0, 10, 0), (5, None, 1))) == ["overlap"]
    assert codes(table((0, 10, 0), (12, None, 1))) == ["gap"]
    assert codes(table((1, None, 0))) == ["no_start"]
    assert codes(table((0, 10, 0), (11, 20, 1))) == ["not_open_ended"]
    assert codes(table((0, None, 0), (40, None, 1))) == ["overlap"]


def test_negative_inverted_and_above_100():
    assert codes(table((-1, None, 0))) == ["negative_days"]
    assert codes(table((0, None, -5))) == ["negative_rate"]
    assert codes(table((0, None, 1_000_001))) == ["rate_above_100"]
    assert codes(table((0, 10, 0), (20, 15, 0), (16, None, 0))) == ["inverted"]


def test_both_kinds_of_loans_need_bands():
    assert codes([Band(False, 0, None, 0)]) == ["missing_kind"]


def test_rates_and_rounding_half_up():
    assert percent_to_ppm(Decimal("12.5")) == 125_000
    assert ppm_to_percent(125_000) == Decimal("12.5")
    with pytest.raises(ValueError):
        percent_to_ppm(Decimal("1.23456"))
    assert provision_minor(33_333, 50_000) == 1_667  # 1,666.65
    assert provision_minor(15_050, 250_000) == 3_763  # 3,762.5
    assert provision_minor(9_999, 750_000) == 7_499  # 7,499.25
    assert provision_minor(0, 1_000_000) == 0
