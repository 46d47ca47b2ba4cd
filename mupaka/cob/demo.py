"""Demo end of day: the preset's provisioning bands, the coming DRC public holidays, and
portfolio snapshots — for the demo business date (the loans as the loans demo left them,
aged, with their provisions posted) and for the past month ends of the demo year
(rebuilt from the loans' and savings' history), so that the manager's dashboard has
trends. End of day itself is left for the manager to run (the demo date stays open).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from mupaka.cob.domain.calendar import is_working_day
from mupaka.cob.models import Holiday
from mupaka.cob.services import provision_bands_load
from mupaka.cob.services.runner import StepContext, cob_context
from mupaka.cob.services.snapshot import snapshot_build, snapshot_rebuild_past
from mupaka.cob.services.steps import loan_arrears_ageing, provisions_post
from mupaka.core.demo import DemoContext
from mupaka.core.money import Money

# République démocratique du Congo: public holidays after the demo date
HOLIDAYS = [
    (dt.date(2026, 12, 25), "Noël"),
    (dt.date(2027, 1, 1), "Nouvel An"),
    (dt.date(2027, 1, 4), "Journée des martyrs de l'indépendance"),
    (dt.date(2027, 1, 16), "Journée du héros national Laurent-Désiré Kabila"),
    (dt.date(2027, 1, 17), "Journée du héros national Patrice-Emery Lumumba"),
]
FIRST_MONTH = dt.date(2025, 12, 1)  # the loans demo's history starts in December 2025


def past_month_ends(today: dt.date, weekend_days, holidays) -> list[dt.date]:
    """The last working day of each month from FIRST_MONTH to the month before ``today``."""
    out = []
    month = FIRST_MONTH
    while (month.year, month.month) < (today.year, today.month):
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        day = nxt - dt.timedelta(days=1)
        while not is_working_day(day, weekend_days=weekend_days, holidays=holidays):
            day -= dt.timedelta(days=1)
        out.append(day)
        month = nxt
    return out


def build(ctx: DemoContext) -> None:
    inst = ctx.institution
    today = inst.business_date
    bands = provision_bands_load(actor=None)
    Holiday.objects.bulk_create(
        [Holiday(date=day, name=name) for day, name in HOLIDAYS if day > today]
    )
    holidays = {day for day, _name in HOLIDAYS}
    weekend = inst.weekend_days or []
    ends = past_month_ends(today, weekend, holidays)
    if connection.vendor == "postgresql":
        # a year of history was just written, maybe inside one transaction that
        # autovacuum cannot see: without fresh statistics the planner takes the tables for
        # empty and the snapshots' joins run for minutes instead of seconds
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for day in ends:
        snapshot_rebuild_past(on_date=day)
    # today: the loans aged as end of day would, provisions posted, the snapshot saved
    with cob_context():
        ctx_step = StepContext(run=None, on_date=today, actor=None, token="", step="demo")
        loan_arrears_ageing(ctx_step)
        result = provisions_post(
            on_date=today, key=lambda cur: f"demo:cob:{today.isoformat()}:provisions:{cur}"
        )
        snapshot_build(on_date=today)
    posted = ", ".join(
        f"{cur} {Money.from_minor(v['required'], cur).amount}"
        for cur, v in sorted(result["currencies"].items())
    )
    ctx.say(
        f"End of day: {len(bands)} provisioning bands (preset {inst.regulatory_preset}, example "
        f"values), {len([d for d, _n in HOLIDAYS if d > today])} holidays, snapshots for "
        f"{len(ends)} past month ends and {today.strftime('%d/%m/%Y')}; provisions "
        f"{posted or 'none'}."
    )
