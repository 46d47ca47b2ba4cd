"""The portfolio snapshot of a business date: three INSERT ... SELECT statements (loans,
savings, people served) replacing the date's rows. See API.md for the measures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from mupaka.cob import sql
from mupaka.cob.models import OutreachSnapshot, PortfolioSnapshot, SavingsSnapshot
from mupaka.cob.services.steps import BAND_JOIN, PROVISION_OF_LOAN

# the member's border post: the first (lowest id) of her trader profile's posts
BORDER_POST = (
    "(SELECT tp.member_id, MIN(tpb.borderpost_id) AS border_post_id "
    "FROM members_traderprofile tp JOIN members_traderprofile_border_posts tpb "
    "ON tpb.traderprofile_id = tp.id GROUP BY tp.member_id)"
)

BUCKET = (
    "CASE WHEN l.status <> 'active' OR l.days_past_due <= 0 THEN 0 "
    "WHEN l.days_past_due <= 30 THEN 1 WHEN l.days_past_due <= 60 THEN 2 "
    "WHEN l.days_past_due <= 90 THEN 3 WHEN l.days_past_due <= 180 THEN 4 "
    "WHEN l.days_past_due <= 360 THEN 5 ELSE 6 END"
)


def _portfolio(d, month_start) -> int:
    active = "l.status = 'active'"
    par = "CASE WHEN {active} AND (l.days_past_due {cond} OR l.restructured) THEN l.principal_outstanding_minor ELSE 0 END"
    principal = "COALESCE(l.approved_principal_minor, l.requested_principal_minor)"
    p_overdue = sql.greatest("0", "l.principal_outstanding_minor - COALESCE(fu.principal, 0)")
    i_overdue = sql.greatest("0", "l.interest_outstanding_minor - COALESCE(fu.interest, 0)")
    columns = (
        "business_date, branch_id, officer_id, product_id, currency, sex, border_post_id, "
        "bucket, restructured, loan_count, borrower_count, first_loan_count, "
        "principal_outstanding_minor, interest_outstanding_minor, principal_overdue_minor, "
        "interest_overdue_minor, overdue_minor, par1_minor, par30_minor, par90_minor, "
        "provision_minor, disbursed_count, disbursed_minor, disbursed_mtd_count, "
        "disbursed_mtd_minor"
    )
    per_loan = (
        "SELECT l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, "  # noqa: S608 (constant text)
        f"mb.border_post_id, {BUCKET} AS bucket, l.restructured, "
        f"CASE WHEN {active} THEN 1 ELSE 0 END AS active, "
        f"CASE WHEN {active} AND fa.first_id = l.id THEN 1 ELSE 0 END AS borrower, "
        f"CASE WHEN {active} AND fl.first_id = l.id THEN 1 ELSE 0 END AS first_loan, "
        f"CASE WHEN {active} THEN l.principal_outstanding_minor ELSE 0 END AS principal, "
        f"CASE WHEN {active} THEN l.interest_outstanding_minor ELSE 0 END AS interest, "
        f"CASE WHEN {active} AND l.days_past_due > 0 THEN {p_overdue} ELSE 0 END AS p_overdue, "
        f"CASE WHEN {active} AND l.days_past_due > 0 THEN {i_overdue} ELSE 0 END AS i_overdue, "
        f"CASE WHEN {active} THEN l.overdue_minor ELSE 0 END AS overdue, "
        + par.format(active=active, cond=">= 1")
        + " AS par1, "
        + par.format(active=active, cond="> 30")
        + " AS par30, "
        + par.format(active=active, cond="> 90")
        + " AS par90, "  # noqa: S608
        f"CASE WHEN {active} THEN COALESCE(pv.provision, 0) ELSE 0 END AS provision, "
        "CASE WHEN l.disbursed_on = %s THEN 1 ELSE 0 END AS disb, "
        f"CASE WHEN l.disbursed_on = %s THEN {principal} ELSE 0 END AS disb_minor, "
        "CASE WHEN l.disbursed_on >= %s AND l.disbursed_on <= %s THEN 1 ELSE 0 END AS mtd, "
        f"CASE WHEN l.disbursed_on >= %s AND l.disbursed_on <= %s THEN {principal} ELSE 0 END "
        "AS mtd_minor "
        "FROM loans_loan l JOIN members_member m ON m.id = l.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = l.member_id "
        # her earliest active loan in the currency (borrowers counted once per currency)
        "LEFT JOIN (SELECT member_id, currency, MIN(id) AS first_id FROM loans_loan "
        "WHERE status = 'active' GROUP BY member_id, currency) fa "
        "ON fa.member_id = l.member_id AND fa.currency = l.currency "
        # her first loan ever disbursed
        "LEFT JOIN (SELECT member_id, MIN(id) AS first_id FROM loans_loan "
        "WHERE disbursed_on IS NOT NULL GROUP BY member_id) fl ON fl.member_id = l.member_id "
        # scheduled principal and interest not yet due (late loans only)
        "LEFT JOIN (SELECT i.loan_id, SUM(i.principal_minor) AS principal, "
        "SUM(i.interest_minor) AS interest FROM loans_loaninstallment i "
        "JOIN loans_loan l5 ON l5.id = i.loan_id AND i.version = l5.schedule_version "
        "WHERE l5.status = 'active' AND l5.days_past_due > 0 AND i.due_date >= %s "
        "GROUP BY i.loan_id) fu ON fu.loan_id = l.id "
        f"LEFT JOIN (SELECT l.id AS loan_id, {PROVISION_OF_LOAN} AS provision "
        f"FROM loans_loan l {BAND_JOIN} WHERE l.status = 'active') pv ON pv.loan_id = l.id "
        "WHERE l.status = 'active' OR (l.disbursed_on >= %s AND l.disbursed_on <= %s)"
    )
    group = "branch_id, officer_id, product_id, currency, sex, border_post_id, bucket, restructured"
    return sql.execute(
        f"INSERT INTO cob_portfoliosnapshot ({columns}) "  # noqa: S608 (constant text)
        f"SELECT %s, {group}, SUM(active), SUM(borrower), SUM(first_loan), SUM(principal), "
        "SUM(interest), SUM(p_overdue), SUM(i_overdue), SUM(overdue), SUM(par1), SUM(par30), "
        "SUM(par90), SUM(provision), SUM(disb), SUM(disb_minor), SUM(mtd), SUM(mtd_minor) "
        f"FROM ({per_loan}) x GROUP BY {group}",
        [d, d, d, month_start, d, month_start, d, d, month_start, d],
    )


def _savings(d) -> int:
    if not sql.table_exists("savings_savingsaccount"):
        return 0
    return sql.execute(
        "INSERT INTO cob_savingssnapshot (business_date, branch_id, product_id, kind, currency, "  # noqa: S608
        "sex, border_post_id, account_count, saver_count, dormant_count, balance_minor, "
        "blocked_minor) "
        "SELECT %s, a.branch_id, a.product_id, p.kind, a.currency, m.sex, mb.border_post_id, "
        "COUNT(*), SUM(CASE WHEN fs.first_id = a.id THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.status = 'dormant' THEN 1 ELSE 0 END), SUM(a.balance_minor), "
        "SUM(a.blocked_minor) "
        "FROM savings_savingsaccount a JOIN savings_savingsproduct p ON p.id = a.product_id "
        "JOIN members_member m ON m.id = a.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = a.member_id "
        "LEFT JOIN (SELECT a2.member_id, a2.currency, p2.kind, MIN(a2.id) AS first_id "
        "FROM savings_savingsaccount a2 JOIN savings_savingsproduct p2 ON p2.id = a2.product_id "
        "WHERE a2.status <> 'closed' AND a2.opened_date <= %s "
        "GROUP BY a2.member_id, a2.currency, p2.kind) fs "
        "ON fs.member_id = a.member_id AND fs.currency = a.currency AND fs.kind = p.kind "
        "WHERE a.status <> 'closed' AND a.opened_date <= %s "
        "GROUP BY a.branch_id, a.product_id, p.kind, a.currency, m.sex, mb.border_post_id",
        [d, d, d],
    )


def _outreach(d) -> int:
    savers = (
        "(SELECT DISTINCT member_id FROM savings_savingsaccount "
        "WHERE status <> 'closed' AND opened_date <= %s)"
        if sql.table_exists("savings_savingsaccount")
        else "(SELECT NULL AS member_id WHERE 1 = 0)"
    )
    params = [d, d] if "%s" in savers else [d]
    return sql.execute(
        "INSERT INTO cob_outreachsnapshot (business_date, branch_id, sex, border_post_id, "  # noqa: S608
        "members_active, borrowers, savers, clients_served) "
        "SELECT %s, m.branch_id, m.sex, mb.border_post_id, "
        "SUM(CASE WHEN m.status = 'active' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.member_id IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN s.member_id IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.member_id IS NOT NULL OR s.member_id IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM members_member m "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = m.id "
        "LEFT JOIN (SELECT DISTINCT member_id FROM loans_loan WHERE status = 'active') b "
        "ON b.member_id = m.id "
        f"LEFT JOIN {savers} s ON s.member_id = m.id "
        "WHERE m.status = 'active' OR b.member_id IS NOT NULL OR s.member_id IS NOT NULL "
        "GROUP BY m.branch_id, m.sex, mb.border_post_id",
        params,
    )


def snapshot_build(*, on_date: dt.date, mid: Callable[[], None] | None = None) -> dict:
    """Replace the snapshot rows of ``on_date`` (in the caller's transaction)."""
    d = sql.date_param(on_date)
    month_start = sql.date_param(on_date.replace(day=1))
    for model in (PortfolioSnapshot, SavingsSnapshot, OutreachSnapshot):
        model.objects.filter(business_date=on_date).delete()
    loans = _portfolio(d, month_start)
    if mid:
        mid()
    savings = _savings(d)
    outreach = _outreach(d)
    return {"portfolio_rows": loans, "savings_rows": savings, "outreach_rows": outreach}
