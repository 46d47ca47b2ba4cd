"""Forms of the member pages: they only read the input; the services judge it."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mupaka.members.models import (
    BorderCountry,
    BorderPost,
    IdType,
    MemberStatus,
    SavingsGroupRole,
    Sex,
    Weekday,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def _date_field(label, required=False):
    return forms.DateField(label=label, required=required, widget=DateInput())


class MemberForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    middle_name = forms.CharField(
        label=_("Middle name"), max_length=80, required=False, help_text=_("Post-name, if any")
    )
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.FEMALE)
    birth_date = _date_field(_("Birth date"), required=True)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, help_text=_("e.g. +243 97 000 0001 or 0970000001")
    )
    phone_secondary = forms.CharField(label=_("Second phone"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("Language for messages"), choices=settings.MEMBER_LANGUAGES, initial="fr"
    )
    languages = forms.MultipleChoiceField(
        label=_("Other languages she understands"),
        choices=settings.MEMBER_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    province = forms.CharField(label=_("Province"), max_length=80, required=False)
    town = forms.CharField(label=_("Town"), max_length=80, required=False)
    quarter = forms.CharField(label=_("Quarter"), max_length=120, required=False)
    id_type = forms.ChoiceField(
        label=_("Identity document"), choices=IdType.choices, initial=IdType.NONE
    )
    id_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    id_issue_date = _date_field(_("Issued on"))
    id_expiry_date = _date_field(_("Expires on"))
    photo = forms.ImageField(label=_("Photo"), required=False)
    next_of_kin_name = forms.CharField(label=_("Next of kin"), max_length=160, required=False)
    next_of_kin_relation = forms.CharField(label=_("Relation"), max_length=60, required=False)
    next_of_kin_phone = forms.CharField(
        label=_("Next of kin's phone"), max_length=30, required=False
    )
    consent_sms = forms.BooleanField(label=_("Agrees to receive SMS messages"), required=False)
    consent_network = forms.BooleanField(
        label=_("Agrees that her data is shared with the network (anonymous figures)"),
        required=False,
    )
    duplicate_reason = forms.CharField(
        label=_("Reason for going on anyway"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the system warns of a possible duplicate."),
    )

    def __init__(self, *args, branches=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing or branches is None or len(branches) <= 1:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].required = True
        if editing:
            del self.fields["consent_sms"]
            del self.fields["consent_network"]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("branch", None)
        data.pop("duplicate_reason", None)
        if self.editing and not data.get("photo"):
            data.pop("photo", None)
        return data


class TraderProfileForm(forms.Form):
    is_trader = forms.BooleanField(
        label=_("She is a cross-border trader"), required=False, initial=True
    )
    border_posts = forms.ModelMultipleChoiceField(
        label=_("Border posts used"),
        queryset=BorderPost.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goods_traded = forms.CharField(
        label=_("Goods traded"),
        max_length=300,
        required=False,
        help_text=_("e.g. tomatoes, cassava flour, palm oil"),
    )
    crossings_per_week = forms.IntegerField(
        label=_("Crossings per week"), min_value=0, max_value=70, required=False
    )
    currencies = forms.MultipleChoiceField(
        label=_("Currencies handled"),
        choices=[("USD", "USD"), ("CDF", "CDF"), ("RWF", "RWF"), ("BIF", "BIF"), ("UGX", "UGX")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_turnover = forms.DecimalField(
        label=_("Typical daily turnover"), required=False, min_value=0, decimal_places=2
    )
    daily_turnover_currency = forms.ChoiceField(
        label=_("Currency of the turnover"),
        choices=[("", "—"), ("USD", "USD"), ("CDF", "CDF"), ("RWF", "RWF"), ("BIF", "BIF")],
        required=False,
    )
    savings_group_name = forms.CharField(
        label=_("Savings group (AVEC) she belongs to"), max_length=160, required=False
    )
    cooperative_name = forms.CharField(
        label=_("Traders' cooperative or association"), max_length=160, required=False
    )

    def __init__(self, *args, with_switch: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_switch:
            del self.fields["is_trader"]
        self.fields["border_posts"].queryset = BorderPost.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("daily_turnover") is not None and not data.get("daily_turnover_currency"):
            self.add_error("daily_turnover_currency", _("Choose the currency of the turnover."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=MemberStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ConsentForm(forms.Form):
    consent_sms = forms.BooleanField(label=_("Agrees to receive SMS messages"), required=False)
    consent_network = forms.BooleanField(
        label=_("Agrees that her data is shared with the network (anonymous figures)"),
        required=False,
    )


def split_numbers(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,;]+", text or "") if p]


class GroupForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    members = forms.CharField(
        label=_("Member numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("3 to 10 member numbers, separated by spaces or commas (e.g. BKV-000123)."),
    )
    leader = forms.CharField(label=_("Leader (member number)"), max_length=20)
    secretary = forms.CharField(label=_("Secretary (member number)"), max_length=20)
    joint_liability = forms.BooleanField(label=_("Joint liability"), required=False, initial=True)
    meeting_day = forms.TypedChoiceField(
        label=_("Meeting day"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=160, required=False)

    def __init__(self, *args, branches=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("branch", "members", "leader", "secretary"):
                del self.fields[name]
        elif branches is None or len(branches) <= 1:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].required = True


class AddMemberForm(forms.Form):
    member = forms.CharField(label=_("Member number"), max_length=20)
    role = forms.ChoiceField(
        label=_("Role"), choices=SavingsGroupRole.choices, required=False, initial="member"
    )


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class OfficersForm(forms.Form):
    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int, choices=())
    secretary = forms.TypedChoiceField(label=_("Secretary"), coerce=int, choices=())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.pk, f"{m.number} · {m.full_name}") for m in members]
        self.fields["leader"].choices = choices
        self.fields["secretary"].choices = choices


class DissolveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SavingsGroupForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    members = forms.CharField(
        label=_("Member numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Members of the institution in this AVEC, separated by spaces or commas."),
    )
    meeting_day = forms.TypedChoiceField(
        label=_("Meeting day"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=160, required=False)
    facilitator = forms.CharField(
        label=_("Facilitator or sponsoring organisation"), max_length=160, required=False
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is None or len(branches) <= 1:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].required = True


class BorderPostForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    country = forms.ChoiceField(label=_("Country"), choices=BorderCountry.choices)
    other_country = forms.ChoiceField(label=_("Other side"), choices=BorderCountry.choices)
    town = forms.CharField(label=_("Town"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
