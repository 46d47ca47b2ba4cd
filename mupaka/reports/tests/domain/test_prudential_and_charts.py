from decimal import Decimal
from xml.etree import ElementTree

from mupaka.reports.domain import charts
from mupaka.reports.domain.prudential import Norm, check, sum_accounts, validate_norm


def test_minimum_ratio_met_and_not_met():
    solvency = Norm("solvency", ">=", Decimal("0.10"))
    ok = check(solvency, numerator_minor=1_000, denominator_minor=10_000)
    assert ok.value == Decimal("0.1") and ok.met is True
    low = check(solvency, numerator_minor=999, denominator_minor=10_000)
    assert low.met is False


def test_maximum_ratio_and_undefined_ratio():
    fixed = Norm("fixed_assets", "<=", Decimal("1"), example=False)
    assert check(fixed, numerator_minor=5, denominator_minor=4).met is False
    assert check(fixed, numerator_minor=4, denominator_minor=4).met is True
    empty = check(fixed, numerator_minor=4, denominator_minor=0)
    assert empty.value is None and empty.met is None and empty.example is False


def test_threshold_validation():
    assert validate_norm(">=", Decimal("0.1")) == {}
    assert validate_norm("==", Decimal("-1")) == {
        "comparator": "unknown_comparator",
        "threshold": "negative",
    }


def test_sum_accounts_adds_and_subtracts():
    amounts = {"10": 500, "11": 200, "13": -50, "2": 300}
    assert sum_accounts(amounts, ["10", "11", "13", "99"]) == 650
    assert sum_accounts(amounts, ["10"], ["2"]) == 200


def test_line_chart_is_valid_svg_with_a_point_per_value():
    svg = charts.line_chart(
        title="Encours <USD>",
        labels=["06/2026", "07/2026", "08/2026"],
        series=[charts.Series("GLP", [Decimal("100.5"), None, 300])],
    )
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 2
    assert root.find(f"{ns}title").text == "Encours <USD>"  # escaped in the text, intact here


def test_bar_chart_has_a_bar_per_label():
    svg = charts.bar_chart(title="PAR30", labels=["BKV", "GOM"], values=[Decimal("12.5"), None])
    root = ElementTree.fromstring(svg)
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 2
    assert "—" in svg
