"""Arrears: days past due, overdue amounts and late penalties, for the whole portfolio.

End of day calls :func:`loan_penalties_apply` every evening. It works in sets: one query
finds the loans with an instalment past due and unpaid, their schedules and transactions
are read in two queries per batch, replayed in memory, the penalties the product's rule
charges (``domain.penalties_due``) are inserted in bulk and the caches rewritten in bulk.
On the cash basis a penalty posts nothing: it is income when paid.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Min, Sum
from django.utils import timezone

from mupaka.core.audit import audit_record
from mupaka.core.permissions import require_perm
from mupaka.loans import domain as d
from mupaka.loans import engine
from mupaka.loans.models import Loan, LoanInstallment, LoanStatus, LoanTransaction, TxKind
from mupaka.loans.services.common import apply_caches, installment_caches_write

BATCH = 500


@dataclass
class PenaltyRun:
    on_date: dt.date
    loans_examined: int = 0
    penalties: int = 0
    totals_minor: dict[str, int] = field(default_factory=dict)


def _overdue_loan_ids(on_date: dt.date) -> list[int]:
    """Active loans with an instalment past due AND a penalty rule: a loan whose
    terms carry no rule is never charged, so its schedule is not even loaded."""
    return sorted(
        set(
            LoanInstallment.objects.filter(
                loan__status=LoanStatus.ACTIVE,
                loan__terms__penalty__isnull=False,
                version=F("loan__schedule_version"),
                due_date__lt=on_date,
                outstanding_minor__gt=0,
            )
            .exclude(loan__terms__penalty=None)
            .values_list("loan_id", flat=True)
        )
    )


def loan_penalties_apply(
    *, on_date: dt.date, actor=None, refresh_arrears: bool = True
) -> PenaltyRun:
    """Charge the late penalties due up to ``on_date`` on every active loan (each penalty
    once: those already charged are counted per instalment), then refresh days past
    due (``refresh_arrears=False``: the caller ages the whole portfolio itself right
    after, as end of day does in one UPDATE). ``actor`` None is end of day; a person
    needs ``loan.penalties.apply``."""
    if actor is not None:
        require_perm(actor, "loan.penalties.apply")
    run = PenaltyRun(on_date)
    totals: Counter[str] = Counter()
    ids = _overdue_loan_ids(on_date)
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            chunk = ids[start : start + BATCH]
            loans = {
                loan.pk: loan
                for loan in Loan.objects.select_for_update(of=("self",)).filter(
                    pk__in=chunk, status=LoanStatus.ACTIVE
                )
            }
            rows: dict[int, list[LoanInstallment]] = defaultdict(list)
            for row in LoanInstallment.objects.filter(loan_id__in=loans).order_by(
                "loan_id", "number"
            ):
                if row.version == loans[row.loan_id].schedule_version:
                    rows[row.loan_id].append(row)
            txs: dict[int, list[LoanTransaction]] = defaultdict(list)
            for tx in LoanTransaction.objects.filter(
                loan_id__in=loans, kind__in=engine.REPLAYED_KINDS, reversed=False
            ).order_by("on_date", "id"):
                if tx.schedule_version == loans[tx.loan_id].schedule_version:
                    txs[tx.loan_id].append(tx)
            refunded: dict[int, int] = {
                loan_id: int(total or 0)
                for loan_id, total in LoanTransaction.objects.filter(
                    loan_id__in=loans, kind=TxKind.REFUND, reversed=False
                )
                .values("loan_id")
                .annotate(total=Sum("amount_minor"))
                .values_list("loan_id", "total")
            }
            new: list[LoanTransaction] = []
            touched: list[tuple[Loan, list[LoanTransaction], engine.LoanView]] = []
            for loan_id, loan in loans.items():
                run.loans_examined += 1
                rule = engine.loan_penalty(loan)
                if rule is None:
                    continue
                already = Counter(t.installment for t in txs[loan_id] if t.kind == TxKind.PENALTY)
                # penalties_due charges an instalment only on the rule's dates beyond those
                # it had: when no instalment due before the date has a new one, nothing can
                # be charged, and the loan is not replayed (most loans, most evenings)
                if not any(
                    len(d.penalty_dates(row.due_date, on_date, rule)) > already.get(row.number, 0)
                    for row in rows[loan_id]
                    if row.due_date < on_date
                ):
                    continue
                view = engine.replay_loan(loan, rows=rows[loan_id], transactions=txs[loan_id])
                charges = d.penalties_due(
                    view.state.overdue_installments(on_date),
                    rule,
                    as_of=on_date,
                    money=view.schedule.terms.money,
                    already_applied=already,
                )
                if not charges:
                    continue
                # A penalty is never dated before the loan's last transaction: what was
                # already allocated stays as it was posted (no back-dated reallocation when
                # end of day catches up on missed days).
                last = txs[loan_id][-1].on_date if txs[loan_id] else loan.disbursed_on
                added = [
                    LoanTransaction(
                        loan=loan,
                        kind=TxKind.PENALTY,
                        on_date=max(c.on_date, last),
                        currency=loan.currency,
                        amount_minor=engine.minor(c.amount, loan.currency),
                        penalties_minor=engine.minor(c.amount, loan.currency),
                        component="penalties",
                        installment=c.installment,
                        schedule_version=loan.schedule_version,
                    )
                    for c in charges
                ]
                new.extend(added)
                touched.append((loan, added, view))
                for tx in added:
                    totals[loan.currency] += tx.amount_minor
            if new:
                LoanTransaction.objects.bulk_create(new)
            changed: list[Loan] = []
            fields: set[str] = set()
            dirty: list[LoanInstallment] = []
            for loan, added, first in touched:
                all_txs = sorted(txs[loan.pk] + added, key=lambda t: (t.on_date, t.pk or 0))
                view = engine.replay_loan(
                    loan, rows=rows[loan.pk], transactions=all_txs, schedule=first.schedule
                )
                fields.update(
                    apply_caches(
                        loan,
                        view,
                        on_date=on_date,
                        refunded=refunded.get(loan.pk, 0),
                        dirty_rows=dirty,
                    )
                )
                changed.append(loan)
            installment_caches_write(dirty)
            if changed and fields:
                _loans_write(changed, sorted(fields))
            run.penalties += len(new)
    run.totals_minor = dict(totals)
    if refresh_arrears:
        loan_arrears_refresh(on_date=on_date)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="loan.penalties_apply",
            object_type="loans.loan",
            object_repr=f"{on_date.isoformat()}",
            after={
                "on_date": on_date,
                "loans_examined": run.loans_examined,
                "penalties": run.penalties,
                "totals_minor": run.totals_minor,
            },
        )
    return run


def _loans_write(loans: list[Loan], fields: list[str]) -> None:
    """Save ``fields`` (and ``updated_at``) of many loans with one prepared UPDATE."""
    now = timezone.now()
    columns = [Loan._meta.get_field(f) for f in fields]
    updated = Loan._meta.get_field("updated_at")
    sets = ", ".join(f"{c.column} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE loans_loan SET {sets}, {updated.column} = %s WHERE id = %s",  # noqa: S608 (column names from the model)
            [
                [c.get_db_prep_save(getattr(loan, c.attname), connection) for c in columns]
                + [updated.get_db_prep_save(now, connection), loan.pk]
                for loan in loans
            ],
        )
    for loan in loans:
        loan.updated_at = now


@transaction.atomic
def loan_arrears_refresh(*, on_date: dt.date) -> int:
    """Days past due and overdue amounts of every active loan as of ``on_date``, from the
    instalment caches: two aggregate queries, one UPDATE for the loans no longer late and
    a bulk update of the late ones only. Returns how many loans changed."""
    current = LoanInstallment.objects.filter(
        loan__status=LoanStatus.ACTIVE,
        version=F("loan__schedule_version"),
        due_date__lt=on_date,
        outstanding_minor__gt=0,
    )
    late = {
        loan_id: ((on_date - oldest).days, int(overdue or 0))
        for loan_id, oldest, overdue in current.values("loan_id")
        .annotate(m=Min("due_date"), s=Sum("outstanding_minor"))
        .values_list("loan_id", "m", "s")
    }
    active = Loan.objects.filter(status=LoanStatus.ACTIVE)
    flagged = list(active.exclude(days_past_due=0, overdue_minor=0).values_list("pk", flat=True))
    no_longer = [pk for pk in flagged if pk not in late]
    cleared = 0
    for start in range(0, len(no_longer), BATCH):
        cleared += Loan.objects.filter(pk__in=no_longer[start : start + BATCH]).update(
            days_past_due=0, overdue_minor=0
        )
    changed = []
    ids = sorted(late)
    for start in range(0, len(ids), BATCH):
        for loan in active.filter(pk__in=ids[start : start + BATCH]).only(
            "id", "days_past_due", "overdue_minor"
        ):
            dpd, overdue = late[loan.pk]
            if (loan.days_past_due, loan.overdue_minor) != (dpd, overdue):
                loan.days_past_due, loan.overdue_minor = dpd, overdue
                changed.append(loan)
    if changed:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE loans_loan SET days_past_due = %s, overdue_minor = %s WHERE id = %s",
                [(loan.days_past_due, loan.overdue_minor, loan.pk) for loan in changed],
            )
    active.exclude(state_as_of=on_date).update(state_as_of=on_date)
    return cleared + len(changed)
