"""The reports read what cob's own snapshot step writes: the hand-made portfolio closed by
``mupaka.cob.services.snapshot.snapshot_build`` gives the same figures to the cent, and
the PAR the reports derive from buckets equals cob's own par columns."""

import pytest
from django.db.models import Sum

from mupaka.reports import selectors as s
from mupaka.reports.domain.par import percent

from .conftest import SNAPSHOT_DATE

pytestmark = pytest.mark.django_db


def test_reports_read_cob_snapshot(staff, portfolio):
    from mupaka.cob.models import OutreachSnapshot, PortfolioSnapshot
    from mupaka.cob.services.snapshot import snapshot_build

    snapshot_build(on_date=SNAPSHOT_DATE)
    report = s.portfolio_report(
        user=staff["accountant"], on_date=SNAPSHOT_DATE, filters=s.Filters(), group_by="branch"
    )
    assert report.source == "snapshot"
    usd = report.currencies[0]
    q = usd.quality
    assert q.gross_loan_portfolio_minor == 307_345
    assert (q.par[1].amount_minor, q.par[30].amount_minor, q.par[90].amount_minor) == (
        207_345,
        157_345,
        92_345,
    )
    assert str(percent(q.par[30].ratio)) == "51.19"
    assert usd.borrowers == 10
    cob = PortfolioSnapshot.objects.filter(business_date=SNAPSHOT_DATE).aggregate(
        p1=Sum("par1_minor"), p30=Sum("par30_minor"), p90=Sum("par90_minor")
    )
    assert (cob["p1"], cob["p30"], cob["p90"]) == (207_345, 157_345, 92_345)
    by_bucket = {b.key: b.outstanding_minor for b in q.buckets}
    assert by_bucket == {
        "current": 150_000,
        "1-30": 50_000,
        "31-60": 52_345,
        "61-90": 25_000,
        "91-180": 10_000,
        "181-360": 15_000,
        ">360": 5_000,
    }
    assert OutreachSnapshot.objects.filter(business_date=SNAPSHOT_DATE).exists()
    outreach = s.outreach_report(
        user=staff["accountant"], on_date=SNAPSHOT_DATE, filters=s.Filters()
    )
    assert {r.key: r.borrowers for r in outreach.by_sex} == {"F": 8, "M": 2}
    assert outreach.first_loans == 10
