"""The three report endpoints: figures, roles, validation field by field."""

import pytest

from .conftest import BUSINESS_DATE

pytestmark = pytest.mark.django_db


def test_portfolio_endpoint_figures(api_client_for, staff, snapshot):
    client = api_client_for(staff["manager"])
    body = client.get("/api/v1/reports/portfolio", {"date": "2026-10-31"}).json()
    assert body["source"] == "snapshot" and body["snapshot_date"] == "2026-10-31"
    usd = body["currencies"][0]
    # the BKV manager sees loans 1-6: GLP 2,650.00, PAR30 1,150.00
    assert usd["gross_loan_portfolio"] == {"amount": "2650.00", "amount_minor": 265000}
    assert usd["par"]["par30"]["amount"] == "1150.00"
    assert usd["par"]["par30"]["ratio"] == "0.433962"
    assert [b["bucket"] for b in usd["buckets"]] == body["buckets"]
    whole = (
        api_client_for(staff["auditor"])
        .get("/api/v1/reports/portfolio", {"by": "branch"})
        .json()["currencies"][0]
    )
    assert whole["par"]["par1"] == {
        "amount": "2073.45",
        "amount_minor": 207345,
        "loans": 9,
        "late": 157345,
        "restructured": 50000,
        "ratio": "0.674633",  # 0.6746327...
    }
    assert whole["par"]["par90"]["ratio"] == "0.300460"
    assert {b["label"]: b["par"]["par30"]["ratio"] for b in whole["breakdown"]} == {
        "BKV · Bukavu": "0.433962",
        "GOM · Goma": "1.000000",
    }


@pytest.mark.parametrize(
    "params,field,code",
    [
        ({"date": "2026-13-01"}, "date", "invalid_date"),
        ({"date": "2026-11-03"}, "date", "future_date"),
        ({"date": "2026-09-30"}, "date", "no_snapshot"),
        ({"sex": "X"}, "sex", "invalid"),
        ({"branch": "abc"}, "branch", "invalid"),
        ({"currency": "US"}, "currency", "invalid"),
        ({"by": "colour"}, "by", "invalid"),
    ],
)
def test_portfolio_endpoint_validation(api_client_for, staff, portfolio, params, field, code):
    response = api_client_for(staff["accountant"]).get("/api/v1/reports/portfolio", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and field in body["errors"]


def test_portfolio_endpoint_roles(api_client_for, staff, officers, portfolio):
    assert api_client_for(staff["teller"]).get("/api/v1/reports/portfolio").status_code == 403
    assert api_client_for(staff["coordinator"]).get("/api/v1/reports/portfolio").status_code == 403
    mine = api_client_for(officers["A"]).get("/api/v1/reports/portfolio").json()
    assert mine["currencies"][0]["gross_loan_portfolio"]["amount_minor"] == 240_000
    assert api_client_for(staff["committee"]).get("/api/v1/reports/portfolio").status_code == 200
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/reports/portfolio").status_code in (401, 403)


def test_indicators_endpoint(api_client_for, staff, books, snapshot):
    client = api_client_for(staff["accountant"])
    body = client.get(
        "/api/v1/reports/indicators",
        {"from": "2026-01-01", "to": BUSINESS_DATE.isoformat(), "inflation": "20"},
    ).json()
    items = {i["key"]: i for i in body["indicators"]}
    assert items["operational_self_sufficiency"]["value"] == "1.333333"
    assert items["risk_coverage_ratio"]["value"] == "0.095332"  # 150.00 / 1,573.45
    assert items["average_loan_balance"]["value"] == "307.34"  # 3,073.45 / 10, half even
    assert "÷" in items["collection_rate"]["formula"] or "/" in items["collection_rate"]["formula"]
    assert body["inflation"] == "0.200000" and body["days"] == 306
    assert api_client_for(staff["committee"]).get("/api/v1/reports/indicators").status_code == 403


@pytest.mark.parametrize(
    "params,field",
    [
        ({"to": "2027-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-02", "to": "2026-10-01"}, "to"),
        ({"inflation": "x"}, "inflation"),
    ],
)
def test_indicators_endpoint_validation(api_client_for, staff, books, params, field):
    response = api_client_for(staff["accountant"]).get("/api/v1/reports/indicators", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_financial_statements_endpoint(api_client_for, staff, books):
    client = api_client_for(staff["accountant"])
    body = client.get(
        "/api/v1/reports/financial-statements", {"date": "2026-10-31", "currency": "USD"}
    ).json()
    assert body["balance_sheet"]["balanced"] is True
    totals = {s["key"]: s["total"]["amount"] for s in body["balance_sheet"]["sections"]}
    assert totals["assets"] == "4200.00" and totals["liabilities_equity"] == "4200.00"
    assert body["income_statement"]["result"]["amount"] == "200.00"
    ratios = {r["key"]: r for r in body["prudential_ratios"]}
    assert ratios["solvency"]["met"] is True and ratios["liquidity"]["met"] is False
    assert ratios["single_member"]["example_threshold"] is True
    bad = client.get("/api/v1/reports/financial-statements", {"date": "2030-01-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "future_date"
    other = client.get("/api/v1/reports/financial-statements", {"currency": "EUR"})
    assert other.status_code == 400 and "currency" in other.json()["errors"]
    assert (
        api_client_for(staff["officer"]).get("/api/v1/reports/financial-statements").status_code
        == 403
    )
