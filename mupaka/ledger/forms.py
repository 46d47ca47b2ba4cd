from django import forms
from django.utils.translation import gettext_lazy as _

from mupaka.core.money import Rounding
from mupaka.ledger.roles import MAPPING_ROLES


class ManualEntryForm(forms.Form):
    business_date = forms.DateField(
        label=_("Value date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    narrative = forms.CharField(label=_("Narrative"), max_length=300)


class LineForm(forms.Form):
    account = forms.CharField(
        label=_("Account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"list": "posting-accounts", "size": 12}),
    )
    debit = forms.CharField(
        label=_("Debit"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )
    credit = forms.CharField(
        label=_("Credit"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=4, max_num=40)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeriodCloseForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class CurrencyRuleForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3)
    cash_multiple = forms.CharField(
        label=_("Smallest note or coin used at the till"),
        max_length=20,
        help_text=_("In the currency's units, e.g. 50 for FC 50."),
    )
    rounding = forms.ChoiceField(label=_("Rounding"), choices=[(r.value, r.name) for r in Rounding])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MappingForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[])
    currency = forms.CharField(label=_("Currency"), max_length=3)
    account = forms.CharField(
        label=_("Account"),
        max_length=30,
        widget=forms.TextInput(attrs={"list": "posting-accounts"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(k, f"{k} — {v}") for k, v in sorted(MAPPING_ROLES.items())]
