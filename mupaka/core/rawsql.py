"""Plain DB-API statements for the hot paths of a counter operation.

A teller's deposit runs a dozen statements (account lock, balance, savings row, till,
journal head, lines, entry, running balances, audit). Django's cursor wrapper rewrites
every SQLite statement's placeholders with a regular expression and stacks several
wrappers; on PostgreSQL its client-side binding parses and plans every statement again.
:class:`RawCursor` runs them on the connection's own DB-API cursor instead, still inside
Django's transaction, with errors still translated into ``django.db`` exceptions:

* SQLite: the ``sqlite3`` cursor, ``%s`` placeholders turned into ``?`` once per text;
* PostgreSQL: a server-binding psycopg cursor, so psycopg prepares a statement the
  second time its text is seen on a connection (``prepare_threshold``). Django's own
  cursors bind on the client side and never prepare, so nothing else changes. A pooler
  in transaction mode must support prepared statements (PgBouncer ≥ 1.21 with
  ``max_prepared_statements``); ``MUPAKA_PG_PREPARE=0`` turns them off.

Only for short, fixed statements written with ``%s`` placeholders; everything else uses
the ORM.
"""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections

# prepare a statement from its second execution on a connection (psycopg's default is 5)
PREPARE_THRESHOLD = 1 if os.environ.get("MUPAKA_PG_PREPARE", "1") != "0" else None


@lru_cache(maxsize=512)
def qmark(sql: str) -> str:
    """``%s`` placeholders → SQLite's ``?`` (the texts are constants: cached)."""
    return sql.replace("%s", "?")


class RawCursor:
    """One DB-API cursor on the default connection (opened if needed); use as a context
    manager or call :meth:`close`. Runs inside the caller's transaction."""

    __slots__ = ("db", "_raw", "_sqlite", "_errors")

    def __init__(self, db=None) -> None:
        # the connection wrapper itself, read once: ``django.db.connection`` is a proxy
        # that looks the thread's connection up on every attribute access
        db = db if db is not None else connections[DEFAULT_DB_ALIAS]
        if db.connection is None:
            db.ensure_connection()
        self.db = db
        self._sqlite = db.vendor == "sqlite"
        self._errors = db.wrap_database_errors
        if self._sqlite:
            self._raw = db.connection.cursor()
        else:
            self._raw = _server_binding_cursor(db.connection)

    def __enter__(self) -> RawCursor:
        return self

    def __exit__(self, *exc) -> None:
        self._raw.close()

    def execute(self, sql: str, params=()) -> None:
        with self._errors:
            if self._sqlite:
                sqlite3.Cursor.execute(self._raw, qmark(sql), params)
            else:
                self._raw.execute(sql, params)

    def fetchone(self):
        return self._raw.fetchone()

    def fetchall(self):
        return self._raw.fetchall()

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    def close(self) -> None:
        self._raw.close()


def _server_binding_cursor(conn):
    import psycopg

    if conn.prepare_threshold != PREPARE_THRESHOLD:
        # Django opens its connections with prepare_threshold=None; its own (client-side
        # binding) cursors never prepare, whatever the threshold
        conn.prepare_threshold = PREPARE_THRESHOLD
    return psycopg.Cursor(conn)


def fetchone(sql: str, params=(), *, db=None):
    """One row of one statement (see :class:`RawCursor`)."""
    with RawCursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
