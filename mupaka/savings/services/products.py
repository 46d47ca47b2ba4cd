"""Savings products and the KYC tier limits: set by the manager."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money, is_known_currency, to_decimal
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get
from mupaka.savings.models import (
    PPM,
    InterestMethodChoice,
    KycTierLimit,
    PostingFrequencyChoice,
    ProductKind,
    RoundingChoice,
    SavingsProduct,
)


@dataclass(frozen=True)
class ProductData:
    """A product as people write it: amounts in major units ("10.00"), rates in percent
    ("6" = 6 % a year). The service turns them into minor units and millionths.

    There is no guarantee percentage: the loan product sets the share of a loan kept as
    guarantee savings (``guarantee_savings_percent``)."""

    code: str
    name: str
    kind: str
    currency: str
    interest_rate: Decimal | str = "0"
    interest_method: str = InterestMethodChoice.DAILY_BALANCE
    days_in_year: int = 365
    interest_rounding: str = RoundingChoice.HALF_EVEN
    min_balance_for_interest: Decimal | str = "0"
    posting_frequency: str = PostingFrequencyChoice.MONTHLY
    withholding_tax: Decimal | str = "0"
    min_balance: Decimal | str = "0"
    withdrawal_fee: Decimal | str = "0"
    maintenance_fee: Decimal | str = "0"
    dormancy_days: int = 0
    term_months: int | None = None
    early_break_penalty: Decimal | str = "0"
    is_active: bool = True


AMOUNT_FIELDS = {
    "min_balance_for_interest": "min_balance_for_interest_minor",
    "min_balance": "min_balance_minor",
    "withdrawal_fee": "withdrawal_fee_minor",
    "maintenance_fee": "maintenance_fee_minor",
}
PERCENT_FIELDS = {
    "interest_rate": "interest_rate_ppm",
    "withholding_tax": "withholding_tax_ppm",
    "early_break_penalty": "early_break_penalty_ppm",
}
PRODUCT_FIELDS = [
    "code",
    "name",
    "kind",
    "currency",
    "is_active",
    "interest_rate_ppm",
    "interest_method",
    "days_in_year",
    "interest_rounding",
    "min_balance_for_interest_minor",
    "posting_frequency",
    "withholding_tax_ppm",
    "min_balance_minor",
    "withdrawal_fee_minor",
    "maintenance_fee_minor",
    "dormancy_days",
    "term_months",
    "early_break_penalty_ppm",
]


def _clean(data: ProductData) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    out: dict[str, Any] = {}
    code = (data.code or "").strip().upper()
    if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
        err("code", _("A code has 1 to 20 letters, digits, dashes or underscores."))
    out["code"] = code
    name = " ".join((data.name or "").split())
    if not name:
        err("name", _("A name is required."))
    out["name"] = name[:120]
    if data.kind not in ProductKind.values:
        err("kind", _("Unknown kind of product."))
    out["kind"] = data.kind
    currency = (data.currency or "").strip().upper()
    accepted = institution_get().accepted_currencies
    if not is_known_currency(currency) or currency not in accepted:
        err(
            "currency",
            _("The institution does not accept this currency (accepted: %(list)s).")
            % {"list": ", ".join(accepted)},
        )
    out["currency"] = currency
    for name_, column in AMOUNT_FIELDS.items():
        raw = getattr(data, name_)
        try:
            value = to_decimal("0" if raw in (None, "") else raw)
            if value < 0:
                raise ValueError
            money = Money(value, currency if is_known_currency(currency) else "USD")
            out[column] = money.minor
        except (ValueError, TypeError):
            err(name_, _("Give an amount of zero or more, with the currency's decimals at most."))
    for name_, column in PERCENT_FIELDS.items():
        raw = getattr(data, name_)
        try:
            value = to_decimal("0" if raw in (None, "") else raw)
            ppm = value * PPM / 100
            if value < 0 or value > 100 or ppm != ppm.to_integral_value():
                raise ValueError
            out[column] = int(ppm)
        except (ValueError, TypeError):
            err(name_, _("Give a percentage between 0 and 100, with 4 decimals at most."))
    if data.interest_method not in InterestMethodChoice.values:
        err("interest_method", _("Unknown interest method."))
    out["interest_method"] = data.interest_method
    if int(data.days_in_year or 0) not in (360, 365):
        err("days_in_year", _("A year counts 360 or 365 days."))
    out["days_in_year"] = int(data.days_in_year or 0)
    if data.interest_rounding not in RoundingChoice.values:
        err("interest_rounding", _("Unknown rounding."))
    out["interest_rounding"] = data.interest_rounding
    if data.posting_frequency not in PostingFrequencyChoice.values:
        err("posting_frequency", _("Unknown posting frequency."))
    out["posting_frequency"] = data.posting_frequency
    if int(data.dormancy_days or 0) < 0:
        err("dormancy_days", _("Give a number of days of zero or more."))
    out["dormancy_days"] = int(data.dormancy_days or 0)
    out["is_active"] = bool(data.is_active)
    term = data.term_months
    if data.kind == ProductKind.TERM:
        if not term or int(term) < 1 or int(term) > 120:
            err("term_months", _("A term deposit lasts 1 to 120 months."))
        out["term_months"] = int(term or 0) or None
        out["posting_frequency"] = PostingFrequencyChoice.AT_MATURITY
    else:
        if term:
            err("term_months", _("Only a term deposit has a term."))
        if data.posting_frequency == PostingFrequencyChoice.AT_MATURITY:
            err("posting_frequency", _("Only a term deposit posts its interest at maturity."))
        out["term_months"] = None
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    return out


@transaction.atomic
def savings_product_create(*, actor, data: ProductData) -> SavingsProduct:
    require_perm(actor, "savings.product.manage")
    values = _clean(data)
    if SavingsProduct.objects.filter(code=values["code"]).exists():
        raise ValidationFailed(_("A product with this code already exists."), field="code")
    product = SavingsProduct.objects.create(created_by=actor, **values)
    audit_record(
        actor=actor,
        action="savings.product_create",
        obj=product,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def savings_product_update(*, actor, product: SavingsProduct, data: ProductData) -> SavingsProduct:
    """Change a product. Its code, kind and currency never change once it has accounts;
    a new minimum balance applies to the accounts already open (their available balance
    is recomputed in the same transaction); a term deposit keeps the rate it opened with."""
    require_perm(actor, "savings.product.manage")
    product = SavingsProduct.objects.select_for_update().get(pk=product.pk)
    values = _clean(data)
    has_accounts = product.accounts.exists()
    for frozen in ("code", "kind", "currency"):
        if has_accounts and values[frozen] != getattr(product, frozen):
            raise ValidationFailed(
                _("This product has accounts: its code, kind and currency cannot change."),
                field=frozen,
            )
    if (
        values["code"] != product.code
        and SavingsProduct.objects.filter(code=values["code"]).exists()
    ):
        raise ValidationFailed(_("A product with this code already exists."), field="code")
    before = snapshot(product, PRODUCT_FIELDS)
    for name, value in values.items():
        setattr(product, name, value)
    product.save()
    if before["min_balance_minor"] != product.min_balance_minor:
        from django.db.models import F

        from mupaka.savings.models import SavingsAccount

        SavingsAccount.objects.filter(product=product).exclude(status="closed").update(
            min_balance_minor=product.min_balance_minor,
            available_minor=F("balance_minor") - F("blocked_minor") - product.min_balance_minor,
        )
    audit_record(
        actor=actor,
        action="savings.product_update",
        obj=product,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


def product_data(product: SavingsProduct) -> ProductData:
    """The product as a ProductData (to prefill a form, or to change one field)."""
    values: dict[str, Any] = {}
    for f in fields(ProductData):
        if f.name in AMOUNT_FIELDS:
            values[f.name] = product.money(getattr(product, AMOUNT_FIELDS[f.name])).amount
        elif f.name in PERCENT_FIELDS:
            values[f.name] = (
                Decimal(getattr(product, PERCENT_FIELDS[f.name])) * 100 / PPM
            ).normalize()
        else:
            values[f.name] = getattr(product, f.name)
    return ProductData(**values)


def product_data_replace(data: ProductData, **changes) -> ProductData:
    return ProductData(**{**asdict(data), **changes})


# --- KYC tier limits -------------------------------------------------------------------------
@transaction.atomic
def kyc_limit_set(
    *,
    actor,
    tier: int,
    currency: str,
    max_balance: Decimal | str | None,
    max_withdrawal_per_day: Decimal | str | None,
) -> KycTierLimit:
    """The institution's limits for members of ``tier`` in ``currency`` (None: no limit)."""
    require_perm(actor, "savings.limits.manage")
    currency = (currency or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if tier not in (0, 1):
        errors["tier"] = [_("The KYC tier is 0 or 1.")]
    if currency not in institution_get().accepted_currencies:
        errors["currency"] = [_("The institution does not accept this currency.")]
    values: dict[str, int | None] = {}
    for name, raw in (
        ("max_balance", max_balance),
        ("max_withdrawal_per_day", max_withdrawal_per_day),
    ):
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            amount = Money.of(raw, currency if "currency" not in errors else "USD")
            if amount.amount < 0:
                raise ValueError
            values[name] = amount.minor
        except (ValueError, TypeError):
            errors[name] = [
                _("Give an amount of zero or more, with the currency's decimals at most.")
            ]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    limit = KycTierLimit.objects.select_for_update().filter(tier=tier, currency=currency).first()
    before = (
        snapshot(limit, ["max_balance_minor", "max_withdrawal_per_day_minor"]) if limit else None
    )
    if limit is None:
        limit = KycTierLimit(tier=tier, currency=currency)
    limit.max_balance_minor = values["max_balance"]
    limit.max_withdrawal_per_day_minor = values["max_withdrawal_per_day"]
    limit.save()
    audit_record(
        actor=actor,
        action="savings.kyc_limit_set",
        obj=limit,
        object_repr=f"tier {tier} {currency}",
        before=before,
        after=snapshot(limit, ["max_balance_minor", "max_withdrawal_per_day_minor"]),
    )
    return limit
