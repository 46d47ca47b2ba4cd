"""Running end of day: the lock, the run journal, the steps, jobs and progress.

Crash safety rests on three things:

1. **One transaction per step**, which writes the step's work AND its ``CobStep`` row:
   after a crash a step is either entirely done (and skipped by the next run) or not at
   all. Postings inside a step carry deterministic idempotency keys
   (``cob:{date}:{step}:...``) as a second guard.
2. **The lock** (``CobLock``, one row): taken before the first step, released in the
   same transaction as the business date move. While it is held, the ledger refuses
   postings dated the closing date (posting guard) and a second run is refused — unless
   the process that holds it is gone (same host: its pid no longer exists; elsewhere: no
   heartbeat for ``STALE_AFTER``), in which case the next run takes it over and finishes
   the day.
3. **Only the business date** can be closed, so the days are closed in order.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.cob import sql
from mupaka.cob.models import CobJob, CobLock, CobRun, CobStep, JobStatus, RunStatus
from mupaka.core.audit import audit_record
from mupaka.core.exceptions import Conflict, MupakaError, ValidationFailed
from mupaka.core.models import Institution
from mupaka.core.permissions import require_perm

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=15)
_IN_COB: contextvars.ContextVar[bool] = contextvars.ContextVar("mupaka_in_cob", default=False)
# Tests of crash safety: MUPAKA_COB_TEST_CRASH="<step>:<point>" ends the process there
# (os._exit, no clean-up, like a kill -9); MUPAKA_COB_TEST_SLEEP="<step>:<point>:<seconds>"
# sleeps there. Points: "before" (outside the step's transaction), "mid" (inside it, after
# part of its work), "after" (just after it committed).
CRASH_ENV = "MUPAKA_COB_TEST_CRASH"
SLEEP_ENV = "MUPAKA_COB_TEST_SLEEP"


def crash_point(step: str, point: str) -> None:
    crash = os.environ.get(CRASH_ENV, "")
    if crash and crash == f"{step}:{point}":
        print(f"COB-CRASH {step}:{point}", flush=True)
        os._exit(77)
    sleep = os.environ.get(SLEEP_ENV, "")
    if sleep:
        where, _sep, seconds = sleep.rpartition(":")
        if where == f"{step}:{point}":
            print(f"COB-SLEEPING {step}:{point}", flush=True)
            time.sleep(float(seconds))


# --- the posting guard -------------------------------------------------------------
def posting_guard(*, business_date: dt.date, cursor) -> None:
    """Registered with the ledger (apps.py): while end of day holds the lock for date D,
    an entry dated D is refused, except end of day's own (and those of the services it
    calls, in its thread)."""
    if _IN_COB.get():
        return
    cursor.execute("SELECT business_date, holder FROM cob_coblock WHERE id = 1", [])
    row = cursor.fetchone()
    if row and row[1] and sql.to_date(row[0]) == business_date:
        raise ValidationFailed(
            _(
                "End of day is closing %(date)s: nothing can be posted with this date. "
                "Wait until the business date has moved (or, if end of day was interrupted, "
                "ask a manager to run it again)."
            )
            % {"date": business_date.strftime("%d/%m/%Y")},
            field="business_date",
            code="cob_running",
        )


@contextlib.contextmanager
def cob_context():
    token = _IN_COB.set(True)
    try:
        yield
    finally:
        _IN_COB.reset(token)


def in_cob() -> bool:
    return _IN_COB.get()


# --- the lock ----------------------------------------------------------------------
def _host() -> str:
    return socket.gethostname()[:120]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_alive(lock: CobLock) -> bool:
    if not lock.holder:
        return False
    if lock.pid is None:
        return False  # released by a run that failed: free to take over
    if lock.host == _host():
        return _pid_alive(lock.pid)
    beat = lock.heartbeat_at or lock.acquired_at
    return beat is not None and timezone.now() - beat < STALE_AFTER


def _running_message(lock: CobLock) -> str:
    return _(
        "End of day is already running for %(date)s (started at %(at)s). Wait for it to finish."
    ) % {
        "date": lock.business_date.strftime("%d/%m/%Y") if lock.business_date else "?",
        "at": timezone.localtime(lock.acquired_at).strftime("%H:%M:%S")
        if lock.acquired_at
        else "?",
    }


def lock_acquire(on_date: dt.date) -> str:
    """Take the lock for ``on_date`` (Conflict ``cob_running`` if a live run holds it).

    On PostgreSQL the journal head row is locked too, so postings already under way finish
    before the lock is visible, and every later posting sees it."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql.execute("SELECT id FROM ledger_ledgerstate WHERE id = 1 FOR UPDATE")
        lock, _created = CobLock.objects.select_for_update().get_or_create(pk=1)
        if _holder_alive(lock):
            raise Conflict(_running_message(lock), code="cob_running")
        now = timezone.now()
        token = uuid.uuid4().hex
        lock.holder = token
        lock.business_date = on_date
        lock.host = _host()
        lock.pid = os.getpid()
        lock.acquired_at = now
        lock.heartbeat_at = now
        lock.save()
    return token


def _heartbeat(token: str) -> None:
    CobLock.objects.filter(pk=1, holder=token).update(heartbeat_at=timezone.now())


def _release_in_transaction(token: str) -> None:
    CobLock.objects.filter(pk=1, holder=token).update(
        holder="", business_date=None, pid=None, host="", heartbeat_at=timezone.now()
    )


def _mark_interrupted(token: str) -> None:
    """After an error: the lock stays (the date is half closed, postings dated it stay
    refused) but is free for the next run to take over at once."""
    CobLock.objects.filter(pk=1, holder=token).update(pid=None, heartbeat_at=timezone.now())


# --- steps ------------------------------------------------------------------------------
@dataclass
class StepContext:
    run: CobRun
    on_date: dt.date
    actor: object | None
    token: str
    step: str = ""

    def mid(self) -> None:
        """Called by a step part-way through its work (crash tests)."""
        crash_point(self.step, "mid")


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    fn: Callable[[StepContext], dict]


def steps() -> list[Step]:
    from mupaka.cob.services import steps as s

    return s.STEPS


Progress = Callable[[dict], None]


def _check_date(on_date: dt.date) -> Institution:
    inst = Institution.objects.order_by("id").first()
    if inst is None:
        raise ValidationFailed(_("No institution is set up yet."))
    if on_date != inst.business_date:
        raise ValidationFailed(
            _("End of day closes the business date, %(business)s; it cannot be run for %(date)s.")
            % {
                "business": inst.business_date.strftime("%d/%m/%Y"),
                "date": on_date.strftime("%d/%m/%Y"),
            },
            field="date",
            code="not_business_date",
        )
    return inst


def _run_start(on_date: dt.date, actor) -> CobRun:
    with transaction.atomic():
        run = CobRun.objects.select_for_update().filter(business_date=on_date).first()
        if run is None:
            run = CobRun.objects.create(
                business_date=on_date,
                started_at=timezone.now(),
                started_by=actor if getattr(actor, "pk", None) else None,
            )
            action = "cob.start"
        elif run.status == RunStatus.DONE:
            raise ValidationFailed(
                _(
                    "End of day for %(date)s was already done; the business date was set back "
                    "by hand. Set it to %(next)s."
                )
                % {
                    "date": on_date.strftime("%d/%m/%Y"),
                    "next": run.next_date.strftime("%d/%m/%Y") if run.next_date else "?",
                },
                code="already_closed",
            )
        else:
            run.attempts += 1
            run.status = RunStatus.RUNNING
            run.error = ""
            run.save(update_fields=["attempts", "status", "error"])
            action = "cob.resume"
        audit_record(
            actor=actor,
            action=action,
            object_type="cob.run",
            object_id=on_date.isoformat(),
            object_repr=_("End of day %(date)s") % {"date": on_date.strftime("%d/%m/%Y")},
            after={"business_date": on_date, "attempt": run.attempts},
        )
    return run


def cob_run(*, actor, on_date: dt.date, progress: Progress | None = None) -> CobRun:
    """Close ``on_date`` (which must be the business date) and move the business date to
    the next working day. Running it for a date already being closed after a crash
    finishes the day; every step done is skipped."""
    if actor is not None:
        require_perm(actor, "cob.run")
    _check_date(on_date)
    token = lock_acquire(on_date)
    started = False
    try:
        # the business date may have moved while we waited for the lock
        _check_date(on_date)
        run = _run_start(on_date, actor)
        done = set(run.steps.values_list("name", flat=True))
        all_steps = steps()
        started = True
        with cob_context():
            for seq, step in enumerate(all_steps, start=1):
                if progress:
                    progress(
                        {
                            "date": on_date,
                            "step": step.name,
                            "label": str(step.label),
                            "index": seq,
                            "total": len(all_steps),
                            "skipped": step.name in done,
                        }
                    )
                if step.name in done:
                    continue
                crash_point(step.name, "before")
                ctx = StepContext(
                    run=run, on_date=on_date, actor=actor, token=token, step=step.name
                )
                step_started = timezone.now()
                with transaction.atomic():
                    result = step.fn(ctx) or {}
                    CobStep.objects.create(
                        run=run,
                        name=step.name,
                        seq=seq,
                        started_at=step_started,
                        finished_at=timezone.now(),
                        result=result,
                    )
                    crash_point(step.name, "commit")
                crash_point(step.name, "after")
                _heartbeat(token)
    except BaseException as exc:
        message = exc.message if isinstance(exc, MupakaError) else repr(exc)
        with contextlib.suppress(Exception):
            if started and CobStep.objects.filter(run__business_date=on_date).exists():
                # part of the day is closed: postings dated it stay refused until a rerun
                _mark_interrupted(token)
                CobRun.objects.filter(business_date=on_date, status=RunStatus.RUNNING).update(
                    status=RunStatus.FAILED, error=message[:2000]
                )
            else:  # nothing of the day is closed: tellers may go on
                with transaction.atomic():
                    _release_in_transaction(token)
                    if started:
                        CobRun.objects.filter(
                            business_date=on_date, status=RunStatus.RUNNING
                        ).update(status=RunStatus.FAILED, error=message[:2000])
        raise
    run.refresh_from_db()
    return run


def business_date_move(ctx: StepContext) -> dict:
    """The last step: the business date moves to the next working day, the run is marked
    done and the lock released — one transaction (the caller's)."""
    from mupaka.cob.selectors import next_working_day

    inst = Institution.objects.select_for_update().order_by("id").first()
    nxt = next_working_day(ctx.on_date)
    before = {"business_date": inst.business_date}
    inst.business_date = nxt
    inst.save(update_fields=["business_date", "updated_at"])
    reversed_ = []
    if (nxt.year, nxt.month) != (ctx.on_date.year, ctx.on_date.month):
        # a new month opens: the month-end revaluation of the exchange position is
        # reversed on its first day (dated it), so the new month starts from the rates
        # of the operations
        from mupaka.cob.services.fx import fx_revaluation_reverse

        reversed_ = fx_revaluation_reverse(on_date=nxt)
    ctx.mid()
    CobRun.objects.filter(pk=ctx.run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), next_date=nxt, error=""
    )
    _release_in_transaction(ctx.token)
    audit_record(
        actor=ctx.actor,
        action="cob.business_date_move",
        obj=inst,
        before=before,
        after={"business_date": nxt},
    )
    result = {"from": ctx.on_date.isoformat(), "to": nxt.isoformat()}
    if reversed_:
        result["revaluation_reversed"] = reversed_
    return result


# --- many days, jobs ---------------------------------------------------------------------
def cob_run_until(*, actor, until: dt.date, progress: Progress | None = None) -> list[CobRun]:
    """Close every business date from the current one up to ``until`` (inclusive: the
    last date closed is the last working day on or before ``until``)."""
    from mupaka.cob.selectors import business_date_status

    if actor is not None:
        require_perm(actor, "cob.run")
    current = business_date_status().business_date
    if until < current:
        raise ValidationFailed(
            _("Catch up to a date on or after the business date (%(date)s).")
            % {"date": current.strftime("%d/%m/%Y")},
            field="until",
            code="bad_until",
        )
    runs = []
    while True:
        current = business_date_status().business_date
        if current > until:
            break
        runs.append(cob_run(actor=actor, on_date=current, progress=progress))
    return runs


def cob_request(*, actor, until: dt.date | None = None) -> CobJob:
    """A job closing the business date (or catching up to ``until``), queued for
    :func:`cob_run_job`. Refused at once when another run holds the lock."""
    from mupaka.cob.selectors import business_date_status, dates_to_close

    require_perm(actor, "cob.run")
    status = business_date_status()
    until = until or status.business_date
    if until < status.business_date:
        raise ValidationFailed(
            _("Catch up to a date on or after the business date (%(date)s).")
            % {"date": status.business_date.strftime("%d/%m/%Y")},
            field="until",
            code="bad_until",
        )
    if until > status.business_date + dt.timedelta(days=366):
        raise ValidationFailed(
            _("End of day catches up at most a year at a time."), field="until", code="bad_until"
        )
    lock = CobLock.objects.filter(pk=1).first()
    if lock is not None and _holder_alive(lock):
        raise Conflict(_running_message(lock), code="cob_running")
    active = CobJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
    if active is not None and timezone.now() - active.created_at < STALE_AFTER:
        raise Conflict(
            _("End of day was already asked for (job %(job)s); wait for it to finish.")
            % {"job": str(active.pk)[:8]},
            code="cob_running",
        )
    dates = dates_to_close(status.business_date, until)
    with transaction.atomic():
        job = CobJob.objects.create(
            requested_by=actor,
            from_date=status.business_date,
            until_date=until,
            dates_total=len(dates),
            steps_total=len(dates) * len(steps()),
            business_date=status.business_date,
        )
        audit_record(
            actor=actor,
            action="cob.request",
            object_type="cob.job",
            object_id=str(job.pk),
            object_repr=_("End of day up to %(date)s") % {"date": until.strftime("%d/%m/%Y")},
            after={"from": status.business_date, "until": until},
        )
    return job


def _job_progress(job_id) -> Progress:
    seen: list[dt.date] = []

    def report(event: dict) -> None:
        if event["date"] not in seen:
            seen.append(event["date"])
        dates_done = len(seen) - 1
        CobJob.objects.filter(pk=job_id).update(
            current_date=event["date"],
            current_step=event["step"],
            steps_done=dates_done * event["total"] + event["index"] - 1,
            dates_done=dates_done,
        )

    return report


def cob_run_job(*, job_id) -> CobJob:
    """Carry out a job (in the thread or process that the request started)."""
    from mupaka.cob.selectors import business_date_status

    job = CobJob.objects.get(pk=job_id)
    CobJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        cob_run_until(actor=job.requested_by, until=job.until_date, progress=_job_progress(job_id))
    except MupakaError as exc:
        CobJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=exc.message[:2000], finished_at=timezone.now()
        )
    except Exception as exc:  # the page must show it; the log has the traceback
        logger.exception("end of day job %s failed", job_id)
        CobJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
    else:
        CobJob.objects.filter(pk=job_id).update(
            status=JobStatus.DONE,
            finished_at=timezone.now(),
            steps_done=job.steps_total,
            dates_done=job.dates_total,
            current_step="",
        )
    CobJob.objects.filter(pk=job_id).update(business_date=business_date_status().business_date)
    return CobJob.objects.get(pk=job_id)


# How a request starts a job: a thread of the web process (its own database connection).
# Tests that run inside one transaction set INLINE = True (the job runs in the request).
INLINE = False


def cob_job_launch(job: CobJob) -> None:
    if INLINE:
        cob_run_job(job_id=job.pk)
        return

    def target() -> None:
        try:
            close_old_connections()
            cob_run_job(job_id=job.pk)
        finally:
            connection.close()

    threading.Thread(target=target, name=f"cob-{job.pk}", daemon=True).start()
