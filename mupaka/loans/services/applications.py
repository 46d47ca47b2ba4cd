"""Applications and the credit committee's decision.

An officer files an application for a member (or for a solidarity group: one share per
member), with the purpose, guarantors, collateral and the trader's cash-flow appraisal.
The over-indebtedness check refuses an instalment above the product's share of her
disposable income unless the officer gives a reason (kept and audited). The committee
(someone other than the person who filed) approves, possibly a lower amount, or rejects
with a reason. Until the money is paid out, the application may be withdrawn (she
changed her mind, or it was filed by mistake) by the officer who filed it, a loan officer
of the branch or the manager, with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.money import Money, currency_exponent, to_decimal
from mupaka.core.money_format import format_money
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.loans import domain as d
from mupaka.loans import engine
from mupaka.loans.domain.appraisal import Appraisal as AppraisalResult
from mupaka.loans.domain.appraisal import CashFlow, appraise
from mupaka.loans.domain.rounding import MoneyRounding
from mupaka.loans.domain.snapshot import snapshot as terms_snapshot
from mupaka.loans.models import (
    WITHDRAWABLE_STATUSES,
    Appraisal,
    GroupLoan,
    Guarantor,
    Loan,
    LoanProduct,
    LoanStatus,
)
from mupaka.loans.services.common import loan_snapshot, require_status
from mupaka.members.models import Member, MemberStatus, SolidarityGroup, SolidarityGroupMembership


@dataclass(frozen=True)
class GuarantorData:
    """A member who stands surety, or a person named (with a phone)."""

    member: Member | None = None
    name: str = ""
    phone: str = ""
    relation: str = ""


@dataclass(frozen=True)
class CashFlowData:
    """The trader's cash flow in the loan's currency, major units (``"40"`` = 40.00)."""

    daily_sales: Decimal | str
    daily_purchases: Decimal | str
    trading_days_per_week: int = 6
    trips_per_week: int = 0
    cost_per_trip: Decimal | str = "0"
    other_business_costs: Decimal | str = "0"
    other_income: Decimal | str = "0"
    household_costs: Decimal | str = "0"
    other_debts: Decimal | str = "0"


@dataclass(frozen=True)
class ShareData:
    """One member's share of a group loan."""

    member: Member
    principal: Money
    cash_flow: CashFlowData | None = None
    override_reason: str = ""


_MONEY_FIELDS = (
    "daily_sales",
    "daily_purchases",
    "cost_per_trip",
    "other_business_costs",
    "other_income",
    "household_costs",
    "other_debts",
)


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.errors:
            messages = next(iter(self.errors.values()))
            message = messages[0]
            if len(self.errors) > 1:
                message = _("Some fields are not valid: %(fields)s.") % {
                    "fields": ", ".join(self.errors)
                }
            raise ValidationFailed(message, errors=self.errors, code=code)


def _fmt(minor: int, currency: str) -> str:
    return format_money(Money.from_minor(minor, currency))


# --- checks shared by individual and group applications ------------------------------
def _rate(errors: _Errors, product: LoanProduct, annual_rate: Any) -> Decimal:
    if annual_rate in (None, ""):
        return engine.dec(product.default_rate)
    try:
        rate = to_decimal(annual_rate)
    except (TypeError, ValueError):
        errors.add("annual_rate", _("The rate must be a number, e.g. 24 for 24 % a year."))
        return engine.dec(product.default_rate)
    low, high = engine.dec(product.min_rate), engine.dec(product.max_rate)
    if not low <= rate <= high:
        errors.add(
            "annual_rate",
            _("The rate must be between %(min)s %% and %(max)s %% a year for this product.")
            % {"min": engine.pct_text(low), "max": engine.pct_text(high)},
        )
    return rate


def _installments(errors: _Errors, product: LoanProduct, installments: Any) -> int:
    if installments in (None, ""):
        return product.default_installments
    if not isinstance(installments, int) or isinstance(installments, bool):
        errors.add("installments", _("The number of instalments must be a whole number."))
        return product.default_installments
    if installments < 1:
        errors.add("installments", _("A loan needs at least one instalment."))
    elif not product.min_installments <= installments <= product.max_installments:
        errors.add(
            "installments",
            _("This product allows %(min)s to %(max)s instalments.")
            % {"min": product.min_installments, "max": product.max_installments},
        )
    return installments


def _principal(
    errors: _Errors, product: LoanProduct, principal: Any, field: str = "principal", who: str = ""
) -> int | None:
    prefix = f"{who}: " if who else ""
    if not isinstance(principal, Money):
        errors.add(field, prefix + _("Give the amount asked."))
        return None
    if principal.currency != product.currency:
        errors.add(
            field,
            prefix
            + _("Product %(product)s lends in %(currency)s, not %(given)s.")
            % {"product": product.code, "currency": product.currency, "given": principal.currency},
        )
        return None
    if not principal.is_exact:
        errors.add(
            field,
            prefix
            + _("%(amount)s has more decimals than %(currency)s allows.")
            % {"amount": principal.amount, "currency": principal.currency},
        )
        return None
    value = principal.minor
    if not product.min_principal_minor <= value <= product.max_principal_minor:
        errors.add(
            field,
            prefix
            + _("The amount must be between %(min)s and %(max)s for this product.")
            % {
                "min": _fmt(product.min_principal_minor, product.currency),
                "max": _fmt(product.max_principal_minor, product.currency),
            },
        )
        return None
    return value


def _schedule(
    errors: _Errors,
    product: LoanProduct,
    *,
    principal_minor: int,
    rate: Decimal,
    installments: int,
    on: dt.date,
    first_due_date: dt.date | None,
) -> d.Schedule | None:
    try:
        terms = engine.build_terms(
            product,
            principal=Money.from_minor(principal_minor, product.currency).amount,
            annual_rate=rate,
            installments=installments,
            disbursement_date=on,
            first_due_date=first_due_date,
        )
        return d.generate_schedule(terms)
    except d.InvalidTerms as exc:
        errors.add("__all__", _("These terms cannot make a schedule: %(why)s.") % {"why": exc})
        return None


def _cash_flow(errors: _Errors, data: CashFlowData, currency: str, field: str) -> CashFlow | None:
    values: dict[str, Any] = {}
    ok = True
    for name in _MONEY_FIELDS:
        raw = getattr(data, name)
        try:
            amount = to_decimal(raw if raw not in (None, "") else "0")
            Money(amount, currency).minor  # noqa: B018 - refuses too many decimals
        except (TypeError, ValueError):
            errors.add(field, _("%(name)s: not an amount.") % {"name": name.replace("_", " ")})
            ok = False
            continue
        values[name] = amount
    if not ok:
        return None
    try:
        return CashFlow(
            trading_days_per_week=int(data.trading_days_per_week or 0),
            trips_per_week=int(data.trips_per_week or 0),
            **values,
        )
    except (d.InvalidTerms, ValueError) as exc:
        errors.add(field, str(exc))
        return None


def _appraise(
    errors: _Errors,
    product: LoanProduct,
    schedule: d.Schedule | None,
    flow: CashFlow | None,
    *,
    override_reason: str,
    field: str,
    who: str = "",
) -> AppraisalResult | None:
    share = engine.dec(product.max_installment_share)
    if flow is None or schedule is None:
        return None
    largest = max(i.total for i in schedule.installments)
    result = appraise(
        flow,
        installment=largest,
        frequency=product.frequency,
        every=product.every,
        max_share_percent=share if share > 0 else Decimal(100),
        money=MoneyRounding(currency_exponent(product.currency)),
    )
    if share > 0 and not result.within_capacity and not override_reason.strip():
        prefix = f"{who}: " if who else ""
        cur = product.currency
        errors.add(
            field,
            prefix
            + _(
                "The instalment (%(monthly)s a month) exceeds %(share)s %% of her disposable "
                "income (%(capacity)s of %(disposable)s). Lower the amount or lengthen the "
                "term, or give a reason to go on."
            )
            % {
                "monthly": format_money(Money(result.installment_monthly, cur)),
                "share": engine.pct_text(share),
                "capacity": format_money(Money(result.capacity, cur)),
                "disposable": format_money(Money(result.disposable_income, cur)),
            },
        )
    return result


def _member_ok(errors: _Errors, member: Member, field: str, who: str = "") -> None:
    if member.status != MemberStatus.ACTIVE:
        errors.add(
            field,
            (f"{who}: " if who else "")
            + _("%(member)s is not an active member (status: %(status)s).")
            % {"member": member.number, "status": MemberStatus(member.status).label.lower()},
        )


def _save_appraisal(loan: Loan, flow: CashFlow, result: AppraisalResult) -> Appraisal:
    cur = loan.currency

    def m(value: Decimal) -> int:
        return Money(value, cur).minor

    return Appraisal.objects.create(
        loan=loan,
        currency=cur,
        daily_sales_minor=m(flow.daily_sales),
        daily_purchases_minor=m(flow.daily_purchases),
        trading_days_per_week=flow.trading_days_per_week,
        trips_per_week=flow.trips_per_week,
        cost_per_trip_minor=m(flow.cost_per_trip),
        other_business_costs_minor=m(flow.other_business_costs),
        other_income_minor=m(flow.other_income),
        household_costs_minor=m(flow.household_costs),
        other_debts_minor=m(flow.other_debts),
        business_income_minor=m(result.business_income),
        disposable_income_minor=m(result.disposable_income),
        capacity_minor=m(result.capacity),
        installment_monthly_minor=m(result.installment_monthly),
        share_percent=str(result.share_percent),
        within_capacity=result.within_capacity,
    )


def _clean_guarantors(errors: _Errors, guarantors: Sequence[GuarantorData], borrower: Member):
    cleaned = []
    for g in guarantors:
        name = (g.name or "").strip()[:160]
        if g.member is None and not name:
            continue
        if g.member is not None and g.member.pk == borrower.pk:
            errors.add("guarantors", _("A member cannot stand surety for her own loan."))
            continue
        cleaned.append(
            GuarantorData(
                member=g.member,
                name=name,
                phone=(g.phone or "").strip()[:20],
                relation=(g.relation or "").strip()[:80],
            )
        )
    return cleaned


def _store_terms(loan: Loan, schedule: d.Schedule) -> None:
    product = loan.product
    loan.terms = terms_snapshot(
        schedule.terms, engine.product_rules(product), engine.product_penalty(product)
    )


# --- individual application -----------------------------------------------------------
@transaction.atomic
def loan_apply(
    *,
    actor,
    member: Member,
    product: LoanProduct,
    principal: Money,
    purpose: str,
    installments: int | None = None,
    annual_rate: Decimal | str | None = None,
    expected_disbursement_date: dt.date | None = None,
    first_due_date: dt.date | None = None,
    guarantors: Sequence[GuarantorData] = (),
    collateral: str = "",
    cash_flow: CashFlowData | None = None,
    override_reason: str = "",
    officer=None,
) -> Loan:
    """File an application for ``member``. Refuses (nothing written) an amount, a rate or
    a number of instalments outside the product's range, an inactive member or product,
    and an instalment beyond her repayment capacity unless ``override_reason`` is given."""
    require_perm(actor, "loan.apply")
    require_branch(actor, member.branch_id)
    errors = _Errors()
    on = business_date_get()
    if not product.is_active:
        errors.add("product", _("This product is no longer offered."))
    if not product.for_individuals:
        errors.add("product", _("This product is for solidarity groups only."))
    _member_ok(errors, member, "member")
    purpose = (purpose or "").strip()
    if not purpose:
        errors.add("purpose", _("Say what the loan is for."))
    principal_minor = _principal(errors, product, principal)
    rate = _rate(errors, product, annual_rate)
    n = _installments(errors, product, installments)
    expected = expected_disbursement_date or on
    if expected < on:
        errors.add(
            "expected_disbursement_date", _("The disbursement cannot be planned in the past.")
        )
    guarantor_rows = _clean_guarantors(errors, guarantors, member)
    share = engine.dec(product.max_installment_share)
    if share > 0 and cash_flow is None:
        errors.add(
            "cash_flow",
            _("This product needs the appraisal of her cash flow (sales, purchases, costs)."),
        )
    flow = _cash_flow(errors, cash_flow, product.currency, "cash_flow") if cash_flow else None
    errors.raise_if_any()
    schedule = _schedule(
        errors,
        product,
        principal_minor=principal_minor,
        rate=rate,
        installments=n,
        on=expected,
        first_due_date=first_due_date,
    )
    errors.raise_if_any()
    reason = (override_reason or "").strip()
    result = _appraise(
        errors, product, schedule, flow, override_reason=reason, field="override_reason"
    )
    errors.raise_if_any(code="over_indebted")
    loan = Loan(
        branch_id=member.branch_id,
        member=member,
        product=product,
        officer=officer or actor,
        filed_by=actor,
        status=LoanStatus.SUBMITTED,
        currency=product.currency,
        requested_principal_minor=principal_minor,
        annual_rate=str(rate),
        installments=n,
        expected_disbursement_date=expected,
        first_due_date=first_due_date,
        purpose=purpose[:300],
        collateral=(collateral or "").strip(),
        over_indebtedness_override=reason if result and not result.within_capacity else "",
    )
    _store_terms(loan, schedule)
    loan.save()
    for g in guarantor_rows:
        Guarantor.objects.create(
            loan=loan, member=g.member, name=g.name, phone=g.phone, relation=g.relation
        )
    if flow is not None and result is not None:
        _save_appraisal(loan, flow, result)
    audit_record(
        actor=actor,
        action="loan.apply",
        obj=loan,
        after=loan_snapshot(loan) | {"member": member.pk, "product": product.code},
        reason=loan.over_indebtedness_override,
    )
    return loan


# --- group application -----------------------------------------------------------------
@transaction.atomic
def group_loan_apply(
    *,
    actor,
    group: SolidarityGroup,
    product: LoanProduct,
    shares: Sequence[ShareData],
    purpose: str,
    installments: int | None = None,
    annual_rate: Decimal | str | None = None,
    expected_disbursement_date: dt.date | None = None,
    first_due_date: dt.date | None = None,
    collateral: str = "",
    officer=None,
) -> GroupLoan:
    """File a solidarity group's application: one share (a :class:`Loan`) per member,
    each with its own amount and appraisal; the group answers for all of them when it
    has joint liability."""
    require_perm(actor, "loan.apply")
    require_branch(actor, group.branch_id)
    errors = _Errors()
    on = business_date_get()
    if group.status != "active":
        errors.add("group", _("This group is dissolved."))
    if not product.is_active:
        errors.add("product", _("This product is no longer offered."))
    if not product.for_groups:
        errors.add("product", _("This product is for individual members only."))
    purpose = (purpose or "").strip()
    if not purpose:
        errors.add("purpose", _("Say what the loan is for."))
    rate = _rate(errors, product, annual_rate)
    n = _installments(errors, product, installments)
    expected = expected_disbursement_date or on
    if expected < on:
        errors.add(
            "expected_disbursement_date", _("The disbursement cannot be planned in the past.")
        )
    in_group = set(
        SolidarityGroupMembership.objects.filter(group=group, left_date__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    if not shares:
        errors.add("shares", _("Give each member's share."))
    seen: set[int] = set()
    share_share = engine.dec(product.max_installment_share)
    cleaned: list[tuple[ShareData, int | None, CashFlow | None]] = []
    for s in shares:
        who = s.member.number
        if s.member.pk in seen:
            errors.add("shares", _("%(member)s has two shares.") % {"member": who})
        seen.add(s.member.pk)
        if s.member.pk not in in_group:
            errors.add(
                "shares",
                _("%(member)s is not a member of the group %(group)s.")
                % {"member": who, "group": group.name},
            )
        _member_ok(errors, s.member, "shares", who)
        principal_minor = _principal(errors, product, s.principal, "shares", who)
        if share_share > 0 and s.cash_flow is None:
            errors.add(
                "shares",
                _("%(member)s: this product needs the appraisal of her cash flow.")
                % {"member": who},
            )
        flow = _cash_flow(errors, s.cash_flow, product.currency, "shares") if s.cash_flow else None
        cleaned.append((s, principal_minor, flow))
    errors.raise_if_any()
    planned = []
    for s, principal_minor, flow in cleaned:
        schedule = _schedule(
            errors,
            product,
            principal_minor=principal_minor,
            rate=rate,
            installments=n,
            on=expected,
            first_due_date=first_due_date,
        )
        result = _appraise(
            errors,
            product,
            schedule,
            flow,
            override_reason=s.override_reason,
            field="shares",
            who=s.member.number,
        )
        planned.append((s, principal_minor, flow, schedule, result))
    errors.raise_if_any(code="over_indebted")
    group_loan = GroupLoan.objects.create(
        group=group,
        branch_id=group.branch_id,
        product=product,
        currency=product.currency,
        joint_liability=group.joint_liability,
        leader_id=group.leader_id,
        purpose=purpose[:300],
        requested_total_minor=sum(p for _, p, *_ in planned),
        filed_by=actor,
        officer=officer or actor,
    )
    for s, principal_minor, flow, schedule, result in planned:
        reason = (s.override_reason or "").strip()
        loan = Loan(
            branch_id=group.branch_id,
            member=s.member,
            group_loan=group_loan,
            product=product,
            officer=officer or actor,
            filed_by=actor,
            currency=product.currency,
            requested_principal_minor=principal_minor,
            annual_rate=str(rate),
            installments=n,
            expected_disbursement_date=expected,
            first_due_date=first_due_date,
            purpose=purpose[:300],
            collateral=(collateral or "").strip(),
            over_indebtedness_override=reason if result and not result.within_capacity else "",
        )
        _store_terms(loan, schedule)
        loan.save()
        if flow is not None and result is not None:
            _save_appraisal(loan, flow, result)
    audit_record(
        actor=actor,
        action="group_loan.apply",
        obj=group_loan,
        after={
            "group": group.pk,
            "product": product.code,
            "shares": {s.member.number: p for s, p, *_ in planned},
            "requested_total_minor": group_loan.requested_total_minor,
        },
        reason="; ".join(
            f"{s.member.number}: {s.override_reason.strip()}"
            for s, *_rest in planned
            if s.override_reason.strip()
        ),
    )
    return group_loan


# --- the committee's decision --------------------------------------------------------
def _check_checker(actor, filed_by_id: int) -> None:
    if getattr(actor, "pk", None) == filed_by_id:
        raise PermissionDenied(
            _(
                "You filed this application: another member of the credit committee must "
                "decide on it."
            ),
            code="maker_checker",
        )


def _approve_share(actor, loan: Loan, approved_minor: int, note: str, now, on: dt.date) -> None:
    errors = _Errors()
    schedule = _schedule(
        errors,
        loan.product,
        principal_minor=approved_minor,
        rate=engine.dec(loan.annual_rate),
        installments=loan.installments,
        on=max(loan.expected_disbursement_date, on),
        first_due_date=loan.first_due_date,
    )
    errors.raise_if_any()
    before = loan_snapshot(loan)
    loan.status = LoanStatus.APPROVED
    loan.approved_principal_minor = approved_minor
    loan.decided_by = actor
    loan.decided_at = now
    loan.decision_note = note
    _store_terms(loan, schedule)
    loan.save()
    audit_record(
        actor=actor,
        action="loan.approve",
        obj=loan,
        before=before,
        after=loan_snapshot(loan),
        reason=note,
    )


def _approved_minor(loan: Loan, approved: Money | None, field: str = "approved_principal") -> int:
    if approved is None:
        return loan.requested_principal_minor
    errors = _Errors()
    if approved.currency != loan.currency:
        errors.add(
            field,
            _("Loan %(number)s is in %(loan)s, not %(given)s.")
            % {"number": loan.number, "loan": loan.currency, "given": approved.currency},
        )
    elif not approved.is_exact or approved.amount <= 0:
        errors.add(
            field,
            _("The amount approved must be a positive amount in %(currency)s.")
            % {"currency": loan.currency},
        )
    elif approved.minor > loan.requested_principal_minor:
        errors.add(
            field,
            _("The committee may approve less than asked, never more (%(asked)s asked).")
            % {"asked": _fmt(loan.requested_principal_minor, loan.currency)},
        )
    elif approved.minor < loan.product.min_principal_minor:
        errors.add(
            field,
            _("%(amount)s is below the product's minimum of %(min)s.")
            % {
                "amount": _fmt(approved.minor, loan.currency),
                "min": _fmt(loan.product.min_principal_minor, loan.currency),
            },
        )
    errors.raise_if_any()
    return approved.minor


@transaction.atomic
def loan_approve(
    *, actor, loan: Loan, approved_principal: Money | None = None, note: str = ""
) -> Loan:
    """Approve an individual application (the amount asked, or less)."""
    require_perm(actor, "loan.approve")
    loan = Loan.objects.select_for_update(of=("self",)).select_related("product").get(pk=loan.pk)
    require_branch(actor, loan.branch_id)
    if loan.group_loan_id:
        raise ValidationFailed(
            _("This is a share of a group loan: decide on the group's application."),
            code="group_share",
        )
    require_status(loan, LoanStatus.SUBMITTED)
    _check_checker(actor, loan.filed_by_id)
    minor = _approved_minor(loan, approved_principal)
    _approve_share(actor, loan, minor, (note or "").strip(), timezone.now(), business_date_get())
    return loan


@transaction.atomic
def loan_reject(*, actor, loan: Loan, reason: str) -> Loan:
    require_perm(actor, "loan.approve")
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    require_branch(actor, loan.branch_id)
    if loan.group_loan_id:
        raise ValidationFailed(
            _("This is a share of a group loan: decide on the group's application."),
            code="group_share",
        )
    require_status(loan, LoanStatus.SUBMITTED)
    _check_checker(actor, loan.filed_by_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the rejection."), field="reason")
    before = loan_snapshot(loan)
    loan.status = LoanStatus.REJECTED
    loan.decided_by = actor
    loan.decided_at = timezone.now()
    loan.decision_note = reason
    loan.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="loan.reject",
        obj=loan,
        before=before,
        after=loan_snapshot(loan),
        reason=reason,
    )
    return loan


@transaction.atomic
def group_loan_approve(
    *,
    actor,
    group_loan: GroupLoan,
    approved: Mapping[int, Money | None] | None = None,
    note: str = "",
) -> GroupLoan:
    """Approve a group's application. ``approved`` maps a share's loan id to the amount
    approved for it (less than asked, or zero to leave the member out); shares not named
    are approved as asked."""
    require_perm(actor, "loan.approve")
    group_loan = GroupLoan.objects.select_for_update().get(pk=group_loan.pk)
    require_branch(actor, group_loan.branch_id)
    if group_loan.status != LoanStatus.SUBMITTED:
        raise ValidationFailed(
            _("This group application was already decided."), code="wrong_status", field="status"
        )
    _check_checker(actor, group_loan.filed_by_id)
    approved = dict(approved or {})
    shares = list(
        Loan.objects.select_for_update(of=("self",))
        .select_related("product", "member")
        .filter(group_loan=group_loan)
        .order_by("pk")
    )
    unknown = set(approved) - {s.pk for s in shares}
    if unknown:
        raise ValidationFailed(
            _("Not shares of this group loan: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(unknown))},
            field="approved",
        )
    note = (note or "").strip()
    now, on = timezone.now(), business_date_get()
    decided: list[tuple[Loan, int]] = []
    errors = _Errors()
    for share in shares:
        amount = approved.get(share.pk, None) if share.pk in approved else None
        if share.pk in approved and (
            amount is None or (isinstance(amount, Money) and amount.amount == 0)
        ):
            decided.append((share, 0))
            continue
        try:
            decided.append((share, _approved_minor(share, amount, "approved")))
        except ValidationFailed as exc:
            for msg in exc.errors.get("approved", [exc.message]):
                errors.add("approved", f"{share.member.number}: {msg}")
    errors.raise_if_any()
    if not any(minor for _, minor in decided):
        raise ValidationFailed(
            _("Approve at least one share, or reject the application."), field="approved"
        )
    before = snapshot(group_loan, ["status", "approved_total_minor"])
    for share, minor in decided:
        if minor:
            _approve_share(actor, share, minor, note, now, on)
        else:
            share.status = LoanStatus.REJECTED
            share.decided_by, share.decided_at = actor, now
            share.decision_note = note or _("Left out of the group loan by the committee.")
            share.save(
                update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
            )
    group_loan.status = LoanStatus.APPROVED
    group_loan.approved_total_minor = sum(minor for _, minor in decided)
    group_loan.decided_by, group_loan.decided_at, group_loan.decision_note = actor, now, note
    group_loan.save()
    audit_record(
        actor=actor,
        action="group_loan.approve",
        obj=group_loan,
        before=before,
        after=snapshot(group_loan, ["status", "approved_total_minor"])
        | {"shares": {s.member.number: m for s, m in decided}},
        reason=note,
    )
    return group_loan


@transaction.atomic
def group_loan_reject(*, actor, group_loan: GroupLoan, reason: str) -> GroupLoan:
    require_perm(actor, "loan.approve")
    group_loan = GroupLoan.objects.select_for_update().get(pk=group_loan.pk)
    require_branch(actor, group_loan.branch_id)
    if group_loan.status != LoanStatus.SUBMITTED:
        raise ValidationFailed(
            _("This group application was already decided."), code="wrong_status", field="status"
        )
    _check_checker(actor, group_loan.filed_by_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the rejection."), field="reason")
    now = timezone.now()
    Loan.objects.filter(group_loan=group_loan).update(
        status=LoanStatus.REJECTED, decided_by=actor, decided_at=now, decision_note=reason
    )
    group_loan.status = LoanStatus.REJECTED
    group_loan.decided_by, group_loan.decided_at, group_loan.decision_note = actor, now, reason
    group_loan.save()
    audit_record(
        actor=actor,
        action="group_loan.reject",
        obj=group_loan,
        after={"status": group_loan.status},
        reason=reason,
    )
    return group_loan


# --- withdrawal (before disbursement) --------------------------------------------------
# Approval only fixes the terms: nothing is blocked or reserved until disbursement (the
# guarantee savings are taken and blocked when the money is paid out), so a withdrawal
# has nothing to release and posts nothing.
def _check_withdrawable(status: str, number: str) -> None:
    if status == LoanStatus.WITHDRAWN:
        raise Conflict(
            _("Application %(number)s was already withdrawn.") % {"number": number},
            code="already_withdrawn",
            field="status",
        )
    if status not in WITHDRAWABLE_STATUSES:
        if status in (LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF):
            message = _(
                "Loan %(number)s was already disbursed (%(status)s): an application can only "
                "be withdrawn before the money is paid out."
            )
        else:
            message = _("Application %(number)s is %(status)s: it cannot be withdrawn.")
        raise ValidationFailed(
            message % {"number": number, "status": LoanStatus(status).label.lower()},
            code="wrong_status",
            field="status",
        )


def _withdrawal_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the withdrawal."), field="reason", code="required"
        )
    return reason


def _withdraw_one(actor, loan: Loan, reason: str) -> None:
    """Mark a loan (an application, or a member's share of a group's) withdrawn, audited."""
    before = loan_snapshot(loan)
    loan.status = LoanStatus.WITHDRAWN
    loan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="loan.withdraw",
        obj=loan,
        before=before,
        after=loan_snapshot(loan),
        reason=reason,
    )


@transaction.atomic
def loan_withdraw(*, actor, loan: Loan, reason: str) -> Loan:
    """Withdraw an individual application, submitted or approved, before disbursement.
    The loan no longer counts as open (she may apply again, or leave); nothing moves in
    the ledger."""
    require_perm(actor, "loan.withdraw")
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    require_branch(actor, loan.branch_id)
    if loan.group_loan_id:
        raise ValidationFailed(
            _("This is a share of a group loan: withdraw the group's application."),
            code="group_share",
        )
    _check_withdrawable(loan.status, loan.number)
    _withdraw_one(actor, loan, _withdrawal_reason(reason))
    return loan


@transaction.atomic
def group_loan_withdraw(*, actor, group_loan: GroupLoan, reason: str) -> GroupLoan:
    """Withdraw a group's application, submitted or approved, before disbursement, with
    every member's share still pending or approved (a share the committee left out stays
    rejected)."""
    require_perm(actor, "loan.withdraw")
    group_loan = GroupLoan.objects.select_for_update().get(pk=group_loan.pk)
    require_branch(actor, group_loan.branch_id)
    _check_withdrawable(group_loan.status, group_loan.number)
    reason = _withdrawal_reason(reason)
    shares = list(
        Loan.objects.select_for_update(of=("self",))
        .filter(group_loan=group_loan, status__in=WITHDRAWABLE_STATUSES)
        .order_by("pk")
    )
    before = snapshot(group_loan, ["status"]) | {"shares": {s.number: s.status for s in shares}}
    for share in shares:
        _withdraw_one(actor, share, reason)
    group_loan.status = LoanStatus.WITHDRAWN
    group_loan.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="group_loan.withdraw",
        obj=group_loan,
        before=before,
        after=snapshot(group_loan, ["status"]) | {"shares": {s.number: s.status for s in shares}},
        reason=reason,
    )
    return group_loan
