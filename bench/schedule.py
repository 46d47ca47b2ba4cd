"""Schedules per second for a 12-instalment declining-balance loan, on one core.

    python bench/schedule.py [--seconds 2]

Prints the engine's rate and, measured in the same run, two baselines that produce the same
numbers (checked before timing):

* naive: the straightforward way, Decimal in the default context, recomputing everything
  (the rate and the instalment every period, the balance as the principal less all the
  principal repaid so far, each due date by counting months from the disbursement);
* minimal: a hand-tuned loop for this one product only (no options, no fees, no checks),
  the floor a general engine is up against.

The target is 10,000 schedules a second on one core.
"""

from __future__ import annotations

import argparse
import calendar
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mupaka.loans.domain import LoanTerms, generate_schedule  # noqa: E402

TARGET = 10_000
PRINCIPAL = Decimal("12000.00")
RATE = Decimal(24)
INSTALLMENTS = 12
DISBURSED = date(2011, 9, 20)


def naive_schedule(principal: Decimal, annual_rate: Decimal, n: int, disbursed: date) -> list:
    """Recomputes everything it needs, every period."""
    rows: list[dict] = []
    for k in range(1, n + 1):
        due = disbursed
        for _ in range(k):  # step month by month from the disbursement date
            month = due.month % 12 + 1
            year = due.year + (1 if month == 1 else 0)
            due = date(year, month, min(disbursed.day, calendar.monthrange(year, month)[1]))
        balance = principal - sum((row["principal"] for row in rows), Decimal(0))
        rate = annual_rate / Decimal(100) / Decimal(12)
        factor = (Decimal(1) + rate) ** n
        emi = (principal * rate * factor / (factor - Decimal(1))).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_EVEN
        )
        interest = (balance * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        principal_part = balance if k == n else emi - interest
        rows.append(
            {
                "number": k,
                "due_date": due,
                "principal": principal_part,
                "interest": interest,
                "total": principal_part + interest,
                "balance": balance - principal_part,
            }
        )
    return rows


def minimal_schedule(principal: Decimal, annual_rate: Decimal, n: int, disbursed: date) -> list:
    """Only what this one product needs, nothing recomputed."""
    cent = Decimal("0.01")
    rate = annual_rate / 1200
    factor = (1 + rate) ** n
    emi = (principal * rate * factor / (factor - 1)).quantize(cent, ROUND_HALF_EVEN)
    rows = []
    balance = principal
    year, month0, day = disbursed.year, disbursed.month - 1, disbursed.day
    for k in range(1, n + 1):
        y, m = year + (month0 + k) // 12, (month0 + k) % 12 + 1
        due = date(y, m, min(day, calendar.monthrange(y, m)[1]))
        interest = (balance * rate).quantize(cent, ROUND_HALF_EVEN)
        part = balance if k == n else emi - interest
        balance -= part
        rows.append((k, due, part, interest, part + interest, balance))
    return rows


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            fn()
        count += 100
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()

    terms = LoanTerms(
        principal=PRINCIPAL,
        annual_rate=RATE,
        installments=INSTALLMENTS,
        disbursement_date=DISBURSED,
    )
    engine = [(r.due_date, r.principal, r.interest) for r in generate_schedule(terms).installments]
    naive = naive_schedule(PRINCIPAL, RATE, INSTALLMENTS, DISBURSED)
    minimal = minimal_schedule(PRINCIPAL, RATE, INSTALLMENTS, DISBURSED)
    if engine != [(r["due_date"], r["principal"], r["interest"]) for r in naive] or engine != [
        (r[1], r[2], r[3]) for r in minimal
    ]:
        print("the baselines and the engine disagree; not timing", file=sys.stderr)
        return 1

    naive_rate = rate(
        lambda: naive_schedule(PRINCIPAL, RATE, INSTALLMENTS, DISBURSED), args.seconds
    )
    minimal_rate = rate(
        lambda: minimal_schedule(PRINCIPAL, RATE, INSTALLMENTS, DISBURSED), args.seconds
    )
    engine_rate = rate(lambda: generate_schedule(terms), args.seconds)
    print(f"12-instalment declining loan, {sys.implementation.name} {sys.version.split()[0]}")
    print(f"engine:            {engine_rate:>10,.0f} schedules/s")
    print(f"baseline, naive:   {naive_rate:>10,.0f} schedules/s")
    print(f"baseline, minimal: {minimal_rate:>10,.0f} schedules/s (one product, no options)")
    print(f"ratio:             {engine_rate / naive_rate:>10.2f}x the naive baseline")
    print(f"                   {engine_rate / minimal_rate:>10.2f}x the minimal loop")
    verdict = "met" if engine_rate >= TARGET else "MISSED"
    print(f"target:            {TARGET:>10,} schedules/s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
