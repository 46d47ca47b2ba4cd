"""Reports over a 100,000-loan portfolio: each must render in at most 1 s from the snapshots.

    python bench/reports.py [--loans 100000] [--runs 5]

Builds, in a temporary SQLite file (freshly migrated, WAL):

* 3 branches, 12 loan officers, 3 products, 40,000 women and men traders with border posts;
* 100,000 active loans with realistic arrears (about 80 % current, a tail up to two years
  late, 2 % restructured) — the live rows the arrears list reads;
* the end-of-day snapshot rows those loans give (``cob.PortfolioSnapshot`` and
  ``cob.OutreachSnapshot``, aggregated in SQL as cob/API.md documents them) for the last
  closed date and for the eleven month ends before it (for the trends);
* the chart of accounts and a few postings (statements, indicators, prudential ratios).

Then times each report page through Django's test client (HTML, as a manager who sees all
branches: selector + tables + template), median of ``--runs`` runs after one warm-up, and,
in the same run, a **baseline**: the same PAR computed by scanning the live loan rows
through the ORM one object at a time (what a report without snapshots would do). Prints
the figures, the target (1 s) and the ratio baseline / snapshot. No assertion on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 1.0
BUSINESS_DATE = dt.date(2026, 11, 30)  # a Monday
CLOSED_DATE = dt.date(2026, 11, 28)  # the last close (Saturday)


def setup_django() -> None:
    var = tempfile.mkdtemp(prefix="mupaka-bench-reports-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mupaka.settings"
    os.environ["MUPAKA_VAR_DIR"] = var
    os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    # plain static storage (no collectstatic manifest in a temporary deployment)
    os.environ["MUPAKA_TESTING"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def days_late(rng: random.Random) -> int:
    x = rng.random()
    if x < 0.80:
        return 0
    if x < 0.88:
        return rng.randint(1, 30)
    if x < 0.92:
        return rng.randint(31, 60)
    if x < 0.94:
        return rng.randint(61, 90)
    if x < 0.97:
        return rng.randint(91, 180)
    if x < 0.99:
        return rng.randint(181, 360)
    return rng.randint(361, 720)


def build(n_loans: int) -> dict:
    from django.db import connection, transaction

    from mupaka.core.models import Branch, Institution, User
    from mupaka.ledger.services import chart_load
    from mupaka.loans.models import Loan, LoanProduct
    from mupaka.members.models import BorderPost, Member, TraderProfile
    from mupaka.reports.services import prudential_norms_load

    rng = random.Random(2026)
    inst = Institution.objects.create(
        name="COOPEC Bench",
        country="CD",
        base_currency="USD",
        accepted_currencies=["USD", "CDF"],
        regulatory_preset="drc",
        business_date=BUSINESS_DATE,
        weekend_days=[7],
    )
    branches = [
        Branch.objects.create(institution=inst, code=c, name=n, country="CD")
        for c, n in (("BKV", "Bukavu"), ("GOM", "Goma"), ("UVI", "Uvira"))
    ]
    manager = User.objects.create(
        username="directrice", role="manager", branch=branches[0], all_branches=True
    )
    officers = [
        User.objects.create(username=f"agent{i}", role="officer", branch=branches[i % 3])
        for i in range(12)
    ]
    products = [
        LoanProduct.objects.create(
            code=code,
            name=code,
            currency=cur,
            min_principal_minor=1_000,
            max_principal_minor=10**9,
            min_installments=1,
            max_installments=24,
            default_installments=6,
            frequency="months",
            interest_method="declining",
            min_rate="20",
            max_rate="40",
            default_rate="30",
        )
        for code, cur in (("TRADER-USD", "USD"), ("GROUP-USD", "USD"), ("TRADER-CDF", "CDF"))
    ]
    posts = list(BorderPost.objects.values_list("id", flat=True))
    n_members = max(n_loans * 2 // 5, 10)
    with transaction.atomic():
        Member.objects.bulk_create(
            [
                Member(
                    branch=branches[i % 3],
                    number=f"{branches[i % 3].code}-{i:07d}",
                    sequence=i,
                    first_name=f"Trader{i}",
                    last_name="Bench",
                    search_name=f"trader{i} bench",
                    sex="F" if rng.random() < 0.85 else "M",
                    birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i % 7000),
                    phone=f"+24397{i:07d}",
                    status="active",
                    registered_date=dt.date(2025, 1, 1),
                )
                for i in range(n_members)
            ],
            batch_size=5_000,
        )
        member_ids = list(Member.objects.values_list("id", "branch_id", "sex"))
        TraderProfile.objects.bulk_create(
            [TraderProfile(member_id=m) for m, _b, _s in member_ids], batch_size=5_000
        )
        through = TraderProfile.border_posts.through
        profiles = list(TraderProfile.objects.values_list("id", flat=True))
        through.objects.bulk_create(
            [
                through(traderprofile_id=p, borderpost_id=posts[rng.randrange(len(posts))])
                for p in profiles
                if rng.random() < 0.9
            ],
            batch_size=5_000,
        )
        loans = []
        for i in range(n_loans):
            member_id, branch_id, _sex = member_ids[i % len(member_ids)]
            product = products[0 if i % 10 < 6 else (1 if i % 10 < 8 else 2)]
            scale = 100 if product.currency == "USD" else 250_000
            principal = rng.randint(50, 2_000) * scale
            dpd = days_late(rng)
            outstanding = principal * rng.randint(10, 100) // 100
            loans.append(
                Loan(
                    branch_id=branch_id,
                    member_id=member_id,
                    product=product,
                    officer=officers[(branch_id + 3 * (i % 4)) % 12],
                    filed_by=officers[0],
                    status="active",
                    currency=product.currency,
                    requested_principal_minor=principal,
                    approved_principal_minor=principal,
                    annual_rate="30",
                    installments=6,
                    expected_disbursement_date=dt.date(2026, 1, 1),
                    disbursed_on=dt.date(2025, 12, 1) + dt.timedelta(days=i % 360),
                    purpose="stock",
                    principal_outstanding_minor=outstanding,
                    overdue_minor=0
                    if dpd == 0
                    else min(outstanding, principal // 6 * (1 + dpd // 30)),
                    days_past_due=dpd,
                    restructured=rng.random() < 0.02,
                    state_as_of=BUSINESS_DATE,
                )
            )
        for loan in loans:
            loan.reschedule_count = 1 if loan.restructured else 0
        Loan.objects.bulk_create(loans, batch_size=5_000)
    month_ends = []
    d = CLOSED_DATE
    for _ in range(11):
        d = d.replace(day=1) - dt.timedelta(days=1)
        month_ends.append(d)
    started = time.perf_counter()
    for k, day in enumerate([CLOSED_DATE, *month_ends]):
        snapshot_in_sql(day, scale_percent=100 - 3 * k)
    snapshot_seconds = time.perf_counter() - started
    chart_load(actor=None, preset="drc")
    prudential_norms_load(actor=None, preset="drc")
    post_books(inst)
    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*) FROM cob_portfoliosnapshot WHERE business_date = %s", [CLOSED_DATE]
        )
        snap_rows = c.fetchone()[0]
    return {
        "manager": manager,
        "members": n_members,
        "snapshot_rows": snap_rows,
        "snapshot_seconds": snapshot_seconds,
    }


BUCKET_SQL = (
    "CASE WHEN l.days_past_due <= 0 THEN 0 WHEN l.days_past_due <= 30 THEN 1 "
    "WHEN l.days_past_due <= 60 THEN 2 WHEN l.days_past_due <= 90 THEN 3 "
    "WHEN l.days_past_due <= 180 THEN 4 WHEN l.days_past_due <= 360 THEN 5 ELSE 6 END"
)


def snapshot_in_sql(day: dt.date, scale_percent: int) -> None:
    """The rows cob's snapshot step leaves (cob/API.md), built with one INSERT ... SELECT;
    older month ends get a smaller portfolio (``scale_percent``) so the trends move."""
    from django.db import connection

    post = (
        "(SELECT MIN(t.borderpost_id) FROM members_traderprofile_border_posts t "
        "JOIN members_traderprofile p ON p.id = t.traderprofile_id WHERE p.member_id = l.member_id)"
    )
    first = (
        "(SELECT MIN(l2.id) FROM loans_loan l2 WHERE l2.member_id = l.member_id "
        "AND l2.currency = l.currency AND l2.status = 'active')"
    )
    sql = f"""
    INSERT INTO cob_portfoliosnapshot (business_date, branch_id, officer_id, product_id, currency,
      sex, border_post_id, bucket, restructured, loan_count, borrower_count, first_loan_count,
      principal_outstanding_minor, interest_outstanding_minor, principal_overdue_minor,
      interest_overdue_minor, overdue_minor, par1_minor, par30_minor, par90_minor,
      provision_minor, disbursed_count, disbursed_minor, disbursed_mtd_count, disbursed_mtd_minor)
    SELECT %s, l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, {post} AS post,
      {BUCKET_SQL} AS bucket, l.restructured, COUNT(*),
      SUM(CASE WHEN l.id = {first} THEN 1 ELSE 0 END),
      SUM(CASE WHEN l.id %% 3 = 0 THEN 1 ELSE 0 END),
      SUM(l.principal_outstanding_minor) * %s / 100, 0, 0, 0, SUM(l.overdue_minor) * %s / 100,
      SUM(CASE WHEN l.days_past_due > 0 OR l.restructured THEN l.principal_outstanding_minor ELSE 0 END) * %s / 100,
      SUM(CASE WHEN l.days_past_due > 30 OR l.restructured THEN l.principal_outstanding_minor ELSE 0 END) * %s / 100,
      SUM(CASE WHEN l.days_past_due > 90 OR l.restructured THEN l.principal_outstanding_minor ELSE 0 END) * %s / 100,
      0, 0, 0, COUNT(*) / 20, SUM(l.requested_principal_minor) / 20
    FROM loans_loan l JOIN members_member m ON m.id = l.member_id
    WHERE l.status = 'active'
    GROUP BY l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, post, bucket, l.restructured
    """
    outreach = """
    INSERT INTO cob_outreachsnapshot (business_date, branch_id, sex, border_post_id,
      members_active, borrowers, savers, clients_served)
    SELECT %s, m.branch_id, m.sex, (SELECT MIN(t.borderpost_id) FROM members_traderprofile_border_posts t
      JOIN members_traderprofile p ON p.id = t.traderprofile_id WHERE p.member_id = m.id) AS post,
      COUNT(*), COUNT(*) * %s / 100, 0, COUNT(*) * %s / 100
    FROM members_member m WHERE EXISTS (SELECT 1 FROM loans_loan l WHERE l.member_id = m.id)
    GROUP BY m.branch_id, m.sex, post
    """
    p = scale_percent
    with connection.cursor() as c:
        c.execute(sql, [day, p, p, p, p, p])
        c.execute(outreach, [day, p, p])


def post_books(inst) -> None:
    import uuid

    from mupaka.core.money import Money
    from mupaka.ledger.services import LineSpec, journal_post

    def usd(a: str) -> Money:
        return Money.of(a, "USD")

    entries = [
        [LineSpec.dr("5710-USD", usd("500000")), LineSpec.cr("1000-USD", usd("500000"))],
        [LineSpec.dr("5710-USD", usd("3000000")), LineSpec.cr("3300-USD", usd("3000000"))],
        [
            LineSpec.dr("3200-USD", usd("2500000"), member_id=1),
            LineSpec.cr("5710-USD", usd("2500000")),
        ],
        [LineSpec.dr("5710-USD", usd("400000")), LineSpec.cr("7000-USD", usd("400000"))],
        [LineSpec.dr("6200-USD", usd("150000")), LineSpec.cr("5710-USD", usd("150000"))],
        [LineSpec.dr("6800-USD", usd("60000")), LineSpec.cr("3950-USD", usd("60000"))],
    ]
    for lines in entries:
        journal_post(
            actor=None,
            business_date=dt.date(2026, 6, 30),
            narrative="bench",
            lines=lines,
            source_type="bench",
            source_id="1",
            idempotency_key=f"bench:{uuid.uuid4()}",
        )


def timed(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline_par(currency: str = "USD"):
    """PAR from the live loan rows, one ORM object at a time (no snapshot, no GROUP BY)."""
    from mupaka.loans.models import Loan
    from mupaka.reports.domain.par import LoanPosition, portfolio_quality, totals_from_positions

    positions = (
        LoanPosition(
            loan.principal_outstanding_minor,
            loan.days_past_due,
            loan.restructured,
            loan.overdue_minor,
        )
        for loan in Loan.objects.filter(status="active", currency=currency).iterator(
            chunk_size=2_000
        )
    )
    return portfolio_quality(totals_from_positions(positions))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from mupaka.reports import selectors

    started = time.perf_counter()
    built = build(args.loans)
    print(
        f"built {args.loans:,} loans, {built['members']:,} members, "
        f"{built['snapshot_rows']:,} snapshot rows a date (12 dates, {built['snapshot_seconds']:.1f} s "
        f"in SQL) in {time.perf_counter() - started:.1f} s"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(built["manager"])
    closed = CLOSED_DATE.isoformat()
    pages = [
        ("PAR & ageing (snapshot)", f"/reports/portfolio/?date={closed}"),
        ("PAR by branch (snapshot)", f"/reports/portfolio/?date={closed}&by=branch"),
        ("loans by officer (snapshot)", f"/reports/officers/?date={closed}"),
        ("PAR by border post (snapshot)", f"/reports/portfolio/?date={closed}&by=border_post"),
        ("PAR, women, USD (snapshot)", f"/reports/portfolio/?date={closed}&sex=F&currency=USD"),
        ("PAR & ageing (live, business date)", "/reports/portfolio/"),
        ("arrears list (live, first 500)", "/reports/arrears/"),
        ("indicators, 1/1 to last close", f"/reports/indicators/?to={closed}"),
        ("outreach (snapshot)", f"/reports/outreach/?date={closed}"),
        ("financial statements", f"/reports/statements/?date={closed}&currency=USD"),
        ("BCC monthly pack", "/reports/monthly-pack/?date=2026-10-31&currency=USD"),
        ("dashboard (12 months)", "/reports/dashboard/"),
        ("PAR by branch, XLSX", f"/reports/portfolio/?date={closed}&by=branch&format=xlsx"),
    ]
    print(
        f"\nmedian of {args.runs} runs, HTML through the test client (target ≤ {TARGET_SECONDS:.1f} s)"
    )
    worst = 0.0
    for label, url in pages:
        seconds, response = timed(lambda url=url: client.get(url), args.runs)
        assert response.status_code == 200, (url, response.status_code)
        worst = max(worst, seconds)
        flag = "ok" if seconds <= TARGET_SECONDS else "SLOW"
        print(f"  {label:40s} {seconds * 1000:8.1f} ms  {flag}")

    snap_seconds, report = timed(
        lambda: selectors.portfolio_report(
            user=built["manager"], on_date=CLOSED_DATE, filters=selectors.Filters(currency="USD")
        ),
        args.runs,
    )
    base_seconds, base = timed(lambda: baseline_par("USD"), max(1, args.runs // 2))
    q = report.currencies[0].quality
    live = (
        selectors.portfolio_report(
            user=built["manager"], on_date=BUSINESS_DATE, filters=selectors.Filters(currency="USD")
        )
        .currencies[0]
        .quality
    )
    from django.db.models import Sum

    from mupaka.cob.models import PortfolioSnapshot

    cob_par30 = PortfolioSnapshot.objects.filter(
        business_date=CLOSED_DATE, currency="USD"
    ).aggregate(s=Sum("par30_minor"))["s"]
    print("\nPAR of the USD portfolio, same figures three ways:")
    print(f"  GLP {q.gross_loan_portfolio_minor / 100:,.2f} USD, {q.loans:,} loans")
    for days in (1, 30, 90):
        p = q.par[days]
        print(f"  PAR{days:<3d} {p.amount_minor / 100:>16,.2f} USD  {p.ratio * 100:6.2f} %")
    same = (
        q.par[30].amount_minor
        == base.par[30].amount_minor
        == live.par[30].amount_minor
        == cob_par30
        and q.buckets == base.buckets
    )
    print(f"  snapshot = ORM scan = live GROUP BY = cob's par30 column: {'yes' if same else 'NO'}")
    print(
        f"\nPAR selector from the snapshot: {snap_seconds * 1000:.1f} ms; baseline (ORM scan of "
        f"{base.loans:,} live loan rows): {base_seconds * 1000:.1f} ms; "
        f"ratio {base_seconds / snap_seconds:.0f}x"
    )
    print(f"slowest page: {worst * 1000:.0f} ms (target {TARGET_SECONDS * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
