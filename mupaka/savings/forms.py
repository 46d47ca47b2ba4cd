from django import forms
from django.utils.translation import gettext_lazy as _

from mupaka.savings.models import (
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
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
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
    guarantee_percent = _amount(_("Guarantee (% of the loan)"), required=False, initial=0)

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
            "guarantee_percent",
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
