"""Portfolios for end of day's tests and ``bench/cob.py``: loans loaded in bulk straight
into the loans tables, the way the loans app would have left them.

A :class:`LoanPlan` says what a loan looks like (product, principal, instalments,
disbursement date, how many instalments she paid on their due dates). :func:`template`
runs the loans' own pure engine once per plan (schedule, repayments replayed, caches), and
:func:`load_loans` writes any number of loans from templates with bulk inserts, then posts
the ledger side (loan by loan on ``loan_portfolio`` with the loan's reference, so
``mupaka verify`` stays meaningful) in a few entries per currency.

    plan = LoanPlan(product=p, principal_minor=50_000, installments=12,
                    disbursed_on=dt.date(2026, 6, 1), paid_installments=3)
    load_loans(rows=[LoanRow(template(plan, as_of=d), member_id=m.pk, branch_id=b.pk,
                             officer_id=u.pk)], filed_by=u, as_of=d)
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mupaka.core.money import Money
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.loans import domain as d
from mupaka.loans import engine
from mupaka.loans.domain.snapshot import snapshot as terms_snapshot
from mupaka.loans.models import Loan, LoanInstallment, LoanProduct, LoanTransaction, TxKind

CHUNK = 2000
_keys = itertools.count(1)


@dataclass(frozen=True)
class LoanPlan:
    product: LoanProduct
    principal_minor: int
    installments: int
    disbursed_on: dt.date
    paid_installments: int = 0  # the first k instalments paid in full on their due dates
    annual_rate: Decimal | None = None
    restructured: bool = False


@dataclass
class Template:
    """One plan worked out by the engine: what to write for each loan made from it."""

    plan: LoanPlan
    terms: dict
    maturity_date: dt.date
    rows: list[dict]  # LoanInstallment fields (without loan)
    repayments: list[dict]  # LoanTransaction fields of the repayments
    caches: dict  # Loan cache fields
    interest_paid_minor: int = 0
    principal_paid_minor: int = 0


@dataclass
class LoanRow:
    template: Template
    member_id: int
    branch_id: int
    officer_id: int | None = None
    extra: dict = field(default_factory=dict)


def template(plan: LoanPlan, *, as_of: dt.date) -> Template:
    product = plan.product
    cur = product.currency
    rate = plan.annual_rate if plan.annual_rate is not None else engine.dec(product.default_rate)
    terms = engine.build_terms(
        product,
        principal=engine.major(plan.principal_minor, cur),
        annual_rate=rate,
        installments=plan.installments,
        disbursement_date=plan.disbursed_on,
    )
    schedule = d.generate_schedule(terms)
    loan = Loan(
        currency=cur,
        terms=terms_snapshot(
            schedule.terms, engine.product_rules(product), engine.product_penalty(product)
        ),
        schedule_version=1,
    )
    rows = engine.installment_rows(loan, schedule, 1)
    txs = []
    for n, inst in enumerate(schedule.installments[: plan.paid_installments], start=1):
        tx = LoanTransaction(
            kind=TxKind.REPAYMENT,
            on_date=inst.due_date,
            currency=cur,
            amount_minor=engine.minor(inst.total, cur),
            schedule_version=1,
            channel="cash",
        )
        tx.pk = n
        txs.append(tx)
    view = engine.replay_loan(loan, rows=rows, transactions=txs)
    for tx, alloc in view.pairs():
        for key, value in engine.components_minor(alloc.amounts, cur).items():
            setattr(tx, key, value)
        tx.credit_minor = engine.minor(alloc.credit, cur)
    caches = engine.caches_of(view, on_date=as_of, refunded_minor=0)
    by_number = {s.number: s for s in view.state.installments}
    row_dicts = []
    for row in rows:
        s = by_number[row.number]
        row_dicts.append(
            {
                "version": 1,
                "number": row.number,
                "from_date": row.from_date,
                "due_date": row.due_date,
                "principal_minor": row.principal_minor,
                "interest_minor": row.interest_minor,
                "fees_minor": row.fees_minor,
                "penalties_minor": engine.minor(s.due.penalties, cur),
                "outstanding_minor": engine.minor(s.outstanding.total, cur),
                "completed_on": s.completed_on,
            }
        )
    repayments = [
        {
            "kind": TxKind.REPAYMENT.value,
            "on_date": tx.on_date,
            "currency": cur,
            "amount_minor": tx.amount_minor,
            "principal_minor": tx.principal_minor,
            "interest_minor": tx.interest_minor,
            "fees_minor": tx.fees_minor,
            "penalties_minor": tx.penalties_minor,
            "credit_minor": tx.credit_minor,
            "schedule_version": 1,
            "channel": "cash",
        }
        for tx in txs
    ]
    return Template(
        plan=plan,
        terms=loan.terms,
        maturity_date=schedule.maturity_date,
        rows=row_dicts,
        repayments=repayments,
        caches={
            "principal_outstanding_minor": caches.principal,
            "interest_outstanding_minor": caches.interest,
            "fees_outstanding_minor": caches.fees,
            "penalties_outstanding_minor": caches.penalties,
            "overdue_minor": caches.overdue,
            "days_past_due": caches.days_past_due,
            "next_due_date": caches.next_due_date,
            "next_due_minor": caches.next_due,
            "credit_minor": caches.credit,
            "state_as_of": as_of,
        },
        interest_paid_minor=sum(r["interest_minor"] for r in repayments),
        principal_paid_minor=sum(r["principal_minor"] for r in repayments),
    )


def _loan(row: LoanRow, filed_by_id: int) -> Loan:
    t = row.template
    plan = t.plan
    return Loan(
        branch_id=row.branch_id,
        member_id=row.member_id,
        product_id=plan.product.pk,
        officer_id=row.officer_id,
        filed_by_id=filed_by_id,
        status="active",
        currency=plan.product.currency,
        requested_principal_minor=plan.principal_minor,
        approved_principal_minor=plan.principal_minor,
        annual_rate=plan.product.default_rate
        if plan.annual_rate is None
        else str(plan.annual_rate),
        installments=plan.installments,
        expected_disbursement_date=plan.disbursed_on,
        purpose="Commerce transfrontalier",
        terms=t.terms,
        schedule_version=1,
        disbursed_on=plan.disbursed_on,
        maturity_date=t.maturity_date,
        restructured=plan.restructured,
        reschedule_count=1 if plan.restructured else 0,
        **{**t.caches, **row.extra},
    )


class _FastInsert:
    """Rows written with one ``executemany`` per chunk, Python defaults filled in: the
    ORM's bulk_create spends most of its time preparing values one by one, which makes
    loading 100,000 loans (1.2 million instalments) take minutes."""

    def __init__(self, model, *, with_pk: bool = False):
        from django.db import connection, models

        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.sql = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(f.column for f in self.fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        ops = connection.ops
        now = timezone.now()
        self.adapters = []
        for f in self.fields:
            if isinstance(f, models.DateTimeField):
                self.adapters.append(ops.adapt_datetimefield_value)
            elif isinstance(f, models.DateField):
                self.adapters.append(ops.adapt_datefield_value)
            elif isinstance(f, models.JSONField):
                self.adapters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
            else:
                self.adapters.append(None)
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.now_fields = {
            f.attname
            for f in self.fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        }
        self.now = now

    def write(self, rows: Iterable[dict]) -> None:
        from django.db import connection

        names = [f.attname for f in self.fields]
        values = []
        for row in rows:
            out = []
            for name, adapt in zip(names, self.adapters, strict=True):
                v = row[name] if name in row else self.defaults.get(name)
                if v is None and name in self.now_fields:
                    v = self.now
                out.append(adapt(v) if adapt is not None and v is not None else v)
            values.append(out)
        with connection.cursor() as cursor:
            for start in range(0, len(values), 5000):
                cursor.executemany(self.sql, values[start : start + 5000])


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequence(model) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )


@transaction.atomic
def load_loans(
    *, rows: Sequence[LoanRow], filed_by, as_of: dt.date, post: bool = True, chunk: int = CHUNK
) -> list[int]:
    """Write the loans of ``rows`` (bulk), their schedules and transactions; post their
    ledger side dated ``as_of`` (Dr loan_portfolio loan by loan / Cr bank, and the
    interest they paid: Dr bank / Cr interest_income). Returns the loan ids."""
    loans_in = _FastInsert(Loan, with_pk=True)
    rows_in = _FastInsert(LoanInstallment)
    txs_in = _FastInsert(LoanTransaction)
    loan_fields = [f.attname for f in Loan._meta.concrete_fields]
    next_id = _next_id(Loan)
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        loans = []
        for r in part:
            loan = _loan(r, filed_by.pk)
            loan.pk = next_id
            next_id += 1
            loans.append(loan)
        loans_in.write({name: getattr(loan, name) for name in loan_fields} for loan in loans)
        ids.extend(loan.pk for loan in loans)
        rows_in.write(
            {"loan_id": loan.pk, **row}
            for loan, r in zip(loans, part, strict=True)
            for row in r.template.rows
        )
        txs = []
        for loan, r in zip(loans, part, strict=True):
            plan = r.template.plan
            txs.append(
                {
                    "loan_id": loan.pk,
                    "kind": TxKind.DISBURSEMENT.value,
                    "on_date": plan.disbursed_on,
                    "currency": loan.currency,
                    "amount_minor": plan.principal_minor,
                    "principal_minor": plan.principal_minor,
                    "schedule_version": 1,
                    "channel": "cash",
                    "created_by_id": filed_by.pk,
                }
            )
            txs.extend(
                {"loan_id": loan.pk, "created_by_id": filed_by.pk, **tx}
                for tx in r.template.repayments
            )
        txs_in.write(txs)
        if post:
            _post(loans, part, as_of=as_of)
    _reset_sequence(Loan)
    return ids


def _post(loans: Iterable[Loan], part: Sequence[LoanRow], *, as_of: dt.date) -> None:
    by_currency: dict[str, list[tuple[Loan, LoanRow]]] = defaultdict(list)
    for loan, r in zip(loans, part, strict=True):
        by_currency[loan.currency].append((loan, r))
    for cur, items in sorted(by_currency.items()):
        portfolio = account_for("loan_portfolio", cur)
        bank = account_for("bank", cur)
        lines = [
            LineSpec.dr(
                portfolio,
                Money.from_minor(loan.principal_outstanding_minor, cur),
                member_id=loan.member_id,
                subledger_type="loans.loan",
                subledger_id=str(loan.pk),
            )
            for loan, _r in items
            if loan.principal_outstanding_minor
        ]
        total = sum(loan.principal_outstanding_minor for loan, _r in items)
        interest = sum(r.template.interest_paid_minor for _loan, r in items)
        if total:
            lines.append(LineSpec.cr(bank, Money.from_minor(total, cur)))
            journal_post(
                actor=None,
                business_date=as_of,
                narrative="Reprise du portefeuille de crédits (chargement)",
                lines=lines,
                source_type="test.loans_load",
                idempotency_key=f"test-loans-load-{next(_keys)}-{items[0][0].pk}-{cur}",
            )
        if interest:
            income = account_for("interest_income", cur)
            journal_post(
                actor=None,
                business_date=as_of,
                narrative="Intérêts reçus (chargement)",
                lines=[
                    LineSpec.dr(bank, Money.from_minor(interest, cur)),
                    LineSpec.cr(income, Money.from_minor(interest, cur)),
                ],
                source_type="test.loans_load",
                idempotency_key=f"test-interest-load-{next(_keys)}-{items[0][0].pk}-{cur}",
            )


def product(code: str = "TEST-USD", *, currency: str = "USD", **fields) -> LoanProduct:
    """A loan product written directly (tests and bench; the loans app's own service
    refuses accrual accounting until it supports it)."""
    values = {
        "name": f"Produit {code}",
        "currency": currency,
        "min_principal_minor": 100,
        "max_principal_minor": 10**12,
        "min_installments": 1,
        "max_installments": 60,
        "default_installments": 12,
        "frequency": "months",
        "every": 1,
        "interest_method": "declining",
        "min_rate": "0",
        "max_rate": "100",
        "default_rate": "24",
        "for_individuals": True,
        "for_groups": True,
    }
    values.update(fields)
    return LoanProduct.objects.create(code=code, **values)


def replace_plan(plan: LoanPlan, **changes) -> LoanPlan:
    return replace(plan, **changes)


# --- a whole small institution, for the tests that run end of day in other processes ------
SCENARIO_DATE = dt.date(2026, 11, 27)  # a Friday; Sunday is the weekend


def build_scenario(*, loans: int = 40) -> None:
    """An institution with a little of everything end of day touches: loans in USD and
    CDF at every stage of arrears (one product on accrual accounting, one with a late
    penalty, some restructured), savings accounts in two currencies with a monthly
    interest posting, a holiday. Business date: Friday 27 November 2026."""
    from mupaka.cob.models import Holiday
    from mupaka.cob.services import provision_bands_load
    from mupaka.core.models import Branch, Institution, User
    from mupaka.ledger.services import chart_load
    from mupaka.members.models import BorderPost, Member, TraderProfile
    from mupaka.savings.services import (
        ProductData,
        savings_account_open,
        savings_deposit,
        savings_product_create,
    )

    with transaction.atomic():
        inst = Institution.objects.create(
            name="COOPEC Essai",
            country="CD",
            base_currency="USD",
            accepted_currencies=["USD", "CDF"],
            regulatory_preset="drc",
            business_date=SCENARIO_DATE,
            weekend_days=[7],
        )
        branch = Branch.objects.create(institution=inst, code="BKV", name="Bukavu", country="CD")
        users = {}
        for role in ("officer", "manager", "accountant"):
            user = User(username=role, role=role, branch=branch)
            user.set_unusable_password()
            user.save()
            users[role] = user
        chart_load(actor=None, preset="drc")
        provision_bands_load(actor=None)
        Holiday.objects.create(date=dt.date(2026, 12, 8), name="Jour férié (essai)")
        posts = list(BorderPost.objects.order_by("id")[:3])
        trader = product("TR-USD", frequency="weeks", every=2, default_rate="30")
        accrual = product("ACC-USD", accounting="accrual", default_rate="24")
        penalty = product(
            "PEN-USD",
            frequency="weeks",
            every=1,
            penalty="flat",
            penalty_flat_minor=200,
            penalty_tolerance_days=3,
        )
        cdf = product("TR-CDF", currency="CDF", default_rate="36")
        members = []
        for n in range(loans):
            member = Member.objects.create(
                branch=branch,
                number=f"BKV-{n + 1:06d}",
                sequence=n + 1,
                first_name=f"Furaha{n}",
                last_name="Essai",
                search_name=f"furaha{n} essai",
                sex="M" if n % 7 == 0 else "F",
                birth_date=dt.date(1985, 1, 1),
                registered_date=dt.date(2025, 1, 1),
                status="active",
            )
            if n % 3:
                TraderProfile.objects.create(member=member).border_posts.set(posts[n % 3 :])
            members.append(member)
        rows = []
        for n, member in enumerate(members):
            prod = (trader, accrual, penalty, cdf)[n % 4]
            principal = (20_000 + 2_500 * n) * (1000 if prod is cdf else 1)
            installments = 12 if prod.frequency != "weeks" else 16
            back = 15 + (n * 37) % 400
            disbursed = SCENARIO_DATE - dt.timedelta(days=back)
            schedule_len = installments
            paid = (n * 5) % (schedule_len + 1)
            plan = LoanPlan(
                product=prod,
                principal_minor=principal,
                installments=installments,
                disbursed_on=disbursed,
                paid_installments=paid,
                restructured=n % 11 == 5,
            )
            tpl = template(plan, as_of=SCENARIO_DATE)
            if tpl.caches["principal_outstanding_minor"] == 0:
                plan = replace(plan, paid_installments=0)
                tpl = template(plan, as_of=SCENARIO_DATE)
            rows.append(
                LoanRow(
                    tpl, member_id=member.pk, branch_id=branch.pk, officer_id=users["officer"].pk
                )
            )
        load_loans(rows=rows, filed_by=users["officer"], as_of=SCENARIO_DATE)
        usd = savings_product_create(
            actor=users["manager"],
            data=ProductData(
                code="EV-USD",
                name="Épargne USD",
                kind="voluntary",
                currency="USD",
                interest_rate="6",
            ),
        )
        cdf_savings = savings_product_create(
            actor=users["manager"],
            data=ProductData(
                code="EV-CDF",
                name="Épargne CDF",
                kind="voluntary",
                currency="CDF",
                interest_rate="4",
            ),
        )
        for n, member in enumerate(members[:20]):
            prod = usd if n % 2 else cdf_savings
            account = savings_account_open(actor=users["manager"], member=member, product=prod)
            amount = (
                Money.of(str(25 + n * 3), "USD")
                if prod is usd
                else Money.of(str(40_000 + n * 1_000), "CDF")
            )
            savings_deposit(
                actor=users["accountant"],
                account=account,
                amount=amount,
                idempotency_key=f"scenario-deposit-{n}",
                channel="bank",
            )


def dump_state() -> dict:
    """What end of day leaves behind, without times and hashes: for comparing a run that
    was killed and resumed with one that was not."""
    from mupaka.cob.models import (
        AccrualState,
        CobStep,
        CollectionSnapshot,
        CollectionState,
        LoanAccrual,
        LoanCoverage,
        OutreachSnapshot,
        PortfolioSnapshot,
        SavingsSnapshot,
    )
    from mupaka.core.models import Institution
    from mupaka.ledger.models import AccountBalance, JournalEntry, JournalLine
    from mupaka.savings.models import SavingsAccount, SavingsTransaction

    def rows(model, exclude=("id",)):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return sorted(
            ([str(v) for v in r] for r in model.objects.values_list(*fields)), key=lambda r: r
        )

    lines = defaultdict(list)
    for entry_id, account_id, debit, credit, sub in JournalLine.objects.order_by(
        "entry_id", "line_no"
    ).values_list("entry_id", "account_id", "debit_minor", "credit_minor", "subledger_id"):
        lines[entry_id].append([account_id, debit, credit, sub])
    return {
        "business_date": str(Institution.objects.get().business_date),
        "entries": [
            [n, str(d), s, k, lines[n]]
            for n, d, s, k in JournalEntry.objects.order_by("number").values_list(
                "number", "business_date", "source_type", "idempotency_key"
            )
        ],
        "balances": rows(AccountBalance),
        "loans": rows(Loan, exclude=("id", "created_at", "updated_at", "terms")),
        "installments": rows(LoanInstallment),
        "loan_transactions": rows(LoanTransaction, exclude=("id", "created_at")),
        "portfolio": rows(PortfolioSnapshot),
        "savings_snapshot": rows(SavingsSnapshot),
        "outreach": rows(OutreachSnapshot),
        "steps": sorted(
            [str(d), n] for d, n in CobStep.objects.values_list("run__business_date", "name")
        ),
        "accrual": rows(AccrualState),
        "loan_accrual": rows(LoanAccrual),
        "savings_accounts": rows(SavingsAccount, exclude=("id", "created_at")),
        "savings_transactions": rows(SavingsTransaction, exclude=("id", "created_at")),
        "collections": rows(CollectionSnapshot),
        "coverage": rows(LoanCoverage),
        # (last_tx_id is a watermark of ids: PostgreSQL does not give back the ids of a
        # rolled-back transaction, so a crashed run's may be higher)
        "collection_state": rows(CollectionState, exclude=("id", "last_tx_id")),
    }
