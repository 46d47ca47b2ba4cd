"""Demo data of the counter: vault cash per branch, a week of exchange rates, past days
of the demo teller (till opened with a float, exchanges, counted and closed, one day
with a small shortage approved by the manager), and her till OPEN on the demo business
date with scenario 3's float (USD 2,000, CDF 3,000,000, RWF 200,000) so a person can
serve a member right away after ``make run``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from mupaka.core.demo import DemoContext
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.tellers.models import Till, TransferStatus
from mupaka.tellers.testing import exact_count

VAULT_OPENING = {"USD": "60000", "CDF": "150000000", "RWF": "8000000", "BIF": "5000000"}
SCENARIO_FLOAT = {"USD": "2000", "CDF": "3000000", "RWF": "200000"}
# pair → (mid on the first day, half spread as a share of mid, reference source)
PAIRS = {
    ("USD", "CDF"): (Decimal("2850"), Decimal("0.008"), "BCC"),
    ("USD", "RWF"): (Decimal("1425"), Decimal("0.012"), "BNR"),
    ("USD", "BIF"): (Decimal("2950"), Decimal("0.015"), "BRB"),
    ("RWF", "CDF"): (Decimal("2.00"), Decimal("0.02"), ""),
    ("BIF", "CDF"): (Decimal("0.966"), Decimal("0.025"), ""),
}
HISTORY_DAYS = 7  # rates from 7 days before the business date


def _key(tag: str) -> str:
    return f"demo-tellers-{tag}-{uuid.uuid4()}"


def _set_date(ctx: DemoContext, day: dt.date) -> None:
    Institution.objects.filter(pk=ctx.institution.pk).update(business_date=day)
    ctx.institution.business_date = day


def _rates(ctx: DemoContext, day: dt.date, step: int, manager) -> None:
    from mupaka.tellers.services import rate_set

    for (base, quote), (mid0, half, source) in PAIRS.items():
        drift = Decimal(1) + Decimal(ctx.rng.randint(-6, 8)) / Decimal(1000) * step / 3
        mid = mid0 * drift
        places = Decimal("0.01") if mid > 10 else Decimal("0.0001")
        buy = (mid * (1 - half)).quantize(places)
        sell = (mid * (1 + half)).quantize(places)
        rate_set(
            actor=manager,
            base=base,
            quote=quote,
            buy=buy,
            sell=sell,
            reference=mid.quantize(places) if source else None,
            reference_source=source,
            rate_date=day,
        )


def _open(teller, manager, floats: dict[str, str], currencies=()) -> Till:
    from mupaka.tellers.selectors import till_open_for
    from mupaka.tellers.services import cash_transfer_confirm, till_open

    existing = till_open_for(user=teller)
    if existing is not None:
        return existing
    till = till_open(
        actor=manager,
        teller=teller,
        floats=[Money.of(v, c) for c, v in floats.items()],
        currencies=currencies,
    )
    for transfer in till.transfers.filter(status=TransferStatus.PENDING):
        cash_transfer_confirm(actor=teller, transfer=transfer, journal_key=_key("float"))
    return till


def _short_500(cdf: dict[str, int]) -> None:
    """Take FC 500 out of a count: one FC 500 note, or a FC 1,000 note changed for FC 500."""
    if cdf.get("50000"):
        cdf["50000"] -= 1
        return
    for value in ("100000", "500000", "1000000", "2000000"):
        if cdf.get(value):
            cdf[value] -= 1
            change = int(value) - 50000  # give back the rest in FC 500 notes
            cdf["50000"] = cdf.get("50000", 0) + change // 50000
            return
    raise RuntimeError("no CDF in the demo till to be short of")


def _exchanges(ctx: DemoContext, teller, members, n: int) -> int:
    from mupaka.tellers.services import exchange_do

    done = 0
    walk_ins = ["Client de passage", "Commerçante de Rusizi", "Transporteur", "Client de Gisenyi"]
    for _ in range(n):
        kind = ctx.rng.random()
        if kind < 0.45:
            offered, out = Money.of(ctx.rng.choice(["20", "50", "100", "150", "200"]), "USD"), "CDF"
        elif kind < 0.7:
            offered, out = Money.of(str(ctx.rng.choice([50_000, 100_000, 250_000])), "CDF"), "USD"
        elif kind < 0.85:
            offered, out = Money.of(str(ctx.rng.choice([5_000, 10_000, 20_000])), "RWF"), "CDF"
        else:
            offered, out = Money.of(ctx.rng.choice(["10", "20", "50"]), "USD"), "RWF"
        member = ctx.rng.choice(members) if members and ctx.rng.random() < 0.5 else None
        exchange_do(
            actor=teller,
            offered=offered,
            currency_out=out,
            member_id=member.pk if member else None,
            customer_name="" if member else ctx.rng.choice(walk_ins),
            journal_key=_key("exchange"),
        )
        done += 1
    return done


def build(ctx: DemoContext) -> None:
    from mupaka.members.models import Member
    from mupaka.tellers.services import till_close, till_close_confirm, vault_fund

    teller, manager = ctx.users["teller"], ctx.users["manager"]
    accountant = ctx.users["accountant"]
    today = ctx.institution.business_date
    first = today - dt.timedelta(days=HISTORY_DAYS)
    days = [first + dt.timedelta(days=i) for i in range(HISTORY_DAYS + 1)]
    weekend = set(ctx.institution.weekend_days or [])
    days = [d for d in days if d.isoweekday() not in weekend]

    members = list(Member.objects.filter(branch=teller.branch, status="active")[:40]) or list(
        Member.objects.filter(branch=teller.branch)[:40]
    )
    exchanges = closed = 0
    try:
        _set_date(ctx, days[0])
        for branch in ctx.branches.values():
            for cur, amount in VAULT_OPENING.items():
                if cur in (ctx.institution.accepted_currencies or []):
                    vault_fund(
                        actor=accountant,
                        branch=branch,
                        amount=Money.of(amount, cur),
                        source="opening",
                        reason="Solde d'ouverture du coffre (démo)",
                        journal_key=_key("vault"),
                    )
        for step, day in enumerate(days):
            _set_date(ctx, day)
            _rates(ctx, day, step, manager)
            if day == today:
                break
            if step < len(days) - 4:
                continue  # the three working days before today have tills
            till = _open(teller, manager, SCENARIO_FLOAT, currencies=["BIF"])
            exchanges += _exchanges(ctx, teller, members, ctx.rng.randint(4, 8))
            counts = exact_count(till)
            reason = ""
            if step == len(days) - 3:  # scenario 3's day: short FC 500, approved with a reason
                _short_500(counts["CDF"])
                reason = "Erreur de rendu sur un change en francs (démo)"
            till_close(actor=teller, till=till, counts=counts)
            till_close_confirm(actor=manager, till=till, reason=reason, journal_key=_key("close"))
            closed += 1
    finally:
        _set_date(ctx, today)
    till = _open(teller, manager, SCENARIO_FLOAT, currencies=["BIF"])
    ctx.extra["teller_till"] = till
    ctx.say(
        f"Tellers: vaults funded in {len(ctx.branches)} branches, rates for {len(days)} days, "
        f"{closed} closed tills with {exchanges} exchanges, till {till.pk} of "
        f"{teller.username} open on {today:%d/%m/%Y} (USD 2,000, CDF 3,000,000, RWF 200,000)."
    )
