"""Disbursement: the schedule is fixed on the day the money leaves, and one entry posts.

At disbursement the schedule is generated from the approved terms with the business date
as the disbursement date and stored as rows (version 1). One balanced entry:

    Dr loan_portfolio            principal          (one line per loan / share)
    Cr fee_income                disbursement fee   (deducted, or paid by her in cash)
    Cr guarantee savings         compulsory savings (blocked in her guarantee account)
    Cr till cash / savings       what she takes home

A fee "paid" rather than "deducted" is, at the till, the same net movement: she receives
the principal and hands the fee back; the entry posts the net cash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record
from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.money_format import format_money
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.loans import channels, engine
from mupaka.loans import domain as d
from mupaka.loans.domain.snapshot import snapshot as terms_snapshot
from mupaka.loans.models import (
    Channel,
    GroupLoan,
    Loan,
    LoanInstallment,
    LoanStatus,
    LoanTransaction,
    TxKind,
)
from mupaka.loans.services.common import (
    apply_caches,
    line,
    loan_snapshot,
    lock_loan,
    require_status,
)


def _prepare(loan: Loan, on) -> d.Schedule:
    """The approved terms, disbursed today (a first due date already past is dropped)."""
    terms = engine.loan_terms(loan)
    first_due = loan.first_due_date if loan.first_due_date and loan.first_due_date > on else None
    try:
        return d.generate_schedule(replace(terms, disbursement_date=on, first_due_date=first_due))
    except d.InvalidTerms as exc:
        raise ValidationFailed(
            _("The approved terms cannot make a schedule today: %(why)s.") % {"why": exc},
            code="invalid_terms",
        )


def _activate(actor, loan: Loan, schedule: d.Schedule, on, channel: str) -> dict[str, int]:
    """Store the schedule, make the loan active; return its disbursement amounts."""
    cur = loan.currency
    loan.terms = terms_snapshot(schedule.terms, engine.loan_rules(loan), engine.loan_penalty(loan))
    loan.schedule_version = 1
    rows = LoanInstallment.objects.bulk_create(engine.installment_rows(loan, schedule, 1))
    principal = loan.approved_principal_minor
    fees = engine.minor(schedule.upfront_fees, cur)
    guarantee = engine.minor(schedule.compulsory_savings, cur)
    loan.status = LoanStatus.ACTIVE
    loan.disbursed_on = on
    loan.disbursed_by = actor
    loan.maturity_date = schedule.maturity_date
    loan.guarantee_minor = guarantee
    view = engine.replay_loan(loan, rows=rows, transactions=[])
    apply_caches(loan, view, on_date=on, refunded=0)
    return {
        "principal": principal,
        "fees": fees,
        "guarantee": guarantee,
        "net": principal - fees - guarantee,
        "channel": channel,
    }


def _disburse(
    *,
    actor,
    loans: Sequence[Loan],
    channel: str,
    key: str,
    savings_account=None,
    group_loan: GroupLoan | None = None,
) -> list[LoanTransaction]:
    on = business_date_get()
    if channel not in Channel.values:
        raise ValidationFailed(
            _("Choose how the money is paid: cash at the till or her savings account."),
            field="channel",
            code="unknown_channel",
        )
    if group_loan is not None and channel == Channel.SAVINGS:
        raise ValidationFailed(
            _("A group loan is paid in cash: each member's share goes to the group at the till."),
            field="channel",
        )
    txs: list[LoanTransaction] = []
    lines: list[LineSpec] = []
    net_total = 0
    guarantees = []
    memo = group_loan.number if group_loan else loans[0].number
    for loan in loans:
        before = loan_snapshot(loan)
        schedule = _prepare(loan, on)
        amounts = _activate(actor, loan, schedule, on, channel)
        loan.save()
        tx = LoanTransaction.objects.create(
            loan=loan,
            kind=TxKind.DISBURSEMENT,
            on_date=on,
            currency=loan.currency,
            amount_minor=amounts["principal"],
            principal_minor=amounts["principal"],
            fees_minor=amounts["fees"],
            guarantee_minor=amounts["guarantee"],
            channel=channel,
            schedule_version=1,
            created_by=actor,
            memo=_("Net paid: %(net)s")
            % {"net": format_money(engine.money(amounts["net"], loan.currency))},
        )
        txs.append(tx)
        lines.append(line("loan_portfolio", loan, amounts["principal"], "dr", loan.number))
        if amounts["fees"]:
            lines.append(line("fee_income", loan, amounts["fees"], "cr", loan.number))
        if amounts["guarantee"]:
            g_line = channels.guarantee_line(
                actor=actor,
                loan=loan,
                amount=engine.money(amounts["guarantee"], loan.currency),
                business_date=on,
            )
            lines.append(g_line)
            guarantees.append((loan, g_line, engine.money(amounts["guarantee"], loan.currency)))
        net_total += amounts["net"]
        if channel == Channel.SAVINGS:
            lines.append(
                channels.channel_line(
                    actor=actor,
                    loan=loan,
                    channel=channel,
                    amount=engine.money(amounts["net"], loan.currency),
                    side="cr",
                    memo=loan.number,
                    business_date=on,
                    kind="loan_disbursement",
                    savings_account=savings_account,
                )
            )
        audit_record(
            actor=actor,
            action="loan.disburse",
            obj=loan,
            before=before,
            after=loan_snapshot(loan)
            | {"channel": channel, **{k: v for k, v in amounts.items() if k != "channel"}},
        )
    first = loans[0]
    if channel == Channel.CASH:
        lines.append(
            channels.cash_line(
                actor=actor,
                amount=engine.money(net_total, first.currency),
                side="cr",
                member_id=(group_loan.leader_id if group_loan else first.member_id),
                memo=memo,
            )
        )
    narrative = (
        _("Disbursement of group loan %(number)s (%(group)s)")
        % {"number": group_loan.number, "group": group_loan.group.name}
        if group_loan
        else _("Disbursement of loan %(number)s (%(member)s)")
        % {"number": first.number, "member": first.member.full_name}
    )
    entry = journal_post(
        actor=actor,
        business_date=on,
        narrative=narrative[:300],
        lines=lines,
        source_type="loans.disbursement",
        source_id=str(txs[0].pk),
        idempotency_key=f"{key}:journal",
        branch=first.branch_id,
    )
    channels.after_post(entry, lines)
    for loan, g_line, amount in guarantees:
        channels.guarantee_hold(
            actor=actor, loan=loan, line=g_line, amount=amount, business_date=on
        )
    LoanTransaction.objects.filter(pk__in=[t.pk for t in txs]).update(journal_entry=entry)
    for tx in txs:
        tx.journal_entry = entry
    return txs


@grouped
def loan_disburse(
    *, actor, loan: Loan, idempotency_key: str, channel: str = Channel.CASH, savings_account=None
) -> LoanTransaction:
    """Pay out an approved individual loan, in cash at the actor's till or to the
    member's savings account, on the business date. Idempotent under ``idempotency_key``."""
    require_perm(actor, "loan.disburse")
    payload = {
        "loan": loan.pk,
        "channel": channel,
        "savings_account": getattr(savings_account, "pk", None),
    }

    def run() -> dict:
        locked = lock_loan(actor, loan)
        if locked.group_loan_id:
            raise ValidationFailed(
                _("This is a share of a group loan: disburse the group loan."), code="group_share"
            )
        require_status(
            locked,
            LoanStatus.APPROVED,
            message=_("Only an approved loan can be disbursed (loan %(number)s is %(status)s).")
            % {"number": locked.number, "status": LoanStatus(locked.status).label.lower()},
        )
        txs = _disburse(
            actor=actor,
            loans=[locked],
            channel=channel,
            key=idempotency_key,
            savings_account=savings_account,
        )
        return {"transaction": txs[0].pk}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key, scope="loans.disbursement", actor=actor, payload=payload, run=run
        )
    return LoanTransaction.objects.get(pk=result.response["transaction"])


@grouped
def group_loan_disburse(
    *, actor, group_loan: GroupLoan, idempotency_key: str, channel: str = Channel.CASH
) -> list[LoanTransaction]:
    """Pay out every approved share of a group loan in one entry (cash to the group)."""
    require_perm(actor, "loan.disburse")
    payload = {"group_loan": group_loan.pk, "channel": channel}

    def run() -> dict:
        locked = GroupLoan.objects.select_for_update().select_related("group").get(pk=group_loan.pk)
        require_branch(actor, locked.branch_id)
        if locked.status != LoanStatus.APPROVED:
            raise ValidationFailed(
                _("Only an approved group loan can be disbursed."),
                code="wrong_status",
                field="status",
            )
        shares = [
            lock_loan(actor, pk)
            for pk in Loan.objects.filter(group_loan=locked, status=LoanStatus.APPROVED)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        txs = _disburse(
            actor=actor, loans=shares, channel=channel, key=idempotency_key, group_loan=locked
        )
        locked.status = LoanStatus.ACTIVE
        locked.disbursed_on = business_date_get()
        locked.save(update_fields=["status", "disbursed_on"])
        return {"transactions": [t.pk for t in txs]}

    with transaction.atomic():
        result = idempotent(
            key=idempotency_key,
            scope="loans.group_disbursement",
            actor=actor,
            payload=payload,
            run=run,
        )
    return list(
        LoanTransaction.objects.filter(pk__in=result.response["transactions"]).order_by("pk")
    )
