"""Member shares (parts sociales) and the entry fee (droit d'adhésion).

One share product per institution: the nominal value of a share, its currency, the
number of shares a member must hold to be a member and the most she may hold. A
member's holding counts her shares and what she paid for them; every purchase,
entry fee and redemption is a transaction linked to its journal entry (equity
``member_shares``, class 10 in the DRC preset; income ``entry_fee_income``).
Tables only: every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.members.models import Member

SUBLEDGER = "shares.holding"


class ShareProduct(models.Model):
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3)
    unit_price_minor = models.BigIntegerField(_("price of one share (minor units)"))
    min_shares = models.PositiveIntegerField(_("shares required for membership"), default=1)
    max_shares = models.PositiveIntegerField(_("most shares one member may hold"), default=100)
    entry_fee_minor = models.BigIntegerField(_("entry fee (minor units)"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("share product")
        verbose_name_plural = _("share products")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="shares_one_active_product"
            ),
            models.CheckConstraint(
                condition=Q(unit_price_minor__gt=0) & Q(entry_fee_minor__gte=0),
                name="shares_product_amounts",
            ),
            models.CheckConstraint(
                condition=Q(max_shares__gte=models.F("min_shares")) & Q(min_shares__gte=1),
                name="shares_product_min_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def unit_price(self) -> Money:
        return self.money(self.unit_price_minor)

    @property
    def entry_fee(self) -> Money:
        return self.money(self.entry_fee_minor)


class ShareHolding(models.Model):
    """A member's shares: one row per member, created when she first pays."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="share_holding", verbose_name=_("member")
    )
    product = models.ForeignKey(ShareProduct, on_delete=models.PROTECT, related_name="holdings")
    currency = models.CharField(_("currency"), max_length=3)
    shares = models.PositiveIntegerField(_("shares held"), default=0)
    paid_minor = models.BigIntegerField(_("paid for the shares (minor units)"), default=0)
    entry_fee_paid_date = models.DateField(_("entry fee paid on"), null=True, blank=True)
    entry_fee_minor = models.BigIntegerField(_("entry fee paid (minor units)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("share holding")
        verbose_name_plural = _("share holdings")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_minor__gte=0) & Q(entry_fee_minor__gte=0),
                name="shares_holding_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.number}: {self.shares}"

    @property
    def paid(self) -> Money:
        return Money.from_minor(self.paid_minor, self.currency)


class ShareTxnKind(models.TextChoices):
    ENTRY_FEE = "entry_fee", _("Entry fee")
    PURCHASE = "purchase", _("Purchase of shares")
    REDEMPTION = "redemption", _("Redemption of shares")


class ShareTransaction(models.Model):
    holding = models.ForeignKey(ShareHolding, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=12, choices=ShareTxnKind.choices)
    shares = models.IntegerField(_("shares"), default=0, help_text=_("Negative when redeemed."))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    business_date = models.DateField(_("value date"))
    channel = models.CharField(_("paid by"), max_length=10)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_digest = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("share transaction")
        verbose_name_plural = _("share transactions")
        ordering = ["holding_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="shares_txn_positive"),
        ]

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.holding.currency)


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved, to be paid")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class ShareRedemption(models.Model):
    """A request to buy back a member's shares: requested by one person, approved by
    another, then paid at the till or into her savings account."""

    holding = models.ForeignKey(ShareHolding, on_delete=models.PROTECT, related_name="redemptions")
    shares = models.PositiveIntegerField(_("shares"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_date = models.DateField(_("requested on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    transaction = models.OneToOneField(
        ShareTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("share redemption")
        verbose_name_plural = _("share redemptions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shares__gt=0) & Q(amount_minor__gt=0), name="shares_redemption_positive"
            ),
            models.UniqueConstraint(
                fields=["holding"],
                condition=Q(status__in=["pending", "approved"]),
                name="shares_one_open_redemption",
            ),
        ]

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.holding.currency)
