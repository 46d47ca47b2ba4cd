"""What end of day asks of savings, set-based and idempotent per date (running a date
twice changes nothing the second time):

- :func:`savings_interest_accrue` adds the day's end-of-day balance to every open
  account's interest accumulator (one UPDATE per distinct gap; no rounding);
- :func:`savings_interest_post` posts the interest of the period that ends on the date
  (month, quarter or year end, per product), less withholding tax, and resets the
  accumulators;
- :func:`savings_maintenance_fees_charge` takes the monthly flat fee at month end;
- :func:`savings_dormancy_flag` makes dormant the accounts without a customer
  transaction for the product's number of days;
- :func:`term_deposits_mature` posts the interest of the term deposits maturing on the
  date and pays them into their payout account (or leaves them available).

Batch postings are one journal entry per product and ledger account (aggregated lines:
Dr interest expense, Cr savings, Cr tax withheld); each member's share is a savings
transaction linked to that entry, which ``mupaka verify`` checks.
``actor`` is None for end of day (the system); a person may run them with
``savings.eod`` (administrator).

Interest earned and not yet posted is also in the general ledger: each accrual ends by
bringing the ``savings_interest_payable`` account to it, and posting releases the
payable instead of charging the expense (see :mod:`mupaka.savings.services.payable`).

**Closed days.** End of day passes ``through=`` the day before the next business date:
the closed days that follow (a Sunday, a holiday) are counted that evening at its
balances (nothing can change a balance on a day the institution is closed), and when
they reach a month end (the 31st a Sunday or a holiday) the month's (quarter's, year's)
interest and monthly fees are posted that evening, dated the business date, instead of
being skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import require_perm
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.savings.domain.interest import Accumulator, interest_from_accumulator
from mupaka.savings.domain.periods import is_posting_date
from mupaka.savings.gl import gl_account
from mupaka.savings.models import (
    PPM,
    AccountStatus,
    Channel,
    ProductKind,
    SavingsAccount,
    SavingsProduct,
    SavingsRun,
    TxnKind,
)
from mupaka.savings.services.movements import db_date
from mupaka.savings.services.payable import payable_account, payable_line, payable_true_up

OPEN_STATUSES = (AccountStatus.ACTIVE, AccountStatus.DORMANT, AccountStatus.BLOCKED)
# Interest and fees are credited/charged on these (a blocked account waits).
POSTABLE = (AccountStatus.ACTIVE, AccountStatus.DORMANT)


def _check_actor(actor) -> None:
    if actor is not None:
        require_perm(actor, "savings.eod")


def _run(kind: str, on_date: dt.date) -> SavingsRun | None:
    return SavingsRun.objects.filter(kind=kind, on_date=on_date).first()


def _done(kind: str, on_date: dt.date, result: dict, actor) -> dict:
    SavingsRun.objects.create(kind=kind, on_date=on_date, result=result)
    audit_record(
        actor=actor,
        action=f"savings.{kind}",
        object_type="savings.run",
        object_id=on_date.isoformat(),
        object_repr=f"{kind} {on_date.isoformat()}",
        after=result,
    )
    return result


def _lock_rows(qs):
    return qs.select_for_update() if connection.vendor == "postgresql" else qs


# --- batch posting ------------------------------------------------------------------------------
@dataclass
class Move:
    account_id: int
    kind: str
    direction: str
    amount_minor: int
    memo: str = ""
    reference: str = ""


@dataclass
class _Acct:
    id: int
    currency: str
    gl_number: str
    member_id: int
    balance_minor: int
    blocked_minor: int
    min_balance_minor: int
    product_id: int
    moves: list[Move] = field(default_factory=list)


def _load(ids) -> dict[int, _Acct]:
    rows = _lock_rows(SavingsAccount.objects.filter(pk__in=list(ids)).order_by("id")).values_list(
        "id",
        "currency",
        "gl_account__number",
        "member_id",
        "balance_minor",
        "blocked_minor",
        "min_balance_minor",
        "product_id",
    )
    return {r[0]: _Acct(*r) for r in rows}


def post_batch(
    *,
    actor,
    on_date: dt.date,
    narrative: str,
    source_type: str,
    key: str,
    accounts: dict[int, _Acct],
    moves: list[Move],
    counter_lines: list[LineSpec],
    branch=None,
    channel: str = Channel.SYSTEM,
    customer: bool = False,
) -> int | None:
    """Apply ``moves`` and post one entry: the savings side aggregated per ledger account
    and direction, plus ``counter_lines``. Returns the entry number. The moved accounts
    are (re)read under their lock into ``accounts`` first, so the balances written are
    always the database's plus the moves, whatever the caller held."""
    if not moves:
        return None
    accounts.update(_load({mv.account_id for mv in moves}))
    per_gl: dict[tuple[str, str, str], int] = defaultdict(int)
    txn_rows = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    bdate = connection.ops.adapt_datefield_value(on_date)
    touched: dict[int, _Acct] = {}
    for mv in moves:
        acct = accounts[mv.account_id]
        acct.balance_minor += mv.amount_minor if mv.direction == "in" else -mv.amount_minor
        if acct.balance_minor < 0:
            raise ValidationFailed(
                _("The batch would take account %(id)s below zero.") % {"id": acct.id}
            )
        per_gl[(acct.gl_number, acct.currency, mv.direction)] += mv.amount_minor
        txn_rows.append(
            [
                acct.id,
                bdate,
                str(mv.kind),
                mv.direction,
                mv.amount_minor,
                acct.balance_minor,
                acct.blocked_minor,
                None,  # entry, set below
                str(channel),
                bool(customer),
                mv.memo[:200],
                mv.reference[:60],
                getattr(actor, "pk", None),
                now,
            ]
        )
        touched[acct.id] = acct
    lines = list(counter_lines)
    # one line per ledger account and direction (gross interest in, tax out: both shown)
    for (gl_number, currency, direction), total in sorted(per_gl.items()):
        amount = Money.from_minor(total, currency)
        if direction == "in":
            lines.append(LineSpec.cr(gl_number, amount, memo=narrative[:200]))
        else:
            lines.append(LineSpec.dr(gl_number, amount, memo=narrative[:200]))
    entry = journal_post(
        actor=actor,
        business_date=on_date,
        narrative=narrative,
        lines=lines,
        source_type=source_type,
        source_id=on_date.isoformat(),
        idempotency_key=key,
        branch=branch,
    )
    if getattr(entry, "replayed", False):
        raise ValidationFailed(
            _("This batch was already posted (entry %(n)s).") % {"n": entry.number}
        )
    for row in txn_rows:
        row[7] = entry.number
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO savings_savingstransaction (account_id, business_date, kind, direction, "
            "amount_minor, balance_after_minor, blocked_after_minor, entry_id, channel, customer, "
            "memo, reference, request_digest, actor_id, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s)",
            txn_rows,
        )
        cursor.executemany(
            "UPDATE savings_savingsaccount SET balance_minor = %s, available_minor = %s WHERE id = %s",
            [
                [a.balance_minor, a.balance_minor - a.blocked_minor - a.min_balance_minor, a.id]
                for a in touched.values()
            ],
        )
    return entry.number


# --- accrual ----------------------------------------------------------------------------------------
@transaction.atomic
def savings_interest_accrue(
    *, on_date: dt.date, actor=None, through: dt.date | None = None
) -> dict:
    """Add ``on_date``'s end-of-day balance to the interest accumulator of every open
    account not yet counted through ``on_date`` (a missed day counts at today's balance;
    ``through``, a later day the institution is closed, counts the days up to it too).
    Term deposits count up to the day before maturity. Then the interest payable in
    the general ledger is brought to what the accounts have earned. Idempotent per date."""
    _check_actor(actor)
    d = connection.ops.adapt_datefield_value
    counted = 0
    last_day = max(through or on_date, on_date)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT accrued_through FROM savings_savingsaccount "
            "WHERE status <> 'closed' AND accrued_through < %s AND maturity_date IS NULL",
            [d(last_day)],
        )
        throughs = sorted(db_date(r[0]) for r in cursor.fetchall())
        for counted_to in throughs:
            gap = (last_day - counted_to).days
            cursor.execute(
                "UPDATE savings_savingsaccount SET "
                "acc_balance_days = acc_balance_days + balance_minor * %s, "
                "acc_eligible_days = acc_eligible_days + CASE WHEN balance_minor >= "
                "(SELECT p.min_balance_for_interest_minor FROM savings_savingsproduct p "
                "WHERE p.id = savings_savingsaccount.product_id) THEN balance_minor * %s ELSE 0 END, "
                "acc_days = acc_days + %s, accrued_through = %s "
                "WHERE status <> 'closed' AND accrued_through = %s AND maturity_date IS NULL",
                [gap, gap, gap, d(last_day), d(counted_to)],
            )
            counted += cursor.rowcount
        # term deposits: count up to the day before maturity, never after
        cursor.execute(
            "SELECT DISTINCT accrued_through, maturity_date FROM savings_savingsaccount "
            "WHERE status <> 'closed' AND accrued_through < %s AND maturity_date IS NOT NULL",
            [d(last_day)],
        )
        pairs = sorted((db_date(a), db_date(b)) for a, b in cursor.fetchall())
        for counted_to, maturity in pairs:
            last = min(last_day, maturity - dt.timedelta(days=1))
            gap = max((last - counted_to).days, 0)
            cursor.execute(
                "UPDATE savings_savingsaccount SET "
                "acc_balance_days = acc_balance_days + balance_minor * %s, "
                "acc_eligible_days = acc_eligible_days + CASE WHEN balance_minor >= "
                "(SELECT p.min_balance_for_interest_minor FROM savings_savingsproduct p "
                "WHERE p.id = savings_savingsaccount.product_id) THEN balance_minor * %s ELSE 0 END, "
                "acc_days = acc_days + %s, accrued_through = %s "
                "WHERE status <> 'closed' AND accrued_through = %s AND maturity_date = %s",
                [gap, gap, gap, d(last_day), d(counted_to), d(maturity)],
            )
            counted += cursor.rowcount if gap else 0
    # (nothing counted: the accumulators did not move since the last true-up)
    payable = (
        payable_true_up(on_date=on_date, actor=actor) if counted else {"posted": {}, "unmapped": []}
    )
    if _run("interest_accrue", on_date) is None:
        _done("interest_accrue", on_date, {"accounts": counted}, actor)
    result = {"accounts": counted}
    if payable["posted"] or payable["unmapped"]:
        result["payable"] = payable
    return result


# --- interest posting ------------------------------------------------------------------------------
def _interest(acct_row, product: SavingsProduct):
    rate_ppm = acct_row["interest_rate_ppm"]
    rate = Decimal(product.interest_rate_ppm if rate_ppm is None else rate_ppm) / PPM
    return interest_from_accumulator(
        Accumulator(
            balance_days=acct_row["acc_balance_days"],
            eligible_balance_days=acct_row["acc_eligible_days"],
            days=acct_row["acc_days"],
        ),
        currency=product.currency,
        annual_rate=rate,
        method=product.interest_method,
        min_balance_minor=product.min_balance_for_interest_minor,
        days_in_year=product.days_in_year,
        withholding_rate=product.withholding_rate,
        rounding=product.interest_rounding,
    )


def _post_interest(
    *,
    actor,
    on_date: dt.date,
    product: SavingsProduct,
    rows: list[dict],
    label: str,
    period_end: dt.date | None = None,
):
    """Post the accumulated interest of ``rows`` (accounts of one product); reset them.
    The gross interest is taken from the product's interest payable (brought up to date
    first), or charged to the expense when the chart maps no payable."""
    payable = payable_account(product.currency, product) is not None
    if payable:
        payable_true_up(on_date=on_date, actor=actor, product_ids=[product.pk])
    by_gl: dict[int, list[tuple[dict, object]]] = defaultdict(list)
    for row in rows:
        by_gl[row["gl_account_id"]].append((row, _interest(row, product)))
    posted = 0
    gross_total = 0
    ids_with_interest: list[int] = []
    for gl_id, items in sorted(by_gl.items()):
        moves: list[Move] = []
        gross = tax = 0
        for row, result in items:
            if result.is_zero:
                continue
            moves.append(Move(row["id"], TxnKind.INTEREST, "in", result.gross.minor, label))
            gross += result.gross.minor
            if result.tax.minor:
                moves.append(
                    Move(
                        row["id"],
                        TxnKind.WITHHOLDING_TAX,
                        "out",
                        result.tax.minor,
                        _("Tax withheld on interest"),
                    )
                )
                tax += result.tax.minor
        if not moves:
            continue
        accounts = _load({m.account_id for m in moves})
        counter = [
            payable_line(product, gross, side="dr", memo=label)
            if payable
            else LineSpec.dr(
                gl_account("savings_interest_expense", product.currency, product),
                product.money(gross),
                memo=label[:200],
            )
        ]
        if tax:
            counter.append(
                LineSpec.cr(
                    gl_account("savings_withholding_tax", product.currency, product),
                    product.money(tax),
                    memo=_("Tax withheld on interest")[:200],
                )
            )
        post_batch(
            actor=actor,
            on_date=on_date,
            narrative=f"{label} · {product.code}"[:300],
            source_type="savings.interest",
            key=f"savings.interest:{on_date.isoformat()}:{product.pk}:{gl_id}",
            accounts=accounts,
            moves=moves,
            counter_lines=counter,
        )
        posted += len({m.account_id for m in moves})
        gross_total += gross
        ids_with_interest.extend(m.account_id for m in moves)
    SavingsAccount.objects.filter(pk__in=[r["id"] for r in rows]).update(
        acc_balance_days=0,
        acc_eligible_days=0,
        acc_days=0,
        interest_posted_through=period_end or on_date,
    )
    return posted, gross_total


ROW_FIELDS = [
    "id",
    "gl_account_id",
    "interest_rate_ppm",
    "acc_balance_days",
    "acc_eligible_days",
    "acc_days",
]


@transaction.atomic
def savings_interest_post(*, on_date: dt.date, actor=None, through: dt.date | None = None) -> dict:
    """Post the interest of every voluntary or guarantee product whose period (month,
    quarter, year) ends on ``on_date`` (or on ``through``, the calendar month end when
    ``on_date`` is the month's last business date): counts the days first (accrue), then
    one entry per product and ledger account, dated ``on_date``, withholding tax
    deducted, nothing for the accounts below the minimum or earning less than one minor
    unit. Idempotent per date."""
    _check_actor(actor)
    previous = _run("interest_post", on_date)
    if previous is not None:
        return previous.result
    period_end = max(through or on_date, on_date)
    savings_interest_accrue(on_date=on_date, actor=actor, through=period_end)
    result: dict = {"products": {}, "accounts": 0}
    products = SavingsProduct.objects.exclude(kind=ProductKind.TERM).order_by("id")
    label = _("Interest to %(date)s") % {"date": period_end.strftime("%d/%m/%Y")}
    for product in products:
        if not is_posting_date(period_end, product.posting_frequency):
            continue
        rows = list(
            _lock_rows(
                SavingsAccount.objects.filter(product=product, status__in=POSTABLE)
                .filter(
                    Q(interest_posted_through__isnull=True)
                    | Q(interest_posted_through__lt=period_end)
                )
                .order_by("id")
            ).values(*ROW_FIELDS)
        )
        if not rows:
            continue
        posted, gross = _post_interest(
            actor=actor,
            on_date=on_date,
            product=product,
            rows=rows,
            label=label,
            period_end=period_end,
        )
        result["products"][product.code] = {"accounts": posted, "gross_minor": gross}
        result["accounts"] += posted
    return _done("interest_post", on_date, result, actor)


# --- maintenance fees -------------------------------------------------------------------------------
@transaction.atomic
def savings_maintenance_fees_charge(
    *, on_date: dt.date, actor=None, through: dt.date | None = None
) -> dict:
    """At month end (``on_date``, or ``through`` when the month ends on a closed day),
    take each product's flat monthly fee from its open accounts (never below zero; an
    account opened this month pays from next month). Idempotent per date."""
    _check_actor(actor)
    previous = _run("maintenance_fees", on_date)
    if previous is not None:
        return previous.result
    result: dict = {"products": {}, "accounts": 0}
    period_end = max(through or on_date, on_date)
    if not is_posting_date(period_end, "monthly"):
        return result
    month_start = period_end.replace(day=1)
    label = _("Monthly maintenance fee %(month)s") % {"month": period_end.strftime("%m/%Y")}
    for product in SavingsProduct.objects.filter(maintenance_fee_minor__gt=0).order_by("id"):
        qs = (
            SavingsAccount.objects.filter(
                product=product, status__in=POSTABLE, opened_date__lt=month_start
            )
            .filter(Q(fees_charged_through__isnull=True) | Q(fees_charged_through__lt=period_end))
            .order_by("id")
        )
        ids = list(_lock_rows(qs).values_list("id", flat=True))
        if not ids:
            continue
        accounts = _load(ids)
        by_gl: dict[str, list[Move]] = defaultdict(list)
        for acct in accounts.values():
            fee = min(product.maintenance_fee_minor, acct.balance_minor)
            if fee > 0:
                by_gl[acct.gl_number].append(Move(acct.id, TxnKind.FEE, "out", fee, label))
        charged = 0
        for gl_number, moves in sorted(by_gl.items()):
            total = sum(m.amount_minor for m in moves)
            post_batch(
                actor=actor,
                on_date=on_date,
                narrative=f"{label} · {product.code}"[:300],
                source_type="savings.fee",
                key=f"savings.fee:{on_date.isoformat()}:{product.pk}:{gl_number}",
                accounts=accounts,
                moves=moves,
                counter_lines=[
                    LineSpec.cr(
                        gl_account("savings_fee_income", product.currency, product),
                        product.money(total),
                        memo=label[:200],
                    )
                ],
            )
            charged += len(moves)
        SavingsAccount.objects.filter(pk__in=ids).update(fees_charged_through=period_end)
        result["products"][product.code] = charged
        result["accounts"] += charged
    return _done("maintenance_fees", on_date, result, actor)


# --- dormancy -------------------------------------------------------------------------------------------
@transaction.atomic
def savings_dormancy_flag(*, on_date: dt.date, actor=None) -> dict:
    """Make dormant every active account without a customer transaction for its
    product's ``dormancy_days`` (0: never). Withdrawals and deposits are then refused
    until a manager reactivates it. Idempotent (an account is flagged once)."""
    _check_actor(actor)
    flagged: list[int] = []
    for days in (
        SavingsProduct.objects.filter(dormancy_days__gt=0)
        .values_list("dormancy_days", flat=True)
        .distinct()
    ):
        cutoff = on_date - dt.timedelta(days=days)
        qs = SavingsAccount.objects.filter(
            product__dormancy_days=days,
            status=AccountStatus.ACTIVE,
            last_customer_date__lte=cutoff,
        )
        ids = list(_lock_rows(qs).values_list("id", flat=True))
        if ids:
            SavingsAccount.objects.filter(pk__in=ids).update(
                status=AccountStatus.DORMANT, dormant_since=on_date
            )
            flagged.extend(ids)
    result = {"accounts": len(flagged), "ids": sorted(flagged)[:200]}
    if flagged:  # a run that flags nothing leaves no trace (and running again flags nothing)
        audit_record(
            actor=actor,
            action="savings.dormancy_flag",
            object_type="savings.run",
            object_id=on_date.isoformat(),
            object_repr=f"dormancy_flag {on_date.isoformat()}",
            after=result,
        )
    return result


# --- term deposits --------------------------------------------------------------------------------------
@transaction.atomic
def term_deposits_mature(*, on_date: dt.date, actor=None) -> dict:
    """Term deposits maturing on or before ``on_date``: post their interest (rate fixed at
    opening, counted up to the day before maturity, tax withheld), mark them matured,
    then move principal and interest to their payout account and close them when they
    have one (otherwise the money stays available for withdrawal, earning nothing more).
    Idempotent: a deposit matures once."""
    _check_actor(actor)
    qs = SavingsAccount.objects.filter(
        product__kind=ProductKind.TERM,
        matured=False,
        maturity_date__lte=on_date,
        status__in=POSTABLE,
    ).order_by("id")
    if not qs.exists():
        return {"matured": 0, "paid_out": 0}
    savings_interest_accrue(on_date=on_date, actor=actor)
    rows = list(_lock_rows(qs).values(*ROW_FIELDS, "product_id", "payout_account_id"))
    result: dict = {"matured": 0, "paid_out": 0}
    if not rows:
        return result
    label = _("Interest of the term deposit at maturity")
    by_product: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_product[row["product_id"]].append(row)
    for product_id, product_rows in sorted(by_product.items()):
        product = SavingsProduct.objects.get(pk=product_id)
        _post_interest(
            actor=actor, on_date=on_date, product=product, rows=product_rows, label=label
        )
    SavingsAccount.objects.filter(pk__in=[r["id"] for r in rows]).update(matured=True)
    result["matured"] = len(rows)
    # pay out into the payout accounts (same currency, still open)
    payouts = [r for r in rows if r["payout_account_id"]]
    if payouts:
        ids = {r["id"] for r in payouts} | {r["payout_account_id"] for r in payouts}
        accounts = _load(ids)
        statuses = dict(SavingsAccount.objects.filter(pk__in=ids).values_list("id", "status"))
        moves: list[Move] = []
        closing: list[int] = []
        for r in payouts:
            src, dst = accounts[r["id"]], accounts[r["payout_account_id"]]
            if dst.currency != src.currency or statuses[dst.id] not in POSTABLE:
                continue
            amount = src.balance_minor - src.blocked_minor
            if amount <= 0 or src.blocked_minor:
                continue
            memo = _("Term deposit paid out at maturity")
            moves.append(
                Move(src.id, TxnKind.TRANSFER, "out", amount, memo, f"savings.account:{dst.id}")
            )
            moves.append(
                Move(dst.id, TxnKind.TRANSFER, "in", amount, memo, f"savings.account:{src.id}")
            )
            closing.append(src.id)
        by_currency: dict[str, list[Move]] = defaultdict(list)
        for mv in moves:
            by_currency[accounts[mv.account_id].currency].append(mv)
        for currency, cur_moves in sorted(by_currency.items()):
            post_batch(
                actor=actor,
                on_date=on_date,
                narrative=_("Term deposits paid out at maturity"),
                source_type="savings.term_payout",
                key=f"savings.term_payout:{on_date.isoformat()}:{currency}",
                accounts=accounts,
                moves=cur_moves,
                counter_lines=[],
            )
        if closing:
            SavingsAccount.objects.filter(pk__in=closing).update(
                status=AccountStatus.CLOSED,
                closed_date=on_date,
                min_balance_minor=0,
                available_minor=0,
            )
        result["paid_out"] = len(closing)
    audit_record(
        actor=actor,
        action="savings.term_deposits_mature",
        object_type="savings.run",
        object_id=on_date.isoformat(),
        object_repr=f"term_deposits_mature {on_date.isoformat()}",
        after=result,
    )
    return result
