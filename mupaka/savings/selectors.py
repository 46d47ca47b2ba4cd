"""Reads of savings, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Q, QuerySet, Sum, When
from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound
from mupaka.core.money import Money
from mupaka.core.permissions import branch_scope, require_branch, require_perm
from mupaka.members.models import Member
from mupaka.savings.models import (
    AccountStatus,
    HoldStatus,
    KycTierLimit,
    ProductKind,
    ReversalStatus,
    SavingsAccount,
    SavingsHold,
    SavingsProduct,
    SavingsReversalRequest,
    SavingsTransaction,
)


def product_list(*, include_inactive: bool = True) -> QuerySet[SavingsProduct]:
    qs = SavingsProduct.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)


def products_to_open(*, currency: str = "") -> QuerySet[SavingsProduct]:
    """The products an account is opened in on the account-opening page: open to new
    accounts and not term deposits (those have their own page); in one currency if given."""
    qs = SavingsProduct.objects.filter(is_active=True).exclude(kind=ProductKind.TERM)
    return qs.filter(currency=currency) if currency else qs


def product_get(*, user, product_id: int) -> SavingsProduct:
    require_perm(user, "savings.view")
    product = SavingsProduct.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No savings product with this id."), field="product")
    return product


def account_list(
    *, user, query: str = "", status: str = "", member: Member | None = None
) -> QuerySet[SavingsAccount]:
    require_perm(user, "savings.view")
    qs = branch_scope(user, SavingsAccount.objects.select_related("member", "product", "branch"))
    if member is not None:
        qs = qs.filter(member=member)
    if status:
        qs = qs.filter(status=status)
    text = (query or "").strip()
    if text:
        qs = qs.filter(
            Q(number__istartswith=text)
            | Q(member__number__istartswith=text)
            | Q(member__last_name__istartswith=text)
            | Q(member__first_name__istartswith=text)
        )
    return qs.order_by("number")


def account_get(*, user, account_id: int) -> SavingsAccount:
    require_perm(user, "savings.view")
    account = (
        SavingsAccount.objects.select_related("member", "product", "branch", "gl_account")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound(_("No savings account with this id."), field="account")
    require_branch(user, account.branch_id)
    return account


def account_transactions(account: SavingsAccount) -> QuerySet[SavingsTransaction]:
    return account.transactions.select_related("actor").order_by("-id")


def account_holds(account: SavingsAccount, *, active_only: bool = False):
    qs = account.holds.select_related("placed_by", "released_by")
    return qs.filter(status=HoldStatus.ACTIVE) if active_only else qs


def member_accounts(member: Member) -> QuerySet[SavingsAccount]:
    return SavingsAccount.objects.filter(member=member).select_related("product").order_by("number")


def member_balances(member: Member) -> dict[str, Money]:
    """The member's savings per currency (open accounts)."""
    rows = (
        SavingsAccount.objects.filter(member=member)
        .exclude(status=AccountStatus.CLOSED)
        .values("currency")
        .annotate(total=Sum("balance_minor"))
    )
    return {r["currency"]: Money.from_minor(int(r["total"] or 0), r["currency"]) for r in rows}


def member_exit_check(member: Member) -> str | None:
    """Registered with the members app: refuse her exit while an account is open."""
    open_accounts = list(
        SavingsAccount.objects.filter(member=member)
        .exclude(status=AccountStatus.CLOSED)
        .values_list("number", flat=True)[:5]
    )
    if open_accounts:
        return _("Close her savings accounts first: %(accounts)s.") % {
            "accounts": ", ".join(open_accounts)
        }
    return None


def kyc_limits() -> QuerySet[KycTierLimit]:
    return KycTierLimit.objects.all()


def hold_get(*, user, hold_id: int) -> SavingsHold:
    require_perm(user, "savings.view")
    hold = SavingsHold.objects.select_related("account").filter(pk=hold_id).first()
    if hold is None:
        raise NotFound(_("No hold with this id."))
    require_branch(user, hold.account.branch_id)
    return hold


# --- statement ---------------------------------------------------------------------------------
@dataclass
class StatementRow:
    business_date: dt.date
    label: str
    memo: str
    entry_number: int | None
    debit: Money | None
    credit: Money | None
    balance: Money
    blocked: Money


@dataclass
class AccountStatement:
    account: SavingsAccount
    date_from: dt.date
    date_to: dt.date
    opening: Money
    rows: list[StatementRow] = field(default_factory=list)

    @property
    def closing(self) -> Money:
        return self.rows[-1].balance if self.rows else self.opening

    @property
    def total_in(self) -> Money:
        return Money.sum((r.credit for r in self.rows if r.credit), self.account.currency)

    @property
    def total_out(self) -> Money:
        return Money.sum((r.debit for r in self.rows if r.debit), self.account.currency)


def account_statement(
    *, user, account: SavingsAccount, date_from: dt.date, date_to: dt.date
) -> AccountStatement:
    """The account's movements between two value dates with the running balance (as a
    passbook: money out in the debit column, money in in the credit column)."""
    require_perm(user, "savings.view")
    require_branch(user, account.branch_id)
    from mupaka.core.exceptions import ValidationFailed

    if date_to < date_from:
        raise ValidationFailed(_("The end date is before the start date."), field="date_to")
    before = account.transactions.filter(business_date__lt=date_from).order_by("-id").first()
    money = account.money
    statement = AccountStatement(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=money(before.balance_after_minor if before else 0),
    )
    txns = account.transactions.filter(
        business_date__gte=date_from, business_date__lte=date_to
    ).order_by("id")
    for t in txns:
        statement.rows.append(
            StatementRow(
                business_date=t.business_date,
                label=t.get_kind_display(),
                memo=t.memo,
                entry_number=t.entry_id,
                debit=money(t.amount_minor) if t.direction == "out" else None,
                credit=money(t.amount_minor) if t.direction == "in" else None,
                balance=money(t.balance_after_minor),
                blocked=money(t.blocked_after_minor),
            )
        )
    return statement


def account_get_by_number(*, user, number: str, field: str = "account") -> SavingsAccount:
    """An account by its number (``BKV-000123-01``), if the user may see it."""
    require_perm(user, "savings.view")
    text = (number or "").strip().upper()
    account = (
        SavingsAccount.objects.select_related("member", "product").filter(number=text).first()
        if text
        else None
    )
    if account is None:
        raise NotFound(
            _("No savings account with the number %(number)s.") % {"number": text or "—"},
            field=field,
        )
    require_branch(user, account.branch_id)
    return account


def transaction_get(*, user, transaction_id: int) -> SavingsTransaction:
    require_perm(user, "savings.view")
    txn = (
        SavingsTransaction.objects.select_related("account", "account__member", "actor")
        .filter(pk=transaction_id)
        .first()
    )
    if txn is None:
        raise NotFound(_("No savings transaction with this id."), field="transaction")
    require_branch(user, txn.account.branch_id)
    return txn


def reversal_requests(*, user, pending_only: bool = False) -> QuerySet[SavingsReversalRequest]:
    """Reversal requests of the user's branch, the pending ones first."""
    require_perm(user, "savings.view")
    qs = branch_scope(
        user,
        SavingsReversalRequest.objects.select_related(
            "transaction", "account", "account__member", "requested_by", "decided_by"
        ),
    )
    if pending_only:
        qs = qs.filter(status=ReversalStatus.PENDING)
    return qs.order_by(
        Case(When(status=ReversalStatus.PENDING, then=0), default=1), "-requested_at"
    )


def reversal_request_get(*, user, request_id: int) -> SavingsReversalRequest:
    require_perm(user, "savings.view")
    request = (
        SavingsReversalRequest.objects.select_related("transaction", "account", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("No reversal request with this id."))
    require_branch(user, request.branch_id)
    return request


def term_products() -> QuerySet[SavingsProduct]:
    """Term deposit products open to new deposits."""
    return SavingsProduct.objects.filter(kind=ProductKind.TERM, is_active=True).order_by(
        "currency", "term_months", "code"
    )


def reversed_entries(entry_numbers) -> set[int]:
    """Which of these journal entries have been reversed already."""
    from mupaka.ledger.models import JournalEntry

    return set(
        JournalEntry.objects.filter(reversal_of_id__in=[n for n in entry_numbers if n]).values_list(
            "reversal_of_id", flat=True
        )
    )
