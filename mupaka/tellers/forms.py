"""Forms of the counter and the manager's pages. Every form that moves money carries an
``idempotency_key`` (a fresh UUID per rendered form): a double press of "submit"
replays the first answer instead of moving the money twice."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import User
from mupaka.core.roles import Role
from mupaka.tellers.models import Denomination


def new_key() -> str:
    return str(uuid.uuid4())


class IdempotentForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)


def currency_choices(currencies) -> list[tuple[str, str]]:
    return [(c, c) for c in currencies]


class AmountField(forms.DecimalField):
    """An amount as a person types it in her language: "45,50" in French (the counter's
    text inputs also show the amount due that way) and spaces between thousands
    ("50 000"); "45.50" is read everywhere."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())  # spaces, no-break and narrow no-break spaces
            separator = formats.get_format("DECIMAL_SEPARATOR")
            if separator != "." and "." not in value:
                value = value.replace(separator, ".")
        return super().to_python(value)


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
    base = forms.CharField(label=_("Base currency"), max_length=3)
    quote = forms.CharField(label=_("Quote currency"), max_length=3)
    buy = forms.DecimalField(label=_("We buy at"), max_digits=24, decimal_places=8)
    sell = forms.DecimalField(label=_("We sell at"), max_digits=24, decimal_places=8)
    reference = forms.DecimalField(
        label=_("Reference rate"), max_digits=24, decimal_places=8, required=False
    )
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
