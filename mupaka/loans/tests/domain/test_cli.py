"""The ``mupaka schedule`` contract, through the pure module and (when the project's
virtualenv exists) through the installed ``mupaka`` command."""

from __future__ import annotations

import io
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from mupaka.loans.domain.cli import main

REFERENCE = [
    "--principal",
    "12000",
    "--currency",
    "USD",
    "--annual-rate",
    "24",
    "--installments",
    "4",
    "--disbursed",
    "2011-09-20",
]
ROOT = Path(__file__).resolve().parents[4]
MUPAKA = ROOT / ".venv" / "bin" / "mupaka"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_json_contract() -> None:
    code, out, err = run(*REFERENCE, "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["currency"] == "USD"
    assert doc["installments"][0] == {
        "number": 1,
        "due_date": "2011-10-20",
        "days": 30,
        "principal": "2911.49",
        "interest": "240.00",
        "fees": "0.00",
        "total": "3151.49",
        "balance": "9088.51",
    }
    assert [row["number"] for row in doc["installments"]] == [1, 2, 3, 4]
    assert doc["totals"] == {
        "principal": "12000.00",
        "interest": "605.94",
        "fees": "0.00",
        "total": "12605.94",
    }
    assert (doc["apr"], doc["eir"]) == ("24.00", "26.82")


def test_issue_apr_example_and_currency_decimals_from_cldr() -> None:
    code, out, _ = run(
        "--principal",
        "100",
        "--currency",
        "usd",
        "--annual-rate",
        "36",
        "--installments",
        "4",
        "--disbursed",
        "2024-01-15",
        "--interest-method",
        "flat",
        "--json",
    )
    doc = json.loads(out)
    assert (code, doc["apr"], doc["eir"]) == (0, "56.31", "73.37")
    _, out, _ = run(
        "--principal",
        "100000",
        "--currency",
        "RWF",
        "--annual-rate",
        "24",
        "--installments",
        "3",
        "--disbursed",
        "2011-09-20",
        "--json",
    )
    assert json.loads(out)["installments"][1]["interest"] == "1346"  # RWF has no decimals
    _, out, _ = run(*REFERENCE, "--decimals", "3", "--json")
    assert json.loads(out)["installments"][0]["interest"] == "240.000"


def test_every_option_reaches_the_engine() -> None:
    code, out, err = run(
        *REFERENCE,
        "--every",
        "2",
        "--frequency",
        "weeks",
        "--interest-method",
        "declining",
        "--amortization",
        "equal-principal",
        "--interest-period",
        "daily",
        "--days-in-year",
        "360",
        "--days-in-month",
        "30",
        "--first-due",
        "2011-10-01",
        "--grace-principal",
        "1",
        "--grace-interest-payment",
        "1",
        "--grace-interest-free",
        "1",
        "--currency-multiple",
        "0.05",
        "--rounding",
        "half-up",
        "--fee",
        "disbursement:flat:10",
        "--fee",
        "disbursement:percent:paid:2",
        "--fee",
        "installment:percent-of-total:1.5",
        "--fee",
        "installment:flat:1",
        "--fee",
        "installment:percent-of-principal:1",
        "--compulsory-savings-percent",
        "10",
        "--json",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["installments"][0]["due_date"] == "2011-10-01"
    assert doc["installments"][1]["due_date"] == "2011-10-15"
    assert doc["upfront_fees"] == "250.00"
    assert doc["compulsory_savings"] == "1200.00"
    assert doc["net_disbursed"] == "10790.00"  # the 240.00 paid in cash is not deducted
    assert Decimal(doc["apr"]) > 24


def test_table_output() -> None:
    code, out, _ = run(*REFERENCE, "--fee", "disbursement:percent:1")
    assert code == 0
    assert "2011-10-20" in out and "2911.49" in out and "12605.94" in out
    assert "APR: " in out and "EIR: " in out and "Fees at disbursement: 120.00" in out


def test_help_documents_defaults() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "default months" in out and "installment:percent-of-total:PCT" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--installments", "0"], "must be 1 or more"),
        (["--principal", "-5"], "positive"),
        (["--principal", "abc"], "not a number"),
        (["--currency", "XYZ"], "unknown currency"),
        (["--disbursed", "2022-02-30"], "not a date"),
        (["--annual-rate", "-3"], "annual rate"),
        (["--frequency", "years"], "invalid choice"),
        (["--grace-principal", "4"], "principal grace"),
        (["--first-due", "2011-09-01"], "after the disbursement"),
        (["--fee", "disbursement:percent"], "KIND:CALCULATION:AMOUNT"),
        (["--fee", "installment:percent:1"], "installment fee"),
        (["--fee", "installment:flat:1:paid"], "only disbursement fees"),
        (["--fee", "bogus:flat:1"], "unknown fee"),
        (["--fee", "disbursement:percent:100"], "whole principal"),
        (["--principal", "100.001"], "decimals"),
        (["--currency-multiple", "50", "--principal", "120"], "multiple"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv: list[str], message: str) -> None:
    args = list(REFERENCE)
    for i in range(0, len(argv), 2):  # replace or add each option given
        if argv[i] in args:
            args[args.index(argv[i]) + 1] = argv[i + 1]
        else:
            args += argv[i : i + 2]
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_required_option() -> None:
    code, _, err = run("--principal", "100")
    assert code == 2 and "required" in err


@pytest.mark.skipif(not MUPAKA.exists(), reason="the project's .venv is not built")
def test_installed_command() -> None:
    env = {**os.environ, "MUPAKA_TESTING": "1"}
    done = subprocess.run(
        [str(MUPAKA), "schedule", *REFERENCE, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["installments"][3]["principal"] == "3089.68"
    bad = subprocess.run(
        [str(MUPAKA), "schedule", *REFERENCE, "--installments", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "must be 1 or more" in bad.stderr
