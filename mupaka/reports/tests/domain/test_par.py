"""PAR and ageing on a hand-made portfolio (USD, minor units), every figure worked by hand:

loan  principal out.  days late  restructured   bucket
1        1,000.00         0                      current
2          500.00         0         yes          current
3          300.00         5                      1-30
4          200.00        30                      1-30
5          400.00        31                      31-60
6          250.00        75                      61-90
7          100.00       120                      91-180
8          150.00       200                      181-360
9           50.00       400                      >360
10         123.45        45         yes          31-60

GLP   = 3,073.45
PAR1  = late ≥ 1 day (1,573.45) + restructured not late (500.00)        = 2,073.45, 9 loans
PAR30 = late > 30 days (1,073.45) + restructured ≤ 30 days (500.00)      = 1,573.45, 7 loans
PAR90 = late > 90 days (300.00) + restructured ≤ 90 days (500 + 123.45) =   923.45, 5 loans
"""

from decimal import Decimal

import pytest

from mupaka.reports.domain.par import (
    BucketTotals,
    LoanPosition,
    bucket_of,
    percent,
    portfolio_quality,
    totals_from_positions,
)

PORTFOLIO = [
    LoanPosition(100_000, 0),
    LoanPosition(50_000, 0, restructured=True),
    LoanPosition(30_000, 5, overdue_minor=2_000),
    LoanPosition(20_000, 30, overdue_minor=4_000),
    LoanPosition(40_000, 31, overdue_minor=8_000),
    LoanPosition(25_000, 75, overdue_minor=9_000),
    LoanPosition(10_000, 120, overdue_minor=10_000),
    LoanPosition(15_000, 200, overdue_minor=15_000),
    LoanPosition(5_000, 400, overdue_minor=5_000),
    LoanPosition(12_345, 45, restructured=True, overdue_minor=1_000),
]


@pytest.mark.parametrize(
    "days,bucket",
    [
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "181-360"),
        (360, "181-360"),
        (361, ">360"),
        (5000, ">360"),
    ],
)
def test_bucket_edges(days, bucket):
    assert bucket_of(days) == bucket


def test_negative_days_refused():
    with pytest.raises(ValueError):
        bucket_of(-1)


def test_par_figures_to_the_cent():
    q = portfolio_quality(totals_from_positions(PORTFOLIO))
    assert q.gross_loan_portfolio_minor == 307_345
    assert q.loans == 10
    assert q.restructured_loans == 2
    assert q.restructured_outstanding_minor == 62_345
    assert q.overdue_minor == 54_000

    assert (q.par[1].amount_minor, q.par[1].loans) == (207_345, 9)
    assert (q.par[1].late_amount_minor, q.par[1].restructured_amount_minor) == (157_345, 50_000)
    assert (q.par[30].amount_minor, q.par[30].loans) == (157_345, 7)
    assert (q.par[30].late_amount_minor, q.par[30].restructured_amount_minor) == (107_345, 50_000)
    assert (q.par[90].amount_minor, q.par[90].loans) == (92_345, 5)
    assert (q.par[90].late_amount_minor, q.par[90].restructured_amount_minor) == (30_000, 62_345)

    assert q.par[1].ratio == Decimal(207_345) / Decimal(307_345)
    assert percent(q.par[1].ratio) == Decimal("67.46")
    assert percent(q.par[30].ratio) == Decimal("51.19")  # 0.511949...
    assert percent(q.par[90].ratio) == Decimal("30.05")


def test_ageing_buckets_to_the_cent():
    q = portfolio_quality(totals_from_positions(PORTFOLIO))
    table = {
        b.key: (b.loans, b.outstanding_minor, b.restructured_loans, b.overdue_minor)
        for b in q.buckets
    }
    assert table == {
        "current": (2, 150_000, 1, 0),
        "1-30": (2, 50_000, 0, 6_000),
        "31-60": (2, 52_345, 1, 9_000),
        "61-90": (1, 25_000, 0, 9_000),
        "91-180": (1, 10_000, 0, 10_000),
        "181-360": (1, 15_000, 0, 15_000),
        ">360": (1, 5_000, 0, 5_000),
    }
    assert sum(b.outstanding_minor for b in q.buckets) == q.gross_loan_portfolio_minor
    assert percent(q.buckets[0].share) == Decimal("48.81")  # 1,500.00 / 3,073.45


def test_aggregated_rows_give_the_same_figures_as_loans():
    """Snapshot rows split by slice (say two branches) sum to the same PAR."""
    half_a = totals_from_positions(PORTFOLIO[:4])
    half_b = totals_from_positions(PORTFOLIO[4:])
    assert portfolio_quality(half_a + half_b) == portfolio_quality(totals_from_positions(PORTFOLIO))


def test_empty_portfolio_has_no_ratio():
    q = portfolio_quality([])
    assert q.gross_loan_portfolio_minor == 0
    assert q.par[30].ratio is None
    assert percent(q.par[30].ratio) is None


def test_unknown_bucket_refused():
    with pytest.raises(ValueError):
        portfolio_quality([BucketTotals("2-5", 1, 100)])
