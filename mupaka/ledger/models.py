"""General ledger tables. Integrity lives in the database (see migrations/0002):

- journal entries and lines cannot be updated or deleted (triggers, SQLite and PostgreSQL);
- lines are written first, then the entry row, whose insertion is refused unless the
  lines balance per currency (trigger), and lines cannot be added to an entry that
  exists; lines without an entry fail the deferred foreign key at commit; PostgreSQL
  also re-checks the balance of every new entry at commit (deferred constraint trigger).

All writes go through ``mupaka.ledger.services``; nothing here has logic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mupaka.core.money import Rounding


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    OFF_BALANCE = "off_balance", _("Off-balance sheet")


DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class Account(models.Model):
    """A node of the chart: a class (1 digit), a group, a header or a posting account.

    A posting account holds exactly one currency; its number is the preset's number
    followed by the currency (``5701-USD``), and its parent is the multi-currency
    header carrying the preset's number (``5701``).
    """

    number = models.CharField(_("number"), max_length=30, unique=True)
    base_number = models.CharField(_("chart number"), max_length=24, db_index=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    type = models.CharField(_("type"), max_length=12, choices=AccountType.choices)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("Empty for a multi-currency header.")
    )
    is_header = models.BooleanField(_("header"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    class_code = models.CharField(_("class"), max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_header=True) | ~Q(currency=""),
                name="ledger_posting_account_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name_fr}"

    @property
    def debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL


class CurrencyRule(models.Model):
    """How this institution handles a currency at the till (editable example values)."""

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    cash_multiple_minor = models.BigIntegerField(
        _("cash multiple (minor units)"),
        help_text=_("Smallest note or coin the tills use, in minor units (FC 50 = 5000)."),
    )
    rounding = models.CharField(
        _("rounding"),
        max_length=12,
        choices=[(r.value, r.name) for r in Rounding],
        default=Rounding.HALF_EVEN.value,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("currency rule")
        verbose_name_plural = _("currency rules")
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_multiple_minor__gt=0), name="ledger_cash_multiple_positive"
            )
        ]

    def __str__(self) -> str:
        return self.currency


class AccountMapping(models.Model):
    """Which account plays a role (loan_portfolio, till_cash...) in a currency.

    ``scope_type = ""`` and ``scope_id = 0`` is the institution's default (from the
    preset); a product overrides it with its model label and id.
    """

    scope_type = models.CharField(_("scope"), max_length=60, blank=True, default="")
    scope_id = models.BigIntegerField(_("scope id"), default=0)
    role = models.CharField(_("role"), max_length=60)
    currency = models.CharField(_("currency"), max_length=3)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="mappings", verbose_name=_("account")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account mapping")
        verbose_name_plural = _("account mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "currency", "scope_type", "scope_id"], name="ledger_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}/{self.currency} → {self.account.number}"


class LedgerState(models.Model):
    """One row (id = 1): head of the journal (last number and hash) and the closed date.

    Locked (SELECT ... FOR UPDATE) by every posting: numbering is gap-free and the
    hash chain linear because postings are serialised here.
    """

    last_number = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    closed_through = models.DateField(null=True, blank=True)
    preset = models.CharField(max_length=40, blank=True)


class PeriodClose(models.Model):
    """A month closed by an accountant (or reopened by an administrator)."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-year", "-month", "-id"]


class JournalEntry(models.Model):
    """A posted entry. Immutable: the database refuses UPDATE and DELETE."""

    number = models.BigIntegerField(_("number"), primary_key=True)
    business_date = models.DateField(_("value date"), db_index=True)
    posted_at = models.DateTimeField(_("posted at"))
    # Few indexes on purpose: every index is pages written at each teller's commit.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
        db_index=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        db_index=False,
    )
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    narrative = models.CharField(_("narrative"), max_length=300)
    source_type = models.CharField(_("source"), max_length=60)
    source_id = models.CharField(_("source id"), max_length=60, blank=True)
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reversal of"),
    )
    idempotency_key = models.CharField(max_length=150, unique=True)
    request_digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["number"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="ledger_entry_source")]

    def __str__(self) -> str:
        return f"#{self.number} {self.business_date} {self.narrative}"


class JournalLine(models.Model):
    """One leg of an entry: a debit or a credit (> 0) in minor units of ``currency``."""

    # entry and account are served by the unique (entry, line_no) and the
    # (account, business_date, entry) indexes: no separate foreign-key index.
    entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        related_name="lines",
        db_column="entry_id",
        db_index=False,
    )
    line_no = models.PositiveSmallIntegerField()
    business_date = models.DateField()
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    currency = models.CharField(max_length=3)
    debit_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(default=0)
    member_id = models.BigIntegerField(null=True, blank=True)
    subledger_type = models.CharField(max_length=60, blank=True)
    subledger_id = models.CharField(max_length=60, blank=True)
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry_id", "line_no"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit_minor__gt=0) & Q(credit_minor=0))
                | (Q(credit_minor__gt=0) & Q(debit_minor=0)),
                name="ledger_line_one_side_positive",
            ),
            models.UniqueConstraint(fields=["entry", "line_no"], name="ledger_line_no_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "business_date", "entry"], name="ledger_line_account"),
            models.Index(fields=["subledger_type", "subledger_id"], name="ledger_line_subledger"),
        ]


class AccountBalance(models.Model):
    """Running totals per account and currency, kept by every posting (checked by verify)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    currency = models.CharField(max_length=3)
    debit_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "currency"], name="ledger_balance_unique")
        ]


class AccountDayTotal(models.Model):
    """Debits and credits per account, currency and value date: the balance on any date
    is the sum of the day totals up to it (small), not of all lines."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    currency = models.CharField(max_length=3)
    business_date = models.DateField()
    debit_minor = models.BigIntegerField(default=0)
    credit_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "currency", "business_date"], name="ledger_daytotal_unique"
            )
        ]


class DraftKind(models.TextChoices):
    ENTRY = "entry", _("Manual entry")
    REVERSAL = "reversal", _("Reversal")


class DraftStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class ManualEntryDraft(models.Model):
    """A manual entry (or a reversal request) waiting for a second person.

    Drafts are not part of the journal: the entry is posted only on approval, by
    another accountant or a manager, so posted entries never change state.
    ``lines`` holds ``[{"account": "5701-USD", "currency": "USD", "debit_minor": 100,
    "credit_minor": 0, "memo": ""}, ...]``.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=DraftKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.PENDING
    )
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    business_date = models.DateField(_("value date"), null=True, blank=True)
    narrative = models.CharField(_("narrative"), max_length=300)
    lines = models.JSONField(_("lines"), default=list)
    reverse_entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entry to reverse"),
    )
    idempotency_key = models.CharField(max_length=150, unique=True)
    request_digest = models.CharField(max_length=64)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    posted_entry = models.OneToOneField(
        JournalEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draft",
        verbose_name=_("posted entry"),
    )

    class Meta:
        verbose_name = _("manual entry draft")
        verbose_name_plural = _("manual entry drafts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"
