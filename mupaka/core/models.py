from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mupaka.core.roles import ALL_BRANCH_ROLES, Role


class Country(models.TextChoices):
    DRC = "CD", _("DR Congo")
    RWANDA = "RW", _("Rwanda")
    BURUNDI = "BI", _("Burundi")


class Institution(models.Model):
    """The one institution this deployment serves (a COOPEC or an MFI)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    base_currency = models.CharField(_("base currency"), max_length=3)
    accepted_currencies = models.JSONField(_("accepted currencies"), default=list)
    regulatory_preset = models.CharField(_("regulatory preset"), max_length=40)
    business_date = models.DateField(_("business date"))
    weekend_days = models.JSONField(
        _("weekend days"),
        default=list,
        help_text=_("ISO weekday numbers, 6 = Saturday, 7 = Sunday"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="branches")
    code = models.CharField(
        _("code"), max_length=6, unique=True, help_text=_("Prefix of member numbers, e.g. BKV")
    )
    name = models.CharField(_("name"), max_length=120)
    town = models.CharField(_("town"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class User(AbstractUser):
    """A staff member. The trader herself never logs in here; she uses USSD/SMS."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("branch"),
    )
    all_branches = models.BooleanField(
        _("sees all branches"),
        default=False,
        help_text=_("Grants access to every branch whatever the role."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    @property
    def sees_all_branches(self) -> bool:
        return self.all_branches or self.role in ALL_BRANCH_ROLES

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class AuditLog(models.Model):
    """Who changed what, when, with the values before and after. Append-only."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Indexes kept to what the audit page filters on (time, object, actor, branch):
    # every teller operation writes a row here, and each index costs it a write.
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class IdempotencyRecord(models.Model):
    """The first answer to a money-moving request, remembered under its key."""

    key = models.CharField(max_length=100, unique=True)
    scope = models.CharField(max_length=60)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    request_hash = models.CharField(max_length=64)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
