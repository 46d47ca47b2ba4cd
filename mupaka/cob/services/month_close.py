"""End of day and the accountant's month close fit together.

Scenario 4: end of day runs every evening; at the month end it accrues, ages,
provisions, posts savings interest, revalues the exchange position; then the accountant
prints the month's statements and closes the month, after which nothing can be posted
into it. The ledger already refuses to close a month the business date is still in; this
check (registered with the ledger's ``period_close``) adds what end of day knows:

* while end of day is running, or stands interrupted (a date half closed), no month is
  closed: its postings may not all be in yet;
* once end of day is in use, the month's last business date must have been closed by
  end of day (its savings interest, provisions and revaluation are posted then): a
  business date moved past the month end by hand is not enough.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from mupaka.cob.domain import calendar
from mupaka.cob.models import CobLock, CobRun, RunStatus
from mupaka.cob.selectors import holidays_between
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.selectors import institution_get


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def month_close_check(end: dt.date) -> None:
    """Refuse (ValidationFailed) to close the month ending ``end`` while end of day has
    not finished with it."""
    lock = CobLock.objects.filter(pk=1).first()
    if lock is not None and lock.holder:
        raise ValidationFailed(
            _(
                "End of day of %(date)s is running or was interrupted: the month can be closed "
                "once it has finished (a manager runs it again if it was interrupted)."
            )
            % {"date": _fmt(lock.business_date) if lock.business_date else "?"},
            field="month",
            code="cob_running",
        )
    if not CobRun.objects.filter(business_date__lte=end).exists():
        return  # end of day never closed a date of this month or before: not in use yet
    inst = institution_get()
    last = calendar.last_working_day(
        end,
        weekend_days=inst.weekend_days or [],
        holidays=holidays_between(end - dt.timedelta(days=calendar.MAX_SKIP), end),
    )
    run = CobRun.objects.filter(business_date__gte=last, business_date__lte=end).first()
    if run is None or run.status != RunStatus.DONE:
        raise ValidationFailed(
            _(
                "End of day has not closed %(date)s, the last business date of the month: its "
                "savings interest, provisions and exchange revaluation are not posted yet. "
                "Run end of day for it before closing the month."
            )
            % {"date": _fmt(last)},
            field="month",
            code="month_end_not_closed",
        )
