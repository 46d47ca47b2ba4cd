"""Group commit (mupaka/core/commit_group.py), on real parallel connections.

Each test holds a first operation open inside its transaction (the leader of a group
of one) until the others have queued behind it, so the group they form next is known:
no timing, no sleep. The table written is ``auth_group`` (a unique name, a deferred
foreign key in ``auth_group_permissions``). Run on SQLite and on PostgreSQL, with
grouping switched on for the test (PostgreSQL's default is off).
"""

from __future__ import annotations

import contextvars
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from mupaka.core import commit_group
from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.testing import group_behind_a_held_operation

pytestmark = pytest.mark.django_db(transaction=True)

FLAG: contextvars.ContextVar[str] = contextvars.ContextVar("mupaka_test_flag", default="-")


@pytest.fixture(autouse=True)
def grouping_on(settings):
    settings.GROUP_COMMIT = True


@grouped
def create(name: str, *, refuse_after_writing: bool = False) -> str:
    with transaction.atomic():
        Group.objects.create(name=name)
        if refuse_after_writing:
            raise ValidationFailed("refused after writing", code="refused")
    return name


@grouped
def create_with_dangling_permission(name: str) -> str:
    """Writes a row whose foreign key points nowhere: checked only at commit."""
    with transaction.atomic():
        group = Group.objects.create(name=name)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO auth_group_permissions (group_id, permission_id) VALUES (%s, %s)",
                [group.pk, 987654321],
            )
    return name


@grouped
def create_then_roll_back(name: str) -> str:
    """Breaks the rule (writes outside a savepoint of its own and marks the transaction
    for rollback): the group it shares must not be lost."""
    with transaction.atomic(savepoint=False):
        Group.objects.create(name=name)
        transaction.set_rollback(True)
    return name


@grouped
def where_am_i() -> tuple[str, str, int]:
    with transaction.atomic():
        Group.objects.create(name=f"ctx-{FLAG.get()}")
    return translation.get_language(), FLAG.get(), threading.get_ident()


def _group(calls) -> tuple[dict, tuple[int, int]]:
    """``calls`` [(label, fn, args, kwargs, setup)] queued behind a held operation, in
    order: what each caller got, and the (groups, operations) committed."""

    def call(fn, args, kwargs, setup):
        def run():
            if setup is not None:
                setup()
            return fn(*args, **kwargs)

        return run

    return group_behind_a_held_operation(
        {label: call(fn, args, kwargs, setup) for label, fn, args, kwargs, setup in calls}
    )


def names() -> set[str]:
    return set(Group.objects.values_list("name", flat=True))


def test_operations_that_queue_behind_a_commit_share_the_next_one():
    calls = [(f"g{i}", create, (f"g{i}",), {}, None) for i in range(5)]
    results, (groups, operations) = _group(calls)
    assert results == {f"g{i}": ("ok", f"g{i}") for i in range(5)}
    assert (groups, operations) == (2, 6)  # the held one alone, then the five together
    assert names() == {"g0", "g1", "g2", "g3", "g4"}


def test_a_failed_operation_takes_nothing_else_with_it():
    calls = [
        ("first", create, ("first",), {}, None),
        ("refused", create, ("refused",), {"refuse_after_writing": True}, None),
        ("duplicate", create, ("first",), {}, None),  # the unique name: fails on INSERT
        ("last", create, ("last",), {}, None),
    ]
    results, (groups, operations) = _group(calls)
    assert results["first"] == ("ok", "first") and results["last"] == ("ok", "last")
    assert results["refused"][0] == "error" and results["refused"][1].code == "refused"
    assert results["duplicate"][0] == "error"
    assert isinstance(results["duplicate"][1], IntegrityError)
    assert (groups, operations) == (2, 5)
    assert names() == {"first", "last"}  # nothing of the refused ones


def test_a_commit_refused_by_one_operation_runs_the_others_again_alone():
    calls = [
        ("before", create, ("before",), {}, None),
        ("dangling", create_with_dangling_permission, ("dangling",), {}, None),
        ("after", create, ("after",), {}, None),
    ]
    results, (groups, operations) = _group(calls)
    assert results["before"] == ("ok", "before") and results["after"] == ("ok", "after")
    assert results["dangling"][0] == "error"
    assert isinstance(results["dangling"][1], IntegrityError)
    assert (groups, operations) == (4, 4)  # held alone, then the three one by one
    assert names() == {"before", "after"}


def test_an_operation_that_dooms_the_transaction_does_not_doom_the_group():
    calls = [
        ("p", create, ("p",), {}, None),
        ("doomed", create_then_roll_back, ("doomed",), {}, None),
        ("q", create, ("q",), {}, None),
    ]
    results, _stats = _group(calls)
    assert results["p"] == ("ok", "p") and results["q"] == ("ok", "q")
    assert names() == {"p", "q"}  # the doomed one's row rolled back, only its own


def test_each_operation_runs_in_its_own_callers_context():
    def in_context(language: str, flag: str):
        def setup() -> None:
            translation.activate(language)
            FLAG.set(flag)

        return setup

    calls = [
        ("fr", where_am_i, (), {}, in_context("fr", "alpha")),
        ("en", where_am_i, (), {}, in_context("en", "beta")),
    ]
    results, (groups, _ops) = _group(calls)
    assert groups == 2
    (lang_fr, flag_fr, thread_fr), (lang_en, flag_en, thread_en) = (
        results["fr"][1],
        results["en"][1],
    )
    assert (lang_fr, flag_fr, lang_en, flag_en) == ("fr", "alpha", "en", "beta")
    assert thread_fr == thread_en  # one caller (the group's leader) ran both
    assert {"ctx-alpha", "ctx-beta"} <= names()


def test_a_lone_call_waits_for_nothing_and_is_committed_when_it_returns():
    before = commit_group.stats()
    assert create("alone") == "alone"
    assert commit_group.stats() == (before[0] + 1, before[1] + 1)
    seen: list[bool] = []

    def look() -> None:
        seen.append(Group.objects.filter(name="alone").exists())
        connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == [True]


def test_inside_a_transaction_or_switched_off_the_call_is_direct(settings):
    before = commit_group.stats()
    with transaction.atomic():
        create("inside")
        assert Group.objects.filter(name="inside").exists()
        transaction.set_rollback(True)
    assert not Group.objects.filter(name="inside").exists()  # it was the caller's transaction
    settings.GROUP_COMMIT = False
    create("off")
    assert commit_group.stats() == before
    assert Group.objects.filter(name="off").exists()


@grouped
def create_and_then(name: str, then: str) -> str:
    """Once committed, a listener makes another grouped call (on the leader's thread)."""
    with transaction.atomic():
        Group.objects.create(name=name)
        transaction.on_commit(lambda: create(then))
    return name


def test_a_grouped_call_made_after_the_groups_commit_does_not_wait_for_itself():
    calls = [
        ("a", create_and_then, ("a", "a-then"), {}, None),
        ("b", create_and_then, ("b", "b-then"), {}, None),
    ]
    results, _stats = _group(calls)
    assert results["a"] == ("ok", "a") and results["b"] == ("ok", "b")
    assert {"a", "b", "a-then", "b-then"} <= names()


@grouped
def interrupt() -> None:
    with transaction.atomic():
        Group.objects.create(name="interrupted")
        raise SystemExit("the server is stopping")


def test_an_interrupted_group_writes_nothing_and_leaves_no_caller_waiting():
    calls = [
        ("x", create, ("x",), {}, None),
        ("stop", interrupt, (), {}, None),
        ("y", create, ("y",), {}, None),
    ]
    results, _stats = _group(calls)
    assert {label: type(got[1]) for label, got in results.items()} == {
        "x": SystemExit,
        "stop": SystemExit,
        "y": SystemExit,
    }
    assert names() == set()
    assert create("after") == "after"  # the next caller leads at once
    assert names() == {"after"}
