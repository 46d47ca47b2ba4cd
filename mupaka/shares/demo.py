"""Demo member shares: the share product (USD 10 a share, 2 to join, 50 at most, entry fee
USD 5) through the service, then the entry fee and the shares of every active member,
**in bulk**: holdings and transactions with ``bulk_create``, the money in one journal
entry per joining date and branch (at most 500 members an entry; received through the
bank / mobile-money account, as the savings history), each member's shares on its own
line with her holding's reference, so ``mupaka verify`` checks them one by one.

Furaha and her sister (scenario 1) stay pending: the teller takes Furaha's entry fee and
two shares at the counter, which makes her an active member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from mupaka.core.audit import audit_record
from mupaka.core.demo import DemoContext
from mupaka.core.money import Money
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.members.models import Member, MemberStatus
from mupaka.shares.models import SUBLEDGER, ShareHolding, ShareTransaction, ShareTxnKind
from mupaka.shares.services import share_product_set

CHUNK = 500


def build(ctx: DemoContext) -> None:
    today = ctx.institution.business_date
    first_day = today - dt.timedelta(days=365)
    product = share_product_set(
        actor=ctx.users["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(pk__in=ShareHolding.objects.values("member_id"))
        .order_by("pk")
    )
    rng = ctx.rng
    groups: dict[tuple[dt.date, int], list[tuple[Member, int]]] = defaultdict(list)
    for member in members:
        joined = min(max(member.registered_date, first_day), today - dt.timedelta(days=1))
        shares = product.min_shares + (rng.choice([0, 0, 0, 1, 2, 3, 5, 8]))
        groups[(joined, member.branch_id)].append((member, shares))
    holdings = ShareHolding.objects.bulk_create(
        ShareHolding(
            member=member,
            product=product,
            currency=product.currency,
            shares=shares,
            paid_minor=shares * product.unit_price_minor,
            entry_fee_paid_date=joined,
            entry_fee_minor=product.entry_fee_minor,
        )
        for (joined, _branch), people in sorted(groups.items())
        for member, shares in people
    )
    by_member = {h.member_id: h for h in holdings}
    bank = account_for("bank", product.currency)
    equity = account_for("member_shares", product.currency)
    income = account_for("entry_fee_income", product.currency)
    txns: list[ShareTransaction] = []
    entries = 0
    for (joined, branch_id), people in sorted(groups.items()):
        for start in range(0, len(people), CHUNK):
            chunk = people[start : start + CHUNK]
            shares_total = sum(s * product.unit_price_minor for _, s in chunk)
            fees_total = product.entry_fee_minor * len(chunk)
            lines = [
                LineSpec.dr(
                    bank,
                    Money.from_minor(shares_total + fees_total, product.currency),
                    memo="Parts sociales et droits d'adhésion reçus",
                )
            ]
            for member, shares in chunk:
                lines.append(
                    LineSpec.cr(
                        equity,
                        product.money(shares * product.unit_price_minor),
                        member_id=member.pk,
                        subledger_type=SUBLEDGER,
                        subledger_id=str(by_member[member.pk].pk),
                        memo=f"{shares} parts",
                    )
                )
            lines.append(LineSpec.cr(income, product.money(fees_total), memo="Droits d'adhésion"))
            entry = journal_post(
                actor=ctx.users["teller"],
                business_date=joined,
                narrative=(
                    f"Parts sociales et droits d'adhésion de {len(chunk)} membres "
                    "(reprise de l'historique, démo)"
                ),
                lines=lines,
                source_type="shares.demo_load",
                source_id=joined.isoformat(),
                idempotency_key=f"demo-shares:{joined.isoformat()}:{branch_id}:{start}",
                branch=branch_id,
            )
            entries += 1
            for member, shares in chunk:
                holding = by_member[member.pk]
                txns.append(
                    ShareTransaction(
                        holding=holding,
                        kind=ShareTxnKind.ENTRY_FEE,
                        shares=0,
                        amount_minor=product.entry_fee_minor,
                        business_date=joined,
                        channel="bank",
                        entry=entry,
                    )
                )
                txns.append(
                    ShareTransaction(
                        holding=holding,
                        kind=ShareTxnKind.PURCHASE,
                        shares=shares,
                        amount_minor=shares * product.unit_price_minor,
                        business_date=joined,
                        channel="bank",
                        entry=entry,
                    )
                )
    ShareTransaction.objects.bulk_create(txns)
    audit_record(
        actor=None,
        action="shares.demo_load",
        object_type="shares.shareholding",
        object_id="",
        object_repr=f"{len(holdings)} demo share holdings (bulk load)",
        after={"holdings": len(holdings), "entries": entries},
        reason="mupaka demo: bulk load without one audit row per member",
    )
    total = sum(h.shares for h in holdings)
    furaha = ctx.extra.get("furaha")
    ctx.say(
        f"Shares: {product.name} at {product.unit_price.amount} {product.currency} "
        f"({product.min_shares} to join, entry fee {product.entry_fee.amount} {product.currency}); "
        f"{len(holdings)} active members hold {total} shares ({entries} journal entries)."
    )
    if furaha is not None:
        ctx.say(
            f"Scenario 1: {furaha.number} {furaha.full_name} is pending — at the counter (teller), "
            "her entry fee USD 5 and 2 shares of USD 10 make her active; then open her USD "
            "account (USD 20) and CDF account (FC 50,000)."
        )
