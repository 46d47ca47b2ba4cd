"""A hand-made portfolio with known arrears (the same ten loans as
``tests/domain/test_par.py``), its end-of-day snapshot, and a small set of books.

    loan  branch officer  member (sex, border post)        principal   days  restr.
    1     BKV    A        Furaha (F, Ruzizi I)              1,000.00     0
    2     BKV    A        Neema (F, Ruzizi I)                 500.00     0    yes
    3     BKV    A        Jean (M, Ruzizi II)                 300.00     5
    4     BKV    A        Aline (F, Ruzizi II)                200.00    30
    5     BKV    A        Esther (F, none)                    400.00    31
    6     BKV    B        Sifa (F, Ruzizi I)                  250.00    75
    7     GOM    B        Pierre (M, Petite Barrière)         100.00   120
    8     GOM    B        Mapendo (F, Petite Barrière)        150.00   200
    9     GOM    B        Zawadi (F, Petite Barrière) group    50.00   400
    10    GOM    B        Imani (F, Petite Barrière) group    123.45    45    yes
    11    GOM    B        Zawadi — written off 15/06/2026: 80.00 principal (not in the portfolio)

Loans 9 and 10 are shares of the group "Umoja Goma", whose leader is Mapendo (loan 8).
Every loan is USD; the snapshot is the end of Saturday 31/10/2026; the business date is
Monday 02/11/2026.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import defaultdict

import pytest

from mupaka.core.money import Money

SNAPSHOT_DATE = dt.date(2026, 10, 31)
BUSINESS_DATE = dt.date(2026, 11, 2)

PORTFOLIO = [
    # (name, sex, branch, officer, post, principal_minor, dpd, restructured, overdue_minor)
    ("Furaha", "F", "BKV", "A", "Ruzizi I / Rusizi I", 100_000, 0, False, 0),
    ("Neema", "F", "BKV", "A", "Ruzizi I / Rusizi I", 50_000, 0, True, 0),
    ("Jean", "M", "BKV", "A", "Ruzizi II / Rusizi II", 30_000, 5, False, 2_000),
    ("Aline", "F", "BKV", "A", "Ruzizi II / Rusizi II", 20_000, 30, False, 4_000),
    ("Esther", "F", "BKV", "A", None, 40_000, 31, False, 8_000),
    ("Sifa", "F", "BKV", "B", "Ruzizi I / Rusizi I", 25_000, 75, False, 9_000),
    ("Pierre", "M", "GOM", "B", "Petite Barrière (Goma / Gisenyi)", 10_000, 120, False, 10_000),
    ("Mapendo", "F", "GOM", "B", "Petite Barrière (Goma / Gisenyi)", 15_000, 200, False, 15_000),
    ("Zawadi", "F", "GOM", "B", "Petite Barrière (Goma / Gisenyi)", 5_000, 400, False, 5_000),
    ("Imani", "F", "GOM", "B", "Petite Barrière (Goma / Gisenyi)", 12_345, 45, True, 1_000),
]

_seq = itertools.count(1)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@pytest.fixture
def officers(make_user, branch, other_branch):
    return {
        "A": make_user("officer", username="officer-a", branch_=branch, first_name="Amani"),
        "B": make_user("officer", username="officer-b", branch_=other_branch, first_name="Bahati"),
    }


@pytest.fixture
def portfolio(staff, branch, other_branch, officers):
    """The ten active loans (and the written-off eleventh) as loan rows with their caches."""
    from mupaka.loans.models import (
        GroupLoan,
        Loan,
        LoanInstallment,
        LoanProduct,
        LoanStatus,
        LoanTransaction,
    )
    from mupaka.members.models import BorderPost, SolidarityGroup, TraderProfile
    from mupaka.members.services import member_register

    branches = {"BKV": branch, "GOM": other_branch}
    product = LoanProduct.objects.create(
        code="TRADER-USD",
        name="Crédit commerçante",
        currency="USD",
        min_principal_minor=5_000,
        max_principal_minor=200_000,
        min_installments=1,
        max_installments=24,
        default_installments=6,
        frequency="months",
        interest_method="declining",
        min_rate="24",
        max_rate="36",
        default_rate="30",
    )
    members, loans = {}, []
    for i, (name, sex, br, off, post, principal, dpd, restr, overdue) in enumerate(PORTFOLIO):
        n = next(_seq)
        m = member_register(
            actor=staff["officer"] if br == "BKV" else officers["B"],
            branch=branches[br],
            first_name=name,
            last_name="Test",
            sex=sex,
            birth_date=dt.date(1985, 1, 1) + dt.timedelta(days=n),
            phone=f"+24397{n + 7000:07d}",
        )
        if post:
            profile, _ = TraderProfile.objects.get_or_create(member=m)
            profile.border_posts.add(BorderPost.objects.get(name=post))
        members[name] = m
        loans.append(
            Loan(
                branch=branches[br],
                member=m,
                product=product,
                officer=officers[off],
                filed_by=staff["officer"],
                status=LoanStatus.ACTIVE,
                currency="USD",
                requested_principal_minor=max(principal, 5_000) * 2,
                approved_principal_minor=max(principal, 5_000) * 2,
                annual_rate="30",
                installments=6,
                expected_disbursement_date=dt.date(2026, 1, 5) + dt.timedelta(days=i),
                disbursed_on=dt.date(2026, 1, 5) + dt.timedelta(days=i),
                purpose="stock",
                principal_outstanding_minor=principal,
                overdue_minor=overdue,
                days_past_due=dpd,
                # the oldest unpaid instalment: the arrears lists count from it
                next_due_date=BUSINESS_DATE - dt.timedelta(days=dpd) if dpd else None,
                restructured=restr,
                reschedule_count=1 if restr else 0,
                schedule_version=1,
                state_as_of=BUSINESS_DATE,
            )
        )
    group = SolidarityGroup.objects.create(
        branch=other_branch,
        name="Umoja Goma",
        leader=members["Mapendo"],
        formed_date=dt.date(2025, 6, 1),
        created_by=staff["officer"],
    )
    group_loan = GroupLoan.objects.create(
        group=group,
        branch=other_branch,
        product=product,
        status=LoanStatus.ACTIVE,
        currency="USD",
        leader=members["Mapendo"],
        requested_total_minor=40_000,
        filed_by=staff["officer"],
        officer=officers["B"],
    )
    loans[8].group_loan = group_loan
    loans[9].group_loan = group_loan
    for loan in loans:
        loan.save()
        if loan.days_past_due:  # what she owes of it, due that day
            LoanInstallment.objects.create(
                loan=loan,
                version=1,
                number=1,
                from_date=loan.next_due_date - dt.timedelta(days=30),
                due_date=loan.next_due_date,
                principal_minor=loan.overdue_minor,
                interest_minor=0,
                fees_minor=0,
                outstanding_minor=loan.overdue_minor,
            )
    written_off = Loan.objects.create(
        branch=other_branch,
        member=members["Zawadi"],
        product=product,
        officer=officers["B"],
        filed_by=staff["officer"],
        status=LoanStatus.WRITTEN_OFF,
        currency="USD",
        requested_principal_minor=10_000,
        approved_principal_minor=10_000,
        annual_rate="30",
        installments=6,
        expected_disbursement_date=dt.date(2025, 10, 1),
        disbursed_on=dt.date(2025, 10, 1),
        written_off_on=dt.date(2026, 6, 15),
        purpose="stock",
    )
    LoanTransaction.objects.create(
        loan=written_off,
        kind="write_off",
        on_date=dt.date(2026, 6, 15),
        currency="USD",
        amount_minor=9_000,
        principal_minor=8_000,
        interest_minor=1_000,
    )
    return {"loans": loans, "members": members, "product": product, "written_off": written_off}


def write_snapshot(on_date: dt.date) -> None:
    """Snapshot rows of ``on_date`` laid out as ``mupaka/cob/API.md`` documents them,
    summed from the loan rows (what cob's portfolio_snapshot step leaves behind)."""
    from mupaka.cob.models import OutreachSnapshot, PortfolioSnapshot
    from mupaka.loans.models import Loan, LoanStatus
    from mupaka.reports.domain.par import BUCKET_KEYS, bucket_of

    rows: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    seen: set[tuple] = set()
    people: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for loan in (
        Loan.objects.filter(status=LoanStatus.ACTIVE).select_related("member").order_by("pk")
    ):
        profile = getattr(loan.member, "trader_profile", None)
        posts = sorted(profile.border_posts.values_list("id", flat=True)) if profile else []
        post = posts[0] if posts else None
        bucket = BUCKET_KEYS.index(bucket_of(loan.days_past_due))
        key = (
            loan.branch_id,
            loan.officer_id,
            loan.product_id,
            loan.currency,
            loan.member.sex,
            post,
            bucket,
            loan.restructured,
        )
        r = rows[key]
        r["loan_count"] += 1
        if (loan.member_id, loan.currency) not in seen:
            seen.add((loan.member_id, loan.currency))
            r["borrower_count"] += 1
        r["first_loan_count"] += 1
        r["principal_outstanding_minor"] += loan.principal_outstanding_minor
        r["overdue_minor"] += loan.overdue_minor
        for days, col in ((0, "par1_minor"), (30, "par30_minor"), (90, "par90_minor")):
            if loan.days_past_due > days or loan.restructured:
                r[col] += loan.principal_outstanding_minor
        people[(loan.member.branch_id, loan.member.sex, post)]["borrowers"] += 1
    for key, r in rows.items():
        branch_id, officer_id, product_id, cur, sex, post, bucket, restr = key
        PortfolioSnapshot.objects.create(
            business_date=on_date,
            branch_id=branch_id,
            officer_id=officer_id,
            product_id=product_id,
            currency=cur,
            sex=sex,
            border_post_id=post,
            bucket=bucket,
            restructured=restr,
            **r,
        )
    for (branch_id, sex, post), p in people.items():
        OutreachSnapshot.objects.create(
            business_date=on_date,
            branch_id=branch_id,
            sex=sex,
            border_post_id=post,
            members_active=p["borrowers"],
            borrowers=p["borrowers"],
            savers=0,
            clients_served=p["borrowers"],
        )


@pytest.fixture
def snapshot(portfolio):
    write_snapshot(SNAPSHOT_DATE)
    return SNAPSHOT_DATE


@pytest.fixture
def books(institution, staff, portfolio):
    """A small set of USD books (amounts in USD):

        E1 shares          Dr 5710 1,000.00   Cr 1000 1,000.00
        E2 deposits        Dr 5710 3,000.00   Cr 3300 3,000.00
        E3 loan Furaha     Dr 3200 2,000.00   Cr 5710 2,000.00
        E4 loan Neema      Dr 3200   500.00   Cr 5710   500.00
        E5 computers       Dr 2400   400.00   Cr 5710   400.00
        E6 income          Dr 5710   800.00   Cr 7000 600.00, 7020 100.00, 7010 50.00, 7100 50.00
        E7 expenses        Dr 6000 100.00, 6200 300.00, 6300 80.00   Cr 5710 480.00
        E8 provision       Dr 6800   150.00   Cr 3950   150.00
        E9 recovery        Dr 5710    30.00   Cr 7800    30.00

    Cash 1,450.00; assets 4,200.00 = shares 1,000 + deposits 3,000 + result 200.
    """
    from mupaka.ledger.services import LineSpec, chart_load, journal_post

    chart_load(actor=None, preset="drc")
    furaha = portfolio["members"]["Furaha"].pk
    neema = portfolio["members"]["Neema"].pk
    on = dt.date(2026, 6, 30)

    def post(lines, narrative):
        journal_post(
            actor=None,
            business_date=on,
            narrative=narrative,
            lines=lines,
            source_type="test.books",
            source_id=narrative,
            idempotency_key=f"books:{uuid.uuid4()}",
        )

    dr, cr = LineSpec.dr, LineSpec.cr
    post([dr("5710-USD", usd("1000")), cr("1000-USD", usd("1000"))], "E1")
    post([dr("5710-USD", usd("3000")), cr("3300-USD", usd("3000"))], "E2")
    post([dr("3200-USD", usd("2000"), member_id=furaha), cr("5710-USD", usd("2000"))], "E3")
    post([dr("3200-USD", usd("500"), member_id=neema), cr("5710-USD", usd("500"))], "E4")
    post([dr("2400-USD", usd("400")), cr("5710-USD", usd("400"))], "E5")
    post(
        [
            dr("5710-USD", usd("800")),
            cr("7000-USD", usd("600")),
            cr("7020-USD", usd("100")),
            cr("7010-USD", usd("50")),
            cr("7100-USD", usd("50")),
        ],
        "E6",
    )
    post(
        [
            dr("6000-USD", usd("100")),
            dr("6200-USD", usd("300")),
            dr("6300-USD", usd("80")),
            cr("5710-USD", usd("480")),
        ],
        "E7",
    )
    post([dr("6800-USD", usd("150")), cr("3950-USD", usd("150"))], "E8")
    post([dr("5710-USD", usd("30")), cr("7800-USD", usd("30"))], "E9")
    from mupaka.reports.services import prudential_norms_load

    prudential_norms_load(actor=None, preset="drc")
    return institution
