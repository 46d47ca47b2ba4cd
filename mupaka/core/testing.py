"""Helpers for tests of other apps (never imported by the application)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connections, transaction

from mupaka.core import commit_group


@commit_group.grouped
def _hold(inside: threading.Event, release: threading.Event) -> None:
    with transaction.atomic():
        inside.set()
        assert release.wait(20), "never released"


def _thread(target: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def group_behind_a_held_operation(
    calls: dict[str, Callable[[], object]],
) -> tuple[dict[str, tuple[str, object]], tuple[int, int]]:
    """Form a known group commit, with no timing: hold a grouped operation open inside
    its transaction (a group of one), start each of ``calls`` in its own thread once the
    previous one has queued behind it, then let the held one finish: the calls form the
    next group, in their order (the first leads it). Returns what each call gave,
    ``{label: ("ok", value) or ("error", exception)}``, and the (groups, operations)
    committed meanwhile, the held one included. Needs a test that commits
    (``transaction=True``) with grouping on."""
    results: dict[str, tuple[str, object]] = {}

    def caller(label: str, call: Callable[[], object]) -> Callable[[], None]:
        def record() -> None:
            try:
                results[label] = ("ok", call())
            except BaseException as exc:  # the test reads what each caller got
                results[label] = ("error", exc)

        return record

    inside, release = threading.Event(), threading.Event()
    before = commit_group.stats()
    threads = [_thread(lambda: _hold(inside, release))]
    assert inside.wait(20), "the held operation never started"
    for number, (label, call) in enumerate(calls.items(), start=1):
        threads.append(_thread(caller(label, call)))
        deadline = time.monotonic() + 20
        while commit_group.queued() < number:
            assert time.monotonic() < deadline, "a caller never queued"
            time.sleep(0.005)
    release.set()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a caller never returned"
    after = commit_group.stats()
    return results, (after[0] - before[0], after[1] - before[1])
