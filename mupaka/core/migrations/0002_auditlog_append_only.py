"""The audit log is append-only: the database itself refuses UPDATE and DELETE.

``mupaka_purge_permit`` is a table outside Django's models (so ``flush`` leaves
it alone). On SQLite, append-only triggers let a DELETE through only while it
holds a row: the test suite's flush between browser tests inserts one and takes
it away again (see mupaka/conftest.py). Nothing in the application writes it.
PostgreSQL's flush uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

from mupaka.core.migrations import _append_only

PERMIT = _append_only.PERMIT
SQLITE = _append_only.SQLITE
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_update",
    "DROP TRIGGER IF EXISTS core_auditlog_no_delete",
]
POSTGRES = [
    PERMIT,
    """CREATE OR REPLACE FUNCTION core_auditlog_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditlog_no_change BEFORE UPDATE OR DELETE ON core_auditlog
       FOR EACH ROW EXECUTE FUNCTION core_auditlog_refuse()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_no_change ON core_auditlog",
    "DROP FUNCTION IF EXISTS core_auditlog_refuse()",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
