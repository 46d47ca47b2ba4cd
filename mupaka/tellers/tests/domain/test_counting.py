import pytest

from mupaka.tellers.domain.counting import CountError, count_totals, differences

TABLE = {"CDF": [2000000, 500000, 5000], "USD": [10000, 100]}


def test_totals_by_currency():
    assert count_totals({"CDF": {2000000: 3, 5000: 10}, "USD": {10000: 2}}, TABLE) == {
        "CDF": 6_050_000,
        "USD": 20_000,
    }


def test_every_problem_is_reported():
    with pytest.raises(CountError) as exc:
        count_totals(
            {"CDF": {2000000: -1, 5000: 1.5, 300: 1}, "EUR": {500: 1}, "USD": {100: True}}, TABLE
        )
    assert sorted(exc.value.problems) == [
        ("negative", "CDF", 2000000),
        ("not_integer", "CDF", 5000),
        ("not_integer", "USD", 100),
        ("unknown_currency", "EUR", 0),
        ("unknown_denomination", "CDF", 300),
    ]


def test_differences():
    assert differences({"CDF": 100, "USD": 5}, {"CDF": 50, "USD": 5, "RWF": 10}) == {
        "CDF": -50,
        "RWF": 10,
        "USD": 0,
    }
