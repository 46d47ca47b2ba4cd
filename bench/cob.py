"""End of day over a 100,000-loan portfolio: one close of business, set-based.

    python bench/cob.py [--loans 100000] [--sample 2000] [--seed 2026] [--db PATH]

``--db PATH`` keeps a copy of the portfolio as built (before end of day) at PATH, or,
when PATH exists already, starts from a copy of it instead of building (to profile one
step again without waiting two minutes for the build).

Builds, in a temporary SQLite file (freshly migrated, WAL, settings as deployed):

* 3 branches, 12 loan officers, the DRC chart and provisioning bands, ~80,000 traders
  (85 % women, 70 % with border posts), 5 loan products (weekly and monthly USD, monthly
  CDF, one USD product on accrual accounting, one with a late penalty);
* ``--loans`` ACTIVE loans with realistic arrears (about 88 % current, a tail up to two
  years late, 2 % restructured), written straight into the loans tables from schedules
  the loans' own engine computed (one per distinct plan), with their instalments and
  repayments — and the ledger side loan by loan on ``loan_portfolio`` (a few entries per
  currency of 2,000 lines) so that ``mupaka verify`` stays meaningful.

Then runs ONE end of day (``cob_run`` for the business date: accrual, ageing, penalties,
savings steps, provisions, snapshot, date move) and prints the seconds, loans/s and the
time of each step; then, in the same run, a **per-loan baseline** on a sample of
``--sample`` loans: each loan fetched through the ORM with its schedule and transactions,
replayed by the loans engine, days past due and provision worked out, saved — one loan at
a time, as a close of business that walks loans does — extrapolated to the portfolio, and
the ratio. Finally ``mupaka verify``. Target: one end of day ≤ 10 s on a 2-core machine.
No assertion on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 10.0
BUSINESS_DATE = dt.date(2026, 11, 30)  # a Monday, a month end

# days-late bands and their share of the portfolio
ARREARS = [
    ((0, 0), 0.88),
    ((1, 30), 0.05),
    ((31, 60), 0.02),
    ((61, 90), 0.01),
    ((91, 180), 0.02),
    ((181, 360), 0.012),
    ((361, 720), 0.008),
]


def setup_django(from_db: str | None = None) -> str:
    var = tempfile.mkdtemp(prefix="mupaka-bench-cob-")
    if from_db:
        shutil.copyfile(from_db, f"{var}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mupaka.settings"
    os.environ["MUPAKA_VAR_DIR"] = var
    os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var


def _band(rng: random.Random) -> tuple[int, int]:
    x, acc = rng.random(), 0.0
    for band, share in ARREARS:
        acc += share
        if x < acc:
            return band
    return ARREARS[-1][0]


def build(n_loans: int, seed: int) -> dict:
    from django.db import connection, transaction

    from mupaka.cob.services import provision_bands_load
    from mupaka.cob.testing import LoanPlan, LoanRow, load_loans, product, template
    from mupaka.core.models import Branch, Institution, User
    from mupaka.ledger.services import chart_load
    from mupaka.loans import domain as d
    from mupaka.loans import engine
    from mupaka.members.models import BorderPost, Member, TraderProfile

    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        inst = Institution.objects.create(
            name="COOPEC Banc d'essai",
            country="CD",
            base_currency="USD",
            accepted_currencies=["USD", "CDF"],
            regulatory_preset="drc",
            business_date=BUSINESS_DATE,
            weekend_days=[7],
        )
        branches = [
            Branch.objects.create(institution=inst, code=c, name=n, country="CD")
            for c, n in (("BKV", "Bukavu"), ("RZZ", "Ruzizi I"), ("KML", "Kamanyola"))
        ]
        officers = []
        for i in range(12):
            u = User(username=f"officer{i}", role="officer", branch=branches[i % 3])
            u.set_unusable_password()
            u.save()
            officers.append(u)
        chart_load(actor=None, preset="drc")
        provision_bands_load(actor=None)
        products = [
            product("HEBDO-USD", frequency="weeks", every=1, default_rate="36"),
            product("MENS-USD", frequency="months", default_rate="30"),
            product("MENS-CDF", currency="CDF", frequency="months", default_rate="36"),
            product("ACCR-USD", frequency="months", accounting="accrual", default_rate="24"),
            product(
                "PENA-USD",
                frequency="weeks",
                every=2,
                default_rate="30",
                penalty="flat",
                penalty_flat_minor=200,
                penalty_tolerance_days=3,
            ),
        ]
        installments = {
            p.pk: (16 if p.frequency == "weeks" and p.every == 1 else 12) for p in products
        }
        posts = list(BorderPost.objects.values_list("id", flat=True))
        n_members = max(int(n_loans * 0.8), 1)
        Member.objects.bulk_create(
            [
                Member(
                    branch=branches[i % 3],
                    number=f"{branches[i % 3].code}-{i + 1:07d}",
                    sequence=i + 1,
                    first_name=f"Prénom{i}",
                    last_name="Commerçante",
                    search_name=f"prenom{i} commercante",
                    sex="F" if rng.random() < 0.85 else "M",
                    birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i % 7000),
                    registered_date=dt.date(2024, 1, 1),
                    status="active",
                )
                for i in range(n_members)
            ],
            batch_size=5000,
        )
        member_ids = list(Member.objects.order_by("id").values_list("id", "branch_id"))
        profiles = TraderProfile.objects.bulk_create(
            [TraderProfile(member_id=m) for m, _b in member_ids if rng.random() < 0.7],
            batch_size=5000,
        )
        through = TraderProfile.border_posts.through
        through.objects.bulk_create(
            [
                through(traderprofile_id=p.pk, borderpost_id=post)
                for p in profiles
                for post in rng.sample(posts, rng.choice((1, 1, 2)))
            ],
            batch_size=5000,
        )
    print(f"  members and products: {time.monotonic() - started:.1f} s", flush=True)

    # loans: one engine template per distinct plan
    started = time.monotonic()
    schedules: dict = {}
    templates: dict = {}
    principals = {"USD": (15_000, 40_000, 90_000), "CDF": (50_000_000, 150_000_000, 300_000_000)}

    def due_dates(prod, principal, disbursed):
        key = (prod.pk, principal, disbursed)
        if key not in schedules:
            terms = engine.build_terms(
                prod,
                principal=engine.major(principal, prod.currency),
                annual_rate=engine.dec(prod.default_rate),
                installments=installments[prod.pk],
                disbursement_date=disbursed,
            )
            schedules[key] = [i.due_date for i in d.generate_schedule(terms).installments]
        return schedules[key]

    rows = []
    tries = 0
    while len(rows) < n_loans:
        tries += 1
        prod = rng.choice(products)
        principal = rng.choice(principals[prod.currency])
        lo, hi = _band(rng)
        back = 7 * rng.randint(1, 110 if hi > 360 else 60)
        disbursed = BUSINESS_DATE - dt.timedelta(days=back)
        dues = due_dates(prod, principal, disbursed)
        due_count = sum(1 for x in dues if x < BUSINESS_DATE)
        if lo == 0:
            paid = due_count
            if paid >= len(dues):
                continue  # repaid: not an active loan
        else:
            fits = [p for p in range(due_count) if lo <= (BUSINESS_DATE - dues[p]).days <= hi]
            if not fits:
                continue
            paid = max(fits)
        restructured = lo > 0 and rng.random() < 0.15
        key = (prod.pk, principal, disbursed, paid, restructured)
        if key not in templates:
            templates[key] = template(
                LoanPlan(
                    product=prod,
                    principal_minor=principal,
                    installments=installments[prod.pk],
                    disbursed_on=disbursed,
                    paid_installments=paid,
                    restructured=restructured,
                ),
                as_of=BUSINESS_DATE,
            )
        member_id, branch_id = (
            member_ids[len(rows)] if len(rows) < len(member_ids) else rng.choice(member_ids)
        )
        rows.append(
            LoanRow(
                templates[key],
                member_id=member_id,
                branch_id=branch_id,
                officer_id=officers[rng.randrange(12)].pk,
                # yesterday's caches: end of day must age them
                extra={"days_past_due": 0, "overdue_minor": 0, "state_as_of": None},
            )
        )
    print(
        f"  {len(templates):,} loan templates from the engine: {time.monotonic() - started:.1f} s",
        flush=True,
    )
    started = time.monotonic()
    load_loans(rows=rows, filed_by=officers[0], as_of=BUSINESS_DATE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {n_loans:,} loans written and posted: {time.monotonic() - started:.1f} s", flush=True)
    return {"products": products}


def run_cob() -> tuple[float, list]:
    from mupaka.cob.models import CobStep
    from mupaka.cob.services import cob_run

    started = time.monotonic()
    run = cob_run(actor=None, on_date=BUSINESS_DATE)
    elapsed = time.monotonic() - started
    steps = [
        (s.name, (s.finished_at - s.started_at).total_seconds(), s.result)
        for s in CobStep.objects.filter(run=run).order_by("seq")
    ]
    return elapsed, steps


def baseline(sample: int, seed: int) -> float:
    """One loan at a time through the ORM: fetch it, its schedule and transactions, replay,
    days past due, band and provision, save. Rolled back (the sample is measured, not kept)."""
    from django.db import transaction

    from mupaka.cob.domain.bands import band_for, provision_minor
    from mupaka.cob.selectors import bands_as_rules
    from mupaka.loans import engine
    from mupaka.loans.models import Loan, LoanStatus

    ids = list(Loan.objects.filter(status=LoanStatus.ACTIVE).values_list("id", flat=True))
    random.Random(seed).shuffle(ids)
    ids = ids[:sample]
    started = time.monotonic()
    with transaction.atomic():
        bands = bands_as_rules()
        totals: dict[str, int] = {}
        for pk in ids:
            loan = Loan.objects.select_related("product", "member").get(pk=pk)
            view = engine.replay_loan(loan)
            caches = engine.caches_of(view, on_date=BUSINESS_DATE)
            loan.days_past_due = caches.days_past_due
            loan.overdue_minor = caches.overdue
            loan.state_as_of = BUSINESS_DATE
            band = band_for(bands, days=loan.days_past_due, restructured=loan.restructured)
            totals[loan.currency] = totals.get(loan.currency, 0) + provision_minor(
                loan.principal_outstanding_minor, band.rate_ppm
            )
            loan.save(update_fields=["days_past_due", "overdue_minor", "state_as_of"])
        elapsed = time.monotonic() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=None, help="keep (or reuse) the built portfolio here")
    args = parser.parse_args()

    reuse = bool(args.db and os.path.exists(args.db))
    if reuse:
        print(f"Starting from the portfolio kept in {args.db}…", flush=True)
        var = setup_django(args.db)
    else:
        print(f"Building {args.loans:,} active loans in a temporary SQLite database…", flush=True)
        var = setup_django()
        build(args.loans, args.seed)
        if args.db:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(f"{var}/bench.sqlite3", args.db)

    from mupaka.loans.models import Loan

    active = Loan.objects.filter(status="active").count()
    print(f"\nOne end of day for {BUSINESS_DATE.isoformat()} over {active:,} active loans:")
    elapsed, steps = run_cob()
    for name, seconds, result in steps:
        detail = {
            k: v
            for k, v in result.items()
            if k in ("late_loans", "penalties", "portfolio_rows", "loans", "entries")
        }
        print(f"  {name:<24} {seconds:6.2f} s  {detail if detail else ''}")
    rate = active / elapsed
    print(
        f"  TOTAL                    {elapsed:6.2f} s  → {rate:,.0f} loans/s (target ≤ {TARGET_SECONDS:.0f} s)"
    )

    sample = min(args.sample, active)
    per_loan = baseline(sample, args.seed)
    extrapolated = per_loan / sample * active
    print(
        f"\nBaseline, one loan at a time through the ORM (fetch, replay, age, provision, save) "
        f"on {sample:,} loans: {per_loan:.2f} s = {per_loan / sample * 1000:.1f} ms/loan "
        f"→ {extrapolated:,.0f} s for {active:,} loans."
    )
    print(
        f"Set-based end of day is {extrapolated / elapsed:,.0f}× faster than the per-loan baseline."
    )

    from mupaka.ledger.verify import run_checks

    started = time.monotonic()
    failed = [r for r in run_checks() if not r.ok]
    print(
        f"\nmupaka verify: {'green' if not failed else 'FAILED ' + str([(r.name, r.problems[:2]) for r in failed])}"
        f" ({time.monotonic() - started:.1f} s). Database: {var}/bench.sqlite3"
    )


if __name__ == "__main__":
    main()
