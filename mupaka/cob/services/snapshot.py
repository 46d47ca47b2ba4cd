"""The portfolio snapshot of a business date: loans, savings and people served, each one
INSERT ... SELECT replacing the date's rows. See API.md for the measures.

Loans go through one scratch table, ``cob_tmp_loanstate``: one row per loan with its
state at the end of the date (at close of business: the loan rows themselves, just aged).
:func:`snapshot_rebuild_past` fills the same table from the loans' history instead (for
dates closed before the snapshot existed: the demo's past month ends), so both share the
aggregation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from mupaka.cob import sql
from mupaka.cob.models import OutreachSnapshot, PortfolioSnapshot, SavingsSnapshot

STATE = "cob_tmp_loanstate"

# the member's border post: the first (lowest id) of her trader profile's posts
BORDER_POST = (
    "(SELECT tp.member_id, MIN(tpb.borderpost_id) AS border_post_id "
    "FROM members_traderprofile tp JOIN members_traderprofile_border_posts tpb "
    "ON tpb.traderprofile_id = tp.id GROUP BY tp.member_id)"
)

STATE_COLUMNS = (
    "id, branch_id, officer_id, product_id, currency, member_id, restructured, active, dpd, "
    "principal_out, interest_out, overdue, p_overdue, i_overdue, disbursed_on, principal"
)


def _drop_state() -> None:
    sql.execute(f"DROP TABLE IF EXISTS {STATE}")


def _state_now(d, month_start) -> None:
    """The loans as end of day left them (active ones, and those disbursed this month)."""
    # (PostgreSQL sums integers as numeric: cast back so that divisions stay integer)
    p_overdue = sql.greatest(
        "0", "l.principal_outstanding_minor - CAST(COALESCE(fu.principal, 0) AS BIGINT)"
    )
    i_overdue = sql.greatest(
        "0", "l.interest_outstanding_minor - CAST(COALESCE(fu.interest, 0) AS BIGINT)"
    )
    active = "l.status = 'active'"
    sql.execute(
        f"CREATE TEMPORARY TABLE {STATE} AS "  # noqa: S608 (constant text)
        f"SELECT l.id, l.branch_id, l.officer_id, l.product_id, l.currency, l.member_id, "
        f"l.restructured, CASE WHEN {active} THEN 1 ELSE 0 END AS active, "
        f"CASE WHEN {active} THEN l.days_past_due ELSE 0 END AS dpd, "
        f"CASE WHEN {active} THEN l.principal_outstanding_minor ELSE 0 END AS principal_out, "
        f"CASE WHEN {active} THEN l.interest_outstanding_minor ELSE 0 END AS interest_out, "
        f"CASE WHEN {active} THEN l.overdue_minor ELSE 0 END AS overdue, "
        f"CASE WHEN {active} AND l.days_past_due > 0 THEN {p_overdue} ELSE 0 END AS p_overdue, "
        f"CASE WHEN {active} AND l.days_past_due > 0 THEN {i_overdue} ELSE 0 END AS i_overdue, "
        "l.disbursed_on, COALESCE(l.approved_principal_minor, l.requested_principal_minor) "
        "AS principal "
        "FROM loans_loan l "
        # scheduled principal and interest not yet due (late loans only): repayments reach
        # principal and interest oldest instalment first, so the rest is overdue
        "LEFT JOIN (SELECT i.loan_id, SUM(i.principal_minor) AS principal, "
        "SUM(i.interest_minor) AS interest FROM loans_loaninstallment i "
        "JOIN loans_loan l5 ON l5.id = i.loan_id AND i.version = l5.schedule_version "
        "WHERE l5.status = 'active' AND l5.days_past_due > 0 AND i.due_date >= %s "
        "GROUP BY i.loan_id) fu ON fu.loan_id = l.id "
        f"WHERE {active} OR (l.disbursed_on >= %s AND l.disbursed_on <= %s)",
        [d, month_start, d],
    )


def _state_past(d, month_start) -> None:
    """The loans as they stood at the end of a past date, from their history: disbursed
    by then and not yet closed or written off; principal and interest less what was
    repaid by then; days past due from the instalments not completed by then (each
    instalment's ``completed_on``). Instalments part-paid count in full in the overdue
    amounts (an approximation; the principal outstanding and PAR are exact)."""
    active = (
        "(l.disbursed_on IS NOT NULL AND l.disbursed_on <= %s "
        "AND (l.closed_on IS NULL OR l.closed_on > %s) "
        "AND (l.written_off_on IS NULL OR l.written_off_on > %s))"
    )
    principal = "COALESCE(l.approved_principal_minor, l.requested_principal_minor)"
    # (PostgreSQL sums integers as numeric: cast back so that divisions stay integer)
    principal_out = sql.greatest("0", f"{principal} - CAST(COALESCE(pd.p, 0) AS BIGINT)")
    interest_out = sql.greatest(
        "0", "CAST(COALESCE(it.interest, 0) AS BIGINT) - CAST(COALESCE(pd.i, 0) AS BIGINT)"
    )
    dpd = sql.days_between("%s", "MIN(i.due_date)")
    text = (
        f"CREATE TEMPORARY TABLE {STATE} AS "  # noqa: S608 (constant text)
        f"SELECT l.id, l.branch_id, l.officer_id, l.product_id, l.currency, l.member_id, "
        f"l.restructured, CASE WHEN {active} THEN 1 ELSE 0 END AS active, "
        f"CASE WHEN {active} THEN COALESCE(lt.dpd, 0) ELSE 0 END AS dpd, "
        f"CASE WHEN {active} THEN {principal_out} ELSE 0 END AS principal_out, "
        f"CASE WHEN {active} THEN {interest_out} ELSE 0 END AS interest_out, "
        f"CASE WHEN {active} THEN CAST(COALESCE(lt.overdue, 0) AS BIGINT) ELSE 0 END AS overdue, "
        f"CASE WHEN {active} THEN CAST(COALESCE(lt.p, 0) AS BIGINT) ELSE 0 END AS p_overdue, "
        f"CASE WHEN {active} THEN CAST(COALESCE(lt.i, 0) AS BIGINT) ELSE 0 END AS i_overdue, "
        f"l.disbursed_on, {principal} AS principal "
        "FROM loans_loan l "
        "LEFT JOIN (SELECT loan_id, SUM(principal_minor) AS p, SUM(interest_minor) AS i "
        # a repayment row holds its current allocation; its reallocation rows are the
        # history of how it moved, not amounts to add again
        "FROM loans_loantransaction WHERE kind = 'repayment' "
        "AND NOT reversed AND on_date <= %s GROUP BY loan_id) pd ON pd.loan_id = l.id "
        "LEFT JOIN (SELECT i.loan_id, SUM(i.interest_minor) AS interest "
        "FROM loans_loaninstallment i JOIN loans_loan l2 ON l2.id = i.loan_id "
        "AND i.version = l2.schedule_version GROUP BY i.loan_id) it ON it.loan_id = l.id "
        f"LEFT JOIN (SELECT i.loan_id, {dpd} AS dpd, "
        "SUM(i.principal_minor + i.interest_minor + i.fees_minor) AS overdue, "
        "SUM(i.principal_minor) AS p, SUM(i.interest_minor) AS i "
        "FROM loans_loaninstallment i JOIN loans_loan l3 ON l3.id = i.loan_id "
        "AND i.version = l3.schedule_version WHERE i.due_date < %s "
        "AND (i.completed_on IS NULL OR i.completed_on > %s) GROUP BY i.loan_id) lt "
        "ON lt.loan_id = l.id "
        f"WHERE {active} OR (l.disbursed_on >= %s AND l.disbursed_on <= %s)"
    )
    # every placeholder is the date, but the month's first day (the one before last)
    sql.execute(text, [d] * (text.count("%s") - 2) + [month_start, d])


def _portfolio(d) -> int:
    bucket = (
        "CASE WHEN s.active = 0 OR s.dpd <= 0 THEN 0 WHEN s.dpd <= 30 THEN 1 "
        "WHEN s.dpd <= 60 THEN 2 WHEN s.dpd <= 90 THEN 3 WHEN s.dpd <= 180 THEN 4 "
        "WHEN s.dpd <= 360 THEN 5 ELSE 6 END"
    )

    def par(cond: str) -> str:
        return (
            f"CASE WHEN s.active = 1 AND (s.dpd {cond} OR s.restructured) "
            "THEN s.principal_out ELSE 0 END"
        )

    band_join = (
        "JOIN cob_provisionband b ON b.restructured = s.restructured AND s.dpd >= b.min_days "
        "AND (b.max_days IS NULL OR s.dpd <= b.max_days)"
    )
    columns = (
        "business_date, branch_id, officer_id, product_id, currency, sex, border_post_id, "
        "bucket, restructured, loan_class, loan_count, borrower_count, first_loan_count, "
        "principal_outstanding_minor, interest_outstanding_minor, principal_overdue_minor, "
        "interest_overdue_minor, overdue_minor, par1_minor, par30_minor, par90_minor, "
        "provision_minor, disbursed_count, disbursed_minor, disbursed_mtd_count, "
        "disbursed_mtd_minor"
    )
    month_start = sql.date_param(sql.to_date(d).replace(day=1))
    per_loan = (
        "SELECT s.branch_id, s.officer_id, s.product_id, s.currency, m.sex, "  # noqa: S608
        f"mb.border_post_id, {bucket} AS bucket, s.restructured, s.active, "
        "CASE WHEN s.active = 1 AND fa.first_id = s.id THEN 1 ELSE 0 END AS borrower, "
        "CASE WHEN s.active = 1 AND fl.first_id = s.id THEN 1 ELSE 0 END AS first_loan, "
        "s.principal_out, s.interest_out, s.p_overdue, s.i_overdue, s.overdue, "
        f"{par('>= 1')} AS par1, {par('> 30')} AS par30, {par('> 90')} AS par90, "
        "CASE WHEN s.active = 1 THEN COALESCE(pv.provision, 0) ELSE 0 END AS provision, "
        "CASE WHEN s.active = 1 THEN COALESCE(pv.category, '') ELSE '' END AS loan_class, "
        "CASE WHEN s.disbursed_on = %s THEN 1 ELSE 0 END AS disb, "
        "CASE WHEN s.disbursed_on = %s THEN s.principal ELSE 0 END AS disb_minor, "
        "CASE WHEN s.disbursed_on >= %s AND s.disbursed_on <= %s THEN 1 ELSE 0 END AS mtd, "
        "CASE WHEN s.disbursed_on >= %s AND s.disbursed_on <= %s THEN s.principal ELSE 0 END "
        "AS mtd_minor "
        f"FROM {STATE} s JOIN members_member m ON m.id = s.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = s.member_id "
        # her earliest active loan in the currency (borrowers counted once per currency)
        f"LEFT JOIN (SELECT member_id, currency, MIN(id) AS first_id FROM {STATE} "
        "WHERE active = 1 GROUP BY member_id, currency) fa "
        "ON fa.member_id = s.member_id AND fa.currency = s.currency "
        # her first loan ever disbursed
        "LEFT JOIN (SELECT member_id, MIN(id) AS first_id FROM loans_loan "
        "WHERE disbursed_on IS NOT NULL GROUP BY member_id) fl ON fl.member_id = s.member_id "
        "LEFT JOIN (SELECT s.id AS loan_id, b.category, "
        f"((s.principal_out * b.rate_ppm + {500_000}) / {1_000_000}) AS provision "
        f"FROM {STATE} s {band_join} WHERE s.active = 1) pv ON pv.loan_id = s.id"
    )
    group = (
        "branch_id, officer_id, product_id, currency, sex, border_post_id, bucket, restructured, "
        "loan_class"
    )
    return sql.execute(
        f"INSERT INTO cob_portfoliosnapshot ({columns}) "  # noqa: S608 (constant text)
        f"SELECT %s, {group}, SUM(active), SUM(borrower), SUM(first_loan), SUM(principal_out), "
        "SUM(interest_out), SUM(p_overdue), SUM(i_overdue), SUM(overdue), SUM(par1), "
        "SUM(par30), SUM(par90), SUM(provision), SUM(disb), SUM(disb_minor), SUM(mtd), "
        f"SUM(mtd_minor) FROM ({per_loan}) x GROUP BY {group}",
        [d, d, d, month_start, d, month_start, d],
    )


def _savings(d, *, past: bool) -> int:
    if not sql.table_exists("savings_savingsaccount"):
        return 0
    # open at the end of d; a past date takes each account's last balance by then
    open_then = (
        "a.opened_date <= %s AND (a.closed_date IS NULL OR a.closed_date > %s)"
        if past
        else "a.status <> 'closed' AND a.opened_date <= %s"
    )
    open_params = [d, d] if past else [d]
    balance = "COALESCE(bal.balance, 0)" if past else "a.balance_minor"
    blocked = "COALESCE(bal.blocked, 0)" if past else "a.blocked_minor"
    balances = (
        "LEFT JOIN (SELECT t.account_id, t.balance_after_minor AS balance, "
        "t.blocked_after_minor AS blocked FROM savings_savingstransaction t "
        "JOIN (SELECT account_id, MAX(id) AS last_id FROM savings_savingstransaction "
        "WHERE business_date <= %s GROUP BY account_id) lt ON lt.last_id = t.id) bal "
        "ON bal.account_id = a.id "
        if past
        else ""
    )
    first_open = open_then.replace("a.", "a2.")
    return sql.execute(
        "INSERT INTO cob_savingssnapshot (business_date, branch_id, product_id, kind, currency, "  # noqa: S608
        "sex, border_post_id, account_count, saver_count, dormant_count, balance_minor, "
        "blocked_minor) "
        "SELECT %s, a.branch_id, a.product_id, p.kind, a.currency, m.sex, mb.border_post_id, "
        "COUNT(*), SUM(CASE WHEN fs.first_id = a.id THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN a.status = 'dormant' {'AND 1 = 0' if past else ''} THEN 1 ELSE 0 END), "
        f"SUM({balance}), SUM({blocked}) "
        "FROM savings_savingsaccount a JOIN savings_savingsproduct p ON p.id = a.product_id "
        "JOIN members_member m ON m.id = a.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = a.member_id "
        "LEFT JOIN (SELECT a2.member_id, a2.currency, p2.kind, MIN(a2.id) AS first_id "
        "FROM savings_savingsaccount a2 JOIN savings_savingsproduct p2 ON p2.id = a2.product_id "
        f"WHERE {first_open} GROUP BY a2.member_id, a2.currency, p2.kind) fs "
        "ON fs.member_id = a.member_id AND fs.currency = a.currency AND fs.kind = p.kind "
        f"{balances}"
        f"WHERE {open_then} "
        "GROUP BY a.branch_id, a.product_id, p.kind, a.currency, m.sex, mb.border_post_id",
        [d, *open_params, *([d] if past else []), *open_params],
    )


def _outreach(d, *, past: bool) -> int:
    if sql.table_exists("savings_savingsaccount"):
        if past:
            savers = (
                "(SELECT DISTINCT member_id FROM savings_savingsaccount WHERE opened_date <= %s "
                "AND (closed_date IS NULL OR closed_date > %s))"
            )
            saver_params = [d, d]
        else:
            savers = (
                "(SELECT DISTINCT member_id FROM savings_savingsaccount "
                "WHERE status <> 'closed' AND opened_date <= %s)"
            )
            saver_params = [d]
    else:
        savers, saver_params = "(SELECT NULL AS member_id WHERE 1 = 0)", []
    member_active = (
        "m.status = 'active' AND m.registered_date <= %s" if past else "m.status = 'active'"
    )
    member_params = [d] if past else []
    return sql.execute(
        "INSERT INTO cob_outreachsnapshot (business_date, branch_id, sex, border_post_id, "  # noqa: S608
        "members_active, borrowers, savers, clients_served) "
        "SELECT %s, m.branch_id, m.sex, mb.border_post_id, "
        f"SUM(CASE WHEN {member_active} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.member_id IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN sv.member_id IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.member_id IS NOT NULL OR sv.member_id IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM members_member m "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = m.id "
        f"LEFT JOIN (SELECT DISTINCT member_id FROM {STATE} WHERE active = 1) b "
        "ON b.member_id = m.id "
        f"LEFT JOIN {savers} sv ON sv.member_id = m.id "
        f"WHERE ({member_active}) OR b.member_id IS NOT NULL OR sv.member_id IS NOT NULL "
        "GROUP BY m.branch_id, m.sex, mb.border_post_id",
        [d, *member_params, *saver_params, *member_params],
    )


def _build(on_date: dt.date, *, past: bool, mid: Callable[[], None] | None) -> dict:
    d = sql.date_param(on_date)
    month_start = sql.date_param(on_date.replace(day=1))
    for model in (PortfolioSnapshot, SavingsSnapshot, OutreachSnapshot):
        model.objects.filter(business_date=on_date).delete()
    _drop_state()
    (_state_past if past else _state_now)(d, month_start)
    try:
        loans = _portfolio(d)
        if mid:
            mid()
        savings = _savings(d, past=past)
        outreach = _outreach(d, past=past)
    finally:
        _drop_state()
    return {"portfolio_rows": loans, "savings_rows": savings, "outreach_rows": outreach}


def snapshot_build(*, on_date: dt.date, mid: Callable[[], None] | None = None) -> dict:
    """Replace the snapshot rows of ``on_date`` from the loans and accounts as they are
    now (end of day, in the caller's transaction)."""
    return _build(on_date, past=False, mid=mid)


def snapshot_rebuild_past(*, on_date: dt.date) -> dict:
    """Snapshot rows for a past date, rebuilt from the loans' and savings' history (for
    dates closed before end of day kept snapshots: the demo's past month ends).
    Dormancy is not known for a past date (counted 0)."""
    return _build(on_date, past=True, mid=None)
