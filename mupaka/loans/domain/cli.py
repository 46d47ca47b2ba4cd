"""The ``mupaka schedule`` command: parse, generate, print. Testable without Django.

The JSON output is a stable contract other tools rely on; add keys, never rename them. The
currency's minor units come from babel's CLDR data (the pure domain keeps no currency
table, so babel is imported here only, lazily).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .apr import NoRateOfReturn, price_disclosure
from .schedule import Schedule, generate_schedule
from .terms import (
    Amortization,
    Charge,
    ChargeCalculation,
    ChargeTime,
    DaysInMonth,
    DaysInYear,
    Frequency,
    InterestMethod,
    InterestPeriod,
    InvalidTerms,
    LoanTerms,
)

PROG = "mupaka schedule"

EPILOG = """\
fees (repeat --fee for several):
  disbursement:flat:AMOUNT[:deducted|paid]      a fixed fee at disbursement
  disbursement:percent:PCT[:deducted|paid]      a percentage of the principal
  installment:flat:AMOUNT                       a fixed fee on every instalment
  installment:percent-of-principal:PCT          a percentage of each instalment's principal
  installment:percent-of-total:PCT              ... of its principal + interest
  A disbursement fee is deducted from the proceeds unless ':paid' (paid in cash).

example:
  mupaka schedule --principal 12000 --currency USD --annual-rate 24 --installments 4 \\
      --disbursed 2011-09-20 --json
"""


class _Parser(argparse.ArgumentParser):
    """argparse that writes to the streams ``main`` was given."""

    def __init__(self, *args: object, out: TextIO, err: TextIO, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._out, self._err = out, err

    def _print_message(self, message: str, file: TextIO | None = None) -> None:
        if message:
            (self._err if file is sys.stderr else self._out).write(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")


def _fee(text: str) -> Charge:
    parts = text.split(":")
    if len(parts) < 3:
        raise argparse.ArgumentTypeError(f"a fee is KIND:CALCULATION:AMOUNT, not {text!r}")
    time, calculation, rest = parts[0], parts[1], parts[2:]
    modes = [p for p in rest if p in ("deducted", "paid")]
    numbers = [p for p in rest if p not in ("deducted", "paid")]
    if len(numbers) != 1 or len(modes) > 1:
        raise argparse.ArgumentTypeError(f"a fee has one amount and at most one mode: {text!r}")
    try:
        charge_time = ChargeTime(time)
        charge_calc = ChargeCalculation(calculation)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown fee {time}:{calculation} in {text!r}")
    if modes and charge_time != ChargeTime.DISBURSEMENT:
        raise argparse.ArgumentTypeError(f"only disbursement fees are deducted or paid: {text!r}")
    try:
        return Charge(charge_time, charge_calc, _decimal(numbers[0]), modes != ["paid"])
    except InvalidTerms as exc:
        raise argparse.ArgumentTypeError(f"{exc} ({text!r})")


def build_parser(out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Print the repayment schedule of a loan, with its APR and EIR.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        out=out,
        err=err,
    )
    a = p.add_argument
    a("--principal", type=_decimal, required=True, help="amount lent, e.g. 5000")
    a("--currency", required=True, help="ISO 4217 code: USD, CDF, RWF, BIF, EUR...")
    a("--annual-rate", type=_decimal, required=True, help="nominal rate in %% a year, e.g. 24")
    a("--installments", type=_positive_int, required=True, help="number of instalments")
    a("--disbursed", type=_iso_date, required=True, help="disbursement date, YYYY-MM-DD")
    a("--every", type=_positive_int, default=1, help="repay every N periods (default 1)")
    a(
        "--frequency",
        choices=[f.value for f in Frequency],
        default="months",
        help="repayment period (default months)",
    )
    a(
        "--interest-method",
        choices=[m.value for m in InterestMethod],
        default="declining",
        help="default declining (balance)",
    )
    a(
        "--amortization",
        choices=[m.value for m in Amortization],
        default="equal-installments",
        help="declining balance only (default equal-installments)",
    )
    a(
        "--interest-period",
        choices=[m.value for m in InterestPeriod],
        default="repayment",
        help="interest per repayment period or daily on the balance (default repayment)",
    )
    a(
        "--days-in-year",
        choices=[d.value for d in DaysInYear],
        default="actual",
        help="for daily interest (default actual)",
    )
    a(
        "--days-in-month",
        choices=[d.value for d in DaysInMonth],
        default="actual",
        help="for daily interest (default actual)",
    )
    a("--first-due", type=_iso_date, help="first due date (default one period after disbursement)")
    a("--grace-principal", type=_count, default=0, help="periods paying interest only")
    a(
        "--grace-interest-payment",
        type=_count,
        default=0,
        help="periods whose interest is paid with the first instalment after them",
    )
    a("--grace-interest-free", type=_count, default=0, help="periods without interest")
    a("--installment-multiple", type=_decimal, help="round instalments to multiples of M")
    a("--currency-multiple", type=_decimal, help="round every amount to multiples of M (cash)")
    a("--decimals", type=_count, help="minor units (default: the currency's, from CLDR)")
    a(
        "--rounding",
        choices=["half-even", "half-up", "down"],
        default="half-even",
        help="rounding mode (default half-even)",
    )
    a(
        "--fee",
        type=_fee,
        action="append",
        default=[],
        metavar="KIND:CALC:AMOUNT",
        help="a fee; see below",
    )
    a(
        "--compulsory-savings-percent",
        type=_decimal,
        default=Decimal(0),
        help="%% of the principal held back as savings and returned at the end (default 0)",
    )
    a("--json", action="store_true", help="print JSON instead of a table")
    return p


def currency_decimals(code: str) -> int:
    """The currency's minor units from CLDR; ValueError for an unknown code."""
    from babel.numbers import get_currency_precision, list_currencies

    if code not in list_currencies():
        raise ValueError(f"unknown currency {code!r} (use an ISO 4217 code such as USD or CDF)")
    return get_currency_precision(code)


def terms_from_args(args: argparse.Namespace) -> LoanTerms:
    currency = args.currency.upper()
    decimals = args.decimals if args.decimals is not None else currency_decimals(currency)
    return LoanTerms(
        principal=args.principal,
        annual_rate=args.annual_rate,
        installments=args.installments,
        disbursement_date=args.disbursed,
        decimals=decimals,
        every=args.every,
        frequency=Frequency(args.frequency),
        interest_method=InterestMethod(args.interest_method),
        amortization=Amortization(args.amortization),
        interest_period=InterestPeriod(args.interest_period),
        days_in_year=DaysInYear(args.days_in_year),
        days_in_month=DaysInMonth(args.days_in_month),
        first_due_date=args.first_due,
        grace_principal=args.grace_principal,
        grace_interest_payment=args.grace_interest_payment,
        grace_interest_free=args.grace_interest_free,
        installment_multiple=args.installment_multiple,
        currency_multiple=args.currency_multiple,
        rounding=args.rounding,
        charges=tuple(args.fee),
        compulsory_savings_percent=args.compulsory_savings_percent,
    )


def schedule_document(currency: str, schedule: Schedule) -> dict[str, object]:
    """The JSON document of the contract (amounts as strings in the currency's decimals)."""
    fmt = schedule.terms.money.fmt
    disclosure = price_disclosure(schedule)
    return {
        "currency": currency,
        "installments": [
            {
                "number": row.number,
                "due_date": row.due_date.isoformat(),
                "days": row.days,
                "principal": fmt(row.principal),
                "interest": fmt(row.interest),
                "fees": fmt(row.fees),
                "total": fmt(row.total),
                "balance": fmt(row.balance),
            }
            for row in schedule.installments
        ],
        "totals": {
            "principal": fmt(schedule.total_principal),
            "interest": fmt(schedule.total_interest),
            "fees": fmt(schedule.total_fees),
            "total": fmt(schedule.total_due),
        },
        "apr": str(disclosure.apr),
        "eir": str(disclosure.eir),
        "upfront_fees": fmt(schedule.upfront_fees),
        "compulsory_savings": fmt(schedule.compulsory_savings),
        "net_disbursed": fmt(schedule.net_disbursed),
    }


def render_table(document: dict[str, object]) -> str:
    rows = document["installments"]
    assert isinstance(rows, list)
    totals = document["totals"]
    assert isinstance(totals, dict)
    columns = ("principal", "interest", "fees", "total", "balance")
    head = f"{'#':>3}  {'due date':<10}  {'days':>4}" + "".join(f"  {c:>14}" for c in columns)
    lines = [f"Repayment schedule ({document['currency']})", head, "-" * len(head)]
    for row in rows:
        lines.append(
            f"{row['number']:>3}  {row['due_date']:<10}  {row['days']:>4}"
            + "".join(f"  {row[c]:>14}" for c in columns)
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'':>3}  {'total':<10}  {'':>4}" + "".join(f"  {totals[c]:>14}" for c in columns[:-1])
    )
    lines.append("")
    lines.append(f"Fees at disbursement: {document['upfront_fees']}")
    lines.append(f"Compulsory savings held back: {document['compulsory_savings']}")
    lines.append(f"Net disbursed: {document['net_disbursed']}")
    lines.append(f"APR: {document['apr']} %    EIR: {document['eir']} %")
    return "\n".join(lines) + "\n"


def main(
    argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command; returns the exit code (0, or 2 for bad arguments)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser(out, err)
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    currency = args.currency.upper()
    try:
        schedule = generate_schedule(terms_from_args(args))
        document = schedule_document(currency, schedule)
    except (InvalidTerms, NoRateOfReturn, ValueError) as exc:
        err.write(f"{PROG}: error: {exc}\n")
        return 2
    if args.json:
        out.write(json.dumps(document) + "\n")
    else:
        out.write(render_table(document))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
