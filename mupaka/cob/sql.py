"""Small SQL helpers for the set-based steps (SQLite and PostgreSQL say a few things
differently)."""

from __future__ import annotations

import datetime as dt

from django.db import connection


def vendor() -> str:
    return connection.vendor


def date_param(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def days_between(later: str, earlier: str) -> str:
    """SQL for the whole number of days from ``earlier`` to ``later`` (two date
    expressions; a parameter placeholder is cast to a date)."""
    if vendor() == "postgresql":
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if vendor() == "postgresql" else f"MAX({a}, {b})"


def execute(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def fetchall(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def table_exists(name: str) -> bool:
    return name in connection.introspection.table_names()


def to_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
