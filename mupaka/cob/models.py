"""End of day (close of business): its journal, calendar, provisioning bands, interest
accrual state and the portfolio snapshots the reports read.

Tables only: every write goes through ``mupaka.cob.services``.

Rows that point at loans, loan products, members, savings products or border posts hold
their ids as plain integers (``*_id`` columns, indexed), not foreign keys: snapshot rows
are history (an aggregate of the day, kept for ever), and the end of day's own caches
must not tie cob's migrations to the order in which the other apps' migrations land.
Amounts are integers in minor units beside a currency code; rates are integers in parts
per million (25 % = 250 000); interest accrual is kept in ten-thousandths of a minor
unit (``ACCRUAL_SCALE``), never REAL.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import Branch

PPM = 1_000_000
# Interest accrual is counted in 1/10,000 of a minor unit: the daily share of a loan's
# interest is exact to that precision and what does not make a whole minor unit is
# carried to the next day (AccrualState.residual_scaled), never lost.
ACCRUAL_SCALE = 10_000


# --- calendar -----------------------------------------------------------------------
class Holiday(models.Model):
    """A day the institution is closed (besides its weekend days): end of day skips it
    when it moves the business date."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


# --- provisioning bands -------------------------------------------------------------
class ProvisionBand(models.Model):
    """Days in arrears → share of the outstanding principal to hold as a provision.

    Loaded from the regulatory preset (``mupaka/cob/presets/<preset>.yaml``), edited by
    the accountant as a whole table (no overlap, no gap, no negative figure). Restructured
    (rescheduled) loans have their own bands (``restructured=True``)."""

    preset = models.CharField(_("preset"), max_length=40)
    restructured = models.BooleanField(_("restructured loans"), default=False)
    category = models.CharField(_("classification"), max_length=40)
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    min_days = models.PositiveIntegerField(_("from (days in arrears)"))
    max_days = models.PositiveIntegerField(
        _("to (days in arrears)"), null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    rate_ppm = models.PositiveIntegerField(
        _("provision rate (millionths)"), help_text=_("25 % = 250000.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("provisioning band")
        verbose_name_plural = _("provisioning bands")
        ordering = ["restructured", "min_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["restructured", "min_days"], name="cob_band_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(max_days__isnull=True) | Q(max_days__gte=F("min_days")),
                name="cob_band_range",
            ),
            models.CheckConstraint(
                condition=Q(rate_ppm__gte=0) & Q(rate_ppm__lte=PPM), name="cob_band_rate"
            ),
        ]

    def __str__(self) -> str:
        upper = "∞" if self.max_days is None else self.max_days
        return f"{self.min_days}–{upper}: {self.rate_percent} %"

    @property
    def rate_percent(self) -> Decimal:
        return (Decimal(self.rate_ppm) / 10_000).normalize()


# --- the run journal ----------------------------------------------------------------
class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed (run it again to finish)")


class CobRun(models.Model):
    """End of day of one business date. Its steps (CobStep) each commit their work with
    their own "done" row, so a run interrupted at any point is finished by running again."""

    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    next_date = models.DateField(_("next business date"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("end of day")
        verbose_name_plural = _("ends of day")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"{self.business_date.isoformat()} {self.status}"


class CobStep(models.Model):
    """A step of a run that is DONE: written in the same transaction as the step's work."""

    run = models.ForeignKey(CobRun, on_delete=models.PROTECT, related_name="steps")
    name = models.CharField(_("step"), max_length=40)
    seq = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["run_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="cob_step_once"),
        ]


class CobLock(models.Model):
    """One row (id = 1): who is running end of day, for which date. While ``holder`` is
    set, nobody posts with value date ``business_date`` (the ledger's posting guard) and
    a second run is refused; a holder whose process is gone is taken over by the next
    run (crash recovery)."""

    holder = models.CharField(max_length=80, blank=True)
    business_date = models.DateField(null=True, blank=True)
    host = models.CharField(max_length=120, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CobJob(models.Model):
    """One request to run end of day (one date, or catching up to ``until_date``), with
    its progress for the progress page and ``GET /api/v1/cob/{job}``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_date = models.DateField(_("from"))
    until_date = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    current_date = models.DateField(null=True, blank=True)
    current_step = models.CharField(max_length=40, blank=True)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    dates_done = models.PositiveIntegerField(default=0)
    dates_total = models.PositiveIntegerField(default=0)
    business_date = models.DateField(_("business date now"), null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


# --- loan interest accrual -------------------------------------------------------------
class LoanAccrual(models.Model):
    """Interest recognised on one loan of a product on accrual accounting.

    ``accrued_scaled``: interest earned to date (ACCRUAL_SCALE units), as posted to
    income; ``paid_minor``: interest the loan's repayments credited to income (the loans
    app posts interest received to income; end of day moves it to the receivable).
    The receivable of the loan is ``accrued_scaled / ACCRUAL_SCALE - paid_minor``."""

    loan_id = models.BigIntegerField(primary_key=True)
    product_id = models.BigIntegerField(db_index=True)
    currency = models.CharField(max_length=3)
    accrued_scaled = models.BigIntegerField(default=0)
    target_scaled = models.BigIntegerField(default=0)  # work column of the step
    paid_minor = models.BigIntegerField(default=0)
    paid_target_minor = models.BigIntegerField(default=0)  # work column of the step
    accrued_through = models.DateField(null=True, blank=True)


class AccrualState(models.Model):
    """Per loan product and currency: what end of day has posted, and the rounding
    residual (less than one minor unit) carried to the next day."""

    product_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    accrued_posted_minor = models.BigIntegerField(default=0)
    residual_scaled = models.BigIntegerField(default=0)
    paid_posted_minor = models.BigIntegerField(default=0)
    accrued_through = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product_id", "currency"], name="cob_accrual_state"),
            models.CheckConstraint(
                condition=Q(residual_scaled__gte=0) & Q(residual_scaled__lt=ACCRUAL_SCALE),
                name="cob_residual_below_one_minor",
            ),
        ]


# --- portfolio snapshot ------------------------------------------------------------------
class Bucket(models.IntegerChoices):
    """Ageing buckets of the snapshot (days past due of the loan's oldest late instalment)."""

    CURRENT = 0, _("Current")
    D1_30 = 1, _("1–30 days")
    D31_60 = 2, _("31–60 days")
    D61_90 = 3, _("61–90 days")
    D91_180 = 4, _("91–180 days")
    D181_360 = 5, _("181–360 days")
    OVER_360 = 6, _("More than 360 days")


class PortfolioSnapshot(models.Model):
    """Loans outstanding at the end of one business date, aggregated by the dimensions.

    One row per (date, branch, officer, product, currency, sex, border post, bucket,
    restructured) that has loans outstanding or disbursements that day. See API.md for
    the meaning of each measure (PAR on the SEEP definition)."""

    business_date = models.DateField(_("business date"))
    # dimensions
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    officer_id = models.BigIntegerField(null=True, blank=True)
    product_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    sex = models.CharField(max_length=1)
    border_post_id = models.BigIntegerField(null=True, blank=True)
    bucket = models.PositiveSmallIntegerField(choices=Bucket.choices)
    restructured = models.BooleanField()
    # the regulator's class of the loans: the category of the provisioning band they fall
    # in (DRC: sound, rescheduled, unpaid, doubtful, litigious, irrecoverable)
    loan_class = models.CharField(max_length=40, default="")
    # measures
    loan_count = models.IntegerField(default=0)
    borrower_count = models.IntegerField(default=0)
    first_loan_count = models.IntegerField(default=0)
    principal_outstanding_minor = models.BigIntegerField(default=0)
    interest_outstanding_minor = models.BigIntegerField(default=0)
    principal_overdue_minor = models.BigIntegerField(default=0)
    interest_overdue_minor = models.BigIntegerField(default=0)
    overdue_minor = models.BigIntegerField(default=0)
    par1_minor = models.BigIntegerField(default=0)
    par30_minor = models.BigIntegerField(default=0)
    par90_minor = models.BigIntegerField(default=0)
    provision_minor = models.BigIntegerField(default=0)
    disbursed_count = models.IntegerField(default=0)
    disbursed_minor = models.BigIntegerField(default=0)
    disbursed_mtd_count = models.IntegerField(default=0)
    disbursed_mtd_minor = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["business_date", "branch"], name="cob_snap_date_branch"),
            models.Index(fields=["business_date", "currency"], name="cob_snap_date_currency"),
        ]


class SavingsSnapshot(models.Model):
    """Savings balances at the end of one business date, aggregated by the dimensions."""

    business_date = models.DateField(_("business date"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    product_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    currency = models.CharField(max_length=3)
    sex = models.CharField(max_length=1)
    border_post_id = models.BigIntegerField(null=True, blank=True)
    account_count = models.IntegerField(default=0)
    saver_count = models.IntegerField(default=0)
    dormant_count = models.IntegerField(default=0)
    balance_minor = models.BigIntegerField(default=0)
    blocked_minor = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["business_date", "branch"], name="cob_ssnap_date_branch"),
        ]


class OutreachSnapshot(models.Model):
    """People served at the end of one business date: each member counted once, under her
    branch, sex and border post (so any sum of rows is a count of distinct people)."""

    business_date = models.DateField(_("business date"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=1)
    border_post_id = models.BigIntegerField(null=True, blank=True)
    members_active = models.IntegerField(default=0)
    borrowers = models.IntegerField(default=0)
    savers = models.IntegerField(default=0)
    clients_served = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["business_date", "branch"], name="cob_osnap_date_branch"),
        ]


# --- collections: what fell due and what was collected on it -------------------------------
class CollectionSnapshot(models.Model):
    """What fell due and what was collected on it, by day, so that the collection rate of
    any period is exact (see API.md). A row is written on ``business_date`` (the day end
    of day closed) for instalments falling due on ``due_date``:

    * ``due_minor`` (rows where ``due_date == business_date``): principal, interest and
      fees of the instalments falling due that day (net of waivers; a loan already closed
      or written off counts only what was paid of it);
    * ``collected_minor``: what the day's repayments (less the day's reversals) paid on
      instalments falling due on ``due_date`` — before it (a prepayment), on it, or after
      it (arrears). Payments reach what fell due oldest due date first.

    Rows dated the day before tracking began carry what had been prepaid by then on the
    instalments falling due later (so prepayments are left out from the first day)."""

    business_date = models.DateField(_("business date"))
    due_date = models.DateField(_("due date"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    officer_id = models.BigIntegerField(null=True, blank=True)
    product_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    sex = models.CharField(max_length=1)
    border_post_id = models.BigIntegerField(null=True, blank=True)
    due_minor = models.BigIntegerField(default=0)
    collected_minor = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["due_date", "currency"], name="cob_coll_due"),
            models.Index(fields=["business_date"], name="cob_coll_date"),
        ]


class LoanCoverage(models.Model):
    """Per loan and schedule version: principal + interest + fees its repayments had paid
    at the last end of day (the day's flows are the difference)."""

    loan_id = models.BigIntegerField()
    version = models.PositiveSmallIntegerField()
    covered_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan_id", "version"], name="cob_coverage_unique")
        ]


class CollectionState(models.Model):
    """One row (id = 1): since when collections are tracked, the last date done and the
    last loan transaction seen."""

    tracked_from = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    last_tx_id = models.BigIntegerField(default=0)
