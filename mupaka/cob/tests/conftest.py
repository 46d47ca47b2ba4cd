"""Fixtures of end of day's tests: the DRC chart and provisioning bands, members, loan
products written directly, and a hand-made portfolio with known arrears."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from mupaka.ledger import db_guards

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def chart(institution):
    from mupaka.ledger.services import chart_load

    chart_load(actor=None, preset="drc")
    return institution


@pytest.fixture
def bands(chart):
    from mupaka.cob.services import provision_bands_load

    return provision_bands_load(actor=None, preset="drc")


@pytest.fixture
def member_factory(branch):
    from mupaka.members.models import Member

    def make(sex: str = "F", branch_=None, border_posts=(), **kw):
        n = next(_seq)
        b = branch_ or branch
        member = Member.objects.create(
            branch=b,
            number=f"{b.code}-{n:06d}",
            sequence=n,
            first_name=kw.pop("first_name", f"Neema{n}"),
            last_name=kw.pop("last_name", "Cirhuza"),
            search_name=f"neema{n} cirhuza",
            sex=sex,
            birth_date=dt.date(1988, 1, 1),
            registered_date=dt.date(2024, 1, 1),
            status=kw.pop("status", "active"),
            **kw,
        )
        if border_posts:
            from mupaka.members.models import TraderProfile

            profile = TraderProfile.objects.create(member=member)
            profile.border_posts.set(border_posts)
        return member

    return make


@pytest.fixture
def days30_product(chart):
    """USD, an instalment every 30 days, no penalty: due dates fall exactly 30 days apart."""
    from mupaka.cob.testing import product

    return product("D30-USD", currency="USD", frequency="days", every=30)


@pytest.fixture
def days30_cdf(chart):
    from mupaka.cob.testing import product

    return product("D30-CDF", currency="CDF", frequency="days", every=30)


def late_plan(prod, *, days_late: int, principal_minor: int, on: dt.date, **kw):
    """A loan whose first instalment fell due ``days_late`` days before ``on``, unpaid."""
    from mupaka.cob.testing import LoanPlan

    return LoanPlan(
        product=prod,
        principal_minor=principal_minor,
        installments=kw.pop("installments", 12),
        disbursed_on=on - dt.timedelta(days=days_late + 30),
        **kw,
    )


# (name, days late, principal in cents, restructured)
HAND_MADE_USD = [
    ("L0", 0, 100_000, False),
    ("L1", 1, 33_333, False),
    ("L2", 30, 20_000, False),
    ("L3", 31, 15_050, False),
    ("L4", 60, 10_000, False),
    ("L5", 61, 25_000, False),
    ("L6", 90, 9_999, False),
    ("L7", 91, 40_000, False),
    ("L8", 180, 12_000, False),
    ("L9", 181, 8_000, False),
    ("L10", 360, 6_000, False),
    ("L11", 361, 5_000, False),
    ("R1", 0, 50_000, True),
    ("R2", 45, 30_000, True),
]


@pytest.fixture
def hand_made(chart, bands, staff, member_factory, days30_product, days30_cdf):
    """Fifteen loans with known arrears on the business date (Monday 2 November 2026):
    fourteen in USD (HAND_MADE_USD) and one in CDF 10 days late. Returns {name: loan}.
    Their days past due are left at 0 (end of day must age them)."""
    from mupaka.cob.testing import LoanRow, load_loans, template
    from mupaka.loans.models import Loan
    from mupaka.members.models import BorderPost

    on = chart.business_date
    posts = list(BorderPost.objects.order_by("id")[:2])
    officer = staff["officer"]
    rows, names = [], []
    for i, (name, late, principal, restructured) in enumerate(HAND_MADE_USD):
        member = member_factory(
            sex="M" if name == "L5" else "F", border_posts=posts[:1] if i % 2 else posts
        )
        plan = late_plan(
            days30_product,
            days_late=late,
            principal_minor=principal,
            on=on,
            restructured=restructured,
        )
        rows.append(
            LoanRow(
                template(plan, as_of=on),
                member_id=member.pk,
                branch_id=member.branch_id,
                officer_id=officer.pk,
                extra={"days_past_due": 0, "overdue_minor": 0, "state_as_of": None},
            )
        )
        names.append(name)
    cdf_member = member_factory()
    rows.append(
        LoanRow(
            template(
                late_plan(days30_cdf, days_late=10, principal_minor=10_000_000, on=on), as_of=on
            ),
            member_id=cdf_member.pk,
            branch_id=cdf_member.branch_id,
            officer_id=officer.pk,
            extra={"days_past_due": 0, "overdue_minor": 0, "state_as_of": None},
        )
    )
    names.append("C1")
    ids = load_loans(rows=rows, filed_by=staff["officer"], as_of=on)
    loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=ids)}
    return {name: loans[pk] for name, pk in zip(names, ids, strict=True)}


def verify_problems() -> dict[str, list[str]]:
    from mupaka.ledger.verify import run_checks

    return {r.name: r.problems for r in run_checks() if not r.ok}


@pytest.fixture
def _restore_guards(django_db_blocker):
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        db_guards.install(connection)


@pytest.fixture
def committing_db(_restore_guards, transactional_db):
    """Transactions really commit (threads, other processes see the rows); the journal's
    guards are dropped just before the flush and put back afterwards (see ledger API.md)."""
    from django.db import connection

    db_guards.install(connection)
    yield
    db_guards.remove(connection)
