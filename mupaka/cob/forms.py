from django import forms
from django.utils.translation import gettext_lazy as _


class RunForm(forms.Form):
    until = forms.DateField(
        label=_("Catch up to (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: close the business date only."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class BandForm(forms.Form):
    restructured = forms.BooleanField(label=_("Restructured loans"), required=False)
    category = forms.CharField(label=_("Classification"), max_length=40, required=False)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=120, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=120, required=False)
    min_days = forms.IntegerField(label=_("From (days)"))
    max_days = forms.IntegerField(label=_("To (days)"), required=False)
    rate = forms.CharField(label=_("Rate (%)"), max_length=12)


BandFormSet = forms.formset_factory(BandForm, extra=2, can_delete=True)
