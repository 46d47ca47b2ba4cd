"""The steps of end of day, in order. Each runs inside the transaction the runner opens
for it (with its "done" row) and works in sets: a few SQL statements over the whole
portfolio, never one loan at a time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mupaka.cob import sql
from mupaka.cob.models import ACCRUAL_SCALE, AccrualState, ProvisionBand
from mupaka.cob.services.bands import accrual_stop_days, provision_bands_load
from mupaka.cob.services.runner import Step, StepContext, business_date_move
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.selectors import account_balance, account_for
from mupaka.ledger.services import LineSpec, journal_post

S = ACCRUAL_SCALE
LOAN_PRODUCT = "loans.loanproduct"


def _key(ctx: StepContext, *parts) -> str:
    return ":".join(["cob", ctx.on_date.isoformat(), ctx.step, *(str(p) for p in parts)])


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- 1. loan interest accrual -------------------------------------------------------------
def _accrual_products() -> list[tuple[int, str, str]]:
    return sql.fetchall(
        "SELECT id, code, currency FROM loans_loanproduct WHERE accounting = %s ORDER BY id",
        ["accrual"],
    )


def loan_interest_accrual(ctx: StepContext) -> dict:
    """Interest earned by the loans of products on accrual accounting.

    Per loan, interest is earned evenly over each instalment period (its scheduled
    interest × days elapsed / days of the period, in ACCRUAL_SCALE units, exact at the
    due date); a loan more than ``accrual_stop_days`` late, closed or written off is held
    at the interest actually received (unpaid accrued interest is reversed). The day's
    change, summed per product and currency, is posted as ONE entry (Dr interest
    receivable / Cr interest income, or the reverse); what does not make a whole minor
    unit is carried in ``AccrualState.residual_scaled``. Interest the loans app credited
    to income when it was received is moved to the receivable in the same entry."""
    products = _accrual_products()
    if not products:
        return {"products": 0}
    ids = [p[0] for p in products]
    ph = ", ".join(["%s"] * len(ids))
    d = sql.date_param(ctx.on_date)
    stop = sql.date_param(ctx.on_date - dt.timedelta(days=accrual_stop_days()))
    created = sql.execute(
        "INSERT INTO cob_loanaccrual (loan_id, product_id, currency, accrued_scaled, "  # noqa: S608 (placeholders only)
        "target_scaled, paid_minor, paid_target_minor) "
        "SELECT l.id, l.product_id, l.currency, 0, 0, 0, 0 FROM loans_loan l "
        f"WHERE l.product_id IN ({ph}) AND l.disbursed_on IS NOT NULL AND l.disbursed_on <= %s "
        "AND NOT EXISTS (SELECT 1 FROM cob_loanaccrual a WHERE a.loan_id = l.id)",
        [*ids, d],
    )
    elapsed = sql.days_between("%s", "i.from_date")
    period = sql.days_between("i.due_date", "i.from_date")
    earned = (
        f"SUM(CASE WHEN i.due_date <= %s THEN i.interest_minor * {S} "
        f"WHEN i.from_date < %s THEN (i.interest_minor * {S} * {elapsed}) / {period} "
        "ELSE 0 END)"
    )
    target = sql.greatest(
        "0",
        f"COALESCE(e.earned, 0) + COALESCE(p.paid_prev, 0) * {S} - COALESCE(w.waived, 0) * {S}",
    )
    sql.execute(
        "UPDATE cob_loanaccrual SET target_scaled = t.target, paid_target_minor = t.paid FROM ("  # noqa: S608
        " SELECT l.id AS loan_id,"
        " CASE WHEN l.status = 'active' AND NOT EXISTS (SELECT 1 FROM loans_loaninstallment i2"
        "   WHERE i2.loan_id = l.id AND i2.version = l.schedule_version"
        "   AND i2.outstanding_minor > 0 AND i2.due_date < %s)"
        f" THEN {target} ELSE COALESCE(p.paid, 0) * {S} END AS target,"
        " COALESCE(p.paid, 0) AS paid"
        " FROM loans_loan l"
        f" LEFT JOIN (SELECT i.loan_id, {earned} AS earned FROM loans_loaninstallment i"
        "   JOIN loans_loan l2 ON l2.id = i.loan_id AND i.version = l2.schedule_version"
        f"   WHERE l2.product_id IN ({ph}) AND l2.status = 'active' GROUP BY i.loan_id) e"
        "   ON e.loan_id = l.id"
        " LEFT JOIN (SELECT tx.loan_id, SUM(tx.interest_minor) AS paid,"
        "   SUM(CASE WHEN tx.schedule_version < l3.schedule_version THEN tx.interest_minor"
        "   ELSE 0 END) AS paid_prev"
        "   FROM loans_loantransaction tx JOIN loans_loan l3 ON l3.id = tx.loan_id"
        # a repayment row holds its current allocation (its reallocation rows record how
        # it moved: adding them would count the move twice)
        f"   WHERE l3.product_id IN ({ph}) AND tx.kind = 'repayment'"
        "   AND NOT tx.reversed GROUP BY tx.loan_id) p ON p.loan_id = l.id"
        " LEFT JOIN (SELECT tx.loan_id, SUM(tx.interest_minor) AS waived"
        "   FROM loans_loantransaction tx JOIN loans_loan l4 ON l4.id = tx.loan_id"
        f"   WHERE l4.product_id IN ({ph}) AND tx.kind = 'waiver' AND NOT tx.reversed"
        "   AND tx.schedule_version = l4.schedule_version GROUP BY tx.loan_id) w"
        "   ON w.loan_id = l.id"
        f" WHERE l.product_id IN ({ph}) AND l.disbursed_on IS NOT NULL"
        ") t WHERE cob_loanaccrual.loan_id = t.loan_id",
        [stop, d, d, d, *ids, *ids, *ids, *ids],
    )
    ctx.mid()
    deltas = sql.fetchall(
        "SELECT product_id, currency, SUM(target_scaled - accrued_scaled), "  # noqa: S608
        f"SUM(paid_target_minor - paid_minor), COUNT(*) FROM cob_loanaccrual "
        f"WHERE product_id IN ({ph}) GROUP BY product_id, currency ORDER BY product_id, currency",
        ids,
    )
    codes = {p[0]: p[1] for p in products}
    entries, loans, posted_total = 0, 0, defaultdict(int)
    for product_id, currency, delta_scaled, paid_delta, count in deltas:
        loans += int(count)
        state, _created = AccrualState.objects.select_for_update().get_or_create(
            product_id=product_id, currency=currency
        )
        total = state.residual_scaled + int(delta_scaled or 0)
        posted = total // S  # floor: the residual stays in [0, S)
        state.residual_scaled = total - posted * S
        state.accrued_posted_minor += posted
        paid = int(paid_delta or 0)
        state.paid_posted_minor += paid
        state.accrued_through = ctx.on_date
        state.save()
        product = (LOAN_PRODUCT, product_id)
        receivable = account_for("interest_receivable", currency, product)
        income = account_for("interest_income", currency, product)
        memo_accrued = _("Interest earned")
        memo_paid = _("Interest received on accrued interest")
        lines: list[LineSpec] = []
        if posted:
            amount = Money.from_minor(abs(posted), currency)
            dr, cr = (receivable, income) if posted > 0 else (income, receivable)
            lines += [
                LineSpec.dr(dr, amount, memo=memo_accrued),
                LineSpec.cr(cr, amount, memo=memo_accrued),
            ]
        if paid:
            amount = Money.from_minor(abs(paid), currency)
            dr, cr = (income, receivable) if paid > 0 else (receivable, income)
            lines += [
                LineSpec.dr(dr, amount, memo=memo_paid),
                LineSpec.cr(cr, amount, memo=memo_paid),
            ]
        if lines:
            journal_post(
                actor=None,
                business_date=ctx.on_date,
                narrative=_("Interest accrued on %(date)s · %(product)s")
                % {"date": _fmt(ctx.on_date), "product": codes.get(product_id, product_id)},
                lines=lines,
                source_type="cob.accrual",
                source_id=f"{ctx.on_date.isoformat()}:{product_id}:{currency}",
                idempotency_key=_key(ctx, product_id, currency),
            )
            entries += 1
            posted_total[currency] += posted
    sql.execute(
        "UPDATE cob_loanaccrual SET accrued_scaled = target_scaled, "  # noqa: S608
        "paid_minor = paid_target_minor, accrued_through = %s "
        f"WHERE product_id IN ({ph}) AND (accrued_scaled <> target_scaled "
        "OR paid_minor <> paid_target_minor)",
        [d, *ids],
    )
    return {
        "products": len(ids),
        "loans": loans,
        "new_loans": created,
        "entries": entries,
        "accrued_minor": dict(posted_total),
    }


# --- 2. arrears ageing ---------------------------------------------------------------------
def loan_arrears_ageing(ctx: StepContext) -> dict:
    """Days past due (oldest unpaid instalment due before the date) and overdue amount of
    every active loan, and ``state_as_of`` = the date: ONE UPDATE over the whole
    portfolio (each loan row written once). Same rule as the loans app's
    ``loan_arrears_refresh``, which then finds nothing left to change."""
    d = sql.date_param(ctx.on_date)
    dpd = sql.days_between("%s", "MIN(i.due_date)")
    aged = sql.execute(
        "UPDATE loans_loan SET state_as_of = %s, days_past_due = COALESCE(t.dpd, 0), "  # noqa: S608
        "overdue_minor = COALESCE(t.overdue, 0) FROM ("
        " SELECT l.id AS loan_id, a.dpd, a.overdue FROM loans_loan l LEFT JOIN ("
        f"  SELECT i.loan_id, {dpd} AS dpd, SUM(i.outstanding_minor) AS overdue"
        "   FROM loans_loaninstallment i JOIN loans_loan l2 ON l2.id = i.loan_id"
        "   WHERE l2.status = 'active' AND i.version = l2.schedule_version"
        "   AND i.due_date < %s AND i.outstanding_minor > 0 GROUP BY i.loan_id"
        " ) a ON a.loan_id = l.id WHERE l.status = 'active'"
        ") t WHERE loans_loan.id = t.loan_id",
        [d, d, d],
    )
    ctx.mid()
    late = sql.fetchall(
        "SELECT COUNT(*) FROM loans_loan WHERE status = 'active' AND days_past_due > 0"
    )[0][0]
    return {"active_loans": aged, "late_loans": late}


# --- 3. penalties ---------------------------------------------------------------------------
def loan_penalties(ctx: StepContext) -> dict:
    """The loans app's penalty job (each product's rule; cash basis: nothing posted until
    paid), inside this step's transaction. It runs before the ageing, which then ages
    the whole portfolio in one UPDATE (so the loans app's own refresh, loan by loan
    through the ORM, is skipped: the day's penalties are in the overdue amounts)."""
    from mupaka.loans.services import loan_penalties_apply

    run = loan_penalties_apply(on_date=ctx.on_date, actor=None, refresh_arrears=False)
    return {
        "loans_examined": run.loans_examined,
        "penalties": run.penalties,
        "totals_minor": dict(run.totals_minor),
    }


# --- 4-7. savings ------------------------------------------------------------------------------
def _savings_ready() -> bool:
    return sql.table_exists("savings_savingsaccount")


def period_end(on_date: dt.date) -> dt.date:
    """The last calendar day ``on_date`` closes: the day before the next business date,
    but never past the month end. The closed days that follow (a Sunday, a holiday) keep
    ``on_date``'s balances, so savings count them that evening at those balances; and
    when they reach the month end (the 31st a Sunday or a holiday) the month's interest
    and fees are posted that evening instead of being skipped. Closed days at the start
    of the next month belong to its interest period: the next business date counts them."""
    from mupaka.cob.selectors import next_working_day

    month_end = (on_date.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
        days=1
    )
    return min(next_working_day(on_date) - dt.timedelta(days=1), month_end)


def savings_interest(ctx: StepContext) -> dict:
    """Savings interest: the day's balances counted (through the month end when the
    month ends on closed days), the interest payable in the general ledger brought to
    what the accounts have earned, and interest posted on posting dates."""
    if not _savings_ready():
        return {"skipped": "savings tables missing"}
    from mupaka.savings.services import savings_interest_accrue, savings_interest_post

    through = period_end(ctx.on_date)
    accrued = savings_interest_accrue(on_date=ctx.on_date, actor=None, through=through)
    ctx.mid()
    posted = savings_interest_post(on_date=ctx.on_date, actor=None, through=through)
    return {"accrued": accrued, "posted": posted, "through": through.isoformat()}


def savings_fees(ctx: StepContext) -> dict:
    if not _savings_ready():
        return {"skipped": "savings tables missing"}
    from mupaka.savings.services import savings_maintenance_fees_charge

    return savings_maintenance_fees_charge(
        on_date=ctx.on_date, actor=None, through=period_end(ctx.on_date)
    )


def term_deposits(ctx: StepContext) -> dict:
    if not _savings_ready():
        return {"skipped": "savings tables missing"}
    from mupaka.savings.services import term_deposits_mature

    return term_deposits_mature(on_date=ctx.on_date, actor=None)


def savings_dormancy(ctx: StepContext) -> dict:
    if not _savings_ready():
        return {"skipped": "savings tables missing"}
    from mupaka.savings.services import savings_dormancy_flag

    result = savings_dormancy_flag(on_date=ctx.on_date, actor=None)
    return {"accounts": result.get("accounts", 0)}


# --- 8. provisions ------------------------------------------------------------------------------
BAND_JOIN = (
    "JOIN cob_provisionband b ON b.restructured = l.restructured "
    "AND l.days_past_due >= b.min_days "
    "AND (b.max_days IS NULL OR l.days_past_due <= b.max_days)"
)
PROVISION_OF_LOAN = f"((l.principal_outstanding_minor * b.rate_ppm + {500_000}) / {1_000_000})"


def required_provisions() -> dict[str, int]:
    """The provision the bands require, per currency (sum of each active loan's
    principal × its band's rate, rounded half up per loan)."""
    rows = sql.fetchall(
        f"SELECT l.currency, SUM({PROVISION_OF_LOAN}) FROM loans_loan l {BAND_JOIN} "  # noqa: S608
        "WHERE l.status = 'active' GROUP BY l.currency"
    )
    return {cur: int(total or 0) for cur, total in rows}


def loan_provisions(ctx: StepContext) -> dict:
    """Loan-loss provisions by ageing band, posted as the difference from the stock the
    ledger holds: Dr provision_expense / Cr loan_loss_provision when it must grow, the
    reverse when it must shrink. One entry per currency."""
    return provisions_post(on_date=ctx.on_date, key=lambda cur: _key(ctx, cur), mid=ctx.mid)


def provisions_post(*, on_date: dt.date, key, mid=None) -> dict:
    """Bring the ledger's provision stock to what the bands require (``key(currency)``
    gives each entry's idempotency key)."""
    loaded = False
    if not ProvisionBand.objects.exists():
        provision_bands_load(actor=None)
        loaded = True
    required = required_provisions()
    if mid:
        mid()
    currencies = set(required)
    for cur in _provision_currencies():
        currencies.add(cur)
    result: dict = {"bands_loaded_from_preset": loaded, "currencies": {}}
    for cur in sorted(currencies):
        try:
            provision = account_for("loan_loss_provision", cur)
        except ValidationFailed:
            if required.get(cur, 0) == 0:
                continue
            raise
        stock = -account_balance(provision).net_minor  # credit balance
        need = required.get(cur, 0)
        diff = need - stock
        result["currencies"][cur] = {"required": need, "previous": stock, "posted": diff}
        if diff == 0:
            continue
        expense = account_for("provision_expense", cur)
        amount = Money.from_minor(abs(diff), cur)
        lines = (
            [LineSpec.dr(expense, amount), LineSpec.cr(provision, amount)]
            if diff > 0
            else [LineSpec.dr(provision, amount), LineSpec.cr(expense, amount)]
        )
        journal_post(
            actor=None,
            business_date=on_date,
            narrative=(
                _("Loan-loss provisions at %(date)s: %(required)s required")
                % {
                    "date": _fmt(on_date),
                    "required": f"{Money.from_minor(need, cur).amount} {cur}",
                }
            ),
            lines=lines,
            source_type="cob.provision",
            source_id=f"{on_date.isoformat()}:{cur}",
            idempotency_key=key(cur),
        )
    return result


def _provision_currencies() -> list[str]:
    """Currencies whose provision account holds something (to release it when the
    loans are gone)."""
    rows = sql.fetchall(
        "SELECT DISTINCT ab.currency FROM ledger_accountbalance ab "
        "JOIN ledger_accountmapping m ON m.account_id = ab.account_id "
        "WHERE m.role = %s AND ab.debit_minor <> ab.credit_minor",
        ["loan_loss_provision"],
    )
    return [r[0] for r in rows]


# --- 9. exchange position ---------------------------------------------------------------------------
def exchange_revaluation(ctx: StepContext) -> dict:
    """At the month's last business date, the exchange position revalued at the closing
    rates (unrealised result in the base currency); any earlier month's revaluation still
    standing is reversed first (normally done when the date moved: see
    ``business_date_move``)."""
    from mupaka.cob.services.fx import fx_revaluation_post, fx_revaluation_reverse

    reversed_ = fx_revaluation_reverse(on_date=ctx.on_date)
    ctx.mid()
    result = fx_revaluation_post(on_date=ctx.on_date)
    if reversed_:
        result["reversed"] = reversed_
    return result


# --- 10. collections ----------------------------------------------------------------------------------
def loan_collections(ctx: StepContext) -> dict:
    """What fell due today and what today's repayments paid on what fell due (by due
    date): the collection rate of any period is exact from these rows."""
    from mupaka.cob.services.collections import collections_record

    return collections_record(on_date=ctx.on_date, mid=ctx.mid)


# --- 11. snapshot ----------------------------------------------------------------------------------
def portfolio_snapshot(ctx: StepContext) -> dict:
    from mupaka.cob.services.snapshot import snapshot_build

    return snapshot_build(on_date=ctx.on_date, mid=ctx.mid)


STEPS: list[Step] = [
    Step("loan_interest_accrual", gettext_lazy("Loan interest accrual"), loan_interest_accrual),
    Step("loan_penalties", gettext_lazy("Late penalties"), loan_penalties),
    Step("loan_arrears_ageing", gettext_lazy("Arrears ageing"), loan_arrears_ageing),
    # the savings app's order: deposits maturing first (their payout counts in the day's
    # balances), then interest (it accrues the day first), fees, dormancy
    Step("term_deposits", gettext_lazy("Term deposits maturing"), term_deposits),
    Step("savings_interest", gettext_lazy("Savings interest"), savings_interest),
    Step("savings_fees", gettext_lazy("Savings fees"), savings_fees),
    Step("savings_dormancy", gettext_lazy("Dormant accounts"), savings_dormancy),
    Step("loan_provisions", gettext_lazy("Loan-loss provisions"), loan_provisions),
    Step(
        "exchange_revaluation",
        gettext_lazy("Exchange position at month end"),
        exchange_revaluation,
    ),
    Step("loan_collections", gettext_lazy("Collections on what fell due"), loan_collections),
    Step("portfolio_snapshot", gettext_lazy("Portfolio snapshot"), portfolio_snapshot),
    Step("business_date_move", gettext_lazy("Next business date"), business_date_move),
]
