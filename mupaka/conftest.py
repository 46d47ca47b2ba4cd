"""Fixtures shared by every app's tests: an institution, branches, one staff
user per role, API clients and (for the browser tests) Playwright on Debian's
Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

os.environ.setdefault("MUPAKA_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by fixtures there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "test-password-2026"


@pytest.fixture
def institution(db):
    from mupaka.core.models import Institution

    return Institution.objects.create(
        name="COOPEC Test Bukavu",
        short_name="COOPEC Test",
        country="CD",
        base_currency="USD",
        accepted_currencies=["USD", "CDF", "RWF", "BIF"],
        regulatory_preset="drc",
        business_date=dt.date(2026, 11, 2),
        weekend_days=[7],
    )


@pytest.fixture
def branch(institution):
    from mupaka.core.models import Branch

    return Branch.objects.create(institution=institution, code="BKV", name="Bukavu", country="CD")


@pytest.fixture
def other_branch(institution):
    from mupaka.core.models import Branch

    return Branch.objects.create(institution=institution, code="GOM", name="Goma", country="CD")


@pytest.fixture
def make_user(branch):
    from mupaka.core.models import User

    def make(role: str, username: str | None = None, branch_=branch, **extra):
        user = User(
            username=username or f"{role}-{User.objects.count() + 1}",
            role=role,
            branch=branch_,
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One user per role, all in the BKV branch: staff['teller'], staff['admin'] ..."""
    from mupaka.core.roles import Role

    return {r.value: make_user(r.value, username=r.value) for r in Role}


@pytest.fixture
def api_client_for():
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


# --- browser ----------------------------------------------------------------
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError(
            "Debian's chromium is not installed: scripts/ensure_chromium.sh installs it"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def login(page):
    def do(username: str, password: str = PASSWORD):
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do


# --- what a committing test leaves behind -------------------------------------
# The rows the migrations wrote (notes and coins, border posts, the ledger's head, content
# types, permissions), as serialized right after the test database was migrated: a flush
# puts them back (see below). Per database alias; one per xdist worker (process).
_MIGRATED_ROWS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up (create and migrate the test database), then a copy of the
    rows the migrations seeded, for the flush after each committing test."""
    from django.db import DEFAULT_DB_ALIAS, connections

    with django_db_blocker.unblock():
        _MIGRATED_ROWS[DEFAULT_DB_ALIAS] = connections[
            DEFAULT_DB_ALIAS
        ].creation.serialize_db_to_string()
    yield
    _MIGRATED_ROWS.clear()
    from mupaka.core import commit_group

    commit_group.close()  # its connection would keep PostgreSQL from dropping the database


@pytest.fixture(autouse=True, scope="session")
def _flush_back_to_the_migrated_database():
    """Transactional tests (``transaction=True``, ``transactional_db``, ``live_server``,
    browser) end with Django's ``flush``, which empties every table. Two changes to it:

    - Afterwards the rows the migrations seeded are put back, with their ids, so that
      whatever test comes next on this worker finds the database as migrated. Django's
      own answer, ``serialized_rollback``, restores them at the start of a test that
      asks for it, from a copy hung on the connection, and silently does nothing when
      the connection has none: pytest-django makes the copy only if some test of the
      session asks in its ``django_db`` marker or, unmarked, by fixture name (a fixture
      name added to a marked test is not seen at set-up); and once Playwright runs, its
      event loop, marked as running in the test thread, makes Django's thread-critical
      ``connections`` hand the test code another DatabaseWrapper, without the copy.
      Such a flush also sent post_migrate, which re-created the content types under new
      ids, and a later restore of the copy collided with them. Here the copy is kept
      apart from any connection and put back after every flush, whatever the test asked
      for; post_migrate is not sent (the copy holds the content types and permissions,
      with their own ids, which ContentType's cache keeps for the whole session).
    - On SQLite, it deletes rows table by table, which the append-only triggers refuse:
      the audit log lets a DELETE through while ``mupaka_purge_permit`` holds a row, and
      the journal's guards are taken off for the flush and put back after it.
      PostgreSQL flushes with TRUNCATE, which row triggers do not see."""
    from django.core.management.commands import flush
    from django.db import DEFAULT_DB_ALIAS, connections

    from mupaka.ledger import db_guards

    original = flush.Command.handle

    def handle(self, **options):
        alias = options.get("database") or DEFAULT_DB_ALIAS
        conn = connections[alias]
        migrated_rows = _MIGRATED_ROWS.get(alias)
        if migrated_rows is not None:
            options["inhibit_post_migrate"] = True
        if conn.vendor == "sqlite":
            with conn.cursor() as cursor:
                cursor.execute("INSERT OR IGNORE INTO mupaka_purge_permit (id) VALUES (1)")
            db_guards.remove(conn)
            try:
                original(self, **options)
            finally:
                db_guards.install(conn)
                with conn.cursor() as cursor:
                    cursor.execute("DELETE FROM mupaka_purge_permit")
        else:
            original(self, **options)
        if migrated_rows is not None:
            conn.creation.deserialize_db_from_string(migrated_rows)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original
