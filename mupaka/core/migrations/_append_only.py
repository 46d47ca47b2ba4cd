"""The audit log's append-only triggers, shared by the migrations that create them
and those that must put them back (SQLite drops a table's triggers when it rebuilds
the table to alter it)."""

PERMIT = "CREATE TABLE IF NOT EXISTS mupaka_purge_permit (id INTEGER PRIMARY KEY)"

SQLITE = [
    PERMIT,
    "DROP TRIGGER IF EXISTS core_auditlog_no_update",
    "DROP TRIGGER IF EXISTS core_auditlog_no_delete",
    """CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditlog_no_delete BEFORE DELETE ON core_auditlog
       WHEN NOT EXISTS (SELECT 1 FROM mupaka_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]


def install_sqlite(schema_editor) -> None:
    for sql in SQLITE:
        schema_editor.execute(sql)
