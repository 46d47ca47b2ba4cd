from django import forms
from django.utils.translation import gettext_lazy as _

from mupaka.savings.models import (
    HoldReason,
    InterestMethodChoice,
    PostingFrequencyChoice,
    ProductKind,
    RoundingChoice,
    SavingsProduct,
)


def _amount(label, **kw):
    return forms.DecimalField(label=label, max_digits=20, decimal_places=6, **kw)


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ProductKind.choices,
        help_text=_(
            "Guarantee savings keep the guarantee of the loans in this currency; the loan "
            "product sets how much of the loan is kept."
        ),
    )
    currency = forms.CharField(label=_("Currency"), max_length=3)
    is_active = forms.BooleanField(label=_("Open to new accounts"), required=False, initial=True)
    interest_rate = _amount(_("Interest rate (% a year)"), required=False, initial=0)
    interest_method = forms.ChoiceField(
        label=_("Interest computed on"), choices=InterestMethodChoice.choices
    )
    days_in_year = forms.TypedChoiceField(
        label=_("Days in the year"), choices=[(365, "365"), (360, "360")], coerce=int
    )
    interest_rounding = forms.ChoiceField(
        label=_("Interest rounding"), choices=RoundingChoice.choices
    )
    min_balance_for_interest = _amount(_("Minimum balance for interest"), required=False, initial=0)
    posting_frequency = forms.ChoiceField(
        label=_("Interest posted"), choices=PostingFrequencyChoice.choices
    )
    withholding_tax = _amount(_("Withholding tax (% of the interest)"), required=False, initial=0)
    min_balance = _amount(_("Minimum balance"), required=False, initial=0)
    withdrawal_fee = _amount(_("Withdrawal fee"), required=False, initial=0)
    maintenance_fee = _amount(_("Monthly maintenance fee"), required=False, initial=0)
    dormancy_days = forms.IntegerField(
        label=_("Dormant after (days without a customer transaction)"),
        min_value=0,
        required=False,
        initial=0,
        help_text=_("0: never dormant."),
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=120, required=False
    )
    early_break_penalty = _amount(
        _("Penalty for an early break (% of the principal)"), required=False, initial=0
    )

    def service_values(self) -> dict:
        d = dict(self.cleaned_data)
        for name in (
            "interest_rate",
            "min_balance_for_interest",
            "withholding_tax",
            "min_balance",
            "withdrawal_fee",
            "maintenance_fee",
            "early_break_penalty",
        ):
            if d.get(name) is None:
                d[name] = "0"
        d["dormancy_days"] = d.get("dormancy_days") or 0
        return d


class OpenAccountForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=20)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=SavingsProduct.objects.filter(is_active=True)
    )

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products


class MovementForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=6, min_value=0)
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class StatementForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class LimitForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("KYC tier"), choices=[(0, "0"), (1, "1")], coerce=int)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    max_balance = forms.DecimalField(
        label=_("Maximum balance"), max_digits=20, decimal_places=6, required=False
    )
    max_withdrawal_per_day = forms.DecimalField(
        label=_("Maximum withdrawals per day"), max_digits=20, decimal_places=6, required=False
    )


def _key_field():
    return forms.CharField(widget=forms.HiddenInput, max_length=100)


CHANNEL_LABELS = {
    "cash": _("Cash at my till"),
    "transfer": _("From / to another of her savings accounts"),
}


class TermOpenForm(forms.Form):
    """A term deposit opened with its principal; the product gives the term and the rate."""

    member_number = forms.CharField(label=_("Member number"), max_length=20)
    product = forms.ModelChoiceField(
        label=_("Term and rate"), queryset=SavingsProduct.objects.none(), empty_label=None
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=6, min_value=0)
    channel = forms.ChoiceField(label=_("Paid"))
    from_account = forms.CharField(
        label=_("From her account (number)"), max_length=24, required=False
    )
    payout_account = forms.CharField(
        label=_("At maturity, pay into her account (number)"),
        max_length=24,
        required=False,
        help_text=_("Empty: the money waits in the deposit account until she withdraws it."),
    )
    idempotency_key = _key_field()

    def __init__(self, *args, products=None, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = term_label
        self.fields["channel"].choices = [(c, CHANNEL_LABELS[c]) for c in channels]

    def clean(self):
        data = super().clean()
        if data.get("channel") == "transfer" and not data.get("from_account"):
            self.add_error("from_account", _("Choose the account the money comes from."))
        return data


def term_label(product: SavingsProduct) -> str:
    from mupaka.savings.templatetags.savings_tags import ppm_percent

    return _("%(name)s — %(months)s months at %(rate)s a year, early break %(penalty)s") % {
        "name": product.name,
        "months": product.term_months,
        "rate": ppm_percent(product.interest_rate_ppm),
        "penalty": ppm_percent(product.early_break_penalty_ppm),
    }


class TermBreakForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    channel = forms.ChoiceField(label=_("Paid"))
    to_account = forms.CharField(
        label=_("Into her account (number)"), max_length=24, required=False
    )
    idempotency_key = _key_field()

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, CHANNEL_LABELS[c]) for c in channels]

    def clean(self):
        data = super().clean()
        if data.get("channel") == "transfer" and not data.get("to_account"):
            self.add_error("to_account", _("Choose the account that receives the money."))
        return data


class HoldForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=6, min_value=0)
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[(c, label) for c, label in HoldReason.choices if c != HoldReason.GUARANTEE],
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        help_text=_("The court order, the letter or the file it comes from."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200)


class TransferForm(forms.Form):
    to_account = forms.CharField(label=_("To the account (number)"), max_length=24)
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=6, min_value=0)
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    idempotency_key = _key_field()


class ReversalDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    idempotency_key = _key_field()
