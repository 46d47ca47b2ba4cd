"""Savings interest in the general ledger between postings: the interest payable.

Interest on a savings account is earned every day but credited to the account only at
the end of its period (month, quarter, year, or maturity of a term deposit). Without an
accrual the books of a month end would miss the expense of the quarterly and annual
products. So every evening, after end of day has counted the day's balances
(:func:`mupaka.savings.services.eod.savings_interest_accrue`), the interest each open
account has earned so far in its period, **worked out exactly as it will be posted**
(:func:`mupaka.savings.domain.interest.gross_minor_from_accumulator`: the product's
method, minimum balance, days in the year and rounding, per account), is summed per
product, and the general ledger is brought to it:

    Dr savings_interest_expense (6000)   / Cr savings_interest_payable (3380)   the day's increase
    (the reverse when it shrinks: an average-balance account falling below its minimum)

When the interest is posted to the accounts the payable is released, not the expense:

    Dr savings_interest_payable (3380)   / Cr savings deposits (3300, 3310, 3320)   gross
    Dr savings deposits                  / Cr savings_withholding_tax (4400)         tax

and when it is forfeited (a term deposit broken early, an emptied account closed in
the middle of its period) the expense is written back in the same entry:

    Dr savings_interest_payable (3380)   / Cr savings_interest_expense (6000)

Each line on the payable account names its savings product (``subledger_type``
``savings.interest_payable``, ``subledger_id`` = product id), so the stock per product is
read from the journal and the accrual is always *the difference from the stock*: idempotent
for a date (run twice, the second finds nothing to post) and self-correcting.
``mupaka verify`` (``savings.interest_payable_vs_accrued``) proves, per product, payable
in the ledger = interest earned and not yet posted in the sub-ledger, and that nothing
else is posted on the payable account.

A chart without the ``savings_interest_payable`` mapping (loaded before it existed) keeps
the old behaviour (expense at posting) until ``mupaka chart load`` adds it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.models import Account, JournalEntry
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.savings.domain.interest import Accumulator, gross_minor_from_accumulator
from mupaka.savings.gl import gl_account

ROLE = "savings_interest_payable"
SUBLEDGER = "savings.interest_payable"
SOURCE = "savings.interest_accrual"

_ROWS_SQL = (
    "SELECT a.product_id, a.acc_balance_days, a.acc_eligible_days, a.acc_days, "
    "COALESCE(a.interest_rate_ppm, p.interest_rate_ppm), p.interest_method, "
    "p.min_balance_for_interest_minor, p.days_in_year, p.interest_rounding "
    "FROM savings_savingsaccount a JOIN savings_savingsproduct p ON p.id = a.product_id "
    "WHERE a.status <> 'closed' AND a.acc_days > 0"
)


def account_gross_minor(row) -> int:
    """The interest an account has earned so far in its period (minor units): ``row``
    holds its accumulator and its product's rules, in the order of ``_ROWS_SQL``."""
    _pid, balance_days, eligible_days, days, rate_ppm, method, minimum, year, rounding = row
    return gross_minor_from_accumulator(
        Accumulator(int(balance_days), int(eligible_days), int(days)),
        rate_ppm=int(rate_ppm or 0),
        method=method,
        min_balance_minor=int(minimum or 0),
        days_in_year=int(year),
        rounding=rounding,
    )


def accrued_by_product(product_ids: list[int] | None = None) -> dict[int, int]:
    """Interest earned and not yet posted, per savings product (open accounts)."""
    sql, params = _ROWS_SQL, []
    if product_ids is not None:
        if not product_ids:
            return {}
        sql += f" AND a.product_id IN ({', '.join(['%s'] * len(product_ids))})"
        params = list(product_ids)
    totals: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                totals[int(row[0])] += account_gross_minor(row)
    return dict(totals)


def stock_by_product(product_ids: list[int] | None = None) -> dict[int, int]:
    """What the general ledger holds as interest payable, per savings product (credit
    balance of the lines naming the product)."""
    sql = (
        "SELECT subledger_id, SUM(credit_minor) - SUM(debit_minor) FROM ledger_journalline "
        "WHERE subledger_type = %s"
    )
    params: list = [SUBLEDGER]
    if product_ids is not None:
        if not product_ids:
            return {}
        sql += f" AND subledger_id IN ({', '.join(['%s'] * len(product_ids))})"
        params += [str(p) for p in product_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY subledger_id", params)
        return {int(pid): int(total or 0) for pid, total in cursor.fetchall()}


def payable_account(currency: str, product) -> Account | None:
    """The product's interest payable account, or None when the chart does not map it."""
    try:
        return gl_account(ROLE, currency, product)
    except ValidationFailed as exc:
        if exc.code == "no_account_mapping":
            return None
        raise


def payable_line(product, amount_minor: int, *, side: str, memo: str = "") -> LineSpec:
    """A line on the product's payable account naming the product (``side`` "dr"/"cr")."""
    account = payable_account(product.currency, product)
    if account is None:
        raise ValidationFailed(
            _("No account is mapped for the interest payable on savings in %(currency)s.")
            % {"currency": product.currency},
            code="no_account_mapping",
        )
    make = LineSpec.dr if side == "dr" else LineSpec.cr
    return make(
        account,
        Money.from_minor(amount_minor, product.currency),
        subledger_type=SUBLEDGER,
        subledger_id=str(product.pk),
        memo=memo[:200],
    )


def forfeit_lines(*, product, accumulator: Accumulator, rate_ppm: int | None) -> list[LineSpec]:
    """The lines writing back the interest an account had earned and loses (a term
    deposit broken early, an account closed in its period): Dr payable / Cr expense.
    Empty when nothing was earned or the payable is not mapped."""
    if payable_account(product.currency, product) is None:
        return []
    amount = gross_minor_from_accumulator(
        accumulator,
        rate_ppm=int(product.interest_rate_ppm if rate_ppm is None else rate_ppm),
        method=product.interest_method,
        min_balance_minor=product.min_balance_for_interest_minor,
        days_in_year=product.days_in_year,
        rounding=product.interest_rounding,
    )
    if amount <= 0:
        return []
    memo = _("Interest earned, forfeited")
    return [
        payable_line(product, amount, side="dr", memo=memo),
        LineSpec.cr(
            gl_account("savings_interest_expense", product.currency, product),
            Money.from_minor(amount, product.currency),
            memo=memo,
        ),
    ]


def payable_true_up(*, on_date: dt.date, actor=None, product_ids: list[int] | None = None) -> dict:
    """Bring the interest payable of each savings product to the interest its open
    accounts have earned so far (one entry per product whose stock differs: Dr expense /
    Cr payable, or the reverse). Runs in the caller's transaction (end of day's step,
    after the day's balances are counted). Returns ``{"posted": {code: minor}, "unmapped":
    [codes]}``."""
    from mupaka.savings.models import SavingsProduct

    products = SavingsProduct.objects.order_by("id")
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    products = list(products)
    ids = [p.pk for p in products]
    accrued = accrued_by_product(ids)
    stock = stock_by_product(ids)
    result: dict = {"posted": {}, "unmapped": []}
    for product in products:
        delta = accrued.get(product.pk, 0) - stock.get(product.pk, 0)
        if delta == 0:
            continue
        if payable_account(product.currency, product) is None:
            result["unmapped"].append(product.code)
            continue
        source_id = f"{on_date.isoformat()}:{product.pk}"
        seq = JournalEntry.objects.filter(source_type=SOURCE, source_id=source_id).count() + 1
        memo = _("Savings interest earned to %(date)s") % {"date": on_date.strftime("%d/%m/%Y")}
        amount = Money.from_minor(abs(delta), product.currency)
        expense = gl_account("savings_interest_expense", product.currency, product)
        if delta > 0:
            lines = [
                LineSpec.dr(expense, amount, memo=memo),
                payable_line(product, abs(delta), side="cr", memo=memo),
            ]
        else:
            lines = [
                payable_line(product, abs(delta), side="dr", memo=memo),
                LineSpec.cr(expense, amount, memo=memo),
            ]
        journal_post(
            actor=actor,
            business_date=on_date,
            narrative=f"{memo} · {product.code}"[:300],
            lines=lines,
            source_type=SOURCE,
            source_id=source_id,
            idempotency_key=f"{SOURCE}:{source_id}:{seq}",
        )
        result["posted"][product.code] = result["posted"].get(product.code, 0) + delta
    return result


__all__ = [
    "ROLE",
    "SUBLEDGER",
    "accrued_by_product",
    "forfeit_lines",
    "payable_account",
    "payable_line",
    "payable_true_up",
    "stock_by_product",
]
