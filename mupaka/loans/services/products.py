"""Loan products: created and changed by a manager."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.money import Money, is_known_currency, to_decimal
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import business_date_get, institution_get
from mupaka.loans import domain as d
from mupaka.loans import engine
from mupaka.loans.engine import build_terms, product_penalty, product_rules
from mupaka.loans.models import (
    DEFAULT_ALLOCATION_ORDER,
    Accounting,
    AllocationStrategy,
    Amortization,
    DaysInMonth,
    DaysInYear,
    DisbursementFee,
    Frequency,
    InstallmentFee,
    InterestMethod,
    InterestPeriod,
    LoanProduct,
    OverdueBasis,
    PenaltyCalculation,
    PrepaymentMode,
    RoundingMode,
)


@dataclass(frozen=True)
class ProductData:
    """What a manager sets on a product. Amounts are in major units (``"200"`` is
    USD 200.00), rates and percentages in percent (``"24"`` is 24 %)."""

    code: str
    name: str
    currency: str
    min_principal: Decimal | str
    max_principal: Decimal | str
    min_installments: int
    max_installments: int
    frequency: str
    interest_method: str
    min_rate: Decimal | str
    max_rate: Decimal | str
    default_rate: Decimal | str | None = None
    default_installments: int | None = None
    every: int = 1
    amortization: str = Amortization.EQUAL_INSTALLMENTS
    interest_period: str = InterestPeriod.REPAYMENT
    days_in_year: str = DaysInYear.ACTUAL
    days_in_month: str = DaysInMonth.ACTUAL
    grace_principal: int = 0
    grace_interest_payment: int = 0
    grace_interest_free: int = 0
    rounding: str = RoundingMode.HALF_EVEN
    installment_multiple: Decimal | str | None = None
    disbursement_fee: str = DisbursementFee.NONE
    disbursement_fee_amount: Decimal | str = "0"
    disbursement_fee_deducted: bool = True
    installment_fee: str = InstallmentFee.NONE
    installment_fee_amount: Decimal | str = "0"
    penalty: str = PenaltyCalculation.NONE
    penalty_amount: Decimal | str = "0"
    penalty_basis: str = OverdueBasis.PRINCIPAL_INTEREST
    penalty_tolerance_days: int = 0
    penalty_repeat_every_days: int | None = None
    allocation_strategy: str = AllocationStrategy.COMPONENT_FIRST
    allocation_order: str = DEFAULT_ALLOCATION_ORDER
    prepayment: str = PrepaymentMode.SCHEDULED
    guarantee_savings_percent: Decimal | str = "0"
    max_installment_share: Decimal | str = "0"
    for_individuals: bool = True
    for_groups: bool = False
    accounting: str = Accounting.CASH
    description: str = ""
    is_active: bool = True


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.errors:
            field, messages = next(iter(self.errors.items()))
            message = messages[0]
            if len(self.errors) > 1:
                message = _("Some fields are not valid: %(fields)s.") % {
                    "fields": ", ".join(self.errors)
                }
            raise ValidationFailed(message, errors=self.errors)


def _decimal(errors: _Errors, field: str, value: Any, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors.add(field, _("This value is required."))
        return None
    try:
        result = to_decimal(value)
    except (TypeError, ValueError):
        errors.add(field, _("Not a number."))
        return None
    return result


def _percent(errors: _Errors, field: str, value: Any, *, maximum: Decimal) -> Decimal:
    result = _decimal(errors, field, value)
    if result is None:
        return Decimal(0)
    if result < 0 or result > maximum:
        errors.add(
            field, _("Give a percentage from 0 to %(max)s.") % {"max": engine.pct_text(maximum)}
        )
    return result


def _amount_minor(errors: _Errors, field: str, value: Any, currency: str | None) -> int | None:
    amount = _decimal(errors, field, value)
    if amount is None or currency is None:
        return None
    try:
        return Money(amount, currency).minor
    except ValueError:
        errors.add(
            field,
            _("%(amount)s has more decimals than %(currency)s allows.")
            % {"amount": amount, "currency": currency},
        )
        return None


def _choice(errors: _Errors, field: str, value: str, choices) -> str:
    if value not in choices.values:
        errors.add(field, _("Choose one of the values offered."))
    return value


def _clean(data: ProductData) -> dict[str, Any]:
    e = _Errors()
    v: dict[str, Any] = {}
    code = (data.code or "").strip().upper()
    if not code:
        e.add("code", _("Give the product a short code."))
    elif len(code) > 20:
        e.add("code", _("The code has 20 characters at most."))
    v["code"] = code
    name = (data.name or "").strip()
    if not name:
        e.add("name", _("Give the product a name."))
    v["name"] = name[:120]
    v["description"] = (data.description or "").strip()
    currency = (data.currency or "").strip().upper()
    cur: str | None = currency
    if not is_known_currency(currency):
        e.add("currency", _("Unknown currency code: %(code)s.") % {"code": currency})
        cur = None
    elif currency not in (institution_get().accepted_currencies or []):
        e.add(
            "currency",
            _("The institution does not accept %(code)s; add it to the accepted currencies first.")
            % {"code": currency},
        )
    v["currency"] = currency
    v["min_principal_minor"] = _amount_minor(e, "min_principal", data.min_principal, cur)
    v["max_principal_minor"] = _amount_minor(e, "max_principal", data.max_principal, cur)
    if v["min_principal_minor"] is not None and v["min_principal_minor"] <= 0:
        e.add("min_principal", _("The minimum principal must be greater than zero."))
    if (
        v["min_principal_minor"] is not None
        and v["max_principal_minor"] is not None
        and v["max_principal_minor"] < v["min_principal_minor"]
    ):
        e.add("max_principal", _("The maximum principal is below the minimum."))
    for field in ("min_installments", "max_installments"):
        value = getattr(data, field)
        if not isinstance(value, int) or value < 1 or value > 1200:
            e.add(field, _("Give a number of instalments from 1 to 1200."))
    v["min_installments"] = data.min_installments
    v["max_installments"] = data.max_installments
    if isinstance(data.min_installments, int) and isinstance(data.max_installments, int):
        if data.max_installments < data.min_installments:
            e.add("max_installments", _("The maximum number of instalments is below the minimum."))
    default_n = data.default_installments or data.min_installments
    if (
        isinstance(default_n, int)
        and isinstance(data.min_installments, int)
        and isinstance(data.max_installments, int)
        and not data.min_installments <= default_n <= data.max_installments
    ):
        e.add("default_installments", _("The default number of instalments is outside the range."))
    v["default_installments"] = default_n
    v["frequency"] = _choice(e, "frequency", data.frequency, Frequency)
    if not isinstance(data.every, int) or not 1 <= data.every <= 52:
        e.add("every", _("Give a number of periods from 1 to 52."))
    v["every"] = data.every
    v["interest_method"] = _choice(e, "interest_method", data.interest_method, InterestMethod)
    v["amortization"] = _choice(e, "amortization", data.amortization, Amortization)
    v["interest_period"] = _choice(e, "interest_period", data.interest_period, InterestPeriod)
    v["days_in_year"] = _choice(e, "days_in_year", data.days_in_year, DaysInYear)
    v["days_in_month"] = _choice(e, "days_in_month", data.days_in_month, DaysInMonth)
    hundred_k = Decimal(1000)
    min_rate = _percent(e, "min_rate", data.min_rate, maximum=hundred_k)
    max_rate = _percent(e, "max_rate", data.max_rate, maximum=hundred_k)
    default_rate = (
        _percent(e, "default_rate", data.default_rate, maximum=hundred_k)
        if data.default_rate not in (None, "")
        else min_rate
    )
    if max_rate < min_rate:
        e.add("max_rate", _("The maximum rate is below the minimum."))
    elif not min_rate <= default_rate <= max_rate:
        e.add("default_rate", _("The default rate is outside the range."))
    v["min_rate"], v["max_rate"], v["default_rate"] = (
        str(min_rate),
        str(max_rate),
        str(default_rate),
    )
    for field in ("grace_principal", "grace_interest_payment", "grace_interest_free"):
        value = getattr(data, field)
        if not isinstance(value, int) or value < 0:
            e.add(field, _("Give zero or a positive number of periods."))
        v[field] = value
    v["rounding"] = _choice(e, "rounding", data.rounding, RoundingMode)
    v["installment_multiple_minor"] = (
        _amount_minor(e, "installment_multiple", data.installment_multiple, cur)
        if data.installment_multiple not in (None, "", "0", Decimal(0))
        else None
    )
    v["disbursement_fee"] = _choice(e, "disbursement_fee", data.disbursement_fee, DisbursementFee)
    v["disbursement_fee_flat_minor"], v["disbursement_fee_percent"] = 0, "0"
    if data.disbursement_fee == DisbursementFee.FLAT:
        v["disbursement_fee_flat_minor"] = (
            _amount_minor(e, "disbursement_fee_amount", data.disbursement_fee_amount, cur) or 0
        )
    elif data.disbursement_fee == DisbursementFee.PERCENT:
        v["disbursement_fee_percent"] = str(
            _percent(
                e, "disbursement_fee_amount", data.disbursement_fee_amount, maximum=Decimal(100)
            )
        )
    v["disbursement_fee_deducted"] = bool(data.disbursement_fee_deducted)
    v["installment_fee"] = _choice(e, "installment_fee", data.installment_fee, InstallmentFee)
    v["installment_fee_flat_minor"], v["installment_fee_percent"] = 0, "0"
    if data.installment_fee == InstallmentFee.FLAT:
        v["installment_fee_flat_minor"] = (
            _amount_minor(e, "installment_fee_amount", data.installment_fee_amount, cur) or 0
        )
    elif data.installment_fee in (
        InstallmentFee.PERCENT_OF_PRINCIPAL,
        InstallmentFee.PERCENT_OF_TOTAL,
    ):
        v["installment_fee_percent"] = str(
            _percent(e, "installment_fee_amount", data.installment_fee_amount, maximum=Decimal(100))
        )
    v["penalty"] = _choice(e, "penalty", data.penalty, PenaltyCalculation)
    v["penalty_flat_minor"], v["penalty_percent"] = 0, "0"
    if data.penalty == PenaltyCalculation.FLAT:
        v["penalty_flat_minor"] = _amount_minor(e, "penalty_amount", data.penalty_amount, cur) or 0
    elif data.penalty == PenaltyCalculation.PERCENT_OF_OVERDUE:
        v["penalty_percent"] = str(
            _percent(e, "penalty_amount", data.penalty_amount, maximum=Decimal(100))
        )
    v["penalty_basis"] = _choice(e, "penalty_basis", data.penalty_basis, OverdueBasis)
    if not isinstance(data.penalty_tolerance_days, int) or data.penalty_tolerance_days < 0:
        e.add("penalty_tolerance_days", _("Give zero or a positive number of days."))
    v["penalty_tolerance_days"] = data.penalty_tolerance_days
    if data.penalty_repeat_every_days is not None and (
        not isinstance(data.penalty_repeat_every_days, int) or data.penalty_repeat_every_days < 1
    ):
        e.add("penalty_repeat_every_days", _("Give a number of days of 1 or more, or nothing."))
    v["penalty_repeat_every_days"] = data.penalty_repeat_every_days
    v["allocation_strategy"] = _choice(
        e, "allocation_strategy", data.allocation_strategy, AllocationStrategy
    )
    order = ",".join(c.strip() for c in (data.allocation_order or "").split(",") if c.strip())
    v["allocation_order"] = order or DEFAULT_ALLOCATION_ORDER
    v["prepayment"] = _choice(e, "prepayment", data.prepayment, PrepaymentMode)
    v["guarantee_savings_percent"] = str(
        _percent(
            e, "guarantee_savings_percent", data.guarantee_savings_percent, maximum=Decimal(99)
        )
    )
    v["max_installment_share"] = str(
        _percent(e, "max_installment_share", data.max_installment_share, maximum=Decimal(100))
    )
    v["for_individuals"] = bool(data.for_individuals)
    v["for_groups"] = bool(data.for_groups)
    if not (data.for_individuals or data.for_groups):
        e.add("for_groups", _("The product must be open to individuals, to groups or to both."))
    # Cash basis: interest is income when paid. Accrual: end of day (cob) accrues the
    # interest earned each evening and moves the interest received to the receivable.
    v["accounting"] = _choice(e, "accounting", data.accounting, Accounting)
    v["is_active"] = bool(data.is_active)
    e.raise_if_any()
    # The engine must be able to build a schedule at both ends of the range.
    probe = LoanProduct(**v)
    try:
        product_rules(probe)
    except (ValueError, d.AllocationError):
        e.add(
            "allocation_order",
            _("Name penalties, fees, interest and principal once each, separated by commas."),
        )
    try:
        product_penalty(probe)
        on = business_date_get()
        for principal_minor in {v["min_principal_minor"], v["max_principal_minor"]}:
            for n in {v["min_installments"], v["max_installments"]}:
                d.generate_schedule(
                    build_terms(
                        probe,
                        principal=Money.from_minor(principal_minor, currency).amount,
                        annual_rate=Decimal(v["default_rate"]),
                        installments=n,
                        disbursement_date=on,
                    )
                )
    except d.InvalidTerms as exc:
        e.add("__all__", _("These settings cannot make a schedule: %(why)s.") % {"why": exc})
    except (InvalidOperation, ArithmeticError):
        e.add("__all__", _("These settings give amounts too large to compute."))
    e.raise_if_any()
    return v


@transaction.atomic
def loan_product_create(*, actor, data: ProductData) -> LoanProduct:
    require_perm(actor, "loan_product.manage")
    values = _clean(data)
    if LoanProduct.objects.filter(code=values["code"]).exists():
        raise ValidationFailed(
            _("Another product has the code %(code)s.") % {"code": values["code"]}, field="code"
        )
    try:
        with transaction.atomic():
            product = LoanProduct.objects.create(created_by=actor, **values)
    except IntegrityError:
        raise Conflict(_("This product conflicts with one already recorded."), field="code")
    audit_record(actor=actor, action="loan_product.create", obj=product, after=snapshot(product))
    return product


@transaction.atomic
def loan_product_update(*, actor, product: LoanProduct, data: ProductData) -> LoanProduct:
    """Change a product. Loans already approved keep the terms they were given."""
    require_perm(actor, "loan_product.manage")
    product = LoanProduct.objects.select_for_update().get(pk=product.pk)
    values = _clean(data)
    if values["currency"] != product.currency and product.loans.exists():
        raise ValidationFailed(
            _("The currency of a product with loans cannot change; create another product."),
            field="currency",
        )
    if LoanProduct.objects.filter(code=values["code"]).exclude(pk=product.pk).exists():
        raise ValidationFailed(
            _("Another product has the code %(code)s.") % {"code": values["code"]}, field="code"
        )
    before = snapshot(product)
    for key, value in values.items():
        setattr(product, key, value)
    product.save()
    audit_record(
        actor=actor,
        action="loan_product.update",
        obj=product,
        before=before,
        after=snapshot(product),
    )
    return product


def product_data(product: LoanProduct) -> ProductData:
    """The product's current values as a ProductData (to prefill a form, or change one field
    with ``dataclasses.replace``)."""
    cur = product.currency

    def m(value: int | None) -> str | None:
        return None if value is None else str(Money.from_minor(value, cur).amount)

    fee = (
        m(product.disbursement_fee_flat_minor)
        if product.disbursement_fee == DisbursementFee.FLAT
        else product.disbursement_fee_percent
    )
    inst_fee = (
        m(product.installment_fee_flat_minor)
        if product.installment_fee == InstallmentFee.FLAT
        else product.installment_fee_percent
    )
    penalty = (
        m(product.penalty_flat_minor)
        if product.penalty == PenaltyCalculation.FLAT
        else product.penalty_percent
    )
    return ProductData(
        code=product.code,
        name=product.name,
        currency=cur,
        min_principal=m(product.min_principal_minor),
        max_principal=m(product.max_principal_minor),
        min_installments=product.min_installments,
        max_installments=product.max_installments,
        default_installments=product.default_installments,
        frequency=product.frequency,
        every=product.every,
        interest_method=product.interest_method,
        amortization=product.amortization,
        interest_period=product.interest_period,
        days_in_year=product.days_in_year,
        days_in_month=product.days_in_month,
        min_rate=product.min_rate,
        max_rate=product.max_rate,
        default_rate=product.default_rate,
        grace_principal=product.grace_principal,
        grace_interest_payment=product.grace_interest_payment,
        grace_interest_free=product.grace_interest_free,
        rounding=product.rounding,
        installment_multiple=m(product.installment_multiple_minor),
        disbursement_fee=product.disbursement_fee,
        disbursement_fee_amount=fee or "0",
        disbursement_fee_deducted=product.disbursement_fee_deducted,
        installment_fee=product.installment_fee,
        installment_fee_amount=inst_fee or "0",
        penalty=product.penalty,
        penalty_amount=penalty or "0",
        penalty_basis=product.penalty_basis,
        penalty_tolerance_days=product.penalty_tolerance_days,
        penalty_repeat_every_days=product.penalty_repeat_every_days,
        allocation_strategy=product.allocation_strategy,
        allocation_order=product.allocation_order,
        prepayment=product.prepayment,
        guarantee_savings_percent=product.guarantee_savings_percent,
        max_installment_share=product.max_installment_share,
        for_individuals=product.for_individuals,
        for_groups=product.for_groups,
        accounting=product.accounting,
        description=product.description,
        is_active=product.is_active,
    )


__all__ = ["ProductData", "loan_product_create", "loan_product_update", "product_data"]


# --- the product's accounts -----------------------------------------------------------------
LOAN_ROLES = (
    "loan_portfolio",
    "loan_portfolio_arrears",
    "interest_receivable",
    "interest_income",
    "fee_income",
    "penalty_income",
    "overpayment_liability",
    "loan_loss_provision",
    "provision_expense",
    "write_off_recoveries",
)
# Roles whose account carries the loans' balances: moving them while loans are open would
# split a balance between two accounts.
BALANCE_ROLES = ("loan_portfolio", "loan_portfolio_arrears", "overpayment_liability")


def loan_product_accounts(product: LoanProduct) -> list[tuple[str, object, bool]]:
    """(role, account or None, product's own mapping?) for each role loans post with."""
    from mupaka.ledger.models import AccountMapping
    from mupaka.ledger.selectors import account_for

    own = set(
        AccountMapping.objects.filter(
            scope_type=product._meta.label_lower, scope_id=product.pk, currency=product.currency
        ).values_list("role", flat=True)
    )
    rows = []
    for role in LOAN_ROLES:
        try:
            account = account_for(role, product.currency, product=product)
        except ValidationFailed:
            account = None
        rows.append((role, account, role in own))
    return rows


@transaction.atomic
def loan_product_account_set(*, actor, product: LoanProduct, role: str, account) -> None:
    """Give ``product`` its own account for ``role`` (the accountant: the ledger's
    ``ledger.mapping.manage``); the ledger's ``mapping_set`` writes the audit row."""
    from mupaka.ledger.services import mapping_set
    from mupaka.loans.models import OPEN_STATUSES, Loan

    require_perm(actor, "ledger.mapping.manage")
    if role not in LOAN_ROLES:
        raise ValidationFailed(_("Not a role loans post with."), field="role")
    if (
        role in BALANCE_ROLES
        and Loan.objects.filter(product=product, status__in=[*OPEN_STATUSES, "closed"])
        .exclude(status__in=["submitted", "approved"])
        .exists()
    ):
        raise ValidationFailed(
            _(
                "Loans of this product hold a balance on this account: it cannot change now "
                "(the balance would be split). Create another product for new loans."
            ),
            field="role",
            code="balance_role_in_use",
        )
    mapping_set(actor=actor, role=role, currency=product.currency, account=account, product=product)
