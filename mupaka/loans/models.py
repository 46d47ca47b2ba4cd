"""Loan products, applications, loans, their schedules and transactions.

Tables only: every write goes through ``mupaka.loans.services``. Amounts are integers in
the currency's minor units (``*_minor``) beside a currency code; rates and percentages are
Decimal strings (``"24"`` is 24 %), never floats or REAL columns.

The state of a loan (what is paid, due, overdue) is always what the pure engine's
``replay(schedule, transactions)`` returns; the ``*_outstanding_minor``, ``days_past_due``
and instalment ``outstanding_minor`` columns are caches of that replay for fast lists,
rewritten by the services after every change (and by end of day for the day count).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mupaka.core.models import Branch
from mupaka.members.models import Member, SolidarityGroup

# --- choices ----------------------------------------------------------------------


class Frequency(models.TextChoices):
    DAYS = "days", _("Days")
    WEEKS = "weeks", _("Weeks")
    MONTHS = "months", _("Months")


class InterestMethod(models.TextChoices):
    FLAT = "flat", _("Flat")
    DECLINING = "declining", _("Declining balance")


class Amortization(models.TextChoices):
    EQUAL_INSTALLMENTS = "equal-installments", _("Equal instalments")
    EQUAL_PRINCIPAL = "equal-principal", _("Equal principal")


class InterestPeriod(models.TextChoices):
    REPAYMENT = "repayment", _("Per repayment period")
    DAILY = "daily", _("Daily on the balance")


class DaysInYear(models.TextChoices):
    D360 = "360", "360"
    D364 = "364", "364"
    D365 = "365", "365"
    ACTUAL = "actual", _("Actual")


class DaysInMonth(models.TextChoices):
    D30 = "30", "30"
    ACTUAL = "actual", _("Actual")


class RoundingMode(models.TextChoices):
    HALF_EVEN = "half-even", _("Half even (banker's)")
    HALF_UP = "half-up", _("Half up")
    DOWN = "down", _("Down")


class DisbursementFee(models.TextChoices):
    NONE = "none", _("None")
    FLAT = "flat", _("Flat amount")
    PERCENT = "percent", _("Percentage of the principal")


class InstallmentFee(models.TextChoices):
    NONE = "none", _("None")
    FLAT = "flat", _("Flat amount")
    PERCENT_OF_PRINCIPAL = "percent-of-principal", _("Percentage of the instalment's principal")
    PERCENT_OF_TOTAL = "percent-of-total", _("Percentage of principal + interest")


class PenaltyCalculation(models.TextChoices):
    NONE = "none", _("None")
    FLAT = "flat", _("Flat amount")
    PERCENT_OF_OVERDUE = "percent-of-overdue", _("Percentage of the overdue amount")


class OverdueBasis(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    PRINCIPAL_INTEREST = "principal-interest", _("Principal and interest")
    TOTAL = "total", _("Principal, interest and fees")


class AllocationStrategy(models.TextChoices):
    COMPONENT_FIRST = "component-first", _("Each component across instalments, oldest first")
    INSTALLMENT_FIRST = "installment-first", _("Oldest instalment first, all its components")


class PrepaymentMode(models.TextChoices):
    SCHEDULED = "scheduled", _("Early payments settle future instalments as scheduled")
    INTEREST_TO_DATE = "interest-to-date", _("Payoff with interest only to the payment date")


class Accounting(models.TextChoices):
    CASH = "cash", _("Cash basis")
    ACCRUAL = "accrual", _("Accrual (with end of day)")


DEFAULT_ALLOCATION_ORDER = "penalties,fees,interest,principal"


# --- products -----------------------------------------------------------------------


class LoanProduct(models.Model):
    """A loan product created by a manager. Its GL accounts come from the ledger's
    ``AccountMapping`` (the product's own mapping, else the preset's default)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    min_principal_minor = models.BigIntegerField(_("minimum principal (minor units)"))
    max_principal_minor = models.BigIntegerField(_("maximum principal (minor units)"))
    min_installments = models.PositiveSmallIntegerField(_("minimum number of instalments"))
    max_installments = models.PositiveSmallIntegerField(_("maximum number of instalments"))
    default_installments = models.PositiveSmallIntegerField(_("default number of instalments"))
    frequency = models.CharField(_("repayment every"), max_length=10, choices=Frequency.choices)
    every = models.PositiveSmallIntegerField(_("number of periods between instalments"), default=1)
    interest_method = models.CharField(
        _("interest method"), max_length=12, choices=InterestMethod.choices
    )
    amortization = models.CharField(
        _("amortization"),
        max_length=20,
        choices=Amortization.choices,
        default=Amortization.EQUAL_INSTALLMENTS,
    )
    interest_period = models.CharField(
        _("interest calculated"),
        max_length=10,
        choices=InterestPeriod.choices,
        default=InterestPeriod.REPAYMENT,
    )
    days_in_year = models.CharField(
        _("days in a year"), max_length=6, choices=DaysInYear.choices, default=DaysInYear.ACTUAL
    )
    days_in_month = models.CharField(
        _("days in a month"), max_length=6, choices=DaysInMonth.choices, default=DaysInMonth.ACTUAL
    )
    min_rate = models.CharField(_("minimum annual rate (%)"), max_length=20)
    max_rate = models.CharField(_("maximum annual rate (%)"), max_length=20)
    default_rate = models.CharField(_("default annual rate (%)"), max_length=20)
    grace_principal = models.PositiveSmallIntegerField(_("grace on principal (periods)"), default=0)
    grace_interest_payment = models.PositiveSmallIntegerField(
        _("grace on interest payment (periods)"), default=0
    )
    grace_interest_free = models.PositiveSmallIntegerField(_("interest-free periods"), default=0)
    rounding = models.CharField(
        _("rounding"), max_length=10, choices=RoundingMode.choices, default=RoundingMode.HALF_EVEN
    )
    installment_multiple_minor = models.BigIntegerField(
        _("instalments in multiples of (minor units)"), null=True, blank=True
    )
    disbursement_fee = models.CharField(
        _("disbursement fee"),
        max_length=10,
        choices=DisbursementFee.choices,
        default=DisbursementFee.NONE,
    )
    disbursement_fee_flat_minor = models.BigIntegerField(
        _("disbursement fee amount (minor units)"), default=0
    )
    disbursement_fee_percent = models.CharField(
        _("disbursement fee (%)"), max_length=20, default="0"
    )
    disbursement_fee_deducted = models.BooleanField(
        _("disbursement fee deducted from the proceeds"), default=True
    )
    installment_fee = models.CharField(
        _("instalment fee"),
        max_length=24,
        choices=InstallmentFee.choices,
        default=InstallmentFee.NONE,
    )
    installment_fee_flat_minor = models.BigIntegerField(
        _("instalment fee amount (minor units)"), default=0
    )
    installment_fee_percent = models.CharField(_("instalment fee (%)"), max_length=20, default="0")
    penalty = models.CharField(
        _("late penalty"),
        max_length=20,
        choices=PenaltyCalculation.choices,
        default=PenaltyCalculation.NONE,
    )
    penalty_flat_minor = models.BigIntegerField(_("penalty amount (minor units)"), default=0)
    penalty_percent = models.CharField(_("penalty (%)"), max_length=20, default="0")
    penalty_basis = models.CharField(
        _("penalty on"),
        max_length=20,
        choices=OverdueBasis.choices,
        default=OverdueBasis.PRINCIPAL_INTEREST,
    )
    penalty_tolerance_days = models.PositiveSmallIntegerField(
        _("days of tolerance before a penalty"), default=0
    )
    penalty_repeat_every_days = models.PositiveSmallIntegerField(
        _("penalty repeated every (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: charged once per late instalment."),
    )
    allocation_strategy = models.CharField(
        _("allocation of repayments"),
        max_length=20,
        choices=AllocationStrategy.choices,
        default=AllocationStrategy.COMPONENT_FIRST,
    )
    allocation_order = models.CharField(
        _("allocation order"), max_length=60, default=DEFAULT_ALLOCATION_ORDER
    )
    prepayment = models.CharField(
        _("early repayment"),
        max_length=20,
        choices=PrepaymentMode.choices,
        default=PrepaymentMode.SCHEDULED,
    )
    guarantee_savings_percent = models.CharField(
        _("compulsory guarantee savings (% of the principal)"), max_length=20, default="0"
    )
    max_installment_share = models.CharField(
        _("maximum instalment, % of disposable income"),
        max_length=20,
        default="0",
        help_text=_("0: no over-indebtedness check."),
    )
    for_individuals = models.BooleanField(_("for individual members"), default=True)
    for_groups = models.BooleanField(_("for solidarity groups"), default=False)
    accounting = models.CharField(
        _("accounting"), max_length=10, choices=Accounting.choices, default=Accounting.CASH
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_principal_minor__gt=0)
                & Q(max_principal_minor__gte=F("min_principal_minor")),
                name="loanproduct_principal_range",
            ),
            models.CheckConstraint(
                condition=Q(min_installments__gte=1)
                & Q(max_installments__gte=F("min_installments"))
                & Q(default_installments__gte=F("min_installments"))
                & Q(default_installments__lte=F("max_installments")),
                name="loanproduct_installments_range",
            ),
            models.CheckConstraint(
                condition=Q(for_individuals=True) | Q(for_groups=True),
                name="loanproduct_someone_eligible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


# --- loans ------------------------------------------------------------------------------


class LoanStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("loan status", "Submitted")
    APPROVED = "approved", pgettext_lazy("loan status", "Approved")
    REJECTED = "rejected", pgettext_lazy("loan status", "Rejected")
    ACTIVE = "active", pgettext_lazy("loan status", "Active")
    CLOSED = "closed", pgettext_lazy("loan status", "Closed")
    WRITTEN_OFF = "written_off", pgettext_lazy("loan status", "Written off")
    # the application withdrawn before disbursement (she changed her mind, or it was
    # filed by mistake); never open again
    WITHDRAWN = "withdrawn", pgettext_lazy("loan status", "Withdrawn")


OPEN_STATUSES = (LoanStatus.SUBMITTED, LoanStatus.APPROVED, LoanStatus.ACTIVE)
# an application may be withdrawn until the money is paid out
WITHDRAWABLE_STATUSES = (LoanStatus.SUBMITTED, LoanStatus.APPROVED)


class Channel(models.TextChoices):
    CASH = "cash", _("Cash at the till")
    SAVINGS = "savings", _("Savings account")
    GUARANTEE = "guarantee", _("Guarantee savings")


class GroupLoan(models.Model):
    """A solidarity group's loan: one :class:`Loan` per member's share, tied here.

    Each share has its own schedule, repayments and arrears (a member's lateness is hers,
    and shows by name on the arrears list); ``joint_liability`` records that the group
    answers for every share, so the leader may pay a late member's instalment.
    """

    group = models.ForeignKey(
        SolidarityGroup, on_delete=models.PROTECT, related_name="loans", verbose_name=_("group")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="group_loans")
    status = models.CharField(
        _("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.SUBMITTED
    )
    currency = models.CharField(_("currency"), max_length=3)
    joint_liability = models.BooleanField(_("joint liability"), default=True)
    leader = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("leader")
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    requested_total_minor = models.BigIntegerField(_("amount requested (minor units)"))
    approved_total_minor = models.BigIntegerField(
        _("amount approved (minor units)"), null=True, blank=True
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group loan")
        verbose_name_plural = _("group loans")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("filed_by")),
                name="grouploan_maker_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.group}"

    @property
    def number(self) -> str:
        return f"CG-{self.pk:06d}" if self.pk else "CG-…"


class Loan(models.Model):
    """One loan of one member (a group loan has one per member's share)."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="loans", verbose_name=_("branch")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="loans", verbose_name=_("member")
    )
    group_loan = models.ForeignKey(
        GroupLoan, on_delete=models.PROTECT, null=True, blank=True, related_name="shares"
    )
    product = models.ForeignKey(
        LoanProduct, on_delete=models.PROTECT, related_name="loans", verbose_name=_("product")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("loan officer"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.SUBMITTED
    )
    currency = models.CharField(_("currency"), max_length=3)
    requested_principal_minor = models.BigIntegerField(_("amount requested (minor units)"))
    approved_principal_minor = models.BigIntegerField(
        _("amount approved (minor units)"), null=True, blank=True
    )
    annual_rate = models.CharField(_("annual interest rate (%)"), max_length=20)
    installments = models.PositiveSmallIntegerField(_("number of instalments"))
    expected_disbursement_date = models.DateField(_("expected disbursement date"))
    first_due_date = models.DateField(_("first due date"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    collateral = models.TextField(_("collateral"), blank=True)
    over_indebtedness_override = models.TextField(
        _("reason for going beyond the repayment capacity"), blank=True
    )
    # Terms, allocation rules and penalty rule the loan was approved/disbursed with
    # (domain.snapshot.snapshot); the product may change afterwards.
    terms = models.JSONField(_("terms"), default=dict)
    schedule_version = models.PositiveSmallIntegerField(default=0)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    restructured = models.BooleanField(_("restructured"), default=False)
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    guarantee_minor = models.BigIntegerField(_("guarantee savings (minor units)"), default=0)
    guarantee_released = models.BooleanField(default=False)

    # caches of replay (see module docstring)
    principal_outstanding_minor = models.BigIntegerField(default=0)
    interest_outstanding_minor = models.BigIntegerField(default=0)
    fees_outstanding_minor = models.BigIntegerField(default=0)
    penalties_outstanding_minor = models.BigIntegerField(default=0)
    overdue_minor = models.BigIntegerField(default=0)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    next_due_date = models.DateField(null=True, blank=True)
    next_due_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(_("credit balance (minor units)"), default=0)
    state_as_of = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LoanStatus.values), name="loan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(requested_principal_minor__gt=0), name="loan_requested_positive"
            ),
            models.CheckConstraint(
                condition=Q(approved_principal_minor__isnull=True)
                | (
                    Q(approved_principal_minor__gt=0)
                    & Q(approved_principal_minor__lte=F("requested_principal_minor"))
                ),
                name="loan_approved_not_above_requested",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("filed_by")),
                name="loan_maker_checker",
            ),
            # The BCC allows one prorogation; restructured stays true for ever.
            models.CheckConstraint(
                condition=Q(reschedule_count__lte=1), name="loan_one_reschedule"
            ),
            models.CheckConstraint(
                condition=Q(reschedule_count=0) | Q(restructured=True),
                name="loan_rescheduled_is_restructured",
            ),
            models.CheckConstraint(
                condition=Q(principal_outstanding_minor__gte=0)
                & Q(interest_outstanding_minor__gte=0)
                & Q(fees_outstanding_minor__gte=0)
                & Q(penalties_outstanding_minor__gte=0)
                & Q(credit_minor__gte=0),
                name="loan_caches_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "branch"], name="loan_status_branch"),
            models.Index(fields=["member", "status"], name="loan_member_status"),
            models.Index(fields=["status", "days_past_due"], name="loan_status_dpd"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.member.full_name}"

    @property
    def number(self) -> str:
        return f"CR-{self.pk:06d}" if self.pk else "CR-…"

    @property
    def principal_minor(self) -> int:
        return self.approved_principal_minor or self.requested_principal_minor


class Guarantor(models.Model):
    """Someone who stands surety for a loan: a member, or a person named."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="guarantors")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="guarantees"
    )
    name = models.CharField(_("name"), max_length=160, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation = models.CharField(_("relation"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("guarantor")
        verbose_name_plural = _("guarantors")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""), name="guarantor_named"
            )
        ]


class Appraisal(models.Model):
    """The trader's cash flow as told to the officer (monthly figures computed by
    ``domain.appraisal.appraise``)."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="appraisal")
    currency = models.CharField(max_length=3)
    daily_sales_minor = models.BigIntegerField(_("daily sales"))
    daily_purchases_minor = models.BigIntegerField(_("daily purchases"))
    trading_days_per_week = models.PositiveSmallIntegerField(_("trading days a week"))
    trips_per_week = models.PositiveSmallIntegerField(_("border crossings a week"))
    cost_per_trip_minor = models.BigIntegerField(_("cost of a crossing"), default=0)
    other_business_costs_minor = models.BigIntegerField(
        _("other business costs a month"), default=0
    )
    other_income_minor = models.BigIntegerField(_("other income a month"), default=0)
    household_costs_minor = models.BigIntegerField(_("household costs a month"), default=0)
    other_debts_minor = models.BigIntegerField(_("other debt repayments a month"), default=0)
    business_income_minor = models.BigIntegerField(_("business income a month"))
    disposable_income_minor = models.BigIntegerField(_("disposable income a month"))
    capacity_minor = models.BigIntegerField(_("repayment capacity a month"))
    installment_monthly_minor = models.BigIntegerField(_("instalment brought to a month"))
    share_percent = models.CharField(max_length=20)
    within_capacity = models.BooleanField()


class LoanInstallment(models.Model):
    """One row of a loan's schedule (``version`` 1 at disbursement, 2 after a
    reschedule). Scheduled amounts are fixed; the paid/outstanding columns are caches."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="schedule_rows")
    version = models.PositiveSmallIntegerField(default=1)
    number = models.PositiveSmallIntegerField()
    from_date = models.DateField()
    due_date = models.DateField()
    principal_minor = models.BigIntegerField()
    interest_minor = models.BigIntegerField()
    fees_minor = models.BigIntegerField()
    penalties_minor = models.BigIntegerField(default=0)  # cache: charged so far
    outstanding_minor = models.BigIntegerField(default=0)  # cache: all components
    completed_on = models.DateField(null=True, blank=True)  # cache

    class Meta:
        ordering = ["loan_id", "version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "version", "number"], name="loaninstallment_unique"
            ),
            models.CheckConstraint(
                condition=Q(principal_minor__gte=0)
                & Q(interest_minor__gte=0)
                & Q(fees_minor__gte=0)
                & Q(outstanding_minor__gte=0),
                name="loaninstallment_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date", "outstanding_minor"], name="loaninst_due"),
        ]


class TxKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement")
    REPAYMENT = "repayment", _("Repayment")
    WAIVER = "waiver", _("Waiver")
    PENALTY = "penalty", _("Late penalty")
    CHARGE = "charge", _("Charge carried over")
    REALLOCATION = "reallocation", _("Reallocation")
    REVERSAL = "reversal", _("Reversal")
    RESCHEDULE = "reschedule", _("Reschedule")
    WRITE_OFF = "write_off", _("Write-off")
    RECOVERY = "recovery", _("Recovery after write-off")
    REFUND = "refund", _("Refund of credit balance")
    GUARANTEE_RELEASE = "guarantee_release", _("Guarantee savings released")


class LoanTransaction(models.Model):
    """Something that happened to a loan, with its journal entry when money moved.

    For a repayment the component columns hold its allocation by the last replay (a
    reversal of an earlier repayment may move it; the difference is posted as a
    REALLOCATION row and entry pointing at it). A reversed transaction keeps its row,
    marked ``reversed``, and a REVERSAL row points at it (with its reallocations, also
    reversed).
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=20, choices=TxKind.choices)
    on_date = models.DateField(_("date"))
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(_("amount"))
    principal_minor = models.BigIntegerField(default=0)
    interest_minor = models.BigIntegerField(default=0)
    fees_minor = models.BigIntegerField(default=0)
    penalties_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(default=0)  # overpayment part of a repayment
    guarantee_minor = models.BigIntegerField(default=0)  # held back at disbursement
    component = models.CharField(max_length=12, blank=True)  # waiver / charge
    installment = models.PositiveSmallIntegerField(null=True, blank=True)  # waiver / charge
    schedule_version = models.PositiveSmallIntegerField(default=1)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversed = models.BooleanField(default=False)
    # a REVERSAL: the transaction reversed; a REALLOCATION: the repayment it moved
    target = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan_id", "on_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TxKind.values), name="loantx_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="reallocation") | Q(amount_minor__gte=0),
                name="loantx_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="loantx_maker_checker",
            ),
            models.UniqueConstraint(
                fields=["target"], condition=Q(kind="reversal"), name="loantx_reversed_once"
            ),
        ]
        indexes = [models.Index(fields=["loan", "kind"], name="loantx_loan_kind")]


class RequestKind(models.TextChoices):
    WRITE_OFF = "write_off", _("Write-off")
    WAIVER = "waiver", _("Waiver")
    REVERSAL = "reversal", _("Reversal of a repayment")


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("loan request", "Pending")
    APPROVED = "approved", pgettext_lazy("loan request", "Approved")
    REJECTED = "rejected", pgettext_lazy("loan request", "Rejected")


class LoanRequest(models.Model):
    """A sensitive act waiting for a second person: write-off, waiver, reversal.

    The maker files it with a reason; another person allowed to approve it decides; the
    act is carried out on approval (``transaction`` is what it did)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    payload = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    transaction = models.ForeignKey(
        LoanTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request awaiting approval")
        verbose_name_plural = _("requests awaiting approval")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="loanrequest_maker_checker",
            ),
            models.UniqueConstraint(
                fields=["loan", "kind"],
                condition=Q(status="pending"),
                name="loanrequest_one_pending_per_kind",
            ),
        ]
