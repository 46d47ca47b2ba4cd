"""Demo savings: products, KYC limits and a year of savings history before the demo date.

``build(ctx)`` makes:

- the products (voluntary savings in USD, CDF, RWF and BIF, guarantee savings in USD
  and CDF, two USD term deposits) and the KYC tier-0 limits, through the services;
- savings accounts for the active members (USD for most, CDF for many, RWF for the
  Rwandan traders), opened through the services on their own business date over the
  last year;
- a year of deposits and withdrawals, **in bulk**: one journal entry per day and
  currency through ``post_batch`` (the members' money received and paid through the
  institution's bank / mobile-money account: the tellers' tills only exist for the last
  days, see the tellers demo), each member's movement a savings transaction linked to
  that entry; end of day run for every day (interest counted, posted at month end,
  dormancy flagged, term deposits matured); a few term deposits opened through the
  service; some members stop saving and their accounts become dormant;
- the scenario 3 RWF account (for the RWF 12,000 deposit) of Zawadi (Umoja Ruzizi).

Furaha (scenario 1) is left **pending**: she pays her entry fee and shares at the counter
(see the shares demo). The business date is set back to the demo date at the end, with
end of day done through the day before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from mupaka.core.demo import DemoContext
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.ledger.services import LineSpec
from mupaka.members.models import Member, MemberStatus
from mupaka.savings.gl import gl_account
from mupaka.savings.models import (
    AccountStatus,
    Channel,
    ProductKind,
    SavingsAccount,
    SavingsProduct,
    TxnKind,
)
from mupaka.savings.services import (
    ProductData,
    kyc_limit_set,
    savings_dormancy_flag,
    savings_interest_accrue,
    savings_interest_post,
    savings_maintenance_fees_charge,
    savings_product_create,
    term_deposit_open,
    term_deposits_mature,
)
from mupaka.savings.services.accounts import account_create
from mupaka.savings.services.eod import Move, _load, post_batch

HISTORY_DAYS = 365
MAX_HISTORY_ACCOUNTS = 600  # the rest open late with one deposit (keeps big demos fast)

PRODUCTS = [
    dict(
        code="EV-USD",
        name="Épargne à vue USD",
        kind="voluntary",
        currency="USD",
        interest_rate="3",
        min_balance_for_interest="10",
        min_balance="5",
        withdrawal_fee="0.25",
        dormancy_days=180,
    ),
    dict(
        code="EV-CDF",
        name="Épargne à vue CDF",
        kind="voluntary",
        currency="CDF",
        interest_rate="4",
        min_balance_for_interest="20000",
        min_balance="5000",
        withdrawal_fee="500",
        dormancy_days=180,
        interest_rounding="down",
    ),
    dict(
        code="EV-RWF",
        name="Épargne à vue RWF",
        kind="voluntary",
        currency="RWF",
        interest_rate="2",
        interest_method="average_daily_balance",
        posting_frequency="quarterly",
        min_balance_for_interest="5000",
        dormancy_days=180,
    ),
    dict(
        code="EV-BIF",
        name="Épargne à vue BIF",
        kind="voluntary",
        currency="BIF",
        dormancy_days=365,
        maintenance_fee="200",
    ),
    dict(
        code="EGAR-USD",
        name="Épargne de garantie des crédits (USD)",
        kind="guarantee",
        currency="USD",
    ),
    dict(
        code="EGAR-CDF",
        name="Épargne de garantie des crédits (CDF)",
        kind="guarantee",
        currency="CDF",
    ),
    dict(
        code="DAT-USD-6",
        name="Dépôt à terme 6 mois (USD)",
        kind="term",
        currency="USD",
        interest_rate="7",
        term_months=6,
        posting_frequency="at_maturity",
        early_break_penalty="2",
        withholding_tax="5",
    ),
    dict(
        code="DAT-USD-12",
        name="Dépôt à terme 12 mois (USD)",
        kind="term",
        currency="USD",
        interest_rate="9",
        term_months=12,
        posting_frequency="at_maturity",
        early_break_penalty="3",
        withholding_tax="5",
    ),
]
TIER0 = {
    "USD": ("200", "50"),
    "CDF": ("500000", "150000"),
    "RWF": ("250000", "75000"),
    "BIF": ("500000", "150000"),
}
# typical deposit (major units) and its spread, per currency
SIZE = {"USD": (15, 60), "CDF": (20000, 90000), "RWF": (5000, 30000), "BIF": (10000, 60000)}


def _set_date(ctx: DemoContext, day: dt.date) -> None:
    Institution.objects.filter(pk=ctx.institution.pk).update(business_date=day)
    ctx.institution.business_date = day


def _products(manager) -> dict[str, SavingsProduct]:
    out = {}
    for spec in PRODUCTS:
        existing = SavingsProduct.objects.filter(kind=spec["kind"], currency=spec["currency"])
        if spec["kind"] != "term" and existing.exists():
            out[spec["code"]] = existing.order_by("id").first()
            continue
        out[spec["code"]] = savings_product_create(actor=manager, data=ProductData(**spec))
    return out


def _tier(member: Member) -> int:
    return 0 if member.id_type == "none" or not member.id_number else 1


def _plan_accounts(ctx: DemoContext, products, first_day: dt.date, today: dt.date):
    """(member, product, opening day, sleeper?) for the active members."""
    rng = ctx.rng
    furaha = {ctx.extra[k].pk for k in ("furaha", "furaha_sister") if ctx.extra.get(k)}
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE).exclude(pk__in=furaha).order_by("pk")
    )
    plans = []
    span = (today - first_day).days - 20
    for i, member in enumerate(members):
        rwandan = member.phone.startswith("+250")
        burundian = member.phone.startswith("+257")
        wanted = []
        if rng.random() < 0.85:
            wanted.append("EV-USD")
        if not (rwandan or burundian) and rng.random() < 0.6:
            wanted.append("EV-CDF")
        if rwandan and rng.random() < 0.7:
            wanted.append("EV-RWF")
        if burundian and rng.random() < 0.7:
            wanted.append("EV-BIF")
        history = i < MAX_HISTORY_ACCOUNTS
        for code in wanted:
            opened = (
                first_day + dt.timedelta(days=rng.randint(0, span))
                if history
                else today - dt.timedelta(days=rng.randint(1, 20))
            )
            plans.append((member, products[code], opened, history and rng.random() < 0.06))
    return plans


def build(ctx: DemoContext) -> None:
    users = ctx.users
    manager, teller = users["manager"], users["teller"]
    today = ctx.institution.business_date
    first_day = today - dt.timedelta(days=HISTORY_DAYS)
    products = _products(manager)
    for cur, (balance, day) in TIER0.items():
        if cur in (ctx.institution.accepted_currencies or []):
            kyc_limit_set(
                actor=manager, tier=0, currency=cur, max_balance=balance, max_withdrawal_per_day=day
            )
    plans = _plan_accounts(ctx, products, first_day, today)
    by_day: dict[dt.date, list] = defaultdict(list)
    for plan in plans:
        by_day[plan[2]].append(plan)
    rng = ctx.rng
    live: dict[int, dict] = {}  # account id → {cur, member, tier, sleeper, last}
    accounts: dict = {}
    deposits = withdrawals = terms = 0
    term_candidates: list[int] = []
    try:
        day = first_day
        while day < today:
            _set_date(ctx, day)
            for member, product, _opened, sleeper in by_day.get(day, []):
                acct = account_create(
                    actor=users["officer"], member=member, product=product, on_date=day
                )
                live[acct.pk] = {
                    "cur": product.currency,
                    "member": member.pk,
                    "tier": _tier(member),
                    "sleeper": sleeper,
                    "opened": day,
                    "gl": acct.gl_account_id,
                }
                accounts.update(_load([acct.pk]))
            moves_by_cur: dict[str, list[Move]] = defaultdict(list)
            for acct_id, info in live.items():
                acct = accounts[acct_id]
                age = (day - info["opened"]).days
                if info["sleeper"] and age > 60:
                    continue
                lo, hi = SIZE[info["cur"]]
                first = age == 0
                if first or rng.random() < 0.07:
                    amount = Money.of(rng.randint(lo, hi) * (3 if first else 1), info["cur"]).minor
                    if info["tier"] == 0:
                        cap = Money.of(TIER0[info["cur"]][0], info["cur"]).minor
                        amount = min(amount, cap - acct.balance_minor)
                    if amount > 0:
                        moves_by_cur[info["cur"]].append(
                            Move(acct_id, TxnKind.DEPOSIT, "in", amount, "Dépôt (mobile money)")
                        )
                        deposits += 1
                elif rng.random() < 0.04:
                    free = acct.balance_minor - acct.blocked_minor - acct.min_balance_minor
                    amount = min(Money.of(rng.randint(lo, hi), info["cur"]).minor, free)
                    if info["tier"] == 0:
                        amount = min(amount, Money.of(TIER0[info["cur"]][1], info["cur"]).minor)
                    if amount > 0:
                        moves_by_cur[info["cur"]].append(
                            Move(
                                acct_id, TxnKind.WITHDRAWAL, "out", amount, "Retrait (mobile money)"
                            )
                        )
                        withdrawals += 1
            for cur, moves in sorted(moves_by_cur.items()):
                ins = sum(m.amount_minor for m in moves if m.direction == "in")
                outs = sum(m.amount_minor for m in moves if m.direction == "out")
                bank = gl_account("bank", cur)
                counter = []
                if ins:
                    counter.append(
                        LineSpec.dr(bank, Money.from_minor(ins, cur), memo="Dépôts du jour")
                    )
                if outs:
                    counter.append(
                        LineSpec.cr(bank, Money.from_minor(outs, cur), memo="Retraits du jour")
                    )
                post_batch(
                    actor=teller,
                    on_date=day,
                    narrative=f"Épargne du jour {day:%d/%m/%Y} ({cur}, banque / mobile money, démo)",
                    source_type="savings.demo_history",
                    key=f"demo-savings:{day.isoformat()}:{cur}",
                    accounts=accounts,
                    moves=moves,
                    counter_lines=counter,
                    channel=Channel.BANK,
                    customer=True,
                )
                for mv in moves:
                    live[mv.account_id]["last"] = day
                SavingsAccount.objects.filter(pk__in=[m.account_id for m in moves]).update(
                    last_customer_date=day
                )
            # a few term deposits, opened from the member's USD savings
            if day.day == 15 and (today - day).days > 30:
                term_candidates = [
                    a
                    for a, info in live.items()
                    if info["cur"] == "USD"
                    and not info["sleeper"]
                    and info["tier"] == 1
                    and accounts[a].balance_minor >= 25_000
                ]
                for acct_id in term_candidates[:6]:
                    acct = SavingsAccount.objects.select_related("member").get(pk=acct_id)
                    if acct.branch_id != teller.branch_id or terms >= 2 * day.month:
                        continue
                    product = products["DAT-USD-6" if rng.random() < 0.6 else "DAT-USD-12"]
                    term_deposit_open(
                        actor=teller,
                        member=acct.member,
                        product=product,
                        amount=Money.of("200", "USD"),
                        idempotency_key=f"demo-term-{acct_id}-{day}",
                        channel="transfer",
                        from_account=acct,
                        payout_account=acct if rng.random() < 0.7 else None,
                    )
                    terms += 1
                accounts.update(_load(list(live)))
            # end of day
            savings_interest_accrue(on_date=day)
            if term_deposits_mature(on_date=day)["matured"]:
                accounts.update(_load(list(live)))
            if (day + dt.timedelta(days=1)).month != day.month:
                savings_interest_post(on_date=day)
                savings_maintenance_fees_charge(on_date=day)
                accounts.update(_load(list(live)))
            savings_dormancy_flag(on_date=day)
            day += dt.timedelta(days=1)
    finally:
        _set_date(ctx, today)
    rwf = _scenario_3_account(ctx, products)
    counts = SavingsAccount.objects.values_list("status").order_by()
    by_status: dict[str, int] = defaultdict(int)
    for (status,) in counts:
        by_status[status] += 1
    ctx.extra["savings_products"] = products
    ctx.extra["rwf_account"] = rwf
    ctx.say(
        f"Savings: {len(products)} products, {sum(by_status.values())} accounts "
        f"({by_status[AccountStatus.ACTIVE]} active, {by_status[AccountStatus.DORMANT]} dormant, "
        f"{by_status[AccountStatus.CLOSED]} closed), a year of history ({deposits} deposits, "
        f"{withdrawals} withdrawals, {terms} term deposits), interest posted monthly; "
        f"end of day done through {today - dt.timedelta(days=1):%d/%m/%Y}."
    )
    if rwf is not None:
        ctx.say(
            f"Scenario 3: RWF account {rwf.number} ({rwf.member.full_name}) takes the RWF 12,000 deposit."
        )


def _scenario_3_account(ctx: DemoContext, products) -> SavingsAccount | None:
    """An RWF account for the first Umoja Ruzizi member (scenario 3's RWF deposit)."""
    people = ctx.extra.get("umoja_ruzizi_members") or []
    if not people or "RWF" not in (ctx.institution.accepted_currencies or []):
        return None
    member = Member.objects.get(pk=people[0].pk)
    existing = (
        SavingsAccount.objects.filter(
            member=member, currency="RWF", product__kind=ProductKind.VOLUNTARY
        )
        .exclude(status=AccountStatus.CLOSED)
        .first()
    )
    if existing is not None:
        return existing
    return account_create(
        actor=ctx.users["officer"],
        member=member,
        product=products["EV-RWF"],
        on_date=ctx.institution.business_date,
    )
