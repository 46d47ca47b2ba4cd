"""What fell due and what was collected on it, every evening (``CollectionSnapshot``), so
that the collection rate of any period is exact:

    collection rate [A, B] = collected during [A, B] on what fell due during [A, B]
                             ÷ (what fell due during [A, B] − what had been prepaid on it before A)

(prepayments of later instalments and collections of arrears that fell due before A are
left out of both sides, as the issue defines it; CGAP Occasional Paper 3).

How a day's collections are attributed to due dates. Per loan and schedule version the
**coverage** is what its repayments (as they stand, reversed ones left out) paid of
principal, interest and fees. Instalments are laid end to end in due-date order, each
one's length being its principal + interest + fees (less what was waived on it); the
coverage covers them from the first. The day's change of coverage (yesterday's is kept
in ``LoanCoverage``) is the slice of that line paid (or, for a reversal, unpaid) today,
and each instalment it crosses gets its share, under its own due date. Penalties are not
"falling due" and are left out. (A product allocating component by component pays some
interest of a later instalment before the principal of an older one: the attribution
here goes by due date, whatever the component order — it is a measure of what fell due,
not of the accounting split.)

Only the loans with a repayment, reversal, reallocation, waiver or reschedule since the
last run are looked at (their transactions have higher ids), so the step costs little.
On its first run it also records what had been prepaid on instalments falling due from
that day on (rows dated the day before), so that prepayments are left out from the first
period it covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from mupaka.cob import sql
from mupaka.cob.models import CollectionSnapshot, CollectionState
from mupaka.cob.services.snapshot import BORDER_POST

KINDS = ("repayment", "reversal", "reallocation", "waiver", "reschedule")
COV = "cob_tmp_coverage"
PIF = "(i.principal_minor + i.interest_minor + i.fees_minor)"


def _waived() -> str:
    """Principal, interest and fees waived per instalment (version, number)."""
    return (
        "(SELECT loan_id, schedule_version AS version, installment AS number, "
        "SUM(principal_minor + interest_minor + fees_minor) AS waived "
        "FROM loans_loantransaction WHERE kind = 'waiver' AND NOT reversed "
        "AND installment IS NOT NULL GROUP BY loan_id, schedule_version, installment)"
    )


def _repaid(where: str) -> str:
    return (
        "SELECT loan_id, schedule_version, SUM(principal_minor + interest_minor + fees_minor) "  # noqa: S608
        f"FROM loans_loantransaction WHERE kind = 'repayment' AND NOT reversed AND {where} "
        "GROUP BY loan_id, schedule_version"
    )


def _ids_clause(ids: list[int]) -> str:
    return f"loan_id IN ({', '.join(str(int(i)) for i in ids)})"


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _coverage_changes(
    on_date: dt.date, loan_ids: list[int]
) -> list[tuple[int, int, int, int, bool]]:
    """(loan, version, old, new, stored) for the loans given, where old ≠ new
    (``stored``: a coverage row exists)."""
    d = sql.date_param(on_date)
    new: dict[tuple[int, int], int] = {}
    old: dict[tuple[int, int], int] = {}
    before: dict[tuple[int, int], int] = {}
    seen: set[int] = set()
    for chunk in _chunks(loan_ids):
        for loan, version, total in sql.fetchall(_repaid(_ids_clause(chunk))):
            new[(int(loan), int(version))] = int(total or 0)
        for loan, version, covered in sql.fetchall(
            "SELECT loan_id, version, covered_minor FROM cob_loancoverage "  # noqa: S608
            f"WHERE {_ids_clause(chunk)}"
        ):
            old[(int(loan), int(version))] = int(covered)
            seen.add(int(loan))
        fresh = [i for i in chunk if i not in seen]
        if fresh:
            # first time seen: what its repayments before today had paid
            for loan, version, total in sql.fetchall(
                _repaid(f"{_ids_clause(fresh)} AND on_date < %s"), [d]
            ):
                before[(int(loan), int(version))] = int(total or 0)
    changes = []
    for key in sorted(set(new) | set(old) | set(before)):
        was = old.get(key, 0) if key[0] in seen else before.get(key, 0)
        now = new.get(key, 0)
        if was != now:
            changes.append((key[0], key[1], was, now, key in old))
    return changes


def _write_cov(rows: list[tuple[int, int, int, int, int]]) -> None:
    """rows: (loan, version, low, high, sign) into the scratch table."""
    sql.execute(f"DROP TABLE IF EXISTS {COV}")
    sql.execute(
        f"CREATE TEMPORARY TABLE {COV} (loan_id BIGINT, version INTEGER, low BIGINT, "
        "high BIGINT, sign INTEGER)"
    )
    if rows:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {COV} VALUES (%s, %s, %s, %s, %s)", rows)  # noqa: S608


def _insert_slices(
    business_date: dt.date,
    *,
    min_due: dt.date | None = None,
    only_due: dt.date | None = None,
    as_due: bool = False,
) -> int:
    """Collections rows for the coverage slices in the scratch table: each instalment's
    share of [low, high] (× sign), under its due date, summed by the snapshot's
    dimensions. ``min_due``/``only_due``: only instalments falling due on or after / on
    that day; ``as_due``: written as what fell due rather than what was collected."""
    lo = sql.greatest("c.low", "x.hi - x.amount")
    hi = "CASE WHEN c.high < x.hi THEN c.high ELSE x.hi END"
    share = sql.greatest("0", f"{hi} - {lo}")
    due_filter, params = "", [sql.date_param(business_date)]
    if min_due:
        due_filter += "AND x.due_date >= %s "
        params.append(sql.date_param(min_due))
    if only_due:
        due_filter += "AND x.due_date = %s "
        params.append(sql.date_param(only_due))
    measures = f"SUM(c.sign * {share}), 0" if as_due else f"0, SUM(c.sign * {share})"
    return sql.execute(
        "INSERT INTO cob_collectionsnapshot (business_date, due_date, branch_id, officer_id, "  # noqa: S608
        "product_id, currency, sex, border_post_id, due_minor, collected_minor) "
        "SELECT %s, x.due_date, l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, "
        f"mb.border_post_id, {measures} "
        f"FROM {COV} c JOIN ("
        " SELECT i.loan_id, i.version, i.due_date, "
        f" {PIF} - COALESCE(w.waived, 0) AS amount, "
        f" SUM({PIF} - COALESCE(w.waived, 0)) OVER (PARTITION BY i.loan_id, i.version "
        "  ORDER BY i.number ROWS UNBOUNDED PRECEDING) AS hi "
        f" FROM loans_loaninstallment i JOIN (SELECT DISTINCT loan_id, version FROM {COV}) k "
        " ON k.loan_id = i.loan_id AND k.version = i.version "
        f" LEFT JOIN {_waived()} w ON w.loan_id = i.loan_id AND w.version = i.version "
        " AND w.number = i.number"
        ") x ON x.loan_id = c.loan_id AND x.version = c.version "
        "JOIN loans_loan l ON l.id = c.loan_id JOIN members_member m ON m.id = l.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = l.member_id "
        f"WHERE x.hi > c.low AND x.hi - x.amount < c.high {due_filter}"
        "GROUP BY x.due_date, l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, "
        "mb.border_post_id "
        "HAVING SUM(c.sign * " + share + ") <> 0",
        params,
    )


def _insert_due(on_date: dt.date) -> int:
    """What falls due on ``on_date``: the instalments of the loans' current schedules;
    a loan closed or written off before counts only what had been paid of it."""
    d = sql.date_param(on_date)
    dims = "l.branch_id, l.officer_id, l.product_id, l.currency, m.sex, mb.border_post_id"
    active = sql.execute(
        "INSERT INTO cob_collectionsnapshot (business_date, due_date, branch_id, officer_id, "  # noqa: S608
        "product_id, currency, sex, border_post_id, due_minor, collected_minor) "
        f"SELECT %s, %s, {dims}, SUM({PIF} - COALESCE(w.waived, 0)), 0 "
        "FROM loans_loaninstallment i JOIN loans_loan l ON l.id = i.loan_id "
        "AND i.version = l.schedule_version "
        "JOIN members_member m ON m.id = l.member_id "
        f"LEFT JOIN {BORDER_POST} mb ON mb.member_id = l.member_id "
        f"LEFT JOIN {_waived()} w ON w.loan_id = i.loan_id AND w.version = i.version "
        "AND w.number = i.number "
        "WHERE i.due_date = %s AND l.status = 'active' "
        f"GROUP BY {dims}",
        [d, d, d],
    )
    # closed or written off: only what had been covered (an interest-to-date payoff
    # leaves the rest of the schedule uncollectable; a write-off stops the schedule)
    ended = [
        (int(loan), int(version), 0, int(covered), 1)
        for loan, version, covered in sql.fetchall(
            "SELECT l.id, l.schedule_version, COALESCE(c.covered_minor, "
            "(SELECT SUM(t.principal_minor + t.interest_minor + t.fees_minor) "
            "FROM loans_loantransaction t WHERE t.loan_id = l.id AND t.kind = 'repayment' "
            "AND NOT t.reversed AND t.schedule_version = l.schedule_version), 0) "
            "FROM loans_loan l JOIN loans_loaninstallment i ON i.loan_id = l.id "
            "AND i.version = l.schedule_version AND i.due_date = %s "
            "LEFT JOIN cob_loancoverage c ON c.loan_id = l.id AND c.version = l.schedule_version "
            "WHERE l.status IN ('closed', 'written_off')",
            [d],
        )
    ]
    if not ended:
        return active
    _write_cov(ended)
    return active + _insert_slices(on_date, only_due=on_date, as_due=True)


def _prepaid_before_tracking(on_date: dt.date, changed: set[int]) -> int:
    """First run: what had been paid before ``on_date`` on the instalments falling due
    from ``on_date`` on (rows dated the day before), so later periods leave it out."""
    d = sql.date_param(on_date)
    candidates = {
        int(r[0])
        for r in sql.fetchall(
            "SELECT DISTINCT i.loan_id FROM loans_loaninstallment i JOIN loans_loan l "
            "ON l.id = i.loan_id AND i.version = l.schedule_version "
            "WHERE i.due_date >= %s AND i.outstanding_minor < "
            "i.principal_minor + i.interest_minor + i.fees_minor + i.penalties_minor",
            [d],
        )
    } | changed
    rows = []
    for chunk in _chunks(sorted(candidates)):
        for loan, version, total in sql.fetchall(
            _repaid(f"{_ids_clause(chunk)} AND on_date < %s"), [d]
        ):
            if total:
                rows.append((int(loan), int(version), 0, int(total), 1))
    if not rows:
        return 0
    _write_cov(rows)
    return _insert_slices(on_date - dt.timedelta(days=1), min_due=on_date)


def collections_record(*, on_date: dt.date, mid: Callable[[], None] | None = None) -> dict:
    """The day's rows of ``CollectionSnapshot`` and the loans' coverage (in the caller's
    transaction). A date already recorded is skipped (idempotent)."""
    state, _created = CollectionState.objects.select_for_update().get_or_create(pk=1)
    if state.last_date is not None and state.last_date >= on_date:
        return {"skipped": "already recorded"}
    first = state.tracked_from is None
    max_id = int(sql.fetchall("SELECT COALESCE(MAX(id), 0) FROM loans_loantransaction")[0][0])
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    if first:
        rows = sql.fetchall(
            "SELECT DISTINCT loan_id FROM loans_loantransaction "  # noqa: S608
            f"WHERE on_date = %s AND kind IN ({kinds})",
            [sql.date_param(on_date)],
        )
    else:
        rows = sql.fetchall(
            "SELECT DISTINCT loan_id FROM loans_loantransaction "  # noqa: S608
            f"WHERE id > %s AND id <= %s AND kind IN ({kinds})",
            [state.last_tx_id, max_id],
        )
    changed = sorted(int(r[0]) for r in rows)
    result = {"loans_changed": len(changed), "prepaid_rows": 0}
    if first:
        result["prepaid_rows"] = _prepaid_before_tracking(on_date, set(changed))
    changes = _coverage_changes(on_date, changed)
    _write_cov(
        [
            (loan, v, min(old, new), max(old, new), 1 if new > old else -1)
            for loan, v, old, new, _stored in changes
        ]
    )
    result["collected_rows"] = _insert_slices(on_date) if changes else 0
    if mid:
        mid()
    result["due_rows"] = _insert_due(on_date)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE cob_loancoverage SET covered_minor = %s WHERE loan_id = %s AND version = %s",
            [(new, loan, v) for loan, v, _old, new, stored in changes if stored],
        )
        cursor.executemany(
            "INSERT INTO cob_loancoverage (loan_id, version, covered_minor) VALUES (%s, %s, %s)",
            [(loan, v, new) for loan, v, _old, new, stored in changes if not stored],
        )
    sql.execute(f"DROP TABLE IF EXISTS {COV}")
    state.tracked_from = state.tracked_from or on_date
    state.last_date = on_date
    state.last_tx_id = max_id
    state.save()
    return result


def collections_rows_of(on_date: dt.date):
    return CollectionSnapshot.objects.filter(business_date=on_date)
