"""Helpers shared by the loan services (not a public API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.utils.translation import gettext as _

from mupaka.core.audit import snapshot
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import require_branch
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec
from mupaka.loans import engine
from mupaka.loans.models import Loan, LoanInstallment, LoanStatus, LoanTransaction, TxKind

SUBLEDGER = "loans.loan"

LOAN_AUDIT_FIELDS = (
    "status",
    "requested_principal_minor",
    "approved_principal_minor",
    "annual_rate",
    "installments",
    "schedule_version",
    "restructured",
    "reschedule_count",
    "principal_outstanding_minor",
    "interest_outstanding_minor",
    "fees_outstanding_minor",
    "penalties_outstanding_minor",
    "credit_minor",
    "days_past_due",
    "closed_on",
    "written_off_on",
)


def loan_snapshot(loan: Loan) -> dict:
    return snapshot(loan, LOAN_AUDIT_FIELDS)


def lock_loan(actor, loan: Loan | int) -> Loan:
    """The loan row, locked for the rest of the transaction, checked against the actor's
    branch."""
    pk = loan.pk if isinstance(loan, Loan) else loan
    found = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("product", "member", "branch")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No loan with this number."))
    require_branch(actor, found.branch_id)
    return found


def require_status(loan: Loan, *statuses: str, message: str | None = None) -> None:
    if loan.status not in statuses:
        raise ValidationFailed(
            message
            or _("Loan %(number)s is %(status)s: this is not possible now.")
            % {"number": loan.number, "status": LoanStatus(loan.status).label.lower()},
            code="wrong_status",
            field="status",
        )


def check_amount(loan: Loan, amount: Money, field: str = "amount") -> None:
    if not isinstance(amount, Money):
        raise ValidationFailed(_("Give an amount."), field=field)
    if amount.currency != loan.currency:
        raise ValidationFailed(
            _("Loan %(number)s is in %(loan)s: an amount in %(given)s is refused.")
            % {"number": loan.number, "loan": loan.currency, "given": amount.currency},
            field=field,
            code="currency_mismatch",
        )
    if amount.amount <= 0:
        raise ValidationFailed(
            _("The amount must be greater than zero."), field=field, code="not_positive"
        )
    if not amount.is_exact:
        raise ValidationFailed(
            _("%(amount)s has more decimals than %(currency)s allows.")
            % {"amount": amount.amount, "currency": amount.currency},
            field=field,
            code="too_many_decimals",
        )


def line(role: str, loan: Loan, minor: int, side: str, memo: str = "") -> LineSpec:
    account = account_for(role, loan.currency, product=loan.product)
    amount = Money.from_minor(minor, loan.currency)
    extra = {
        "member_id": loan.member_id,
        "subledger_type": SUBLEDGER,
        "subledger_id": str(loan.pk),
        "memo": memo,
    }
    return (
        LineSpec.dr(account, amount, **extra)
        if side == "dr"
        else LineSpec.cr(account, amount, **extra)
    )


COMPONENT_ROLES = (
    ("principal_minor", "loan_portfolio"),
    ("interest_minor", "interest_income"),
    ("fees_minor", "fee_income"),
    ("penalties_minor", "penalty_income"),
    ("credit_minor", "overpayment_liability"),
)


def component_lines(
    loan: Loan, amounts: dict[str, int], *, side: str, memo: str = ""
) -> list[LineSpec]:
    """Lines for each component amount on ``side`` ("cr" for money the loan receives);
    a negative amount goes on the other side (a reallocation)."""
    other = "dr" if side == "cr" else "cr"
    lines = []
    for key, role in COMPONENT_ROLES:
        value = int(amounts.get(key, 0) or 0)
        if value > 0:
            lines.append(line(role, loan, value, side, memo))
        elif value < 0:
            lines.append(line(role, loan, -value, other, memo))
    return lines


def refunded_minor(loan: Loan) -> int:
    return sum(
        LoanTransaction.objects.filter(loan=loan, kind=TxKind.REFUND, reversed=False).values_list(
            "amount_minor", flat=True
        )
    )


def apply_caches(
    loan: Loan,
    view: engine.LoanView,
    *,
    on_date: dt.date,
    refunded: int | None = None,
    dirty_rows: list[LoanInstallment] | None = None,
) -> list[str]:
    """Write the replay's figures into the loan's and its instalments' caches; return the
    loan fields changed (the caller saves them). ``dirty_rows``: a list to collect the
    changed instalment rows in, for a batch job that writes them all at once
    (:func:`installment_caches_write`); otherwise they are written now."""
    c = engine.caches_of(
        view, on_date=on_date, refunded_minor=refunded_minor(loan) if refunded is None else refunded
    )
    values = {
        "principal_outstanding_minor": c.principal,
        "interest_outstanding_minor": c.interest,
        "fees_outstanding_minor": c.fees,
        "penalties_outstanding_minor": c.penalties,
        "overdue_minor": c.overdue,
        "days_past_due": c.days_past_due,
        "next_due_date": c.next_due_date,
        "next_due_minor": c.next_due,
        "credit_minor": c.credit,
        "state_as_of": on_date,
    }
    changed = []
    for key, value in values.items():
        if getattr(loan, key) != value:
            setattr(loan, key, value)
            changed.append(key)
    rows = _installment_caches(loan, view)
    if dirty_rows is None:
        installment_caches_write(rows)
    else:
        dirty_rows.extend(rows)
    return changed


def installment_caches_write(rows: list[LoanInstallment]) -> None:
    """Save the cache columns of instalment rows: one prepared UPDATE run for all of
    them (Django's bulk_update builds a CASE per row and field, which costs far more
    than the write itself when a batch job touches thousands of rows)."""
    if not rows:
        return
    date = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE loans_loaninstallment SET penalties_minor = %s, outstanding_minor = %s, "
            "completed_on = %s WHERE id = %s",
            [(r.penalties_minor, r.outstanding_minor, date(r.completed_on), r.pk) for r in rows],
        )


def _installment_caches(loan: Loan, view: engine.LoanView) -> list[LoanInstallment]:
    cur = loan.currency
    by_number = {s.number: s for s in view.state.installments}
    dirty: list[LoanInstallment] = []
    for row in view.rows:
        s = by_number[row.number]
        penalties = engine.minor(s.due.penalties, cur)
        outstanding = engine.minor(s.outstanding.total, cur)
        if (row.penalties_minor, row.outstanding_minor, row.completed_on) != (
            penalties,
            outstanding,
            s.completed_on,
        ):
            row.penalties_minor, row.outstanding_minor, row.completed_on = (
                penalties,
                outstanding,
                s.completed_on,
            )
            dirty.append(row)
    return dirty


def join(items: Iterable[str]) -> str:
    return ", ".join(items)
