"""Forms of the loan pages: they only read and check the shape of the input; the rules
live in the services."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from mupaka.loans.models import (
    Accounting,
    AllocationStrategy,
    Amortization,
    Channel,
    DaysInMonth,
    DaysInYear,
    DisbursementFee,
    Frequency,
    InstallmentFee,
    InterestMethod,
    InterestPeriod,
    LoanProduct,
    OverdueBasis,
    PenaltyCalculation,
    PrepaymentMode,
    RoundingMode,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount_field(label, required=True, **kw) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=18, decimal_places=4, min_value=None, **kw
    )


class KeyedForm(forms.Form):
    """A form that moves money carries an idempotency key made when the page was shown:
    a double click posts the same key and moves the money once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", f"web-{uuid.uuid4()}")


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    currency = forms.CharField(label=_("Currency"), max_length=3)
    min_principal = amount_field(_("Minimum amount"))
    max_principal = amount_field(_("Maximum amount"))
    min_installments = forms.IntegerField(label=_("Minimum number of instalments"))
    max_installments = forms.IntegerField(label=_("Maximum number of instalments"))
    default_installments = forms.IntegerField(
        label=_("Default number of instalments"), required=False
    )
    frequency = forms.ChoiceField(label=_("Repayment every"), choices=Frequency.choices)
    every = forms.IntegerField(label=_("Number of periods between instalments"), initial=1)
    interest_method = forms.ChoiceField(label=_("Interest method"), choices=InterestMethod.choices)
    amortization = forms.ChoiceField(label=_("Amortization"), choices=Amortization.choices)
    interest_period = forms.ChoiceField(
        label=_("Interest calculated"), choices=InterestPeriod.choices
    )
    days_in_year = forms.ChoiceField(label=_("Days in a year"), choices=DaysInYear.choices)
    days_in_month = forms.ChoiceField(label=_("Days in a month"), choices=DaysInMonth.choices)
    min_rate = amount_field(_("Minimum annual rate (%)"))
    max_rate = amount_field(_("Maximum annual rate (%)"))
    default_rate = amount_field(_("Default annual rate (%)"), required=False)
    grace_principal = forms.IntegerField(label=_("Grace on principal (periods)"), initial=0)
    grace_interest_payment = forms.IntegerField(
        label=_("Grace on interest payment (periods)"), initial=0
    )
    grace_interest_free = forms.IntegerField(label=_("Interest-free periods"), initial=0)
    rounding = forms.ChoiceField(label=_("Rounding"), choices=RoundingMode.choices)
    installment_multiple = amount_field(_("Instalments in multiples of"), required=False)
    disbursement_fee = forms.ChoiceField(
        label=_("Disbursement fee"), choices=DisbursementFee.choices
    )
    disbursement_fee_amount = amount_field(
        _("Disbursement fee (amount or %)"), required=False, initial=0
    )
    disbursement_fee_deducted = forms.BooleanField(
        label=_("Fee deducted from the amount paid out"), required=False, initial=True
    )
    installment_fee = forms.ChoiceField(label=_("Instalment fee"), choices=InstallmentFee.choices)
    installment_fee_amount = amount_field(
        _("Instalment fee (amount or %)"), required=False, initial=0
    )
    penalty = forms.ChoiceField(label=_("Late penalty"), choices=PenaltyCalculation.choices)
    penalty_amount = amount_field(_("Penalty (amount or %)"), required=False, initial=0)
    penalty_basis = forms.ChoiceField(label=_("Penalty on"), choices=OverdueBasis.choices)
    penalty_tolerance_days = forms.IntegerField(label=_("Days of tolerance"), initial=0)
    penalty_repeat_every_days = forms.IntegerField(
        label=_("Penalty repeated every (days)"),
        required=False,
        help_text=_("Empty: charged once per late instalment."),
    )
    allocation_strategy = forms.ChoiceField(
        label=_("Allocation of repayments"), choices=AllocationStrategy.choices
    )
    allocation_order = forms.CharField(
        label=_("Allocation order"), initial="penalties,fees,interest,principal"
    )
    prepayment = forms.ChoiceField(label=_("Early repayment"), choices=PrepaymentMode.choices)
    guarantee_savings_percent = amount_field(
        _("Compulsory guarantee savings (% of the amount)"), initial=0
    )
    max_installment_share = amount_field(
        _("Maximum instalment, % of disposable income"),
        initial=0,
        help_text=_("0: no over-indebtedness check."),
    )
    for_individuals = forms.BooleanField(
        label=_("For individual members"), required=False, initial=True
    )
    for_groups = forms.BooleanField(label=_("For solidarity groups"), required=False)
    accounting = forms.ChoiceField(label=_("Accounting"), choices=Accounting.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CashFlowFields(forms.Form):
    daily_sales = amount_field(_("Sales in a day"), required=False)
    daily_purchases = amount_field(_("Purchases in a day"), required=False)
    trading_days_per_week = forms.IntegerField(
        label=_("Trading days a week"), required=False, initial=6, min_value=0, max_value=7
    )
    trips_per_week = forms.IntegerField(
        label=_("Border crossings a week"), required=False, initial=0, min_value=0, max_value=70
    )
    cost_per_trip = amount_field(_("Cost of a crossing"), required=False)
    other_business_costs = amount_field(_("Other business costs a month"), required=False)
    other_income = amount_field(_("Other income a month"), required=False)
    household_costs = amount_field(_("Household costs a month"), required=False)
    other_debts = amount_field(_("Other debt repayments a month"), required=False)


class ApplicationForm(CashFlowFields):
    member = forms.CharField(label=_("Member number"), max_length=20)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=LoanProduct.objects.filter(is_active=True, for_individuals=True),
    )
    principal = amount_field(_("Amount asked"))
    installments = forms.IntegerField(label=_("Number of instalments"), required=False)
    annual_rate = amount_field(_("Annual rate (%)"), required=False)
    purpose = forms.CharField(label=_("Purpose of the loan"), max_length=300)
    expected_disbursement_date = forms.DateField(
        label=_("Expected disbursement date"), required=False, widget=DATE
    )
    first_due_date = forms.DateField(label=_("First due date"), required=False, widget=DATE)
    collateral = forms.CharField(
        label=_("Collateral"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guarantor_member = forms.CharField(
        label=_("Guarantor: member number"), required=False, max_length=20
    )
    guarantor_name = forms.CharField(label=_("Or guarantor's name"), required=False, max_length=160)
    guarantor_phone = forms.CharField(label=_("Guarantor's phone"), required=False, max_length=20)
    guarantor_relation = forms.CharField(label=_("Relation"), required=False, max_length=80)
    override_reason = forms.CharField(
        label=_("Reason to go beyond her repayment capacity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if the over-indebtedness check refuses the application."),
    )

    field_order = [
        "member", "product", "principal", "installments", "annual_rate", "purpose",
        "expected_disbursement_date", "first_due_date", "collateral",
        "guarantor_member", "guarantor_name", "guarantor_phone", "guarantor_relation",
        "daily_sales", "daily_purchases", "trading_days_per_week", "trips_per_week",
        "cost_per_trip", "other_business_costs", "other_income", "household_costs",
        "other_debts", "override_reason",
    ]  # fmt: skip


class GroupApplicationForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=LoanProduct.objects.filter(is_active=True, for_groups=True)
    )
    installments = forms.IntegerField(label=_("Number of instalments"), required=False)
    annual_rate = amount_field(_("Annual rate (%)"), required=False)
    purpose = forms.CharField(label=_("Purpose of the loan"), max_length=300)
    expected_disbursement_date = forms.DateField(
        label=_("Expected disbursement date"), required=False, widget=DATE
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for m in self.members:
            self.fields[f"share_{m.pk}"] = amount_field(m.full_name, required=False)
            self.fields[f"sales_{m.pk}"] = amount_field(_("Sales in a day"), required=False)
            self.fields[f"purchases_{m.pk}"] = amount_field(_("Purchases in a day"), required=False)
            self.fields[f"days_{m.pk}"] = forms.IntegerField(
                label=_("Trading days a week"), required=False, initial=6, min_value=0, max_value=7
            )
            self.fields[f"household_{m.pk}"] = amount_field(
                _("Household costs a month"), required=False
            )
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=_("Reason to go beyond her capacity"), required=False, max_length=300
            )

    def rows(self):
        for m in self.members:
            yield (
                m,
                [
                    self[f"{p}_{m.pk}"]
                    for p in ("share", "sales", "purchases", "days", "household", "reason")
                ],
            )


class ApproveForm(forms.Form):
    approved_principal = amount_field(
        _("Amount approved"), required=False, help_text=_("Empty: the amount asked.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("She changed her mind, or the application was filed by mistake."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisburseForm(KeyedForm):
    channel = forms.ChoiceField(label=_("Paid"), choices=Channel.choices, initial=Channel.CASH)


class RepayForm(KeyedForm):
    amount = amount_field(_("Amount received"))
    channel = forms.ChoiceField(label=_("Paid"), choices=Channel.choices, initial=Channel.CASH)
    paid_by = forms.CharField(
        label=_("Paid by another member of her group (member number)"),
        required=False,
        max_length=20,
    )
    memo = forms.CharField(label=_("Memo"), required=False, max_length=300)


class AmountForm(KeyedForm):
    amount = amount_field(_("Amount"))
    channel = forms.ChoiceField(label=_("Paid"), choices=Channel.choices, initial=Channel.CASH)


class RescheduleForm(forms.Form):
    installments = forms.IntegerField(label=_("New number of instalments"))
    annual_rate = amount_field(
        _("New annual rate (%)"), required=False, help_text=_("Empty: unchanged.")
    )
    grace_principal = forms.IntegerField(label=_("Grace on principal (periods)"), initial=0)
    grace_interest_payment = forms.IntegerField(
        label=_("Grace on interest payment (periods)"), initial=0
    )
    grace_interest_free = forms.IntegerField(label=_("Interest-free periods"), initial=0)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WaiverForm(forms.Form):
    component = forms.ChoiceField(
        label=_("Waive"),
        choices=[("interest", _("Interest")), ("fees", _("Fees")), ("penalties", _("Penalties"))],
    )
    amount = amount_field(_("Amount"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(KeyedForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ProductAccountForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r, r)
            for r in (
                "loan_portfolio",
                "loan_portfolio_arrears",
                "interest_receivable",
                "interest_income",
                "fee_income",
                "penalty_income",
                "overpayment_liability",
                "loan_loss_provision",
                "provision_expense",
                "write_off_recoveries",
            )
        ],  # fmt: skip
    )
    account = forms.CharField(
        label=_("Account number"), max_length=30, help_text=_("e.g. 7000-USD")
    )
