"""RawCursor: the hot paths' plain statements, on both databases."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from mupaka.core.models import Branch
from mupaka.core.rawsql import RawCursor, fetchone, qmark

pytestmark = pytest.mark.django_db


def test_placeholders_are_rewritten_once_for_sqlite():
    assert qmark("SELECT %s, %s") == "SELECT ?, ?"


def test_statements_run_inside_the_callers_transaction(institution, branch):
    with transaction.atomic():
        with RawCursor() as cursor:
            cursor.execute("UPDATE core_branch SET name = %s WHERE id = %s", ["Uvira", branch.pk])
            assert cursor.rowcount == 1
        assert Branch.objects.get(pk=branch.pk).name == "Uvira"
        transaction.set_rollback(True)
    assert Branch.objects.get(pk=branch.pk).name == branch.name
    assert fetchone("SELECT name FROM core_branch WHERE id = %s", [branch.pk]) == (branch.name,)


def test_database_errors_are_djangos(institution, branch):
    with pytest.raises(IntegrityError), transaction.atomic(), RawCursor() as cursor:
        cursor.execute(
            "INSERT INTO core_branch (institution_id, code, name, town, country, is_active, created_at) "
            "SELECT institution_id, code, name, town, country, is_active, created_at FROM core_branch "
            "WHERE id = %s",
            [branch.pk],
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_prepares_the_hot_statements_only(institution, branch):
    sql = "SELECT name FROM core_branch WHERE id = %s AND 'rawsql-test' = 'rawsql-test'"
    for _ in range(3):
        assert fetchone(sql, [branch.pk]) == (branch.name,)
    Branch.objects.filter(pk=branch.pk).count()  # the ORM: client-side binding
    Branch.objects.filter(pk=branch.pk).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("rawsql-test" in text for text in prepared)
    assert not any("COUNT(*)" in text for text in prepared)
