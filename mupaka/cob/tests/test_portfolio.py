"""A hand-made portfolio with known arrears: every bucket, PAR figure and provision to the
cent, the provision entries (growing, then shrinking), and `verify` green after each day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from mupaka.cob.models import CobRun, PortfolioSnapshot, RunStatus
from mupaka.cob.services import BandData, cob_run, provision_bands_replace
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.models import Institution
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import role_balance

MONDAY = dt.date(2026, 11, 2)

EXPECTED_DPD = {
    "L0": 0, "L1": 1, "L2": 30, "L3": 31, "L4": 60, "L5": 61, "L6": 90, "L7": 91,
    "L8": 180, "L9": 181, "L10": 360, "L11": 361, "R1": 0, "R2": 45, "C1": 10,
}  # fmt: skip


def _by(field: str, **filters) -> dict:
    rows = (
        PortfolioSnapshot.objects.filter(**filters)
        .values(field)
        .annotate(
            n=Sum("loan_count"),
            p=Sum("principal_outstanding_minor"),
            prov=Sum("provision_minor"),
        )
    )
    return {r[field]: (r["n"], r["p"], r["prov"]) for r in rows}


def _totals(**filters) -> dict:
    return PortfolioSnapshot.objects.filter(**filters).aggregate(
        glp=Sum("principal_outstanding_minor"),
        par1=Sum("par1_minor"),
        par30=Sum("par30_minor"),
        par90=Sum("par90_minor"),
        prov=Sum("provision_minor"),
        loans=Sum("loan_count"),
        borrowers=Sum("borrower_count"),
    )


def test_first_day_ages_buckets_par_and_provisions_to_the_cent(hand_made, staff):
    assert Institution.objects.get().business_date == MONDAY
    run = cob_run(actor=staff["manager"], on_date=MONDAY)

    assert run.status == RunStatus.DONE and run.next_date == dt.date(2026, 11, 3)
    for name, loan in hand_made.items():
        loan.refresh_from_db()
        assert loan.days_past_due == EXPECTED_DPD[name], name
        assert loan.state_as_of == MONDAY
    # ageing buckets, USD: (loans, principal, provision) in cents
    assert _by("bucket", business_date=MONDAY, currency="USD") == {
        0: (2, 150_000, 5_000),  # L0 0 %, R1 restructured 10 %
        1: (2, 53_333, 2_667),  # L1 33,333 × 5 % = 1,666.65 → 1,667 (half up); L2 1,000
        2: (3, 55_050, 21_263),  # L3 15,050 × 25 % = 3,762.5 → 3,763; L4 2,500; R2 × 50 % 15,000
        3: (2, 34_999, 17_500),  # L5 12,500; L6 9,999 × 50 % = 4,999.5 → 5,000
        4: (2, 52_000, 39_000),  # L7 30,000; L8 9,000
        5: (2, 14_000, 14_000),  # L9, L10 at 100 %
        6: (1, 5_000, 5_000),  # L11
    }
    usd = _totals(business_date=MONDAY, currency="USD")
    assert usd == {
        "glp": 364_382,
        "par1": 264_382,  # all but L0 (R1 is restructured: at risk whatever its days)
        "par30": 211_049,  # more than 30 days, plus R1
        "par90": 151_000,  # L7..L11 + R1 + R2
        "prov": 104_430,
        "loans": 14,
        "borrowers": 14,
    }
    cdf = _totals(business_date=MONDAY, currency="CDF")
    assert (cdf["glp"], cdf["par1"], cdf["par30"], cdf["prov"]) == (
        10_000_000,
        10_000_000,
        0,
        500_000,
    )
    # restructured rows and sex
    assert _by("restructured", business_date=MONDAY, currency="USD")[True] == (2, 80_000, 20_000)
    assert _by("sex", business_date=MONDAY, currency="USD")["M"] == (1, 25_000, 12_500)
    # the ledger holds exactly the provisions, posted as one entry per currency
    assert -role_balance("loan_loss_provision", "USD").net_minor == 104_430
    assert role_balance("provision_expense", "USD").net_minor == 104_430
    assert -role_balance("loan_loss_provision", "CDF").net_minor == 500_000
    entries = JournalEntry.objects.filter(source_type="cob.provision")
    assert sorted(e.idempotency_key for e in entries) == [
        "cob:2026-11-02:loan_provisions:CDF",
        "cob:2026-11-02:loan_provisions:USD",
    ]
    assert verify_problems() == {}


def test_next_day_posts_the_difference_and_a_lower_table_releases_provisions(hand_made, staff):
    cob_run(actor=None, on_date=MONDAY)
    tuesday = dt.date(2026, 11, 3)
    cob_run(actor=None, on_date=tuesday)

    # one day later: L0 1 day (5 %), L2 31 (25 %), L4 61 (50 %), L6 91 (75 %: 7,499.25 →
    # 7,499), L8 181 (100 %), R1 1 day restructured (25 %); the others stay in their band
    usd = _totals(business_date=tuesday, currency="USD")
    assert usd["prov"] == 128_929
    assert usd["par1"] == 364_382
    entry = JournalEntry.objects.get(idempotency_key="cob:2026-11-03:loan_provisions:USD")
    lines = {(ln.account.base_number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    assert lines == {("6800", 24_499, 0), ("3950", 0, 24_499)}
    assert verify_problems() == {}

    # the accountant halves every rate: the next end of day releases the difference
    bands = [
        BandData(
            restructured=b.restructured,
            min_days=b.min_days,
            max_days=b.max_days,
            rate=str(b.rate_ppm / 20_000),
            category=b.category,
        )
        for b in __import__("mupaka.cob.selectors", fromlist=["x"]).band_list()
    ]
    provision_bands_replace(actor=staff["accountant"], bands=bands)
    wednesday = dt.date(2026, 11, 4)
    cob_run(actor=None, on_date=wednesday)
    wed = _totals(business_date=wednesday, currency="USD")
    entry = JournalEntry.objects.get(idempotency_key="cob:2026-11-04:loan_provisions:USD")
    released = 128_929 - wed["prov"]
    assert released > 0
    lines = {(ln.account.base_number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    assert lines == {("3950", released, 0), ("6800", 0, released)}
    assert -role_balance("loan_loss_provision", "USD").net_minor == wed["prov"]
    assert CobRun.objects.filter(status=RunStatus.DONE).count() == 3
    assert verify_problems() == {}
