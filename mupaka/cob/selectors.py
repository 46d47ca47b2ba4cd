"""Reads of end of day: business date, calendar, bands, runs and the snapshot dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum

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


# --- the exchange position at a month end ----------------------------------------------
FX_REVALUATION_SOURCE = "cob.fx_revaluation"


def is_month_end(day: dt.date) -> bool:
    """``day`` is the last business date of its month (the next one is in another month)."""
    nxt = next_working_day(day)
    return (nxt.year, nxt.month) != (day.year, day.month)


def closing_rate(base: str, currency: str, on_date: dt.date):
    """The rate of ``currency`` against ``base`` in force at the end of ``on_date`` (the
    latest set on or before it): the reference rate when one was given, else the mid
    rate. None when the pair was never quoted."""
    from mupaka.cob.domain.fx import ClosingRate
    from mupaka.tellers.models import ExchangeRate
    from mupaka.tellers.selectors import rate_from_e8

    for b, q in ((base, currency), (currency, base)):
        row = (
            ExchangeRate.objects.filter(base=b, quote=q, rate_date__lte=on_date)
            .order_by("-rate_date", "-id")
            .first()
        )
        if row is None:
            continue
        if row.reference_e8 is not None:
            return ClosingRate(b, q, rate_from_e8(row.reference_e8), row.rate_date, "reference")
        mid = (rate_from_e8(row.buy_e8) + rate_from_e8(row.sell_e8)) / 2
        return ClosingRate(b, q, mid, row.rate_date, "mid")
    return None


@dataclass(frozen=True)
class CurrencyPosition:
    currency: str
    desk_long_minor: int  # exchange position account: + bought (long), − sold (short)
    balance_sheet_minor: int  # assets − liabilities in the currency, position accounts left out
    rate: object | None  # ClosingRate
    desk_in_base: Decimal | None
    balance_sheet_in_base: Decimal | None


@dataclass(frozen=True)
class ExchangePosition:
    on_date: dt.date
    base: str
    currencies: list[CurrencyPosition]  # the foreign currencies
    counter_value_minor: int  # base currency's position account (long +), revaluations left out
    unrealised_minor: int | None  # gain + / loss −, base minor units; None: a rate is missing
    missing_rates: list[str]
    revaluation_minor: int  # what the ledger holds from the revaluation of this date (gain +)


def exchange_position(*, on_date: dt.date) -> ExchangePosition:
    """The exchange position per currency at the end of ``on_date`` valued in the base
    currency at that date's closing rates, and its unrealised result (see
    ``mupaka.cob.domain.fx``). Revaluation entries are left out of the balances, so the
    figure is the same before and after end of day posts it."""
    from mupaka.cob.domain import fx
    from mupaka.core.money import Money, currency_exponent
    from mupaka.ledger.models import AccountDayTotal, AccountMapping, AccountType, JournalLine

    inst = institution_get()
    base = inst.base_currency
    position_ids = set(
        AccountMapping.objects.filter(role="exchange_position").values_list("account_id", flat=True)
    )
    desk: dict[str, int] = {}
    for cur, d, c in (
        AccountDayTotal.objects.filter(account_id__in=position_ids, business_date__lte=on_date)
        .values_list("currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
        .values_list("currency", "d", "c")
    ):
        desk[cur] = int(c or 0) - int(d or 0)  # long = credit balance
    revaluation = {
        cur: int(c or 0) - int(d or 0)
        for cur, d, c in JournalLine.objects.filter(
            account_id__in=position_ids,
            business_date__lte=on_date,
            entry__source_type=FX_REVALUATION_SOURCE,
        )
        .values_list("currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
        .values_list("currency", "d", "c")
    }
    for cur, amount in revaluation.items():
        desk[cur] = desk.get(cur, 0) - amount
    sheet: dict[str, int] = {}
    for cur, d, c in (
        AccountDayTotal.objects.filter(
            business_date__lte=on_date,
            account__type__in=[AccountType.ASSET, AccountType.LIABILITY],
        )
        .exclude(account_id__in=position_ids)
        .values_list("currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
        .values_list("currency", "d", "c")
    ):
        sheet[cur] = int(d or 0) - int(c or 0)
    currencies = sorted((set(desk) | set(sheet)) - {base})
    lines: list[CurrencyPosition] = []
    values: list[fx.PositionValue] = []
    missing: list[str] = []
    for cur in currencies:
        rate = closing_rate(base, cur, on_date)
        long = Money.from_minor(desk.get(cur, 0), cur).amount
        net = Money.from_minor(sheet.get(cur, 0), cur).amount
        in_base = fx.to_base(long, cur, base, rate) if rate else None
        sheet_base = fx.to_base(net, cur, base, rate) if rate else None
        if rate is None and (long or net):
            missing.append(cur)
        lines.append(
            CurrencyPosition(cur, desk.get(cur, 0), sheet.get(cur, 0), rate, in_base, sheet_base)
        )
        values.append(fx.PositionValue(cur, long, rate, in_base))
    counter = desk.get(base, 0)
    total = fx.unrealised(values, counter_value=Money.from_minor(counter, base).amount)
    places = currency_exponent(base)
    unrealised_minor = None if total is None else int(fx.round_minor(total, places).scaleb(places))
    posted = 0
    if is_month_end(on_date) or revaluation:
        posted = int(
            sum(
                ln.debit_minor - ln.credit_minor
                for ln in JournalLine.objects.filter(
                    account_id__in=position_ids,
                    business_date=on_date,
                    entry__source_type=FX_REVALUATION_SOURCE,
                    entry__reversal_of__isnull=True,
                )
            )
        )
    return ExchangePosition(
        on_date=on_date,
        base=base,
        currencies=lines,
        counter_value_minor=counter,
        unrealised_minor=unrealised_minor,
        missing_rates=missing,
        revaluation_minor=posted,
    )
