from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import Branch, Country
from mupaka.core.roles import Role


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.all(), required=False
    )
    all_branches = forms.BooleanField(label=_("Sees all branches"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="fr")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("At least 10 characters; not only digits."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]

    def clean(self):
        data = super().clean()
        if not self.editing and not data.get("password"):
            self.add_error("password", _("A password is required."))
        return data


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    base_currency = forms.CharField(label=_("Base currency"), max_length=3)
    accepted_currencies = forms.CharField(
        label=_("Accepted currencies"), help_text=_("ISO codes separated by commas, e.g. USD, CDF")
    )
    regulatory_preset = forms.CharField(label=_("Regulatory preset"), max_length=40)

    def clean_accepted_currencies(self):
        raw = self.cleaned_data["accepted_currencies"]
        return [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]


class BranchForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=6)
    name = forms.CharField(label=_("Name"), max_length=120)
    town = forms.CharField(label=_("Town"), max_length=120, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
