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


# --- amounts in words -------------------------------------------------------------
from mupaka.core.money import Money  # noqa: E402
from mupaka.tellers.domain.words import amount_in_words_fr  # noqa: E402


@pytest.mark.parametrize(
    "amount, currency, words",
    [
        ("45.50", "USD", "quarante-cinq dollars américains et cinquante cents"),
        ("284700", "CDF", "deux cent quatre-vingt-quatre mille sept cents francs congolais"),
        ("3000000", "CDF", "trois millions de francs congolais"),
        ("1", "USD", "un dollar américain"),
        ("12000", "RWF", "douze mille francs rwandais"),
        ("81", "BIF", "quatre-vingt-un francs burundais"),
        ("0.01", "USD", "zéro dollar américain et un cent"),
        ("1000000", "BIF", "un million de francs burundais"),
    ],
)
def test_amount_in_words(amount, currency, words):
    assert amount_in_words_fr(Money.of(amount, currency)) == words
