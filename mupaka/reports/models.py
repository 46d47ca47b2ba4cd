"""The reports keep one table of their own: the prudential norms of the regulator,
loaded from the country preset (``presets/<preset>.yaml``) and editable by the
accountant. Everything else the reports show is read from other apps' tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    AT_MOST = "<=", _("at most")


class PrudentialNorm(models.Model):
    """A prudential ratio and its threshold (a fraction kept as a Decimal string)."""

    preset = models.CharField(_("preset"), max_length=40)
    key = models.CharField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    comparator = models.CharField(_("the ratio must be"), max_length=2, choices=Comparator.choices)
    threshold = models.CharField(_("threshold"), max_length=20)
    is_example = models.BooleanField(
        _("example value"),
        default=True,
        help_text=_("An example the institution must replace with its regulator's figure."),
    )
    source = models.TextField(_("source"), blank=True)
    numerator = models.JSONField(_("numerator accounts"), default=dict)
    denominator = models.JSONField(_("denominator accounts"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("prudential norm")
        verbose_name_plural = _("prudential norms")
        ordering = ["preset", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["preset", "key"], name="prudentialnorm_unique"),
            models.CheckConstraint(
                condition=Q(comparator__in=[">=", "<="]), name="prudentialnorm_comparator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preset} · {self.key}"

    def name(self, language: str = "fr") -> str:
        return self.name_en if language.startswith("en") else self.name_fr
