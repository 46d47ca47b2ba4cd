"""Database guards of the journal, for SQLite and PostgreSQL.

Installed by migration 0002 (and re-installed by any later migration that changes
them). The design, the same on both databases:

1. ``journal_post`` inserts the LINES first (their ``entry_id`` is the entry's number,
   known in advance), then the ENTRY row. Foreign keys are ``DEFERRABLE INITIALLY
   DEFERRED`` (Django's default on both databases), so lines may precede their entry
   inside a transaction; lines left without an entry fail the foreign key at COMMIT.
2. A line cannot be inserted into an entry that already exists (the entry row seals
   it), nor on a header account, nor in a currency its account does not hold.
3. Inserting the entry row is refused unless its lines (already there) number two or
   more, balance per currency and carry the entry's value date:
   - SQLite: a BEFORE INSERT trigger on the entry (SQLite has no deferred triggers;
     the entry insert is the "seal" that closes the entry);
   - PostgreSQL: a DEFERRABLE INITIALLY DEFERRED constraint trigger on the entry,
     so the check runs at COMMIT, whatever order rows were written in.
4. UPDATE and DELETE of entries and lines are refused (triggers).

``TRUNCATE`` on PostgreSQL fires no row trigger (it needs the table owner's rights);
the hash chain checked by ``mupaka verify`` is what detects a tampering owner.
"""

from __future__ import annotations

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_no_update BEFORE UPDATE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'ledger: journal entries are immutable; post a reversal'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_no_delete BEFORE DELETE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'ledger: journal entries are immutable; post a reversal'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_line_no_update BEFORE UPDATE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'ledger: journal lines are immutable; post a reversal'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_line_no_delete BEFORE DELETE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'ledger: journal lines are immutable; post a reversal'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_line_insert BEFORE INSERT ON ledger_journalline
       BEGIN
         SELECT RAISE(ABORT, 'ledger: lines cannot be added to a posted entry')
          WHERE EXISTS (SELECT 1 FROM ledger_journalentry WHERE number = NEW.entry_id);
         SELECT RAISE(ABORT, 'ledger: a line must use a posting account that holds its currency')
          WHERE NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = NEW.account_id
                            AND a.is_header = 0 AND a.currency = NEW.currency);
       END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_insert BEFORE INSERT ON ledger_journalentry
       BEGIN
         SELECT RAISE(ABORT, 'ledger: an entry needs at least two lines')
          WHERE (SELECT COUNT(*) FROM ledger_journalline WHERE entry_id = NEW.number) < 2;
         SELECT RAISE(ABORT, 'ledger: unbalanced entry (debits and credits differ in a currency)')
          WHERE EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.number
                        GROUP BY currency HAVING SUM(debit_minor) <> SUM(credit_minor));
         SELECT RAISE(ABORT, 'ledger: the lines and the entry have different value dates')
          WHERE EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.number
                        AND business_date <> NEW.business_date);
       END""",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_entry_no_update",
        "ledger_entry_no_delete",
        "ledger_line_no_update",
        "ledger_line_no_delete",
        "ledger_line_insert",
        "ledger_entry_insert",
    )
]

POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'ledger: % on % refused: the journal is immutable; post a reversal',
           TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
       END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_line_insert() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM ledger_journalentry WHERE number = NEW.entry_id) THEN
           RAISE EXCEPTION 'ledger: lines cannot be added to a posted entry'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = NEW.account_id
                        AND NOT a.is_header AND a.currency = NEW.currency) THEN
           RAISE EXCEPTION 'ledger: a line must use a posting account that holds its currency'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_entry_check() RETURNS trigger AS $$
       BEGIN
         IF (SELECT COUNT(*) FROM ledger_journalline WHERE entry_id = NEW.number) < 2 THEN
           RAISE EXCEPTION 'ledger: entry % needs at least two lines', NEW.number
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.number
                    GROUP BY currency HAVING SUM(debit_minor) <> SUM(credit_minor)) THEN
           RAISE EXCEPTION 'ledger: unbalanced entry % (debits and credits differ in a currency)',
             NEW.number USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF EXISTS (SELECT 1 FROM ledger_journalline WHERE entry_id = NEW.number
                    AND business_date <> NEW.business_date) THEN
           RAISE EXCEPTION 'ledger: the lines and entry % have different value dates', NEW.number
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry",
    """CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_journalline",
    """CREATE TRIGGER ledger_line_immutable BEFORE UPDATE OR DELETE ON ledger_journalline
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "DROP TRIGGER IF EXISTS ledger_line_insert ON ledger_journalline",
    """CREATE TRIGGER ledger_line_insert BEFORE INSERT ON ledger_journalline
       FOR EACH ROW EXECUTE FUNCTION ledger_line_insert()""",
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_journalentry",
    """CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_journalentry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_check()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_line_insert ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_journalentry",
    "DROP FUNCTION IF EXISTS ledger_entry_check()",
    "DROP FUNCTION IF EXISTS ledger_line_insert()",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    raise RuntimeError(f"the ledger's guards are written for SQLite and PostgreSQL, not {vendor}")


def install(connection) -> None:
    """Create (or re-create) every guard. Safe to run twice."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection) -> None:
    """Drop every guard (migration rollback; tests that must flush committed rows)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)
