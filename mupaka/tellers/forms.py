"""Forms of the counter and the manager's pages. Every form that moves money carries an
``idempotency_key`` (a fresh UUID per rendered form): a double press of "submit"
replays the first answer instead of moving the money twice."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import User
from mupaka.core.roles import Role
from mupaka.tellers.models import Denomination
from mupaka.tellers.selectors import rate_text


def new_key() -> str:
    return str(uuid.uuid4())


class IdempotentForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)


def currency_choices(currencies) -> list[tuple[str, str]]:
    return [(c, c) for c in currencies]


def _ungrouped(value: str, group: str, decimal: str) -> str:
    """``value`` without its group separators when they group the whole part by three
    ("2,847.35" → "2847.35"); unchanged otherwise ("2,847,35", "45,50"), to be refused."""
    whole, _sep, fraction = value.partition(decimal)
    digits = whole.lstrip("+-")
    parts = digits.split(group)
    if not (1 <= len(parts[0]) <= 3 and all(p.isdigit() for p in parts)):
        return value
    if any(len(p) != 3 for p in parts[1:]) or group in fraction:
        return value
    return value.replace(group, "", len(parts) - 1)


class AmountField(forms.DecimalField):
    """An amount (or a rate) as a person types it in her language: "45,50" in French (the
    counter's text inputs also show the amount due that way) with spaces between thousands
    ("50 000", "2 847,35"), "2,847.35" in English (commas grouping thousands by three);
    "45.50" is read everywhere. Anything else ("2,847,35", "45,50" in English) is not a
    number. A text input (``inputmode="decimal"``): a number input would refuse the space
    or the comma before the server sees them."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())  # spaces, no-break and narrow no-break spaces
            separator = formats.get_format("DECIMAL_SEPARATOR")
            group = formats.get_format("THOUSAND_SEPARATOR")
            if group and not group.isspace() and group != separator and group in value:
                value = _ungrouped(value, group, separator)
            if separator != "." and "." not in value:
                value = value.replace(separator, ".")
        return super().to_python(value)


class RateField(AmountField):
    """A rate (``2 847,35`` francs for one dollar): up to 8 decimals; zero or below is
    refused by ``rate_set`` with its own message."""

    default_error_messages = {
        "invalid": _("Enter a rate as a number, for example %(example)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 24)
        kwargs.setdefault("decimal_places", 8)
        kwargs.setdefault("min_value", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code != "invalid":
                raise
            example = rate_text(Decimal("2847.35"))  # as the pages write rates
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"example": example}
            ) from None


class ExchangeForm(IdempotentForm):
    amount = AmountField(label=_("Amount handed over"))
    currency = forms.ChoiceField(label=_("Currency handed over"))
    currency_out = forms.ChoiceField(label=_("Currency paid out"))
    customer_name = forms.CharField(
        label=_("Walk-in customer's name"), max_length=160, required=False
    )
    member_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the member panel's form and the walk-in form are on the same page: their fields
        # get their own ids (an id is unique in a page)
        member_id = self.data.get(self.add_prefix("member_id")) or self.initial.get("member_id")
        if member_id and str(member_id).isdigit():
            self.auto_id = f"id_m{member_id}_%s"
        self.fields["currency"].choices = currency_choices(currencies)
        self.fields["currency_out"].choices = currency_choices(currencies)
        # the usual change at the region's counters: dollars into the local franc
        cur = list(currencies)
        if cur:
            first = "USD" if "USD" in cur else cur[0]
            other = next((c for c in ("CDF", "RWF", "BIF", *cur) if c in cur and c != first), first)
            self.fields["currency"].initial = first
            self.fields["currency_out"].initial = other


class TillOpenForm(IdempotentForm):
    teller = forms.ModelChoiceField(label=_("Teller"), queryset=User.objects.none())

    def __init__(self, *args, branch_id=None, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(role=Role.TELLER, is_active=True)
        if branch_id:
            qs = qs.filter(branch_id=branch_id)
        self.fields["teller"].queryset = qs.order_by("username")
        self.currencies = list(currencies)
        for cur in self.currencies:
            self.fields[f"float_{cur}"] = AmountField(
                label=_("Float in %(currency)s") % {"currency": cur}, required=False
            )
            self.fields[f"hold_{cur}"] = forms.BooleanField(
                label=_("Holds %(currency)s") % {"currency": cur}, required=False, initial=True
            )


class TransferForm(IdempotentForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.currencies = list(currencies)
        for cur in self.currencies:
            self.fields[f"amount_{cur}"] = AmountField(label=cur, required=False)


class ReasonForm(IdempotentForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RateForm(forms.Form):
    """The day's rate of a pair, typed the way the manager's language writes numbers
    ("2 847,35" in French, "2,847.35" in English)."""

    base = forms.CharField(label=_("Base currency"), max_length=3)
    quote = forms.CharField(label=_("Quote currency"), max_length=3)
    buy = RateField(label=_("We buy at"))
    sell = RateField(label=_("We sell at"))
    reference = RateField(label=_("Reference rate"), required=False)
    reference_source = forms.CharField(
        label=_("Source of the reference"), max_length=80, required=False
    )


class VaultFundForm(IdempotentForm):
    currency = forms.ChoiceField(label=_("Currency"))
    amount = AmountField(label=_("Amount"))
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("bank", _("Bank")), ("opening", _("Opening balance (go-live)"))],
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("in", _("Into the vault")), ("out", _("Out to the bank"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(currencies)


class CashOperationForm(IdempotentForm):
    """A deposit, withdrawal or repayment in a few keystrokes: the amount and a button.
    A disbursement carries no amount of its own: the approved loan decides it (the form
    sends the net amount shown, which is part of what the idempotency key covers)."""

    OPERATIONS = ("deposit", "withdraw", "repay", "shares", "disburse", "group_disburse")
    WITHOUT_AMOUNT = ("disburse", "group_disburse")

    op = forms.ChoiceField(choices=[(o, o) for o in OPERATIONS])
    target = forms.IntegerField(widget=forms.HiddenInput)
    amount = AmountField(label=_("Amount"), required=False)
    currency = forms.CharField(widget=forms.HiddenInput, max_length=3)

    def clean(self):
        data = super().clean()
        if data.get("op") not in self.WITHOUT_AMOUNT and data.get("amount") is None:
            if "amount" not in self.errors:
                self.add_error("amount", forms.Field.default_error_messages["required"])
        return data


class DenominationForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    face_value = forms.DecimalField(
        label=_("Face value"), max_digits=18, decimal_places=2, min_value=0
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Denomination.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(currencies)


class DenominationStatusForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
