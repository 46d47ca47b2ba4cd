"""Every PAR figure, bucket and ratio of the hand-made portfolio (conftest) to the cent,
read live (business date) and from the end-of-day snapshot; filters, scopes, refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.reports import selectors as s
from mupaka.reports.domain.par import percent

from .conftest import BUSINESS_DATE, SNAPSHOT_DATE

pytestmark = pytest.mark.django_db

HAND = {  # bucket: loans, principal outstanding, restructured loans, overdue
    "current": (2, 150_000, 1, 0),
    "1-30": (2, 50_000, 0, 6_000),
    "31-60": (2, 52_345, 1, 9_000),
    "61-90": (1, 25_000, 0, 9_000),
    "91-180": (1, 10_000, 0, 10_000),
    "181-360": (1, 15_000, 0, 15_000),
    ">360": (1, 5_000, 0, 5_000),
}


def _check_whole_portfolio(report):
    assert [c.currency for c in report.currencies] == ["USD"]
    usd = report.currencies[0]
    q = usd.quality
    assert q.gross_loan_portfolio_minor == 307_345
    assert (q.loans, usd.borrowers) == (10, 10)
    assert (q.par[1].amount_minor, q.par[1].loans) == (207_345, 9)
    assert (q.par[30].amount_minor, q.par[30].loans) == (157_345, 7)
    assert (q.par[90].amount_minor, q.par[90].loans) == (92_345, 5)
    assert [percent(q.par[d].ratio) for d in (1, 30, 90)] == [
        Decimal("67.46"),
        Decimal("51.19"),
        Decimal("30.05"),
    ]
    table = {
        b.key: (b.loans, b.outstanding_minor, b.restructured_loans, b.overdue_minor)
        for b in q.buckets
    }
    assert table == HAND


def test_live_portfolio_on_the_business_date(staff, portfolio):
    report = s.portfolio_report(
        user=staff["accountant"], on_date=BUSINESS_DATE, filters=s.Filters()
    )
    assert report.source == "live"
    _check_whole_portfolio(report)


def test_snapshot_portfolio_gives_the_same_figures(staff, snapshot):
    report = s.portfolio_report(
        user=staff["accountant"], on_date=SNAPSHOT_DATE, filters=s.Filters()
    )
    assert (report.source, report.read_date) == ("snapshot", SNAPSHOT_DATE)
    _check_whole_portfolio(report)


def test_a_sunday_reads_the_saturday_snapshot(staff, snapshot):
    report = s.portfolio_report(
        user=staff["accountant"], on_date=dt.date(2026, 11, 1), filters=s.Filters()
    )
    assert report.read_date == SNAPSHOT_DATE
    assert report.currencies[0].quality.par[30].amount_minor == 157_345


@pytest.mark.parametrize("source_date", [BUSINESS_DATE, SNAPSHOT_DATE])
def test_par30_by_branch(staff, snapshot, branch, other_branch, source_date):
    report = s.portfolio_report(
        user=staff["accountant"], on_date=source_date, filters=s.Filters(), group_by="branch"
    )
    by = {sl.key: sl.quality for sl in report.currencies[0].slices}
    # BKV: loans 1-6, GLP 2,650.00; PAR30 = 400 + 250 late + 500 restructured = 1,150.00
    assert by[branch.pk].gross_loan_portfolio_minor == 265_000
    assert by[branch.pk].par[30].amount_minor == 115_000
    assert by[branch.pk].par[30].ratio == Decimal(115_000) / Decimal(265_000)
    # GOM: loans 7-10, all more than 30 days late: PAR30 = 100 %
    assert by[other_branch.pk].gross_loan_portfolio_minor == 42_345
    assert by[other_branch.pk].par[30].ratio == 1


@pytest.mark.parametrize("source_date", [BUSINESS_DATE, SNAPSHOT_DATE])
def test_par30_by_border_post_and_country(staff, snapshot, source_date):
    report = s.portfolio_report(
        user=staff["manager"], on_date=source_date, filters=s.Filters(), group_by="border_post"
    )
    by = {sl.label: sl.quality for sl in report.currencies[0].slices}
    # manager of BKV sees loans 1-6 only
    assert by["Ruzizi I / Rusizi I"].gross_loan_portfolio_minor == 175_000  # 1, 2, 6
    assert by["Ruzizi I / Rusizi I"].par[30].amount_minor == 75_000  # 6 late + 2 restructured
    assert by["Ruzizi II / Rusizi II"].par[30].amount_minor == 0
    no_post = next(sl for sl in report.currencies[0].slices if sl.key is None)
    assert no_post.quality.par[30].amount_minor == 40_000  # Esther, 31 days, no border post
    countries = s.portfolio_report(
        user=staff["accountant"], on_date=source_date, filters=s.Filters(), group_by="country"
    )
    rw = next(sl for sl in countries.currencies[0].slices if sl.key == "RW")
    assert rw.quality.gross_loan_portfolio_minor == 307_345 - 40_000


@pytest.mark.parametrize("source_date", [BUSINESS_DATE, SNAPSHOT_DATE])
def test_filters_sex_and_border_post(staff, snapshot, source_date):
    men = (
        s.portfolio_report(
            user=staff["accountant"], on_date=source_date, filters=s.Filters(sex="M")
        )
        .currencies[0]
        .quality
    )
    assert men.gross_loan_portfolio_minor == 40_000  # Jean 300 + Pierre 100
    assert men.par[30].amount_minor == 10_000 and percent(men.par[30].ratio) == Decimal("25.00")
    from mupaka.members.models import BorderPost

    post = BorderPost.objects.get(name="Petite Barrière (Goma / Gisenyi)")
    goma = (
        s.portfolio_report(
            user=staff["accountant"], on_date=source_date, filters=s.Filters(border_post_id=post.pk)
        )
        .currencies[0]
        .quality
    )
    assert goma.gross_loan_portfolio_minor == 42_345


def test_an_officer_sees_her_own_loans_only(officers, snapshot):
    report = s.portfolio_report(user=officers["A"], on_date=BUSINESS_DATE, filters=s.Filters())
    assert report.currencies[0].quality.gross_loan_portfolio_minor == 240_000  # loans 1-5
    with pytest.raises(PermissionDenied):
        s.portfolio_report(
            user=officers["A"],
            on_date=BUSINESS_DATE,
            filters=s.Filters(officer_id=officers["B"].pk),
        )


def test_a_branch_manager_cannot_read_another_branch(staff, portfolio, other_branch):
    with pytest.raises(PermissionDenied):
        s.portfolio_report(
            user=staff["manager"],
            on_date=BUSINESS_DATE,
            filters=s.Filters(branch_id=other_branch.pk),
        )


def test_dates_refused(staff, portfolio):
    with pytest.raises(ValidationFailed) as exc:
        s.parse_date("2026-11-03")
    assert exc.value.code == "future_date" and "date" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        s.parse_date("31/02/2026")
    assert exc.value.code == "invalid_date"
    assert s.parse_date("30/10/2026") == dt.date(2026, 10, 30)
    with pytest.raises(ValidationFailed) as exc:
        s.portfolio_report(user=staff["manager"], on_date=dt.date(2026, 9, 30), filters=s.Filters())
    assert exc.value.code == "no_snapshot"


def test_teller_and_coordinator_read_no_portfolio(staff, portfolio):
    for role in ("teller", "coordinator"):
        with pytest.raises(PermissionDenied):
            s.portfolio_report(user=staff[role], on_date=BUSINESS_DATE, filters=s.Filters())


def test_arrears_list_for_follow_up(staff, portfolio):
    lines = s.arrears_list(user=staff["accountant"], filters=s.Filters())
    assert [ln.days_past_due for ln in lines] == [400, 200, 120, 75, 45, 31, 30, 5]
    zawadi = lines[0]
    assert zawadi.member_name.startswith("Zawadi")
    assert zawadi.phone.startswith("+24397")
    assert zawadi.overdue_minor == 5_000
    assert zawadi.group_name == "Umoja Goma"
    assert zawadi.leader_name.startswith("Mapendo") and zawadi.leader_phone
    mapendo = lines[1]
    assert mapendo.group_name == "" and mapendo.leader_name == ""  # her own loan
    late = s.arrears_list(user=staff["accountant"], filters=s.Filters(), min_days=31)
    assert len(late) == 6


def test_arrears_list_counts_from_the_business_date_like_the_loans_list(
    staff, portfolio, institution
):
    """Two days after the last end of day (its caches say 400, 200... days late) the
    follow-up list says 402, 202..., as the loans' own arrears list and her loan page do."""
    from mupaka.loans.models import Loan
    from mupaka.loans.selectors import arrears_list as loans_arrears

    institution.business_date = BUSINESS_DATE + dt.timedelta(days=2)
    institution.save(update_fields=["business_date"])
    lines = s.arrears_list(user=staff["accountant"], filters=s.Filters())
    assert [ln.days_past_due for ln in lines] == [402, 202, 122, 77, 47, 33, 32, 7]
    assert lines[0].overdue_minor == 5_000
    cached = dict(Loan.objects.values_list("pk", "days_past_due"))
    assert all(ln.days_past_due == cached[ln.loan_id] + 2 for ln in lines)
    # the manager's branch, in both lists: the same loans, the same days
    ours = s.arrears_list(user=staff["manager"], filters=s.Filters())
    theirs = {ln.pk: ln.late_for.days for ln in loans_arrears(user=staff["manager"])}
    assert {ln.loan_id: ln.days_past_due for ln in ours} == theirs and theirs


def test_arrears_list_of_an_officer(officers, portfolio):
    # officer B works in GOM: her loans there (Sifa's BKV loan is outside her branch)
    lines = s.arrears_list(user=officers["B"], filters=s.Filters())
    assert {ln.member_name.split()[0] for ln in lines} == {"Pierre", "Mapendo", "Zawadi", "Imani"}
