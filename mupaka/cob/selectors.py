"""Reads of end of day: business date, calendar, bands, runs and the snapshot dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from mupaka.cob.domain import bands as band_rules
from mupaka.cob.domain import calendar
from mupaka.cob.models import (
    Bucket,
    CobJob,
    CobLock,
    CobRun,
    Holiday,
    PortfolioSnapshot,
    ProvisionBand,
    RunStatus,
)
from mupaka.core.selectors import institution_get


def holidays_between(date_from: dt.date, date_to: dt.date) -> set[dt.date]:
    return set(
        Holiday.objects.filter(date__gte=date_from, date__lte=date_to).values_list(
            "date", flat=True
        )
    )


def next_working_day(day: dt.date) -> dt.date:
    """The business date that follows ``day``: the institution's weekend days and the
    holidays are skipped."""
    inst = institution_get()
    holidays = holidays_between(day, day + dt.timedelta(days=calendar.MAX_SKIP + 1))
    return calendar.next_working_day(day, weekend_days=inst.weekend_days or [], holidays=holidays)


def dates_to_close(start: dt.date, until: dt.date) -> list[dt.date]:
    inst = institution_get()
    holidays = holidays_between(start, until + dt.timedelta(days=calendar.MAX_SKIP + 1))
    return calendar.working_days(
        start, until, weekend_days=inst.weekend_days or [], holidays=holidays
    )


@dataclass(frozen=True)
class BusinessDateStatus:
    business_date: dt.date
    next_date: dt.date
    closing: bool  # end of day holds the lock (running, or interrupted and not yet rerun)
    last_closed: dt.date | None


def business_date_status() -> BusinessDateStatus:
    inst = institution_get()
    lock = CobLock.objects.filter(pk=1).first()
    last = CobRun.objects.filter(status=RunStatus.DONE).aggregate(m=Max("business_date"))["m"]
    return BusinessDateStatus(
        business_date=inst.business_date,
        next_date=next_working_day(inst.business_date),
        closing=bool(lock and lock.holder),
        last_closed=last,
    )


def band_list() -> list[ProvisionBand]:
    return list(ProvisionBand.objects.order_by("restructured", "min_days"))


def bands_as_rules() -> list[band_rules.Band]:
    return [
        band_rules.Band(
            restructured=b.restructured,
            min_days=b.min_days,
            max_days=b.max_days,
            rate_ppm=b.rate_ppm,
            category=b.category,
            label_fr=b.label_fr,
            label_en=b.label_en,
        )
        for b in band_list()
    ]


def run_list(limit: int = 30) -> list[CobRun]:
    return list(CobRun.objects.prefetch_related("steps").order_by("-business_date")[:limit])


def job_get(job_id) -> CobJob | None:
    return CobJob.objects.filter(pk=job_id).first()


def job_active() -> CobJob | None:
    return CobJob.objects.filter(status__in=["queued", "running"]).order_by("-created_at").first()


# --- snapshots -----------------------------------------------------------------------
def snapshot_date(*, on_or_before: dt.date) -> dt.date | None:
    """The latest business date on or before ``on_or_before`` that has portfolio rows."""
    return PortfolioSnapshot.objects.filter(business_date__lte=on_or_before).aggregate(
        m=Max("business_date")
    )["m"]


def snapshot_dates(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    month_ends_only: bool = False,
) -> list[dt.date]:
    """Business dates that have portfolio rows (ascending); ``month_ends_only`` keeps the
    last one of each month (for trends)."""
    qs = PortfolioSnapshot.objects.all()
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    dates = sorted(set(qs.values_list("business_date", flat=True).distinct()))
    return calendar.month_end_dates(dates) if month_ends_only else dates


def bucket_labels() -> dict[int, str]:
    return {int(value): str(label) for value, label in Bucket.choices}
