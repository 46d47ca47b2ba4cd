"""What the teller screen needs from the savings and loans apps, behind one thin adapter.

The deposit, withdrawal and repayment services belong to the savings and loans apps
(their API.md); this module calls them, then issues the receipt in the same transaction,
written in French (``receipt_language``) whatever the teller's language: the service's
refusals stay in hers.
Each counter operation runs once per form key: the whole (service + receipt) is wrapped
in ``idempotent(key=f"{key}:counter")`` by the view, and the service gets the form's key
itself (savings and loans are idempotent on their own), so a double press moves money
once and prints one receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.commit_group import grouped
from mupaka.core.money import Money
from mupaka.core.money_format import format_amount
from mupaka.tellers.services.receipts import ReceiptLine, receipt_issue, receipt_language


@dataclass
class AccountRow:
    id: int
    number: str
    label: str
    currency: str
    balance: Money
    available: Money
    status: str = ""
    status_label: str = ""
    is_term: bool = False
    kind: str = ""  # the savings product's kind: voluntary, guarantee, term


@dataclass
class LoanDueRow:
    id: int
    number: str
    label: str
    currency: str
    due: Money
    outstanding: Money
    payoff: Money
    days_late: int = 0
    next_due_date: dt.date | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class DisbursementRow:
    """An approved loan (or group loan) the teller may pay out today."""

    id: int
    number: str
    op: str  # "disburse" or "group_disburse"
    label: str
    currency: str
    principal: Money
    fees: Money
    guarantee: Money
    net: Money
    disclosure_url: str
    shares: list[tuple[str, Money]] = field(default_factory=list)


@dataclass
class SharesRow:
    product_name: str
    currency: str
    unit_price: Money
    entry_fee: Money
    shares_held: int
    min_shares: int
    fee_paid: bool

    @property
    def suggested(self) -> int:
        """What a pending member must buy to become active (0: the fee alone)."""
        return max(self.min_shares - self.shares_held, 0)


def member_shares(*, user, member) -> SharesRow | None:
    from mupaka.core.permissions import has_perm
    from mupaka.shares.selectors import holding_for, share_product

    product = share_product()
    if product is None or not product.is_active or not has_perm(user, "shares.buy"):
        return None
    holding = holding_for(member)
    return SharesRow(
        product_name=product.name,
        currency=product.currency,
        unit_price=Money.from_minor(product.unit_price_minor, product.currency),
        entry_fee=Money.from_minor(product.entry_fee_minor, product.currency),
        shares_held=holding.shares if holding else 0,
        min_shares=product.min_shares,
        fee_paid=bool(holding and holding.entry_fee_paid_date),
    )


def member_accounts(*, user, member) -> list[AccountRow]:
    from mupaka.core.permissions import has_perm
    from mupaka.savings.models import AccountStatus
    from mupaka.savings.selectors import member_accounts as savings_accounts

    if not has_perm(user, "savings.view"):
        return []
    rows = []
    for a in savings_accounts(member).exclude(status=AccountStatus.CLOSED):
        rows.append(
            AccountRow(
                id=a.pk,
                number=a.number,
                label=f"{a.number} · {a.product.name}",
                currency=a.currency,
                balance=Money.from_minor(a.balance_minor, a.currency),
                available=Money.from_minor(a.available_minor, a.currency),
                status=a.status,
                status_label=a.get_status_display(),
                is_term=a.maturity_date is not None,
                kind=a.product.kind,
            )
        )
    return rows


@dataclass
class OpeningLink:
    currency: str
    url: str


@dataclass
class AccountOpening:
    """The currencies in which she has no savings account to deposit into (a savings
    product is offered in them), and whether the reader may open one: one link per
    currency to the savings page, which comes back to the counter with her on it."""

    currencies: list[str]
    member_active: bool
    may_open: bool
    links: list[OpeningLink]
    who_may_open: str  # the roles that may, when the reader may not


def savings_to_open(*, user, member, accounts: list[AccountRow]) -> AccountOpening | None:
    from django.urls import reverse
    from django.utils.http import urlencode

    from mupaka.core.permissions import has_perm, roles_for
    from mupaka.core.roles import Role
    from mupaka.members.models import MemberStatus
    from mupaka.savings.models import ProductKind
    from mupaka.savings.selectors import products_to_open

    if not has_perm(user, "savings.view"):
        return None
    # her own savings at the counter: a guarantee account (opened with a loan) neither
    # counts as one nor is offered as one
    held = {a.currency for a in accounts if a.kind == ProductKind.VOLUNTARY}
    offered = set(
        products_to_open().filter(kind=ProductKind.VOLUNTARY).values_list("currency", flat=True)
    )
    missing = sorted(offered - held)
    if not missing:
        return None
    opening = reverse("savings:account_open")
    back = reverse("tellers:counter_member", args=[member.pk])
    return AccountOpening(
        currencies=missing,
        member_active=member.status == MemberStatus.ACTIVE,
        may_open=has_perm(user, "savings.account.open"),
        links=[
            OpeningLink(
                currency=code,
                url=f"{opening}?{urlencode({'member': member.pk, 'currency': code, 'next': back})}",
            )
            for code in missing
        ],
        who_may_open=", ".join(
            str(Role(r).label) for r in sorted(roles_for("savings.account.open"))
        ),
    )


def member_loans_due(*, user, member, on_date: dt.date) -> list[LoanDueRow]:
    from mupaka.core.permissions import has_perm
    from mupaka.loans.selectors import member_loans_due as loans_due

    if not has_perm(user, "loan.view"):
        return []
    return [
        LoanDueRow(
            id=d.loan.pk,
            number=d.loan.number,
            label=str(d.loan.number),
            currency=d.loan.currency,
            due=d.due_today,
            outstanding=d.outstanding,
            payoff=d.payoff,
            days_late=d.days_past_due,
            next_due_date=d.next_due_date,
        )
        for d in loans_due(user=user, member=member, on_date=on_date)
    ]


def member_disbursements(*, user, member) -> list[DisbursementRow]:
    """Her approved loans, and the approved group loans she leads, with what leaves the
    till (principal − deducted fee − guarantee savings) and the disclosure sheet."""
    from django.urls import reverse

    from mupaka.core.permissions import has_perm
    from mupaka.loans.selectors import disclosure, group_loan_shares, member_loans_to_disburse

    if not has_perm(user, "loan.disburse"):
        return []
    loans, group_loans = member_loans_to_disburse(user=user, member=member)
    rows = []
    for loan in loans:
        sheet = disclosure(loan)
        rows.append(
            DisbursementRow(
                id=loan.pk,
                number=loan.number,
                op="disburse",
                label=f"{loan.number} · {loan.product.name}",
                currency=loan.currency,
                principal=sheet.principal,
                fees=sheet.upfront_fees,
                guarantee=sheet.guarantee,
                net=sheet.net_disbursed,
                disclosure_url=reverse("loans:disclosure", args=[loan.pk]),
            )
        )
    for group_loan in group_loans:
        sheets = [disclosure(share) for share in group_loan_shares(group_loan)]
        sheets = [sh for sh in sheets if sh.loan.status == "approved"]
        if not sheets:
            continue
        cur = group_loan.currency
        rows.append(
            DisbursementRow(
                id=group_loan.pk,
                number=group_loan.number,
                op="group_disburse",
                label=f"{group_loan.number} · {group_loan.group.name}",
                currency=cur,
                principal=Money.sum((sh.principal for sh in sheets), cur),
                fees=Money.sum((sh.upfront_fees for sh in sheets), cur),
                guarantee=Money.sum((sh.guarantee for sh in sheets), cur),
                net=Money.sum((sh.net_disbursed for sh in sheets), cur),
                disclosure_url=reverse("loans:group_disclosure", args=[group_loan.pk]),
                shares=[(sh.loan.member.full_name, sh.principal) for sh in sheets],
            )
        )
    return rows


def _outstanding(loan) -> Money:
    """What is left to pay on a loan, from the caches its service just refreshed (no
    replay of the schedule a second time)."""
    return Money.from_minor(
        loan.principal_outstanding_minor
        + loan.interest_outstanding_minor
        + loan.fees_outstanding_minor
        + loan.penalties_outstanding_minor,
        loan.currency,
    )


# --- operations: service + receipt, in one transaction --------------------------------
@grouped
@transaction.atomic
def counter_deposit(*, actor, account_id: int, amount: Money, key: str) -> int:
    from mupaka.savings.selectors import account_get
    from mupaka.savings.services import savings_deposit

    account = account_get(user=actor, account_id=account_id)
    result = savings_deposit(actor=actor, account=account, amount=amount, idempotency_key=key)
    with receipt_language():
        receipt = receipt_issue(
            actor=actor,
            kind="savings.deposit",
            title=_("Savings deposit"),
            lines=[
                ReceiptLine(_("Deposit to account %(number)s") % {"number": account.number}, amount)
            ],
            balances=[ReceiptLine(_("Balance after the operation"), result.balance)],
            member_id=account.member_id,
            entry_number=result.entry_number,
        )
    return receipt.pk


@grouped
@transaction.atomic
def counter_withdraw(*, actor, account_id: int, amount: Money, key: str) -> int:
    from mupaka.savings.selectors import account_get
    from mupaka.savings.services import savings_withdraw

    account = account_get(user=actor, account_id=account_id)
    result = savings_withdraw(actor=actor, account=account, amount=amount, idempotency_key=key)
    with receipt_language():
        lines = [
            ReceiptLine(
                _("Withdrawal from account %(number)s") % {"number": account.number}, amount
            )
        ]
        if result.fee_minor:
            lines.append(ReceiptLine(_("Withdrawal fee"), result.fee))
        receipt = receipt_issue(
            actor=actor,
            kind="savings.withdrawal",
            title=_("Savings withdrawal"),
            lines=lines,
            balances=[ReceiptLine(_("Balance after the operation"), result.balance)],
            member_id=account.member_id,
            entry_number=result.entry_number,
        )
    return receipt.pk


@grouped
@transaction.atomic
def counter_repay(*, actor, loan_id: int, amount: Money, key: str) -> int:
    from mupaka.loans.selectors import loan_get
    from mupaka.loans.services import loan_repay

    loan = loan_get(user=actor, loan_id=loan_id)
    tx = loan_repay(actor=actor, loan=loan, amount=amount, idempotency_key=key, channel="cash")
    cur = loan.currency
    loan = tx.loan  # the row the service locked and refreshed (its caches are current)
    with receipt_language():
        parts = [
            (_("Penalties"), tx.penalties_minor),
            (_("Fees"), tx.fees_minor),
            (_("Interest"), tx.interest_minor),
            (_("Principal"), tx.principal_minor),
            (_("Credit balance (overpayment)"), tx.credit_minor),
        ]
        notes = [f"{label} : {_receipt_number(v, cur)}" for label, v in parts if v]
        receipt = receipt_issue(
            actor=actor,
            kind="loans.repayment",
            title=_("Loan repayment"),
            lines=[
                ReceiptLine(_("Repayment of loan %(number)s") % {"number": loan.number}, amount)
            ],
            balances=[ReceiptLine(_("Left to pay on the loan"), _outstanding(loan))],
            notes=[_("Allocated to (%(currency)s):") % {"currency": cur}, *notes],
            member_id=loan.member_id,
            entry_number=tx.journal_entry_id,  # the entry's number is its key
        )
    return receipt.pk


@grouped
@transaction.atomic
def counter_shares(*, actor, member_id: int, shares: int, key: str) -> int:
    """Entry fee (if not yet paid) and member shares, in cash."""
    from mupaka.members.selectors import member_get
    from mupaka.shares.services import shares_purchase

    member = member_get(user=actor, member_id=member_id)
    result = shares_purchase(actor=actor, member=member, shares=shares, idempotency_key=key)
    cur = result.currency
    with receipt_language():
        lines = []
        if result.entry_fee_minor:
            lines.append(ReceiptLine(_("Entry fee"), Money.from_minor(result.entry_fee_minor, cur)))
        if result.shares_bought:
            lines.append(
                ReceiptLine(
                    _("%(n)s member share(s)") % {"n": result.shares_bought},
                    Money.from_minor(result.shares_minor, cur),
                )
            )
        notes = [_("Shares held: %(n)s") % {"n": result.shares_held}]
        if result.member_activated:
            notes.append(_("Membership is now active."))
        receipt = receipt_issue(
            actor=actor,
            kind="shares.purchase",
            title=_("Membership and member shares"),
            lines=lines,
            notes=notes,
            member_id=member.pk,
            entry_number=result.entry_number,
        )
    return receipt.pk


def _attach_loans(txs) -> None:
    """The loans as their service left them (caches current), with their members, in one
    query."""
    from mupaka.loans.models import Loan

    loans = Loan.objects.select_related("member").in_bulk([t.loan_id for t in txs])
    for t in txs:
        t.loan = loans[t.loan_id]


def _receipt_number(minor: int, currency: str) -> str:
    """An amount in a receipt's note, under a heading naming the currency: ``1 234,50``."""
    return format_amount(Money.from_minor(minor, currency))


def _disbursement_receipt(*, actor, txs, number: str, title: str, member_id: int, shares=()):
    """The receipt of a cash disbursement: principal, what is kept back, what is paid
    (called inside ``receipt_language()``)."""
    cur = txs[0].currency
    principal = sum(t.principal_minor for t in txs)
    fees = sum(t.fees_minor for t in txs)
    guarantee = sum(t.guarantee_minor for t in txs)
    lines = [
        ReceiptLine(
            _("Loan %(number)s disbursed") % {"number": number}, Money.from_minor(principal, cur)
        )
    ]
    if fees:
        lines.append(ReceiptLine(_("Disbursement fee (deducted)"), Money.from_minor(fees, cur)))
    if guarantee:
        lines.append(
            ReceiptLine(_("Guarantee savings (blocked)"), Money.from_minor(guarantee, cur))
        )
    lines.append(
        ReceiptLine(_("Paid in cash"), Money.from_minor(principal - fees - guarantee, cur))
    )
    loans = [t.loan for t in txs]
    first_due = min((ln.next_due_date for ln in loans if ln.next_due_date), default=None)
    notes = [f"{name} : {_receipt_number(amount.minor, cur)}" for name, amount in shares]
    if first_due is not None:
        notes.append(
            _("First instalment due on %(date)s: %(amount)s %(currency)s")
            % {
                "date": first_due.strftime("%d/%m/%Y"),
                "amount": _receipt_number(
                    sum(ln.next_due_minor for ln in loans if ln.next_due_date == first_due), cur
                ),
                "currency": cur,
            }
        )
    total = Money.sum((_outstanding(ln) for ln in loans), cur)
    return receipt_issue(
        actor=actor,
        kind="loans.disbursement",
        title=title,
        lines=lines,
        balances=[ReceiptLine(_("Left to pay on the loan"), total)],
        notes=notes,
        member_id=member_id,
        entry_number=txs[0].journal_entry_id,  # the entry's number is its key
    )


@grouped
@transaction.atomic
def counter_disburse(*, actor, loan_id: int, key: str) -> int:
    """An approved individual loan paid out in cash at the teller's till."""
    from mupaka.loans.selectors import loan_get
    from mupaka.loans.services import loan_disburse

    loan = loan_get(user=actor, loan_id=loan_id)
    tx = loan_disburse(actor=actor, loan=loan, idempotency_key=key, channel="cash")
    _attach_loans([tx])
    with receipt_language():
        receipt = _disbursement_receipt(
            actor=actor,
            txs=[tx],
            number=loan.number,
            title=_("Loan disbursement"),
            member_id=loan.member_id,
        )
    return receipt.pk


@grouped
@transaction.atomic
def counter_group_disburse(*, actor, group_loan_id: int, key: str) -> int:
    """Every approved share of a group loan paid out in cash, to the group's leader."""
    from mupaka.loans.selectors import group_loan_get
    from mupaka.loans.services import group_loan_disburse

    group_loan = group_loan_get(user=actor, group_loan_id=group_loan_id)
    txs = group_loan_disburse(actor=actor, group_loan=group_loan, idempotency_key=key)
    _attach_loans(txs)
    shares = [
        (t.loan.member.full_name, Money.from_minor(t.principal_minor, t.currency)) for t in txs
    ]
    with receipt_language():
        receipt = _disbursement_receipt(
            actor=actor,
            txs=txs,
            number=group_loan.number,
            title=_("Group loan disbursement"),
            member_id=group_loan.leader_id,
            shares=shares,
        )
    return receipt.pk
