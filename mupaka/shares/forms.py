from django import forms
from django.utils.translation import gettext_lazy as _


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, initial="Parts sociales")
    currency = forms.CharField(label=_("Currency"), max_length=3)
    unit_price = forms.DecimalField(label=_("Price of one share"), max_digits=20, decimal_places=6)
    min_shares = forms.IntegerField(label=_("Shares required for membership"), min_value=1)
    max_shares = forms.IntegerField(label=_("Most shares one member may hold"), min_value=1)
    entry_fee = forms.DecimalField(
        label=_("Entry fee"), max_digits=20, decimal_places=6, min_value=0
    )


class PurchaseForm(forms.Form):
    shares = forms.IntegerField(label=_("Number of shares"), min_value=0)
    channel = forms.ChoiceField(
        label=_("Paid"),
        choices=[("cash", _("in cash at my till")), ("savings", _("from a savings account"))],
        initial="cash",
    )
    savings_account = forms.ModelChoiceField(
        label=_("Savings account"), queryset=None, required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["savings_account"].queryset = accounts


class RedemptionRequestForm(forms.Form):
    shares = forms.IntegerField(
        label=_("Shares to redeem"),
        min_value=1,
        required=False,
        help_text=_("Empty: all her shares (she leaves)."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PayForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Paid"),
        choices=[("cash", _("in cash at my till")), ("savings", _("into a savings account"))],
        initial="cash",
    )
    savings_account = forms.ModelChoiceField(
        label=_("Savings account"), queryset=None, required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["savings_account"].queryset = accounts
