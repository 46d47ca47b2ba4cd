"""Reads of tills, vaults, rates, exchanges and receipts, scoped to what the user may see.

Cash balances come from the journal: the lines on the ``till_cash`` (``vault_cash``)
accounts carrying the till's (vault's) sub-ledger reference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from babel.numbers import format_decimal
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound
from mupaka.core.money import Money
from mupaka.core.permissions import branch_scope, has_perm, require_branch, require_perm
from mupaka.ledger.models import AccountMapping, JournalLine
from mupaka.tellers.models import (
    RATE_SCALE,
    TILL_SUBLEDGER,
    VAULT_SUBLEDGER,
    CashTransfer,
    Denomination,
    Exchange,
    ExchangeRate,
    Receipt,
    Till,
    TillStatus,
    TransferDirection,
    TransferStatus,
    Vault,
)


# --- formatting ---------------------------------------------------------------
def money_text(m: Money, *, locale: str | None = None) -> str:
    """``284 700 CDF``, ``1 234,50 USD`` in French; ``1,234.50 USD`` in English."""
    loc = (locale or translation.get_language() or "fr").split("-")[0]
    digits = m.exponent
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(m.amount, format=fmt, locale=loc)} {m.currency}"


def rate_from_e8(value: int | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) / RATE_SCALE).normalize()


def rate_text(value: Decimal, *, locale: str | None = None) -> str:
    """A rate as people read it: ``2 847,35`` in French, ``2,847.35`` in English (two
    decimals at least, the rate's own up to eight: ``0,00035``)."""
    loc = (locale or translation.get_language() or "fr").split("-")[0]
    return format_decimal(value, format="#,##0.00######", locale=loc)


# --- cash balances ------------------------------------------------------------------
def role_account_ids(role: str) -> list[int]:
    return list(AccountMapping.objects.filter(role=role).values_list("account_id", flat=True))


def _subledger_balances(role: str, subledger_type: str, ref: int) -> dict[str, int]:
    rows = (
        JournalLine.objects.filter(
            subledger_type=subledger_type,
            subledger_id=str(ref),
            # one statement: the role's accounts as a subquery
            account_id__in=AccountMapping.objects.filter(role=role).values("account_id"),
        )
        .values("currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    )
    return {r["currency"]: int(r["d"] or 0) - int(r["c"] or 0) for r in rows}


def till_balances(till: Till) -> dict[str, int]:
    """Expected cash per currency (minor units), from the journal; every held currency listed."""
    found = _subledger_balances("till_cash", TILL_SUBLEDGER, till.pk)
    for cur in till.currencies or []:
        found.setdefault(cur, 0)
    return dict(sorted(found.items()))


def till_balance_minor(till: Till, currency: str) -> int:
    return _subledger_balances("till_cash", TILL_SUBLEDGER, till.pk).get(currency, 0)


def pending_out_minor(till: Till, currency: str) -> int:
    """Cash the teller has handed to the vault, not yet confirmed by the manager."""
    total = 0
    for amounts in CashTransfer.objects.filter(
        till=till, direction=TransferDirection.TO_VAULT, status=TransferStatus.PENDING
    ).values_list("amounts", flat=True):
        total += int(amounts.get(currency, 0))
    return total


def till_available_minor(till: Till, currency: str) -> int:
    return till_balance_minor(till, currency) - pending_out_minor(till, currency)


def vault_balances(vault: Vault) -> dict[str, int]:
    return dict(sorted(_subledger_balances("vault_cash", VAULT_SUBLEDGER, vault.pk).items()))


def vault_pending_out_minor(vault: Vault, currency: str) -> int:
    total = 0
    for amounts in CashTransfer.objects.filter(
        till__vault=vault, direction=TransferDirection.TO_TILL, status=TransferStatus.PENDING
    ).values_list("amounts", flat=True):
        total += int(amounts.get(currency, 0))
    return total


def vault_available_minor(vault: Vault, currency: str) -> int:
    return vault_balances(vault).get(currency, 0) - vault_pending_out_minor(vault, currency)


# --- tills ---------------------------------------------------------------------------
def till_open_for(*, user, business_date: dt.date | None = None) -> Till | None:
    """The user's till on the business date (open or not), or None."""
    from django.db.models import Subquery

    from mupaka.core.models import Institution

    # the business date read in the same query (the counter asks several times a request)
    on = business_date or Subquery(Institution.objects.order_by("id").values("business_date")[:1])
    return (
        Till.objects.select_related("branch", "teller")
        .filter(teller_id=user.pk, business_date=on)
        .first()
    )


def till_get(*, user, till_id: int) -> Till:
    try:
        till = Till.objects.select_related("branch", "teller", "vault").get(pk=till_id)
    except (Till.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No till with this id."))
    if till.teller_id != user.pk:
        require_perm(user, "till.view")
        require_branch(user, till.branch_id)
    return till


def till_list(*, user, business_date: dt.date | None = None, status: str = ""):
    require_perm(user, "till.view")
    qs = branch_scope(user, Till.objects.select_related("branch", "teller"))
    if business_date:
        qs = qs.filter(business_date=business_date)
    if status:
        qs = qs.filter(status=status)
    return qs


def till_operations(till: Till):
    """The till's journal lines (the teller journal), oldest first."""
    return (
        JournalLine.objects.filter(
            subledger_type=TILL_SUBLEDGER,
            subledger_id=str(till.pk),
            account_id__in=role_account_ids("till_cash"),
        )
        .select_related("entry")
        .order_by("entry_id", "line_no")
    )


def transfer_list(*, user, pending_only: bool = False):
    require_perm(user, "till.view_own")
    qs = CashTransfer.objects.select_related("till", "till__teller", "initiated_by")
    if has_perm(user, "till.view"):
        qs = branch_scope(user, qs, field="till__branch")
    else:
        qs = qs.filter(till__teller_id=user.pk)
    if pending_only:
        qs = qs.filter(status=TransferStatus.PENDING)
    return qs


def vault_for_branch(branch_id: int) -> Vault | None:
    return Vault.objects.filter(branch_id=branch_id).first()


def vault_list(*, user):
    require_perm(user, "vault.view")
    return branch_scope(user, Vault.objects.select_related("branch"))


# --- denominations ----------------------------------------------------------------
def denominations(currency: str) -> list[Denomination]:
    """The notes and coins of ``currency`` in use (what a till's count accepts)."""
    return list(
        Denomination.objects.filter(currency=currency, is_active=True).order_by("-value_minor")
    )


def denomination_table(*, user) -> dict[str, list[Denomination]]:
    """Every denomination, in use or withdrawn, by currency (the table's page)."""
    require_perm(user, "denomination.manage")
    table: dict[str, list[Denomination]] = {}
    for d in Denomination.objects.order_by("currency", "-value_minor"):
        table.setdefault(d.currency, []).append(d)
    return table


def denomination_get(*, user, denomination_id: int) -> Denomination:
    require_perm(user, "denomination.manage")
    found = Denomination.objects.filter(pk=denomination_id).first()
    if found is None:
        raise NotFound(_("No denomination with this id."))
    return found


# --- rates and exchanges --------------------------------------------------------------
def rate_current(base: str, quote: str, on_date: dt.date) -> ExchangeRate | None:
    """The rate of the pair in force on ``on_date`` (the latest set that day)."""
    return (
        ExchangeRate.objects.filter(base=base, quote=quote, rate_date=on_date)
        .order_by("-id")
        .first()
    )


def traded_pairs() -> list[tuple[str, str]]:
    return sorted(set(ExchangeRate.objects.values_list("base", "quote")))


def pair_for(cur_a: str, cur_b: str) -> tuple[str, str] | None:
    pairs = set(traded_pairs())
    if (cur_a, cur_b) in pairs:
        return (cur_a, cur_b)
    if (cur_b, cur_a) in pairs:
        return (cur_b, cur_a)
    return None


def rates_of_day(on_date: dt.date) -> list[ExchangeRate]:
    found = []
    for base, quote in traded_pairs():
        rate = rate_current(base, quote, on_date)
        if rate is not None:
            found.append(rate)
    return found


def rate_history(*, base: str = "", quote: str = "", limit: int = 200):
    qs = ExchangeRate.objects.select_related("set_by").order_by("-rate_date", "-id")
    if base:
        qs = qs.filter(base=base)
    if quote:
        qs = qs.filter(quote=quote)
    return qs[:limit]


def exchange_positions(*, user, as_of: dt.date | None = None) -> dict[str, int]:
    """Net balance (debit − credit, minor units) of the exchange position per currency."""
    require_perm(user, "exchange.position")
    from mupaka.ledger.selectors import totals_by_role

    totals: dict[str, int] = defaultdict(int)
    totals.update(totals_by_role("exchange_position", as_of=as_of))
    return dict(sorted(totals.items()))


def exchange_list(*, user, till: Till | None = None, business_date: dt.date | None = None):
    qs = Exchange.objects.select_related("till", "till__teller", "rate")
    if has_perm(user, "till.view"):
        qs = branch_scope(user, qs, field="till__branch")
    else:
        qs = qs.filter(till__teller_id=user.pk)
    if till is not None:
        qs = qs.filter(till=till)
    if business_date:
        qs = qs.filter(business_date=business_date)
    return qs


def exchange_for_receipt(receipt: Receipt) -> Exchange | None:
    """The exchange a receipt was printed for (None for any other operation)."""
    return Exchange.objects.select_related("rate").filter(receipt=receipt).first()


# --- receipts --------------------------------------------------------------------------
def receipt_get(*, user, receipt_id: int) -> Receipt:
    try:
        receipt = Receipt.objects.select_related("till", "issued_by", "branch").get(pk=receipt_id)
    except (Receipt.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No receipt with this id."))
    if receipt.issued_by_id != user.pk:
        require_perm(user, "receipt.view")
        require_branch(user, receipt.branch_id)
    return receipt


__all__ = [
    "TillStatus",
    "money_text",
    "rate_from_e8",
    "rate_text",
    "till_balances",
    "till_balance_minor",
    "till_available_minor",
    "vault_balances",
    "till_open_for",
    "till_get",
    "till_list",
    "receipt_get",
]
