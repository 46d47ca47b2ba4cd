"""The run journal, the lock and the posting guard; refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mupaka.cob.models import CobLock, CobRun, CobStep, RunStatus
from mupaka.cob.services import cob_run
from mupaka.cob.services.runner import cob_context, lock_acquire, steps
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog, Institution
from mupaka.core.money import Money
from mupaka.ledger.models import AccountMapping, JournalEntry
from mupaka.ledger.services import LineSpec, journal_post

MONDAY = dt.date(2026, 11, 2)


def _post(on: dt.date, key: str):
    return journal_post(
        actor=None,
        business_date=on,
        narrative="Dépôt",
        lines=[
            LineSpec.dr("5200-USD", Money.of("10", "USD")),
            LineSpec.cr("7020-USD", Money.of("10", "USD")),
        ],
        source_type="test",
        idempotency_key=key,
    )


def test_a_date_other_than_the_business_date_is_refused_and_nothing_is_written(bands, staff):
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        cob_run(actor=staff["manager"], on_date=MONDAY + dt.timedelta(days=1))
    assert exc.value.code == "not_business_date"
    assert "02/11/2026" in exc.value.message
    assert not CobRun.objects.exists() and not CobLock.objects.exclude(holder="").exists()
    assert AuditLog.objects.count() == audits


def test_roles_that_may_not_run_end_of_day(bands, staff):
    for role in ("teller", "officer", "committee", "auditor", "coordinator"):
        with pytest.raises(PermissionDenied):
            cob_run(actor=staff[role], on_date=MONDAY)
    assert not CobRun.objects.exists()


def test_a_second_run_is_refused_while_one_is_running(bands, staff):
    lock_acquire(MONDAY)  # held by this (live) process, as another thread would
    with pytest.raises(Conflict) as exc:
        cob_run(actor=staff["manager"], on_date=MONDAY)
    assert exc.value.code == "cob_running"
    assert not CobRun.objects.exists()
    assert Institution.objects.get().business_date == MONDAY


def test_postings_dated_the_closing_date_wait_for_end_of_day(bands):
    lock_acquire(MONDAY)
    with pytest.raises(ValidationFailed) as exc:
        _post(MONDAY, "t-closing")
    assert exc.value.code == "cob_running"
    assert not JournalEntry.objects.filter(idempotency_key="t-closing").exists()
    assert _post(MONDAY - dt.timedelta(days=3), "t-earlier").number  # another date goes on
    with cob_context():  # end of day's own postings go through
        assert _post(MONDAY, "t-cob").number


def test_a_lock_left_by_a_dead_process_is_taken_over(hand_made):
    lock_acquire(MONDAY)
    CobLock.objects.filter(pk=1).update(pid=2**22 + 12345)  # no such process
    run = cob_run(actor=None, on_date=MONDAY)
    assert run.status == RunStatus.DONE
    assert CobLock.objects.get().holder == ""
    assert verify_problems() == {}


def test_a_lock_held_on_another_host_counts_until_its_heartbeat_is_stale(bands):
    lock_acquire(MONDAY)
    CobLock.objects.filter(pk=1).update(host="other-host")
    with pytest.raises(Conflict):
        cob_run(actor=None, on_date=MONDAY)
    CobLock.objects.filter(pk=1).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert cob_run(actor=None, on_date=MONDAY).status == RunStatus.DONE


def test_a_failed_step_keeps_the_date_closed_and_a_rerun_finishes_the_day(hand_made):
    mapping = AccountMapping.objects.get(role="loan_loss_provision", currency="USD", scope_type="")
    account_id = mapping.account_id
    mapping.delete()
    with pytest.raises(ValidationFailed) as exc:
        cob_run(actor=None, on_date=MONDAY)
    assert exc.value.code == "no_account_mapping"
    run = CobRun.objects.get()
    assert run.status == RunStatus.FAILED and "loan_loss_provision" in run.error
    done = list(CobStep.objects.values_list("name", flat=True))
    assert done[:3] == ["loan_interest_accrual", "loan_penalties", "loan_arrears_ageing"]
    assert "loan_provisions" not in done
    # the date is half closed: tellers still cannot post with it; verify says why
    with pytest.raises(ValidationFailed):
        _post(MONDAY, "t-after-failure")
    assert "cob.lock" in verify_problems()

    AccountMapping.objects.create(
        role="loan_loss_provision", currency="USD", account_id=account_id, scope_type=""
    )
    run = cob_run(actor=None, on_date=MONDAY)
    assert run.status == RunStatus.DONE and run.attempts == 2
    assert CobStep.objects.count() == len(steps())
    assert Institution.objects.get().business_date == dt.date(2026, 11, 3)
    assert verify_problems() == {}


def test_a_closed_date_set_back_by_hand_is_refused(hand_made):
    cob_run(actor=None, on_date=MONDAY)
    from mupaka.core.services import business_date_set

    business_date_set(actor=None, new_date=MONDAY)
    with pytest.raises(ValidationFailed) as exc:
        cob_run(actor=None, on_date=MONDAY)
    assert exc.value.code == "already_closed"
    assert CobLock.objects.get().holder == ""


def test_command_refuses_a_date_other_than_the_business_date(bands):
    with pytest.raises(CommandError, match="02/11/2026"):
        call_command("cob", "--date", "2026-11-05", "--quiet")
    assert not CobRun.objects.exists()


def test_command_closes_the_business_date(hand_made, capsys):
    call_command("cob", "--quiet")
    assert Institution.objects.get().business_date == dt.date(2026, 11, 3)
    assert "2026-11-02 closed" in capsys.readouterr().out
