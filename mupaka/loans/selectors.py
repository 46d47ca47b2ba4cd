"""Reads about loans, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound
from mupaka.core.money import Money
from mupaka.core.permissions import branch_scope, require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.loans import domain as d
from mupaka.loans import engine
from mupaka.loans.models import (
    GroupLoan,
    Loan,
    LoanProduct,
    LoanRequest,
    LoanStatus,
    LoanTransaction,
    RequestStatus,
    TxKind,
)
from mupaka.members.models import Member


# --- products ---------------------------------------------------------------------------
def loan_product_list(*, user, active_only: bool = False) -> QuerySet[LoanProduct]:
    require_perm(user, "loan_product.view")
    qs = LoanProduct.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def loan_product_get(*, user, product_id: int) -> LoanProduct:
    require_perm(user, "loan_product.view")
    product = LoanProduct.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No loan product with this id."))
    return product


# --- loans ------------------------------------------------------------------------------
def loan_list(
    *, user, status: str = "", query: str = "", member: Member | None = None
) -> QuerySet[Loan]:
    require_perm(user, "loan.view")
    qs = branch_scope(
        user, Loan.objects.select_related("member", "product", "branch", "group_loan")
    )
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member=member)
    q = (query or "").strip()
    if q:
        number = q.upper().removeprefix("CR-").lstrip("0")
        cond = (
            Q(member__number__iexact=q)
            | Q(member__last_name__icontains=q)
            | Q(member__first_name__icontains=q)
        )
        if number.isdigit():
            cond |= Q(pk=int(number))
        qs = qs.filter(cond)
    return qs.order_by("-id")


def loan_get(*, user, loan_id: int) -> Loan:
    require_perm(user, "loan.view")
    loan = (
        Loan.objects.select_related("member", "product", "branch", "group_loan", "officer")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        raise NotFound(_("No loan with this number."))
    require_branch(user, loan.branch_id)
    return loan


def group_loan_get(*, user, group_loan_id: int) -> GroupLoan:
    require_perm(user, "loan.view")
    group_loan = (
        GroupLoan.objects.select_related("group", "product", "leader", "branch")
        .filter(pk=group_loan_id)
        .first()
    )
    if group_loan is None:
        raise NotFound(_("No group loan with this number."))
    require_branch(user, group_loan.branch_id)
    return group_loan


def group_loan_shares(group_loan: GroupLoan) -> list[Loan]:
    return list(Loan.objects.select_related("member").filter(group_loan=group_loan).order_by("pk"))


def pipeline(*, user) -> tuple[list[Loan], list[GroupLoan]]:
    """Applications waiting for the committee: individual loans and group loans."""
    require_perm(user, "loan.view")
    loans = list(
        branch_scope(
            user,
            Loan.objects.select_related("member", "product", "filed_by").filter(
                status=LoanStatus.SUBMITTED, group_loan__isnull=True
            ),
        ).order_by("created_at")
    )
    groups = list(
        branch_scope(
            user,
            GroupLoan.objects.select_related("group", "product", "filed_by").filter(
                status=LoanStatus.SUBMITTED
            ),
        ).order_by("created_at")
    )
    return loans, groups


def approved_waiting(*, user) -> tuple[list[Loan], list[GroupLoan]]:
    """Approved, not yet disbursed."""
    require_perm(user, "loan.view")
    loans = list(
        branch_scope(
            user,
            Loan.objects.select_related("member", "product").filter(
                status=LoanStatus.APPROVED, group_loan__isnull=True
            ),
        ).order_by("decided_at")
    )
    groups = list(
        branch_scope(
            user,
            GroupLoan.objects.select_related("group", "product").filter(status=LoanStatus.APPROVED),
        ).order_by("decided_at")
    )
    return loans, groups


def loan_view(loan: Loan) -> engine.LoanView:
    """The loan replayed (for a loan not yet disbursed: its provisional schedule)."""
    if loan.schedule_version == 0:
        schedule = d.generate_schedule(engine.loan_terms(loan))
        state = d.replay(schedule, [], engine.loan_rules(loan))
        return engine.LoanView(loan, schedule, state, (), ())
    return engine.replay_loan(loan)


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    fees: Decimal
    penalties: Decimal
    total: Decimal
    paid: Decimal
    waived: Decimal
    outstanding: Decimal
    completed_on: dt.date | None
    late: bool


def schedule_rows(view: engine.LoanView, on_date: dt.date) -> list[ScheduleRow]:
    rows = []
    for s in view.state.installments:
        due, paid, waived, out = s.due, s.paid, s.waived, s.outstanding
        rows.append(
            ScheduleRow(
                number=s.number,
                due_date=s.due_date,
                principal=due.principal,
                interest=due.interest,
                fees=due.fees,
                penalties=due.penalties,
                total=due.total,
                paid=paid.total,
                waived=waived.total,
                outstanding=out.total,
                completed_on=s.completed_on,
                late=s.due_date < on_date and out.total > 0,
            )
        )
    return rows


@dataclass(frozen=True)
class LoanSummary:
    principal: Money
    interest: Money
    fees: Money
    penalties: Money
    total: Money
    overdue: Money
    due_today: Money
    days_past_due: int
    next_due_date: dt.date | None
    next_due: Money
    payoff: Money
    credit: Money


def loan_summary(
    loan: Loan, view: engine.LoanView | None = None, on_date: dt.date | None = None
) -> LoanSummary:
    cur = loan.currency
    zero = Money.zero(cur)
    if loan.status not in (LoanStatus.ACTIVE,) or loan.schedule_version == 0:
        return LoanSummary(
            zero,
            zero,
            zero,
            zero,
            zero,
            zero,
            zero,
            0,
            None,
            zero,
            zero,
            engine.money(loan.credit_minor, cur),
        )
    on = on_date or business_date_get()
    view = view or engine.replay_loan(loan)
    state = view.state
    out = state.outstanding()
    due_today = sum(
        (r.outstanding.total for r in state.installments if r.due_date <= on), Decimal(0)
    )
    nxt = next((r for r in state.installments if r.outstanding.total > 0), None)
    payoff = d.payoff_quote(view.schedule, state, on, engine.loan_rules(loan))
    return LoanSummary(
        principal=Money(out.principal, cur),
        interest=Money(out.interest, cur),
        fees=Money(out.fees, cur),
        penalties=Money(out.penalties, cur),
        total=Money(out.total, cur),
        overdue=Money(state.overdue(on).total, cur),
        due_today=Money(due_today, cur),
        days_past_due=state.days_past_due(on),
        next_due_date=nxt.due_date if nxt else None,
        next_due=Money(nxt.outstanding.total, cur) if nxt else zero,
        payoff=Money(payoff, cur),
        credit=engine.money(loan.credit_minor, cur),
    )


@dataclass(frozen=True)
class LoanDue:
    """What the teller needs to take a repayment on one of the member's loans."""

    loan: Loan
    due_today: Money  # overdue + falling due today
    overdue: Money
    days_past_due: int
    next_due_date: dt.date | None
    next_due: Money
    payoff: Money
    outstanding: Money


def member_loans_due(*, user, member: Member, on_date: dt.date | None = None) -> list[LoanDue]:
    """The member's active loans with what is due today (arrears included), the next
    instalment and the amount that closes each loan today."""
    require_perm(user, "loan.view")
    require_branch(user, member.branch_id)
    on = on_date or business_date_get()
    out = []
    for loan in (
        Loan.objects.select_related("product", "group_loan")
        .filter(member=member, status=LoanStatus.ACTIVE)
        .order_by("pk")
    ):
        s = loan_summary(loan, on_date=on)
        out.append(
            LoanDue(
                loan=loan,
                due_today=s.due_today,
                overdue=s.overdue,
                days_past_due=s.days_past_due,
                next_due_date=s.next_due_date,
                next_due=s.next_due,
                payoff=s.payoff,
                outstanding=s.total,
            )
        )
    return out


def member_group_loans(*, user, member: Member) -> list[GroupLoan]:
    """Group loans of her solidarity group (the one she belongs to now) and every group
    loan she holds a share of, newest first (for her page)."""
    from mupaka.members.models import SolidarityGroupMembership

    require_perm(user, "loan.view")
    require_branch(user, member.branch_id)
    groups = SolidarityGroupMembership.objects.filter(member=member, left_date__isnull=True).values(
        "group_id"
    )
    shares = Loan.objects.filter(member=member, group_loan__isnull=False).values("group_loan_id")
    return list(
        GroupLoan.objects.select_related("group", "product", "leader")
        .filter(Q(group_id__in=groups) | Q(pk__in=shares))
        .order_by("-id")
    )


def member_loans_to_disburse(*, user, member: Member) -> tuple[list[Loan], list[GroupLoan]]:
    """What the teller may pay out to her today: her approved individual loans, and the
    approved group loans of which she is the leader (a group loan is paid to the leader)."""
    require_perm(user, "loan.view")
    require_branch(user, member.branch_id)
    loans = list(
        Loan.objects.select_related("product")
        .filter(member=member, status=LoanStatus.APPROVED, group_loan__isnull=True)
        .order_by("pk")
    )
    groups = list(
        GroupLoan.objects.select_related("group", "product")
        .filter(leader=member, status=LoanStatus.APPROVED)
        .order_by("pk")
    )
    return loans, groups


def group_open_loan(group) -> GroupLoan | None:
    """The group's group loan not yet closed (filed, approved or being repaid), if any."""
    from mupaka.loans.models import OPEN_STATUSES

    return GroupLoan.objects.filter(group=group, status__in=OPEN_STATUSES).order_by("pk").first()


def write_off_left_minor(loan: Loan) -> int:
    """What is still to recover on a written-off loan: written off less recovered
    (transactions not reversed), in minor units."""
    totals = dict(
        LoanTransaction.objects.filter(
            loan=loan, reversed=False, kind__in=(TxKind.WRITE_OFF, TxKind.RECOVERY)
        )
        .values_list("kind")
        .annotate(total=Sum("amount_minor"))
    )
    return totals.get(TxKind.WRITE_OFF, 0) - totals.get(TxKind.RECOVERY, 0)


def unrecovered_write_off(member: Member) -> tuple[Loan, Money] | None:
    """Her first written-off loan with something still to recover, and what is left:
    she still owes it, so she neither leaves nor takes her shares back before."""
    for loan in Loan.objects.filter(member=member, status=LoanStatus.WRITTEN_OFF).order_by("pk"):
        left = write_off_left_minor(loan)
        if left > 0:
            return loan, engine.money(left, loan.currency)
    return None


def loan_transactions(loan: Loan) -> list[LoanTransaction]:
    return list(
        LoanTransaction.objects.select_related(
            "created_by", "approved_by", "paid_by", "journal_entry"
        )
        .filter(loan=loan)
        .order_by("on_date", "id")
    )


def loan_requests(*, user, status: str = RequestStatus.PENDING) -> QuerySet[LoanRequest]:
    require_perm(user, "loan.view")
    qs = LoanRequest.objects.select_related("loan", "loan__member", "requested_by", "decided_by")
    if not user.sees_all_branches:
        qs = qs.filter(loan__branch_id=user.branch_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def late_loans(*, on_date: dt.date, min_days: int = 1) -> QuerySet[Loan]:
    """Active loans late by ``min_days`` or more **as of** ``on_date`` (no permission
    check: for the callers that make their own, e.g. the reports' follow-up list).

    Days late and overdue are counted from the oldest unpaid instalment (the
    ``next_due_date`` cache, kept current by every repayment, reversal and reschedule)
    and the instalments due before ``on_date``, so the lists agree with the loan's page on
    the morning after end of day, over a weekend too (the ``days_past_due`` /
    ``overdue_minor`` caches are as of the last date closed). Each row carries
    ``late_for`` (a timedelta: ``late_for.days`` days late) and ``overdue_now_minor``;
    oldest due first."""
    from django.db.models import (
        DateField,
        DurationField,
        ExpressionWrapper,
        F,
        OuterRef,
        Subquery,
        Sum,
        Value,
    )
    from django.db.models.functions import Coalesce

    from mupaka.loans.models import LoanInstallment

    overdue = (
        LoanInstallment.objects.filter(
            loan=OuterRef("pk"),
            version=OuterRef("schedule_version"),
            due_date__lt=on_date,
            outstanding_minor__gt=0,
        )
        .values("loan")
        .annotate(s=Sum("outstanding_minor"))
        .values("s")
    )
    return (
        Loan.objects.filter(
            status=LoanStatus.ACTIVE,
            next_due_date__lte=on_date - dt.timedelta(days=max(min_days, 1)),
        )
        .annotate(
            late_for=ExpressionWrapper(
                Value(on_date, output_field=DateField()) - F("next_due_date"),
                output_field=DurationField(),
            ),
            overdue_now_minor=Coalesce(Subquery(overdue), 0),
        )
        .order_by("next_due_date", "pk")
    )


def arrears_list(
    *, user, min_days: int = 1, officer_id: int | None = None, on_date: dt.date | None = None
) -> QuerySet[Loan]:
    """Active loans late by ``min_days`` or more as of the business date (see
    :func:`late_loans`), most late first, with the member's phone and, for a group loan,
    the group and its leader."""
    require_perm(user, "loan.arrears.view")
    qs = branch_scope(
        user,
        late_loans(on_date=on_date or business_date_get(), min_days=min_days).select_related(
            "member", "product", "officer", "group_loan", "group_loan__group", "group_loan__leader"
        ),
    )
    if officer_id:
        qs = qs.filter(officer_id=officer_id)
    return qs


@dataclass(frozen=True)
class Disclosure:
    """The price disclosure of a loan (the sheet she signs)."""

    loan: Loan
    schedule: d.Schedule
    apr: Decimal
    eir: Decimal
    principal: Money
    total_interest: Money
    total_fees: Money
    upfront_fees: Money
    deducted_fees: Money
    guarantee: Money
    net_disbursed: Money
    total_to_repay: Money
    total_cost: Money
    provisional: bool


def disclosure(loan: Loan) -> Disclosure:
    view = loan_view(loan)
    schedule = view.schedule
    cur = loan.currency
    try:
        price = d.price_disclosure(schedule)
        apr, eir = price.apr, price.eir
    except d.NoRateOfReturn:
        apr = eir = Decimal(0)
    upfront = schedule.upfront_fees
    return Disclosure(
        loan=loan,
        schedule=schedule,
        apr=apr,
        eir=eir,
        principal=Money(schedule.terms.principal, cur),
        total_interest=Money(schedule.total_interest, cur),
        total_fees=Money(schedule.total_fees, cur),
        upfront_fees=Money(upfront, cur),
        deducted_fees=Money(schedule.deducted_fees, cur),
        guarantee=Money(schedule.compulsory_savings, cur),
        net_disbursed=Money(schedule.terms.principal - upfront - schedule.compulsory_savings, cur),
        total_to_repay=Money(schedule.total_due, cur),
        total_cost=Money(schedule.total_interest + schedule.total_fees + upfront, cur),
        provisional=loan.schedule_version == 0,
    )


def subledger_by_currency() -> dict[str, dict[str, int]]:
    """Per currency: principal outstanding (loan caches), principal from the transactions,
    credit balances (caches and transactions). For ``mupaka verify``."""
    from django.db.models import Sum

    out: dict[str, dict[str, int]] = {}

    def slot(cur: str) -> dict[str, int]:
        return out.setdefault(
            cur, {"principal_cache": 0, "principal_tx": 0, "credit_cache": 0, "credit_tx": 0}
        )

    for row in (
        Loan.objects.filter(
            status__in=[LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF]
        )
        .values("currency")
        .annotate(p=Sum("principal_outstanding_minor"), c=Sum("credit_minor"))
    ):
        s = slot(row["currency"])
        s["principal_cache"] = int(row["p"] or 0)
        s["credit_cache"] = int(row["c"] or 0)
    # A repayment row holds its current allocation (its REALLOCATION rows are the history
    # of how it moved, not amounts to add again).
    signs = {TxKind.DISBURSEMENT: 1, TxKind.REPAYMENT: -1, TxKind.WRITE_OFF: -1}
    for row in (
        LoanTransaction.objects.filter(reversed=False, kind__in=list(signs) + [TxKind.REFUND])
        .values("currency", "kind")
        .annotate(p=Sum("principal_minor"), c=Sum("credit_minor"))
    ):
        s = slot(row["currency"])
        kind = row["kind"]
        if kind in signs:
            s["principal_tx"] += signs[kind] * int(row["p"] or 0)
        if kind in (TxKind.REPAYMENT, TxKind.REFUND):
            s["credit_tx"] += int(row["c"] or 0)
    return out
