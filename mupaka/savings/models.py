"""Savings products, accounts, their transactions and holds. Tables only: every write
goes through ``services``; integrity lives in the database constraints below.

Amounts are integers in the currency's minor units; rates are integers in parts per
million (6 % a year = 60 000), never REAL. An account's ``balance_minor``,
``blocked_minor`` and ``available_minor`` are maintained in the same transaction as
each posting, under a row lock on the account (see services/movements.py); the
database refuses a negative balance and an available balance that does not add up.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import Branch
from mupaka.core.money import Money, Rounding
from mupaka.ledger.models import Account, JournalEntry
from mupaka.members.models import Member
from mupaka.savings.domain.interest import InterestMethod
from mupaka.savings.domain.periods import PostingFrequency

PPM = Decimal(1_000_000)
SUBLEDGER = "savings.account"


class ProductKind(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary savings (sight)")
    GUARANTEE = "guarantee", _("Guarantee savings (linked to a loan)")
    TERM = "term", _("Term deposit")


class InterestMethodChoice(models.TextChoices):
    DAILY_BALANCE = InterestMethod.DAILY_BALANCE.value, _("Daily balance")
    AVERAGE_DAILY_BALANCE = InterestMethod.AVERAGE_DAILY_BALANCE.value, _("Average daily balance")


class PostingFrequencyChoice(models.TextChoices):
    MONTHLY = PostingFrequency.MONTHLY.value, _("Monthly")
    QUARTERLY = PostingFrequency.QUARTERLY.value, _("Quarterly")
    ANNUALLY = PostingFrequency.ANNUALLY.value, _("Annually")
    AT_MATURITY = PostingFrequency.AT_MATURITY.value, _("At maturity")


class RoundingChoice(models.TextChoices):
    HALF_EVEN = Rounding.HALF_EVEN.value, _("Half even (banker's rounding)")
    HALF_UP = Rounding.HALF_UP.value, _("Half up")
    DOWN = Rounding.DOWN.value, _("Down (truncate)")


class SavingsProduct(models.Model):
    """A savings product of the institution, in one currency.

    A guarantee savings product says where a loan's guarantee is kept (its ledger
    account, 3320, and its interest), not how much: the loan product sets the guarantee
    percentage (``guarantee_savings_percent``; scenario 2's 10 %)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    is_active = models.BooleanField(_("open to new accounts"), default=True)

    interest_rate_ppm = models.PositiveIntegerField(
        _("nominal annual interest rate (millionths)"),
        default=0,
        help_text=_("6 % a year = 60000."),
    )
    interest_method = models.CharField(
        _("interest computed on"),
        max_length=24,
        choices=InterestMethodChoice.choices,
        default=InterestMethodChoice.DAILY_BALANCE,
    )
    days_in_year = models.PositiveSmallIntegerField(
        _("days in the year"), choices=[(360, "360"), (365, "365")], default=365
    )
    interest_rounding = models.CharField(
        _("interest rounding"),
        max_length=12,
        choices=RoundingChoice.choices,
        default=RoundingChoice.HALF_EVEN,
    )
    min_balance_for_interest_minor = models.BigIntegerField(
        _("minimum balance for interest (minor units)"), default=0
    )
    posting_frequency = models.CharField(
        _("interest posted"),
        max_length=12,
        choices=PostingFrequencyChoice.choices,
        default=PostingFrequencyChoice.MONTHLY,
    )
    withholding_tax_ppm = models.PositiveIntegerField(
        _("withholding tax on interest (millionths)"), default=0
    )

    min_balance_minor = models.BigIntegerField(_("minimum balance (minor units)"), default=0)
    withdrawal_fee_minor = models.BigIntegerField(_("withdrawal fee (minor units)"), default=0)
    maintenance_fee_minor = models.BigIntegerField(
        _("monthly maintenance fee (minor units)"), default=0
    )
    dormancy_days = models.PositiveIntegerField(
        _("dormant after (days without a customer transaction)"),
        default=0,
        help_text=_("0: never dormant."),
    )

    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    early_break_penalty_ppm = models.PositiveIntegerField(
        _("penalty for an early break (millionths of the principal)"), default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("savings product")
        verbose_name_plural = _("savings products")
        ordering = ["kind", "currency", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProductKind.values), name="savings_product_kind"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="term") & Q(term_months__gte=1) & Q(posting_frequency="at_maturity")
                )
                | (
                    ~Q(kind="term")
                    & Q(term_months__isnull=True)
                    & ~Q(posting_frequency="at_maturity")
                ),
                name="savings_product_term_fields",
            ),
            models.CheckConstraint(
                condition=Q(min_balance_minor__gte=0)
                & Q(withdrawal_fee_minor__gte=0)
                & Q(maintenance_fee_minor__gte=0)
                & Q(min_balance_for_interest_minor__gte=0),
                name="savings_product_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(withholding_tax_ppm__lte=1_000_000)
                & Q(early_break_penalty_ppm__lte=1_000_000)
                & Q(interest_rate_ppm__lte=1_000_000),
                name="savings_product_rates_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name} ({self.currency})"

    @property
    def interest_rate(self) -> Decimal:
        return Decimal(self.interest_rate_ppm) / PPM

    @property
    def withholding_rate(self) -> Decimal:
        return Decimal(self.withholding_tax_ppm) / PPM

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


class KycTierLimit(models.Model):
    """The institution's limits for members of a KYC tier, per currency (tier 0: no
    valid identity document; see mupaka.members.domain.kyc). Null: no limit."""

    tier = models.PositiveSmallIntegerField(_("KYC tier"))
    currency = models.CharField(_("currency"), max_length=3)
    max_balance_minor = models.BigIntegerField(
        _("maximum balance (minor units)"), null=True, blank=True
    )
    max_withdrawal_per_day_minor = models.BigIntegerField(
        _("maximum withdrawals per day (minor units)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KYC tier limit")
        verbose_name_plural = _("KYC tier limits")
        ordering = ["tier", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "currency"], name="savings_tier_limit_unique"),
            models.CheckConstraint(
                condition=(Q(max_balance_minor__isnull=True) | Q(max_balance_minor__gte=0))
                & (
                    Q(max_withdrawal_per_day_minor__isnull=True)
                    | Q(max_withdrawal_per_day_minor__gte=0)
                ),
                name="savings_tier_limit_not_negative",
            ),
        ]


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    BLOCKED = "blocked", _("Blocked")
    CLOSED = "closed", _("Closed")


class SavingsAccount(models.Model):
    number = models.CharField(_("account number"), max_length=24, unique=True)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="savings_accounts", verbose_name=_("member")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    product = models.ForeignKey(
        SavingsProduct, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("product")
    )
    currency = models.CharField(_("currency"), max_length=3)
    # The general-ledger account this account's money sits in, fixed at opening
    # (the product's mapping of its role at that time).
    gl_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )

    balance_minor = models.BigIntegerField(_("balance (minor units)"), default=0)
    blocked_minor = models.BigIntegerField(_("blocked (minor units)"), default=0)
    min_balance_minor = models.BigIntegerField(_("minimum balance (minor units)"), default=0)
    available_minor = models.BigIntegerField(_("available (minor units)"), default=0)

    opened_date = models.DateField(_("opened on"))
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    last_customer_date = models.DateField(_("last customer transaction"))
    dormant_since = models.DateField(_("dormant since"), null=True, blank=True)

    # Interest of the current period, summed up by end of day (see domain/interest.py).
    accrued_through = models.DateField(_("interest counted through"))
    acc_balance_days = models.BigIntegerField(default=0)
    acc_eligible_days = models.BigIntegerField(default=0)
    acc_days = models.IntegerField(default=0)
    interest_posted_through = models.DateField(null=True, blank=True)
    fees_charged_through = models.DateField(null=True, blank=True)

    # Term deposits: the rate is fixed at opening.
    interest_rate_ppm = models.PositiveIntegerField(null=True, blank=True)
    maturity_date = models.DateField(_("matures on"), null=True, blank=True)
    matured = models.BooleanField(_("matured"), default=False)
    payout_account = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pay out at maturity to"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("savings account")
        verbose_name_plural = _("savings accounts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AccountStatus.values), name="savings_account_status"
            ),
            models.CheckConstraint(
                condition=Q(balance_minor__gte=0), name="savings_account_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(blocked_minor__gte=0) & Q(min_balance_minor__gte=0),
                name="savings_account_blocked_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    available_minor=F("balance_minor") - F("blocked_minor") - F("min_balance_minor")
                ),
                name="savings_account_available_adds_up",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(balance_minor=0) & Q(blocked_minor=0)),
                name="savings_account_closed_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "currency"], name="savings_account_member_cur"),
            models.Index(fields=["status", "accrued_through"], name="savings_account_accrual"),
            models.Index(fields=["gl_account"], name="savings_account_gl"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.currency})"

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def balance(self) -> Money:
        return self.money(self.balance_minor)

    @property
    def available(self) -> Money:
        return self.money(max(self.available_minor, 0))

    @property
    def blocked(self) -> Money:
        return self.money(self.blocked_minor)


class TxnKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    FEE = "fee", _("Fee")
    INTEREST = "interest", _("Interest")
    WITHHOLDING_TAX = "withholding_tax", _("Withholding tax")
    PENALTY = "penalty", _("Penalty")
    LOAN_DISBURSEMENT = "loan_disbursement", _("Loan disbursement")
    LOAN_REPAYMENT = "loan_repayment", _("Loan repayment")
    SHARES = "shares", _("Member shares")
    BLOCK = "block", _("Amount blocked")
    UNBLOCK = "unblock", _("Amount released")
    REVERSAL = "reversal", _("Reversal")


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")
    NONE = "none", _("No movement")


class Channel(models.TextChoices):
    CASH = "cash", _("Cash at the counter")
    TRANSFER = "transfer", _("Transfer between accounts")
    BANK = "bank", _("Bank or mobile money")
    SYSTEM = "system", _("End of day")
    OTHER = "other", _("Other operation")


class SavingsTransaction(models.Model):
    """One line of an account's history, with the balance after it. Money kinds carry
    the journal entry they belong to; block/unblock move no money."""

    # No index of its own: the (account, business_date) index below serves it. Every
    # index is one more write per deposit at the counter.
    account = models.ForeignKey(
        SavingsAccount, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    business_date = models.DateField(_("value date"))
    kind = models.CharField(_("kind"), max_length=20, choices=TxnKind.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    balance_after_minor = models.BigIntegerField(_("balance after (minor units)"))
    blocked_after_minor = models.BigIntegerField(_("blocked after (minor units)"), default=0)
    entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    customer = models.BooleanField(_("by the member"), default=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_digest = models.CharField(max_length=64, blank=True)
    reversal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("savings transaction")
        verbose_name_plural = _("savings transactions")
        ordering = ["account_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="savings_txn_positive"),
            models.CheckConstraint(
                condition=Q(balance_after_minor__gte=0) & Q(blocked_after_minor__gte=0),
                name="savings_txn_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["block", "unblock"], direction="none")
                | (~Q(kind__in=["block", "unblock"]) & Q(direction__in=["in", "out"])),
                name="savings_txn_direction",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "business_date"], name="savings_txn_account_date"),
        ]

    def __str__(self) -> str:
        return f"{self.account.number} {self.kind} {self.amount_minor}"

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.account.currency)

    @property
    def signed_minor(self) -> int:
        return {"in": self.amount_minor, "out": -self.amount_minor}.get(self.direction, 0)


class HoldReason(models.TextChoices):
    GUARANTEE = "guarantee", _("Loan guarantee")
    LEGAL = "legal", _("Legal or administrative hold")
    OTHER = "other", _("Other")


class HoldStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    APPLIED = "applied", _("Used to settle a debt")


class SavingsHold(models.Model):
    """An amount of an account that cannot be withdrawn (a loan's guarantee, a legal
    hold) until it is released. The account's ``blocked_minor`` is the sum of its
    active holds' ``amount_minor``."""

    account = models.ForeignKey(SavingsAccount, on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=10, choices=HoldReason.choices)
    reference = models.CharField(_("reference"), max_length=60)
    amount_minor = models.BigIntegerField(_("amount blocked (minor units)"))
    applied_minor = models.BigIntegerField(_("used to settle a debt (minor units)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=HoldStatus.choices, default=HoldStatus.ACTIVE
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    placed_date = models.DateField(_("placed on"))
    released_date = models.DateField(_("released on"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-placed_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="savings_hold_amount"),
            models.CheckConstraint(condition=Q(applied_minor__gte=0), name="savings_hold_applied"),
            models.UniqueConstraint(
                fields=["account", "reference"],
                condition=Q(status="active"),
                name="savings_hold_one_active_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.number} {self.reference} {self.amount_minor}"


class SavingsRun(models.Model):
    """One end-of-day job run for a date (accrual, posting, dormancy, maturity, fees):
    the record that makes a second run of the same date change nothing."""

    kind = models.CharField(max_length=30)
    on_date = models.DateField()
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "on_date"], name="savings_run_once_per_date")
        ]


class ReversalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and reversed")
    REJECTED = "rejected", _("Rejected")


class SavingsReversalRequest(models.Model):
    """A request to reverse a deposit, withdrawal or transfer posted by mistake: filed by
    one person (maker), carried out or rejected by another allowed to approve reversals
    (checker). The reversal itself is :func:`savings_transaction_reverse`."""

    transaction = models.ForeignKey(
        SavingsTransaction,
        on_delete=models.PROTECT,
        related_name="reversal_requests",
        verbose_name=_("transaction"),
    )
    account = models.ForeignKey(
        SavingsAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=ReversalStatus.choices, default=ReversalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    reversal_entry = models.BigIntegerField(_("reversal entry"), null=True, blank=True)

    class Meta:
        verbose_name = _("savings reversal request")
        verbose_name_plural = _("savings reversal requests")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReversalStatus.values), name="savings_reversal_status"
            ),
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(status="pending"),
                name="savings_reversal_one_pending",
            ),
            # maker-checker, in the database too
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="savings_reversal_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.number} #{self.transaction_id} ({self.status})"
