"""Tills, vaults, cash transfers between them, cash counts by denomination, receipts,
exchange rates and exchanges.

Tables only: every write goes through ``services/``. Cash balances are never stored
here: the balance of a till (or a vault) in a currency is the sum of the journal lines
on the ``till_cash`` (``vault_cash``) accounts that carry its sub-ledger reference
(``"tellers.till"``/``"tellers.vault"``, id), so it cannot drift from the general
ledger (``mupaka verify`` checks that no cash line lacks the reference).
Rates are stored as scaled integers (``*_e8`` = rate × 10^8), never as REAL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mupaka.core.models import Branch

TILL_SUBLEDGER = "tellers.till"
VAULT_SUBLEDGER = "tellers.vault"
RATE_SCALE = 10**8


class Vault(models.Model):
    """The branch's main cash (coffre), one per branch, in every currency it holds.
    Its manager is its custodian: she sends and receives the tills' cash."""

    branch = models.OneToOneField(
        Branch, on_delete=models.PROTECT, related_name="vault", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vault")
        verbose_name_plural = _("vaults")
        ordering = ["branch_id"]

    def __str__(self) -> str:
        return self.name or f"{self.branch.code}"


class TillStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSING = "closing", _("Closing (counted, awaiting the manager)")
    CLOSED = "closed", _("Closed")


class Till(models.Model):
    """One teller's cash drawer for one business date."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="tills", verbose_name=_("branch")
    )
    vault = models.ForeignKey(
        Vault, on_delete=models.PROTECT, related_name="tills", verbose_name=_("vault")
    )
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tills",
        verbose_name=_("teller"),
    )
    business_date = models.DateField(_("business date"))
    status = models.CharField(
        _("status"), max_length=10, choices=TillStatus.choices, default=TillStatus.OPEN
    )
    currencies = models.JSONField(_("currencies held"), default=list)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("till")
        verbose_name_plural = _("tills")
        ordering = ["-business_date", "branch_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["teller", "business_date"], name="tellers_one_till_per_teller_per_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TillStatus.values), name="tellers_till_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="tellers_closed_till_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Till')} {self.pk} · {self.teller} · {self.business_date:%d/%m/%Y}"


class TransferDirection(models.TextChoices):
    TO_TILL = "to_till", _("Vault → till")
    TO_VAULT = "to_vault", _("Till → vault")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class CashTransfer(models.Model):
    """Cash handed between the vault and a till. The sender initiates, the receiver
    confirms; nothing is posted until the receiver confirms (one journal entry, one
    line pair per currency). ``amounts`` = ``{"USD": 200000, "CDF": 300000000}`` in
    minor units."""

    till = models.ForeignKey(
        Till, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("till")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=TransferDirection.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    amounts = models.JSONField(_("amounts (minor units)"), default=dict)
    is_closing = models.BooleanField(_("return of the cash at closing"), default=False)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    initiated_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or cancelled by"),
    )
    decided_at = models.DateTimeField(_("confirmed or cancelled at"), null=True, blank=True)
    entry_number = models.BigIntegerField(_("journal entry"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cash transfer")
        verbose_name_plural = _("cash transfers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(entry_number__isnull=False),
                name="tellers_confirmed_transfer_posted",
            ),
        ]


class VaultFunding(models.Model):
    """Cash brought into (or out of) the vault from outside the tills: from or to the
    bank, or the opening balance taken on at go-live."""

    vault = models.ForeignKey(Vault, on_delete=models.PROTECT, related_name="fundings")
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    source = models.CharField(_("source"), max_length=20)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    entry_number = models.BigIntegerField(_("journal entry"))
    business_date = models.DateField(_("business date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Denomination(models.Model):
    """A note or coin counted at closing (data, editable by the administrator)."""

    class Kind(models.TextChoices):
        # a context of their own: "Note" alone is also a remark (ledger, transfers)
        NOTE = "note", pgettext_lazy("cash", "Note")
        COIN = "coin", pgettext_lazy("cash", "Coin")

    currency = models.CharField(_("currency"), max_length=3)
    value_minor = models.BigIntegerField(_("face value (minor units)"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.NOTE)
    is_active = models.BooleanField(_("in use"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("denomination")
        verbose_name_plural = _("denominations")
        ordering = ["currency", "-value_minor"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "value_minor"], name="tellers_denomination_unique"
            ),
            models.CheckConstraint(
                condition=Q(value_minor__gt=0), name="tellers_denomination_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.value_minor}"


class TillCount(models.Model):
    """The teller's count at closing: what she counted, what the system expected.
    ``counts`` = ``{"CDF": {"2000000": 3, "50000": 10}}`` (face value in minor units →
    number of pieces); ``expected``/``counted`` = ``{"CDF": minor}``."""

    till = models.ForeignKey(
        Till, on_delete=models.PROTECT, related_name="counts", verbose_name=_("till")
    )
    counts = models.JSONField(_("pieces by denomination"), default=dict)
    expected = models.JSONField(_("expected (minor units)"), default=dict)
    counted = models.JSONField(_("counted (minor units)"), default=dict)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("difference approved by"),
    )
    difference_reason = models.TextField(_("reason for the difference"), blank=True)
    difference_entry_number = models.BigIntegerField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back for a recount by"),
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("cash count")
        verbose_name_plural = _("cash counts")
        ordering = ["-id"]

    @property
    def differences(self) -> dict[str, int]:
        """counted − expected per currency (negative = short)."""
        return {
            cur: int(self.counted.get(cur, 0)) - int(self.expected.get(cur, 0))
            for cur in sorted(set(self.expected) | set(self.counted))
        }

    @property
    def has_difference(self) -> bool:
        return any(self.differences.values())


class ReceiptCounter(models.Model):
    """Last receipt number handed out per branch and year (locked while taken)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="tellers_receipt_counter")
        ]


class Receipt(models.Model):
    """The paper a member leaves the counter with. ``lines`` =
    ``[{"label": "Dépôt épargne", "currency": "USD", "amount_minor": 2000}]``;
    ``balances`` = ``[{"label": "Solde compte USD 000123", "currency": "USD",
    "amount_minor": 5000}]``."""

    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    till = models.ForeignKey(
        Till, on_delete=models.PROTECT, null=True, blank=True, related_name="receipts"
    )
    kind = models.CharField(_("operation"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    member_id = models.BigIntegerField(_("member"), null=True, blank=True)
    party_name = models.CharField(_("customer"), max_length=160, blank=True)
    entry_number = models.BigIntegerField(_("journal entry"), null=True, blank=True)
    business_date = models.DateField(_("business date"))
    lines = models.JSONField(_("lines"), default=list)
    balances = models.JSONField(_("balances after"), default=list)
    notes = models.JSONField(_("notes"), default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["till", "id"], name="tellers_receipt_till")]
        constraints = [
            # one receipt per journal entry: a replayed operation never gets a second one
            models.UniqueConstraint(
                fields=["entry_number"],
                condition=Q(entry_number__isnull=False),
                name="tellers_receipt_one_per_entry",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ExchangeRate(models.Model):
    """The buy and sell rates of one currency pair for a business date, set by a
    manager. ``base``/``quote``: the rate is how many ``quote`` units one ``base`` unit
    is worth (USD/CDF 2 850 = FC 2 850 for USD 1). ``buy``: what the institution pays
    for one unit of ``base``; ``sell``: what it asks. A new row for the same day
    replaces the previous one for new operations; rows are never changed."""

    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate_date = models.DateField(_("date"))
    buy_e8 = models.BigIntegerField(_("buy rate × 10⁸"))
    sell_e8 = models.BigIntegerField(_("sell rate × 10⁸"))
    reference_e8 = models.BigIntegerField(_("reference rate × 10⁸"), null=True, blank=True)
    reference_source = models.CharField(
        _("source of the reference rate"), max_length=80, blank=True
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-rate_date", "base", "quote", "-id"]
        indexes = [
            models.Index(fields=["base", "quote", "rate_date"], name="tellers_rate_pair_date")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(buy_e8__gt=0) & Q(sell_e8__gte=models.F("buy_e8")),
                name="tellers_rate_sell_not_below_buy",
            ),
            models.CheckConstraint(
                condition=Q(reference_e8__isnull=True) | Q(reference_e8__gt=0),
                name="tellers_rate_reference_positive",
            ),
            models.CheckConstraint(
                condition=~Q(base=models.F("quote")), name="tellers_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.base}/{self.quote} {self.rate_date}"


class Exchange(models.Model):
    """One exchange at the counter, with the rate it used copied in (a later rate
    never changes it)."""

    till = models.ForeignKey(Till, on_delete=models.PROTECT, related_name="exchanges")
    rate = models.ForeignKey(ExchangeRate, on_delete=models.PROTECT, related_name="exchanges")
    business_date = models.DateField(_("business date"))
    member_id = models.BigIntegerField(_("member"), null=True, blank=True)
    customer_name = models.CharField(_("customer"), max_length=160, blank=True)
    currency_in = models.CharField(_("currency received"), max_length=3)
    offered_minor = models.BigIntegerField(_("amount handed over"))
    change_minor = models.BigIntegerField(_("change given back"), default=0)
    amount_in_minor = models.BigIntegerField(_("amount exchanged"))
    currency_out = models.CharField(_("currency paid"), max_length=3)
    amount_out_minor = models.BigIntegerField(_("amount paid"))
    unpaid_minor = models.BigIntegerField(_("remainder below the smallest note"), default=0)
    side = models.CharField(_("the institution"), max_length=4)  # "buy" / "sell" (of base)
    applied_rate_e8 = models.BigIntegerField(_("rate applied × 10⁸"))
    reference_rate_e8 = models.BigIntegerField(_("reference rate × 10⁸"))
    margin_currency = models.CharField(max_length=3)
    margin_minor = models.BigIntegerField(_("margin (base currency, minor units)"))
    entry_number = models.BigIntegerField(_("journal entry"), null=True, blank=True)
    receipt = models.OneToOneField(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="exchange"
    )
    # the key ``exchange_do`` was called with and a digest of what was asked: a replay
    # returns this exchange, the same key for another exchange is refused (null: before 0005)
    idempotency_key = models.CharField(max_length=150, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="tellers_exchange_one_per_key",
            ),
            models.CheckConstraint(
                condition=Q(amount_in_minor__gt=0) & Q(amount_out_minor__gt=0),
                name="tellers_exchange_positive",
            ),
            models.CheckConstraint(
                condition=~Q(currency_in=models.F("currency_out")),
                name="tellers_exchange_two_currencies",
            ),
        ]
