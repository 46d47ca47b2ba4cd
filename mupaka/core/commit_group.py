"""Group commit: counter operations that arrive together share one commit.

On SQLite one connection writes at a time, and with ``synchronous=FULL`` each commit
waits for the disk. Ten tellers depositing at the same moment would each wait for
their own flush, one after the other. Instead, a money-moving service decorated with
:func:`grouped` joins the operations waiting in the same process, and one of their
callers (the leader) runs them all, one after the other in one transaction, and
commits them together: one flush for the group.

A decorated service must write only inside its own ``transaction.atomic()`` block (or
be decorated with it). Inside the group that block is the operation's savepoint: an
operation that fails is rolled back to it and leaves what it would have left run
alone (on SQLite a failed statement undoes only itself; on PostgreSQL, which aborts
the whole transaction on any failed statement, each operation gets one more savepoint
of the group's around it).

What a caller sees does not change:

* the call returns only after the commit of its group reached the disk, so a deposit
  reported done survives a power cut exactly as before;
* an operation that fails (a refusal, a failed write) is rolled back to its savepoint
  and raises its own error in its own caller's thread; the others in the group are
  not touched;
* if one operation keeps the group from committing (a constraint checked at commit,
  such as a deferred foreign key, or a transaction left marked for rollback), nothing
  of the group is written and its operations are run again one by one, each in its
  own transaction, so that only the one at fault fails; if the commit fails otherwise
  (the disk, the database locked too long), every operation of the group raises that
  error and nothing of it is written (money-moving calls carry idempotency keys, so a
  retry is safe);
* the caller's context goes with its operation, whoever runs it: its language and
  time zone, and every ``contextvars`` value (end of day's flag...).

The group runs on the process's writing connection, lent to whichever caller leads
(one at a time): its page cache stays warm from one group to the next, where each
request thread's own connection would find its cache stale after every other commit.

How a group forms (leader and followers, no thread of its own): the first caller to
find nobody committing becomes the leader and runs its operation at once: a lone
teller's deposit waits for nothing. Callers arriving while a commit is in progress
queue; when the leader is done, the first of them becomes the next leader and takes
every operation queued (at most :data:`MAX_GROUP`) in one group. Nobody waits on
purpose to fill a group (a leader done with a group of several yields the processor
once, so that the callers it just woke can queue their next operation), and each caller
leads at most the one group holding its own operation.

A call made inside a transaction (a view's ``atomic`` block, another service, a test
wrapped in a transaction) runs directly, in that transaction, as it always did.

Setting ``GROUP_COMMIT`` (environment ``MUPAKA_GROUP_COMMIT``): on by default on
SQLite and off on PostgreSQL, where concurrent transactions already commit side by
side and row locks, not one writer, order them.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_GROUP = 64


class _Job:
    __slots__ = (
        "fn",
        "args",
        "kwargs",
        "context",
        "thread",
        "language",
        "tz",
        "wake",
        "lead",
        "finished",
        "result",
        "error",
    )

    def __init__(self, fn, args, kwargs) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.context = contextvars.copy_context()
        # Django keeps the active language and time zone per thread (asgiref hides a
        # context's values from any other thread): they are carried by hand
        self.thread = threading.get_ident()
        self.language = translation.get_language()
        self.tz = timezone.get_current_timezone()
        self.wake = threading.Lock()  # held until the caller is woken (done, or to lead)
        self.wake.acquire()
        self.lead = False
        self.finished = False  # its result or its error is known
        self.result = None
        self.error: BaseException | None = None


def _in_callers_context(job: _Job, step: Callable[..., None], *args) -> None:
    """``step(job, *args)`` with the caller's context, language and time zone."""
    if job.thread == threading.get_ident() or (
        # in another thread Django falls back to the defaults: nothing to set for them
        job.language == settings.LANGUAGE_CODE and job.tz is timezone.get_default_timezone()
    ):
        job.context.run(step, job, *args)
    else:
        job.context.run(_localized, job, step, *args)


def _localized(job: _Job, step: Callable[..., None], *args) -> None:
    # inside the copied context: the override must be set in it to be seen
    with translation.override(job.language), timezone.override(job.tz):
        step(job, *args)


def _attempt(job: _Job, savepoint: bool = False) -> None:
    """One operation: alone, or in a group with a savepoint of its own where the
    database needs one (see the module on savepoints)."""
    try:
        if savepoint:
            with transaction.atomic():
                job.result = job.fn(*job.args, **job.kwargs)
        else:
            job.result = job.fn(*job.args, **job.kwargs)
    except Exception as exc:
        job.result, job.error = None, exc
    job.finished = True


class _GroupRolledBack(Exception):
    """An operation left the group's transaction marked for rollback."""


def _commit(jobs: list[_Job]) -> None:
    """Run ``jobs`` in one transaction on the writing connection and commit it."""
    own = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = _writing_connection()
    try:
        _commit_on_writing_connection(jobs)
    finally:
        connections[DEFAULT_DB_ALIAS] = own


def _commit_on_writing_connection(jobs: list[_Job]) -> None:
    if len(jobs) == 1:  # alone: as without grouping (on the writing connection)
        _in_callers_context(jobs[0], _attempt)
        _count(1)
        return
    savepoint = connections[DEFAULT_DB_ALIAS].vendor != "sqlite"
    committed: list[bool] = []
    try:
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(True))
            for job in jobs:
                _in_callers_context(job, _attempt, savepoint)
        if not committed:
            raise _GroupRolledBack
        _count(len(jobs))
    except BaseException as exc:
        if committed:
            # the group is on disk; a listener run after the commit failed
            logger.exception("a listener run after a group commit failed")
            _count(len(jobs))
        elif isinstance(exc, IntegrityError | _GroupRolledBack):
            # one operation kept the group from committing (a constraint checked at
            # commit, a transaction marked for rollback): nothing of the group was
            # written; each operation runs again alone, so only the one at fault fails
            logger.warning("group of %d operations not committed (%r): one by one", len(jobs), exc)
            for job in jobs:
                job.result, job.error, job.finished = None, None, False
                _in_callers_context(job, _attempt)
                _count(1)
        else:
            logger.warning("group commit of %d operations failed: %r", len(jobs), exc)
            for job in jobs:
                job.result, job.error, job.finished = None, exc, True
            connections[DEFAULT_DB_ALIAS].close()  # the next group starts afresh
        if not isinstance(exc, Exception):
            raise


# os.sched_yield lets the woken threads run without sleeping; time.sleep(0) where it
# is missing (it may sleep for the timer's slack, some tens of microseconds)
_yield = getattr(os, "sched_yield", None) or (lambda: time.sleep(0))
_lock = threading.Lock()
_queue: list[_Job] = []
_leading = False
_leader: int | None = None  # the thread running a group
_writing: tuple[int, object] | None = None  # (process id, the writing connection)


def _writing_connection():
    """The process's writing connection, used by whichever thread leads a group (one at
    a time). One connection keeps one page cache warm; each request thread's own
    connection would find its cache stale after every other writer's commit."""
    global _writing
    if _writing is None or _writing[0] != os.getpid():
        db = connections.create_connection(DEFAULT_DB_ALIAS)
        db.inc_thread_sharing()
        _writing = (os.getpid(), db)
    db = _writing[1]
    if db.connection is not None and db.errors_occurred:
        db.errors_occurred = False
        if not db.is_usable():
            db.close()
    return db


def close() -> None:
    """Close the writing connection (before a test database is dropped); the next group
    opens it again."""
    global _writing
    with _lock:
        writing, _writing = _writing, None
    if writing is not None and writing[0] == os.getpid():
        writing[1].close()


_stats = [0, 0]  # groups committed, operations in them (this process)


def _count(operations: int) -> None:
    _stats[0] += 1
    _stats[1] += operations


def enabled() -> bool:
    return bool(getattr(settings, "GROUP_COMMIT", False))


def run(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn(*args, **kwargs)`` in a group commit, or directly when grouping is off or
    the caller is already inside a transaction."""
    global _leading, _leader
    if (
        not enabled()
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
        or _leader == threading.get_ident()  # called after the leader's commit (a listener)
    ):
        return fn(*args, **kwargs)
    job = _Job(fn, args, kwargs)
    with _lock:
        _queue.append(job)
        lead = not _leading
        _leading = True
    if not lead:
        job.wake.acquire()  # until its group is committed, or it is its turn to lead
        if not job.lead:
            return _outcome(job)
    with _lock:
        group = _queue[:MAX_GROUP]
        del _queue[:MAX_GROUP]
        _leader = threading.get_ident()
    try:
        _commit(group)
    except BaseException as exc:  # raised past the group (the leader interrupted)
        for other in group:
            if not other.finished:
                other.result, other.error, other.finished = None, exc, True
        raise
    finally:
        _leader = None
        for done in group:
            if done is not job:
                done.wake.release()
        if len(group) > 1:
            # one yield of the processor: callers just woken may queue their next
            # operation before the next group is taken (not a timed wait)
            _yield()
        with _lock:
            if _queue:
                _queue[0].lead = True
                _queue[0].wake.release()
            else:
                _leading = False
    return _outcome(job)


def _outcome(job: _Job):
    if job.error is not None:
        raise job.error
    return job.result


def grouped(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a money-moving service that writes inside its own
    ``transaction.atomic()`` block: see the module."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return run(fn, *args, **kwargs)

    return wrapper


def stats() -> tuple[int, int]:
    """(groups committed, operations in them) in this process so far."""
    return _stats[0], _stats[1]


def queued() -> int:
    """Operations of this process waiting for their group (tests, diagnostics)."""
    with _lock:
        return len(_queue)
