"""Demo loans: three products and a year of loan history before the demo business date.

``build(ctx)`` makes:

- the products: an individual trader loan (USD, monthly, declining balance), the
  solidarity group loan of scenario 2 (USD, weekly, flat 2 % a month, 2 % fee, 10 %
  guarantee savings) and a CDF trader loan (monthly, flat);
- the scenario stories **through the real services**, each on its own business date with
  the demo teller's till opened from the vault in the morning and counted and closed in
  the evening: scenario 5 (a trader's stock is seized: rescheduled once after 45 days,
  a repayment posted to the wrong loan reversed and posted right, written off with a
  second person's approval, USD 30 recovered) and scenario 2 (Umoja Ruzizi: USD 1,000
  asked, 900 approved with one share reduced, disbursed in cash with the fee and the
  guarantee, a late member covered by the leader, one member late today);
- the mass, **in bulk**: about 60 % of the active members (at most 1,200 loans) got a
  loan between December 2025 and the demo date; each loan is scheduled and replayed by
  the pure engine (on-time payers, late payers, irregular payers, a few who stopped
  paying, some early payoffs), its rows are inserted with ``bulk_create`` and the money is
  posted through ``journal_post`` **one entry per day, branch and currency** (cash of
  that period through the branch vault, with the vault's reference). No balance is
  written by hand: ``mupaka verify`` checks the loans, the vaults and the books.
- on the demo date: two applications waiting for the committee and one approved loan
  waiting for the teller; late penalties applied by the end-of-day service.

The bulk load writes one ``loan.demo_load`` audit row (not one per loan), as the members'
demo does; everything made through the services has its own audit rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mupaka.core.audit import audit_record
from mupaka.core.demo import DemoContext
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.loans import domain as d
from mupaka.loans import engine, selectors, services
from mupaka.loans.domain.snapshot import snapshot as terms_snapshot
from mupaka.loans.models import (
    Channel,
    Loan,
    LoanInstallment,
    LoanProduct,
    LoanStatus,
    LoanTransaction,
    TxKind,
)
from mupaka.loans.services import CashFlowData, ProductData, ShareData
from mupaka.loans.services.common import SUBLEDGER

HISTORY_START = dt.date(2025, 12, 1)
VAULT_DAY = dt.date(2025, 11, 29)
MAX_BULK_LOANS = 1200
BULK_SHARE = Decimal("0.6")
TILL_FLOAT = {"USD": "1500", "CDF": "1000000"}
PURPOSES = [
    "Achat de tomates et d'oignons à Rusizi",
    "Stock de farine de manioc",
    "Pagnes et tissus de Kigali",
    "Haricots et riz pour le marché de Nyawera",
    "Poissons fumés du lac Kivu",
    "Huile de palme et savon",
    "Fruits et légumes pour la vente à Kamanyola",
    "Chaussures et habits de seconde main",
]


def _key(tag: str) -> str:
    return f"demo-loans-{tag}-{uuid.uuid4()}"


def _set_date(ctx: DemoContext, day: dt.date) -> None:
    Institution.objects.filter(pk=ctx.institution.pk).update(business_date=day)
    ctx.institution.business_date = day


def _working(day: dt.date, weekend: set[int]) -> dt.date:
    while day.isoweekday() in weekend:
        day += dt.timedelta(days=1)
    return day


# --- products -------------------------------------------------------------------------------
def _products(manager) -> dict[str, LoanProduct]:
    trader = services.loan_product_create(
        actor=manager,
        data=ProductData(
            code="COMMERCE-USD",
            name="Crédit commerçante transfrontalière (USD, mensuel)",
            description="Fonds de roulement pour les petites commerçantes qui traversent la frontière.",
            currency="USD",
            min_principal="50",
            max_principal="2000",
            min_installments=3,
            max_installments=12,
            default_installments=6,
            frequency="months",
            interest_method="declining",
            min_rate="24",
            max_rate="36",
            default_rate="30",
            penalty="flat",
            penalty_amount="2",
            penalty_tolerance_days=3,
            max_installment_share="50",
        ),
    )
    group = services.loan_product_create(
        actor=manager,
        data=ProductData(
            code="SOLIDAIRE-USD",
            name="Crédit solidaire (USD, hebdomadaire)",
            description="Crédit de groupe solidaire : caution mutuelle, épargne de garantie 10 %.",
            currency="USD",
            min_principal="50",
            max_principal="500",
            min_installments=4,
            max_installments=24,
            default_installments=12,
            frequency="weeks",
            interest_method="flat",
            min_rate="24",
            max_rate="24",
            disbursement_fee="percent",
            disbursement_fee_amount="2",
            guarantee_savings_percent="10",
            penalty="flat",
            penalty_amount="0.50",
            penalty_tolerance_days=2,
            for_individuals=False,
            for_groups=True,
        ),
    )
    cdf = services.loan_product_create(
        actor=manager,
        data=ProductData(
            code="COMMERCE-CDF",
            name="Crédit commerçante (CDF, mensuel)",
            currency="CDF",
            min_principal="100000",
            max_principal="3000000",
            min_installments=3,
            max_installments=6,
            default_installments=4,
            frequency="months",
            interest_method="flat",
            min_rate="36",
            max_rate="36",
            installment_multiple="50",
            penalty="percent-of-overdue",
            penalty_amount="2",
            penalty_tolerance_days=3,
        ),
    )
    return {"trader": trader, "group": group, "cdf": cdf}


def _guarantee_savings_product(manager) -> None:
    """The guarantee savings product the group loan needs (the savings demo runs after
    the loans' one): created here unless one exists."""
    from mupaka.savings.models import ProductKind, SavingsProduct
    from mupaka.savings.services import ProductData as SavingsProductData
    from mupaka.savings.services import savings_product_create

    if SavingsProduct.objects.filter(kind=ProductKind.GUARANTEE, currency="USD").exists():
        return
    savings_product_create(
        actor=manager,
        data=SavingsProductData(
            code="EGAR-USD",
            name="Épargne de garantie des crédits (USD)",
            kind="guarantee",
            currency="USD",
        ),
    )


# --- the mass: simulated by the pure engine, inserted in bulk ---------------------------------
@dataclass
class Plan:
    member: object
    product: LoanProduct
    schedule: d.Schedule
    repayments: list[d.Repayment]
    state: d.LoanState | None = None
    loan: Loan | None = None
    behaviour: str = "good"


def _amount(rng, product: LoanProduct) -> Decimal:
    if product.currency == "CDF":
        return Decimal(rng.randrange(200_000, 2_000_001, 50_000))
    return Decimal(rng.choice([100, 150, 200, 250, 300, 400, 500, 600, 800, 1000]))


def _behaviour(rng) -> str:
    roll = rng.random()
    if roll < 0.62:
        return "good"
    if roll < 0.80:
        return "late"
    if roll < 0.88:
        return "irregular"
    if roll < 0.96:
        return "stopped"
    return "early"


def _simulate_repayments(rng, schedule: d.Schedule, behaviour: str, last_day: dt.date):
    """Her repayments, as the engine sees them, up to ``last_day``."""
    q = schedule.terms.money.quantum
    out: list[d.Repayment] = []
    stop_after = rng.randint(1, max(1, len(schedule.installments) - 1))
    carry = Decimal(0)
    start = schedule.terms.disbursement_date
    for row in schedule.installments:
        due = row.total
        if behaviour == "good":
            day = row.due_date - dt.timedelta(days=rng.randint(0, 2))
        elif behaviour == "late":
            day = row.due_date + dt.timedelta(days=rng.choice([0, 0, 4, 9, 16, 27]))
        elif behaviour == "irregular":
            day = row.due_date + dt.timedelta(days=rng.randint(0, 6))
        elif behaviour == "stopped":
            if row.number > stop_after:
                break
            day = row.due_date
        else:  # early: pays on time, then everything at once
            day = row.due_date
            if row.number >= stop_after and row.number < len(schedule.installments):
                rest = sum((r.total for r in schedule.installments[row.number - 1 :]), Decimal(0))
                if day <= last_day:
                    out.append(d.Repayment(max(day, start + dt.timedelta(days=1)), rest + carry))
                return out
        if day > last_day:
            break
        day = max(day, start + dt.timedelta(days=1))
        amount = due + carry
        carry = Decimal(0)
        if (
            behaviour == "irregular"
            and rng.random() < 0.5
            and row.number < len(schedule.installments)
        ):
            paid = (amount * Decimal("0.7")).quantize(q)
            carry = amount - paid
            amount = paid
        if amount > 0:
            out.append(d.Repayment(day, amount))
    return out


def _plan(ctx: DemoContext, members, products, last_day: dt.date) -> list[Plan]:
    rng = ctx.rng
    weekend = set(ctx.institution.weekend_days or [])
    span = (last_day - dt.timedelta(days=14) - HISTORY_START).days
    pool = list(members)
    rng.shuffle(pool)
    count = min(int(len(pool) * BULK_SHARE), MAX_BULK_LOANS)
    plans = []
    for member in pool[:count]:
        product = products["cdf"] if rng.random() < 0.25 else products["trader"]
        if product.currency not in (ctx.institution.accepted_currencies or []):
            continue
        n = rng.randint(product.min_installments, product.max_installments)
        on = _working(HISTORY_START + dt.timedelta(days=rng.randint(0, span)), weekend)
        terms = engine.build_terms(
            product,
            principal=_amount(rng, product),
            annual_rate=engine.dec(product.default_rate),
            installments=n,
            disbursement_date=on,
        )
        schedule = d.generate_schedule(terms)
        behaviour = _behaviour(rng)
        repayments = _simulate_repayments(rng, schedule, behaviour, last_day)
        plan = Plan(member, product, schedule, repayments, behaviour=behaviour)
        plan.state = d.replay(schedule, repayments, engine.product_rules(product))
        plans.append(plan)
    return plans


def _flows(plans: list[Plan]) -> dict[tuple[int, str], list[tuple[dt.date, int]]]:
    """Cash in (+) and out (-) of each branch vault, by date."""
    flows: dict[tuple[int, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for p in plans:
        cur = p.product.currency
        slot = flows[(p.member.branch_id, cur)]
        slot.append(
            (p.schedule.terms.disbursement_date, -engine.minor(p.schedule.net_disbursed, cur))
        )
        for r in p.repayments:
            slot.append((r.on_date, engine.minor(r.amount, cur)))
    return flows


def _fund_vaults(ctx: DemoContext, plans: list[Plan], accountant) -> None:
    """Cash in each branch vault before the history starts: what the year's lending needs
    at its lowest point, plus room for the tills of the scenario days."""
    from mupaka.tellers.services import vault_fund

    flows = _flows(plans)
    needs: dict[tuple[int, str], int] = defaultdict(int)
    for key, items in flows.items():
        running = lowest = 0
        for _day, amount in sorted(items):
            running += amount
            lowest = min(lowest, running)
        needs[key] = -lowest
    margin = {"USD": 1_000_000, "CDF": 500_000_000}  # USD 10,000 / CDF 5,000,000
    _set_date(ctx, VAULT_DAY)
    for branch in ctx.branches.values():
        for cur in ("USD", "CDF"):
            if cur not in (ctx.institution.accepted_currencies or []):
                continue
            minor = needs.get((branch.pk, cur), 0) + margin[cur]
            step = 10_000 if cur == "USD" else 5_000_000
            minor = (minor + step - 1) // step * step
            vault_fund(
                actor=accountant,
                branch=branch,
                amount=Money.from_minor(minor, cur),
                source="opening",
                reason="Caisse principale au début de l'historique des crédits (démo)",
                journal_key=_key("vault"),
            )


def _insert(ctx: DemoContext, plans: list[Plan], today: dt.date) -> tuple[int, int, int]:
    from mupaka.tellers.models import VAULT_SUBLEDGER
    from mupaka.tellers.services import vault_ensure

    users = ctx.users
    officer, committee, teller = users["officer"], users["committee"], users["teller"]
    loans = []
    for p in plans:
        product, schedule, state = p.product, p.schedule, p.state
        cur = product.currency
        principal = engine.minor(schedule.terms.principal, cur)
        closed = state.closed_on
        disbursed = schedule.terms.disbursement_date
        decided = timezone.make_aware(dt.datetime.combine(disbursed, dt.time(10)))
        loan = Loan(
            branch_id=p.member.branch_id,
            member=p.member,
            product=product,
            officer=officer,
            filed_by=officer,
            status=LoanStatus.CLOSED if closed else LoanStatus.ACTIVE,
            currency=cur,
            requested_principal_minor=principal,
            approved_principal_minor=principal,
            annual_rate=str(schedule.terms.annual_rate),
            installments=schedule.terms.installments,
            expected_disbursement_date=disbursed,
            purpose=ctx.rng.choice(PURPOSES),
            terms=terms_snapshot(
                schedule.terms, engine.product_rules(product), engine.product_penalty(product)
            ),
            schedule_version=1,
            decided_by=committee,
            decided_at=decided,
            disbursed_on=disbursed,
            disbursed_by=teller,
            maturity_date=schedule.maturity_date,
            closed_on=closed,
        )
        c = engine.caches_of(engine.LoanView(loan, schedule, state, (), ()), on_date=today)
        loan.principal_outstanding_minor = c.principal
        loan.interest_outstanding_minor = c.interest
        loan.fees_outstanding_minor = c.fees
        loan.penalties_outstanding_minor = c.penalties
        loan.overdue_minor = c.overdue
        loan.days_past_due = c.days_past_due
        loan.next_due_date = c.next_due_date
        loan.next_due_minor = c.next_due
        loan.credit_minor = c.credit
        loan.state_as_of = today
        loans.append(loan)
        p.loan = loan
    Loan.objects.bulk_create(loans, batch_size=500)

    rows, txs = [], []
    tx_of: list[tuple[Plan, LoanTransaction, d.Allocation | None]] = []
    for p in plans:
        loan, cur = p.loan, p.product.currency
        for s_row, st in zip(p.schedule.installments, p.state.installments, strict=True):
            rows.append(
                LoanInstallment(
                    loan=loan,
                    version=1,
                    number=s_row.number,
                    from_date=s_row.from_date,
                    due_date=s_row.due_date,
                    principal_minor=engine.minor(s_row.principal, cur),
                    interest_minor=engine.minor(s_row.interest, cur),
                    fees_minor=engine.minor(s_row.fees, cur),
                    penalties_minor=engine.minor(st.due.penalties, cur),
                    outstanding_minor=engine.minor(st.outstanding.total, cur),
                    completed_on=st.completed_on,
                )
            )
        principal = engine.minor(p.schedule.terms.principal, cur)
        disb = LoanTransaction(
            loan=loan,
            kind=TxKind.DISBURSEMENT,
            on_date=p.schedule.terms.disbursement_date,
            currency=cur,
            amount_minor=principal,
            principal_minor=principal,
            fees_minor=engine.minor(p.schedule.upfront_fees, cur),
            channel=Channel.CASH,
            created_by=teller,
            memo="Reprise de l'historique",
        )
        txs.append(disb)
        tx_of.append((p, disb, None))
        for allocation in p.state.allocations:
            a = allocation.amounts
            tx = LoanTransaction(
                loan=loan,
                kind=TxKind.REPAYMENT,
                on_date=allocation.transaction.on_date,
                currency=cur,
                amount_minor=engine.minor(allocation.transaction.amount, cur),
                principal_minor=engine.minor(a.principal, cur),
                interest_minor=engine.minor(a.interest, cur),
                fees_minor=engine.minor(a.fees, cur),
                penalties_minor=engine.minor(a.penalties, cur),
                credit_minor=engine.minor(allocation.credit, cur),
                channel=Channel.CASH,
                created_by=teller,
            )
            txs.append(tx)
            tx_of.append((p, tx, allocation))
    LoanInstallment.objects.bulk_create(rows, batch_size=2000)

    # one entry per day, branch and currency; the cash side through the branch vault. The
    # entries are posted first, so each transaction row is inserted with its entry.
    groups: dict[tuple[dt.date, int, str], list[LoanTransaction]] = defaultdict(list)
    for p, tx, _allocation in tx_of:
        groups[(tx.on_date, p.loan.branch_id, tx.currency)].append(tx)
    vaults = {b.pk: vault_ensure(b) for b in ctx.branches.values()}
    branch_codes = {b.pk: b.code for b in ctx.branches.values()}
    product_of = {p.loan.pk: p.product for p in plans}
    member_of = {p.loan.pk: p.member.pk for p in plans}
    accounts: dict[tuple, object] = {}

    def account(role: str, cur: str, product=None):
        key = (role, cur, getattr(product, "pk", None))
        if key not in accounts:
            accounts[key] = account_for(role, cur, product=product)
        return accounts[key]

    entries = 0
    for (day, branch_id, cur), items in sorted(groups.items()):
        lines: list[LineSpec] = []
        cash = 0
        income: dict[tuple[str, LoanProduct], int] = defaultdict(int)
        for tx in items:
            extra = {
                "member_id": member_of[tx.loan_id],
                "subledger_type": SUBLEDGER,
                "subledger_id": str(tx.loan_id),
            }
            product = product_of[tx.loan_id]
            portfolio = account("loan_portfolio", cur, product)
            if tx.kind == TxKind.DISBURSEMENT:
                lines.append(
                    LineSpec.dr(portfolio, Money.from_minor(tx.principal_minor, cur), **extra)
                )
                income[("fee_income", product)] += tx.fees_minor
                cash -= tx.principal_minor - tx.fees_minor
            else:
                if tx.principal_minor:
                    lines.append(
                        LineSpec.cr(portfolio, Money.from_minor(tx.principal_minor, cur), **extra)
                    )
                income[("interest_income", product)] += tx.interest_minor
                income[("fee_income", product)] += tx.fees_minor
                income[("penalty_income", product)] += tx.penalties_minor
                income[("overpayment_liability", product)] += tx.credit_minor
                cash += tx.amount_minor
        for (role, product), minor in income.items():
            if minor:
                lines.append(LineSpec.cr(account(role, cur, product), Money.from_minor(minor, cur)))
        if cash:
            vault_line = LineSpec.dr if cash > 0 else LineSpec.cr
            lines.append(
                vault_line(
                    account("vault_cash", cur),
                    Money.from_minor(abs(cash), cur),
                    subledger_type=VAULT_SUBLEDGER,
                    subledger_id=str(vaults[branch_id].pk),
                    memo="Caisse principale",
                )
            )
        entry = journal_post(
            actor=teller,
            business_date=day,
            narrative=(
                f"Crédits du {day:%d/%m/%Y} ({branch_codes[branch_id]}, {cur}) : "
                "décaissements et remboursements repris de l'historique"
            ),
            lines=lines,
            source_type="loans.demo_history",
            source_id=f"{day.isoformat()}:{branch_id}:{cur}",
            idempotency_key=f"demo-loans-history-{day.isoformat()}-{branch_id}-{cur}",
            branch=branch_id,
        )
        entries += 1
        for tx in items:
            tx.journal_entry_id = entry.pk
    LoanTransaction.objects.bulk_create(txs, batch_size=2000)
    return len(loans), len(txs), entries


# --- the stories, through the services ----------------------------------------------------------
class Counter:
    """A day at the counter: the teller's till opened from the vault, closed at night."""

    def __init__(self, ctx: DemoContext, day: dt.date):
        self.ctx, self.day = ctx, day

    def __enter__(self):
        from mupaka.tellers.models import TransferStatus
        from mupaka.tellers.services import cash_transfer_confirm, till_open

        _set_date(self.ctx, self.day)
        teller, manager = self.ctx.users["teller"], self.ctx.users["manager"]
        self.till = till_open(
            actor=manager,
            teller=teller,
            floats=[Money.of(v, c) for c, v in TILL_FLOAT.items()],
        )
        for transfer in self.till.transfers.filter(status=TransferStatus.PENDING):
            cash_transfer_confirm(actor=teller, transfer=transfer, journal_key=_key("float"))
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        from mupaka.tellers.services import till_close, till_close_confirm
        from mupaka.tellers.testing import exact_count

        teller, manager = self.ctx.users["teller"], self.ctx.users["manager"]
        till_close(actor=teller, till=self.till, counts=exact_count(self.till))
        till_close_confirm(actor=manager, till=self.till, journal_key=_key("close"))
        return False


def _repay_due(ctx, loan, *, paid_by=None, amount: Money | None = None):
    """She pays what is due, rounded up to the notes the till holds (no USD coins): the
    extra cents settle the next instalment early."""
    from mupaka.ledger.selectors import cash_multiple

    loan.refresh_from_db()
    due = amount or selectors.loan_summary(loan).due_today
    if due.amount <= 0:
        return None
    due = due.quantize_cash(cash_multiple(due.currency), "up")
    return services.loan_repay(
        actor=ctx.users["teller"],
        loan=loan,
        amount=due,
        paid_by=paid_by,
        idempotency_key=_key("repay"),
    )


def _apply(ctx, member, product, principal: str, n: int, **kw) -> Loan:
    return services.loan_apply(
        actor=ctx.users["officer"],
        member=member,
        product=product,
        principal=Money.of(principal, product.currency),
        installments=n,
        purpose=kw.pop("purpose", ctx.rng.choice(PURPOSES)),
        cash_flow=kw.pop(
            "cash_flow",
            CashFlowData(
                daily_sales="90",
                daily_purchases="55",
                trips_per_week=6,
                cost_per_trip="1",
                household_costs="120",
            ),
        ),
        **kw,
    )


def _scenario_5(ctx: DemoContext, products, heroine, other) -> Loan:
    """A trader's stock is seized at the border: rescheduled once, a repayment posted to
    the wrong loan put right, written off, USD 30 recovered."""
    users = ctx.users
    trader = products["trader"]
    with Counter(ctx, dt.date(2026, 3, 2)):
        loan = _apply(ctx, heroine, trader, "600", 6, purpose="Stock de pagnes de Kigali")
        services.loan_approve(
            actor=users["committee"], loan=loan, note="Bonne commerçante, 3e crédit"
        )
        services.loan_disburse(actor=users["teller"], loan=loan, idempotency_key=_key("disburse"))
    with Counter(ctx, dt.date(2026, 4, 2)):
        _repay_due(ctx, loan)
    with Counter(ctx, dt.date(2026, 5, 4)):
        _repay_due(ctx, loan)
    # 02/06 unpaid: her stock was seized at Ruzizi I; 45 days later the committee reschedules
    _set_date(ctx, dt.date(2026, 7, 17))
    services.loan_reschedule(
        actor=users["committee"],
        loan=loan,
        installments=8,
        grace_interest_payment=2,
        reason="Marchandise saisie à la frontière (Ruzizi I) ; prorogation unique accordée",
    )
    with Counter(ctx, dt.date(2026, 8, 3)):
        sifa = _apply(ctx, other, trader, "300", 4, purpose="Haricots et riz")
        services.loan_approve(actor=users["committee"], loan=sifa)
        services.loan_disburse(actor=users["teller"], loan=sifa, idempotency_key=_key("disburse"))
    with Counter(ctx, dt.date(2026, 8, 17)):
        wrong = services.loan_repay(
            actor=users["teller"],
            loan=sifa,
            amount=Money.of("50", "USD"),
            idempotency_key=_key("wrong"),
        )
        request = services.loan_request_create(
            actor=users["teller"],
            loan=sifa,
            kind="reversal",
            reason=f"Versement de {heroine.full_name} enregistré sur le mauvais crédit",
            transaction=wrong.pk,
        )
        services.loan_request_approve(
            actor=users["manager"], request=request, idempotency_key=_key("rev")
        )
        services.loan_repay(
            actor=users["teller"],
            loan=loan,
            amount=Money.of("50", "USD"),
            idempotency_key=_key("right"),
        )
    for day in (dt.date(2026, 9, 3), dt.date(2026, 10, 5), dt.date(2026, 11, 3)):
        with Counter(ctx, day):
            _repay_due(ctx, sifa)
    _set_date(ctx, dt.date(2026, 11, 18))
    request = services.loan_request_create(
        actor=users["manager"],
        loan=loan,
        kind="write_off",
        reason="Plus aucun paiement depuis août ; commerce fermé, recouvrement à l'amiable",
    )
    services.loan_request_approve(
        actor=users["committee"],
        request=request,
        idempotency_key=_key("wo"),
        note="Approuvé en comité",
    )
    return loan


def _scenario_2(ctx: DemoContext, products, written_off: Loan | None) -> None:
    """Umoja Ruzizi: USD 1,000 asked, 900 approved (Bahati's share reduced), disbursed in
    cash with the 2 % fee and the 10 % guarantee; the second member (Riziki) late in week
    2, covered by the leader (Zawadi); the third (Nabintu) late today."""
    group = ctx.extra.get("umoja_ruzizi")
    members = ctx.extra.get("umoja_ruzizi_members") or []
    if group is None or len(members) < 5:
        return
    users = ctx.users
    by_name = {m.first_name: m for m in members}
    leader = group.leader or members[0]
    others = [m for m in members if m.pk != leader.pk]
    neema, mapendo = others[0], others[1]  # late in week 2 (covered), late today
    bahati = by_name.get("Bahati", others[-1])  # her share is reduced
    with Counter(ctx, dt.date(2026, 10, 19)):
        g = services.group_loan_apply(
            actor=users["officer"],
            group=group,
            product=products["group"],
            shares=[
                ShareData(
                    member=m,
                    principal=Money.of("200", "USD"),
                    cash_flow=CashFlowData(
                        daily_sales="45",
                        daily_purchases="30",
                        trips_per_week=12,
                        cost_per_trip="0.50",
                        household_costs="90",
                    ),
                )
                for m in members
            ],
            installments=12,
            purpose="Commerce de tomates, haricots et farine entre Rusizi et Bukavu",
        )
        shares = {s.member_id: s for s in g.shares.all()}
        services.group_loan_approve(
            actor=users["committee"],
            group_loan=g,
            approved={shares[bahati.pk].pk: Money.of("100", "USD")},
            note="Bahati : premier crédit, part réduite à USD 100",
        )
        services.group_loan_disburse(
            actor=users["teller"], group_loan=g, idempotency_key=_key("group")
        )
    loans = {m.pk: Loan.objects.get(pk=shares[m.pk].pk) for m in members}
    weeks = [
        (dt.date(2026, 10, 26), set()),
        (dt.date(2026, 11, 2), {neema.pk}),
        (dt.date(2026, 11, 9), set()),
        (dt.date(2026, 11, 16), set()),
        (dt.date(2026, 11, 23), {mapendo.pk}),
    ]
    for day, absent in weeks:
        with Counter(ctx, day):
            for m in members:
                if m.pk in absent:
                    continue
                payer = leader if (m.pk == neema.pk and day == dt.date(2026, 11, 9)) else None
                _repay_due(ctx, loans[m.pk], paid_by=payer)
            if day == dt.date(2026, 11, 23) and written_off is not None:
                # months after the write-off, USD 30 recovered: income
                services.loan_recovery(
                    actor=users["teller"],
                    loan=written_off,
                    amount=Money.of("30", "USD"),
                    idempotency_key=_key("recovery"),
                )


def _scenario_3(ctx: DemoContext, products, borrower) -> Loan:
    """The loan of scenario 3's counter day: USD 250 over 6 months at 33.5 % a year on
    the declining balance, disbursed a month before the demo date, so that her first
    instalment of USD 45.83 (38.85 principal, 6.98 interest) falls due on it: the teller
    takes a partial USD 45.50."""
    users = ctx.users
    with Counter(ctx, dt.date(2026, 10, 27)):
        loan = _apply(
            ctx,
            borrower,
            products["trader"],
            "250",
            6,
            annual_rate="33.5",
            purpose="Farine de manioc et tomates achetées à Rusizi",
        )
        services.loan_approve(actor=users["committee"], loan=loan, note="Premier crédit")
        services.loan_disburse(actor=users["teller"], loan=loan, idempotency_key=_key("s3"))
    loan.refresh_from_db()
    return loan


def _today(ctx: DemoContext, products, waiting) -> None:
    """On the demo date: two applications for the committee, one approved loan for the
    teller to disburse."""
    users = ctx.users
    if len(waiting) < 3:
        return
    first = _apply(ctx, waiting[0], products["trader"], "400", 6)
    second = _apply(
        ctx,
        waiting[1],
        products["trader"],
        "1200",
        6,
        cash_flow=CashFlowData(
            daily_sales="50",
            daily_purchases="35",
            trips_per_week=6,
            cost_per_trip="1",
            household_costs="120",
        ),
        override_reason="Commande ferme d'un grossiste de Kamembe, remboursement garanti par le contrat",
    )
    approved = _apply(ctx, waiting[2], products["trader"], "300", 4)
    services.loan_approve(actor=users["committee"], loan=approved, note="Dossier complet")
    ctx.extra["loan_applications"] = [first, second]
    ctx.extra["loan_to_disburse"] = approved


# --- entry point -----------------------------------------------------------------------------
@transaction.atomic
def build(ctx: DemoContext) -> None:
    from mupaka.members.models import Member, MemberStatus

    users = ctx.users
    today = ctx.institution.business_date
    products = _products(users["manager"])
    _guarantee_savings_product(users["manager"])
    scenario_people = {m.pk for m in ctx.extra.get("umoja_ruzizi_members") or []}
    for name in ("furaha", "furaha_sister"):
        if ctx.extra.get(name) is not None:
            scenario_people.add(ctx.extra[name].pk)
    candidates = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, branch__in=list(ctx.branches.values()))
        .exclude(pk__in=scenario_people)
        .order_by("pk")
    )
    story = [m for m in candidates if m.branch_id == users["officer"].branch_id][:5]
    story_ids = {m.pk for m in story}
    mass = [m for m in candidates if m.pk not in story_ids]
    last_day = today - dt.timedelta(days=1)
    plans = _plan(ctx, mass, products, last_day)
    written_off = None
    try:
        _fund_vaults(ctx, plans, users["accountant"])
        if len(story) >= 2:
            written_off = _scenario_5(ctx, products, story[0], story[1])
        _scenario_2(ctx, products, written_off)
        planned = {p.member.pk for p in plans}
        borrower = next(
            (m for m in mass if m.branch_id == users["teller"].branch_id and m.pk not in planned),
            None,
        )
        if borrower is not None:
            ctx.extra["scenario_3_loan"] = _scenario_3(ctx, products, borrower)
    finally:
        _set_date(ctx, today)
    loans, txs, entries = _insert(ctx, plans, today)
    _today(ctx, products, story[2:])
    run = services.loan_penalties_apply(on_date=today)
    audit_record(
        actor=users["admin"],
        action="loan.demo_load",
        object_type="loans.loan",
        object_repr="demo",
        after={"loans": loans, "transactions": txs, "entries": entries},
    )
    active = Loan.objects.filter(status=LoanStatus.ACTIVE)
    late = active.filter(days_past_due__gt=0).count()
    ctx.extra["loan_products"] = products
    ctx.extra["written_off_loan"] = written_off
    ctx.say(
        f"Loans: 3 products; {loans} loans of a year's history loaded in bulk ({txs} "
        f"transactions, {entries} journal entries); scenario 5 and Umoja Ruzizi (scenario 2) "
        f"through the services; {active.count()} active loans, {late} late, "
        f"{run.penalties} penalties charged today."
    )
    s3 = ctx.extra.get("scenario_3_loan")
    if s3 is not None:
        ctx.say(
            f"Scenario 3: loan {s3.number} of {s3.member.number} {s3.member.full_name}: "
            f"her instalment of USD 45.83 is due today (the teller takes USD 45.50)."
        )


__all__ = ["build"]
