"""THE posting service: every movement of money is one call to :func:`journal_post`.

Callers (loans, savings, tellers, cob, manual entries) check their own permission and
maker-checker, then post. The posting path is written with a few plain SQL statements
because a teller's counter must stay fast (see bench/ledger_post.py):

1. lock the LedgerState row (PostgreSQL ``FOR UPDATE``; SQLite's write transaction
   is already exclusive) → next number, previous hash, closed date, business date;
2. idempotency: an entry with this key? same content → return it; else Conflict;
3. validate (accounts, currencies, amounts, balance, period) → nothing written on error;
4. insert the lines, then the entry (the database re-checks the balance, see db_guards),
   move the state head, upsert AccountBalance and AccountDayTotal (one statement each),
   write the audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.exceptions import Conflict, NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm
from mupaka.core.rawsql import RawCursor
from mupaka.ledger.hashing import GENESIS_HASH, HashLine, entry_hash
from mupaka.ledger.models import Account, JournalEntry

MAX_KEY_LENGTH = 150

# --- posting guards ---------------------------------------------------------------
# Another app may veto postings (end of day refuses entries dated the business date it is
# closing): ``guard(*, business_date, cursor)`` runs inside every journal_post, after the
# journal head is locked and the date checked, before anything is written; it raises a
# MupakaError (ValidationFailed, Conflict) to refuse. ``cursor`` takes ``execute(sql,
# params)`` with %s placeholders and ``fetchone()``; keep the guard to one cheap query.
PostingGuard = Callable[..., None]
_POSTING_GUARDS: list[PostingGuard] = []


def register_posting_guard(guard: PostingGuard) -> None:
    if guard not in _POSTING_GUARDS:
        _POSTING_GUARDS.append(guard)


def unregister_posting_guard(guard: PostingGuard) -> None:
    if guard in _POSTING_GUARDS:
        _POSTING_GUARDS.remove(guard)


@dataclass(frozen=True, slots=True)
class LineSpec:
    """One leg of an entry to post: an account (instance or number such as ``"5701-USD"``)
    and either a debit or a credit (a positive :class:`Money` in the account's currency)."""

    account: Account | str
    debit: Money | None = None
    credit: Money | None = None
    member_id: int | None = None
    subledger_type: str = ""
    subledger_id: str | int = ""
    memo: str = ""

    @classmethod
    def dr(cls, account: Account | str, amount: Money, **extra) -> LineSpec:
        return cls(account=account, debit=amount, **extra)

    @classmethod
    def cr(cls, account: Account | str, amount: Money, **extra) -> LineSpec:
        return cls(account=account, credit=amount, **extra)

    @property
    def account_number(self) -> str:
        return self.account.number if isinstance(self.account, Account) else str(self.account)

    @property
    def amount(self) -> Money | None:
        return self.debit if self.debit is not None else self.credit


@dataclass(frozen=True, slots=True)
class _Line:
    line_no: int
    account_id: int
    currency: str
    debit_minor: int
    credit_minor: int
    member_id: int | None
    subledger_type: str
    subledger_id: str
    memo: str

    def as_hash_line(self) -> HashLine:
        return HashLine(
            self.line_no,
            self.account_id,
            self.currency,
            self.debit_minor,
            self.credit_minor,
            self.member_id,
            self.subledger_type,
            self.subledger_id,
            self.memo,
        )


def _money_text(m: Money | None) -> str | None:
    if m is None:
        return None
    if not isinstance(m, Money):
        return repr(m)
    return f"{m.currency} {format(m.amount.normalize(), 'f')}"


def request_digest(
    *,
    business_date: dt.date,
    narrative: str,
    lines: Sequence[LineSpec],
    source_type: str,
    source_id: str,
    branch_id: int | None,
    reversal_of: int | None,
) -> str:
    """What makes two posting requests "the same" for idempotency (not who or when)."""
    body = {
        "date": business_date.isoformat()
        if isinstance(business_date, dt.date)
        else str(business_date),
        "narrative": narrative,
        "source": [source_type, str(source_id)],
        "branch": branch_id,
        "reversal_of": reversal_of,
        "lines": [
            [
                ln.account_number,
                _money_text(ln.debit),
                _money_text(ln.credit),
                ln.member_id,
                ln.subledger_type,
                str(ln.subledger_id),
                ln.memo,
            ]
            for ln in lines
        ],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# --- small SQL helpers ------------------------------------------------------------
def _d(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _from_db_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _lock_state(cursor, key: str) -> tuple:
    """One statement: the journal head (locked on PostgreSQL), the closed date, the
    business date and any entry already posted under ``key``."""
    lock = " FOR UPDATE OF s" if connection.vendor == "postgresql" else ""
    sql = (
        "SELECT s.last_number, s.last_hash, s.closed_through, "  # noqa: S608 (constant text)
        "(SELECT i.business_date FROM core_institution i ORDER BY i.id LIMIT 1), "
        "(SELECT e.number FROM ledger_journalentry e WHERE e.idempotency_key = %s), "
        "(SELECT e.request_digest FROM ledger_journalentry e WHERE e.idempotency_key = %s) "
        f"FROM ledger_ledgerstate s WHERE s.id = 1{lock}"
    )
    cursor.execute(sql, [key, key])
    row = cursor.fetchone()
    if row is None:  # a flushed test database: re-create the head from the journal
        cursor.execute("SELECT number, hash FROM ledger_journalentry ORDER BY number DESC LIMIT 1")
        head = cursor.fetchone() or (0, GENESIS_HASH)
        cursor.execute(
            "INSERT INTO ledger_ledgerstate (id, last_number, last_hash, preset) "
            "VALUES (1, %s, %s, '')",
            [head[0], head[1]],
        )
        cursor.execute(sql, [key, key])
        row = cursor.fetchone()
    return (
        int(row[0]),
        row[1],
        _from_db_date(row[2]),
        _from_db_date(row[3]),
        None if row[4] is None else (int(row[4]), row[5]),
    )


_AUDIT_SQL: str | None = None


def _audit_posting(cursor, h: _Header, lines: list[_Line]) -> None:
    """The audit row of a posting, written in the posting's transaction like
    ``core.audit.audit_record`` would (same table, same columns), as one plain INSERT:
    at a teller's counter the ORM's per-row overhead was a third of the posting's time."""
    global _AUDIT_SQL
    if _AUDIT_SQL is None:
        from mupaka.core.models import AuditLog

        cols = [
            AuditLog._meta.get_field(name).column
            for name in (
                "at",
                "actor",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "branch",
                "before",
                "after",
                "reason",
            )
        ]
        _AUDIT_SQL = (
            f"INSERT INTO {AuditLog._meta.db_table} ({', '.join(cols)}) "  # noqa: S608 (column names from the model)
            "VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, %s, '')"
        )
    totals: dict[str, int] = defaultdict(int)
    for ln in lines:
        totals[ln.currency] += ln.debit_minor
    after = {
        "number": h.number,
        "business_date": h.business_date.isoformat(),
        "source": f"{h.source_type}:{h.source_id}",
        "totals_minor": dict(totals),
        "reversal_of": h.reversal_of_id,
        "approved_by": h.approved_by_id,
    }
    cursor.execute(
        _AUDIT_SQL,
        [
            connection.ops.adapt_datetimefield_value(timezone.now()),
            h.actor_id,
            "journal.reverse" if h.reversal_of_id is not None else "journal.post",
            "ledger.journalentry",
            str(h.number),
            f"#{h.number} {h.narrative}"[:200],
            h.branch_id,
            json.dumps(after, default=str),
        ],
    )


def _check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationFailed(
            _("An idempotency key is required to post an entry."),
            field="idempotency_key",
            code="idempotency_key_missing",
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            _("The idempotency key is too long (%(max)s characters at most).")
            % {"max": MAX_KEY_LENGTH},
            field="idempotency_key",
        )
    return key


def check_open_date(
    business_date: dt.date, *, closed_through: dt.date | None, today: dt.date | None
) -> None:
    """Refuse a value date in a closed period or after the business date."""
    if not isinstance(business_date, dt.date) or isinstance(business_date, dt.datetime):
        raise ValidationFailed(_("The value date must be a date."), field="business_date")
    if closed_through is not None and business_date <= closed_through:
        raise ValidationFailed(
            _(
                "The books are closed up to %(closed)s: nothing can be posted with value date "
                "%(date)s. Post into the open period instead."
            )
            % {
                "closed": closed_through.strftime("%d/%m/%Y"),
                "date": business_date.strftime("%d/%m/%Y"),
            },
            field="business_date",
            code="period_closed",
        )
    if today is not None and business_date > today:
        raise ValidationFailed(
            _("The value date %(date)s is after the business date %(today)s.")
            % {"date": business_date.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")},
            field="business_date",
            code="future_date",
        )


def prepare_lines(
    lines: Sequence[LineSpec], *, allow_inactive: bool = False, cursor=None
) -> list[_Line]:
    """Validate the lines against the chart; every problem is reported, nothing is written."""
    errors: list[str] = []
    if len(lines) < 2:
        raise ValidationFailed(
            _("An entry needs at least two lines."), field="lines", code="too_few_lines"
        )
    numbers: set[str] = set()
    ids: set[int] = set()
    for spec in lines:
        if not isinstance(spec, LineSpec):
            raise ValidationFailed(_("Each line must be a LineSpec."), field="lines")
        if isinstance(spec.account, Account) and spec.account.pk:
            ids.add(spec.account.pk)
        else:
            numbers.add(str(spec.account).strip())
    found_by_number: dict[str, tuple] = {}
    found_by_id: dict[int, tuple] = {}
    clauses, params = [], []
    if numbers:
        clauses.append(f"number IN ({', '.join(['%s'] * len(numbers))})")
        params.extend(sorted(numbers))
    if ids:
        clauses.append(f"id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(sorted(ids))

    def fetch(cur):
        cur.execute(
            "SELECT id, number, currency, is_header, is_active FROM ledger_account WHERE "  # noqa: S608 (only %s placeholders are joined)
            + " OR ".join(clauses),
            params,
        )
        return cur.fetchall()

    rows = fetch(cursor) if cursor is not None else _with_cursor(fetch)
    for row in rows:
        found_by_number[row[1]] = row
        found_by_id[row[0]] = row

    prepared: list[_Line] = []
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, spec in enumerate(lines, start=1):
        label = spec.account_number
        row = (
            found_by_id.get(spec.account.pk)
            if isinstance(spec.account, Account) and spec.account.pk
            else found_by_number.get(label.strip())
        )
        if (spec.debit is None) == (spec.credit is None):
            errors.append(_("Line %(n)s: give either a debit or a credit.") % {"n": index})
            continue
        amount = spec.amount
        if not isinstance(amount, Money):
            errors.append(_("Line %(n)s: the amount must be a Money value.") % {"n": index})
            continue
        if amount.amount <= 0:
            errors.append(_("Line %(n)s: the amount must be greater than zero.") % {"n": index})
            continue
        if not amount.is_exact:
            errors.append(
                _("Line %(n)s: %(amount)s has more decimals than %(currency)s allows.")
                % {"n": index, "amount": amount.amount, "currency": amount.currency}
            )
            continue
        if row is None:
            errors.append(
                _("Line %(n)s: there is no account %(account)s in the chart.")
                % {"n": index, "account": label}
            )
            continue
        account_id, number, currency, is_header, is_active = row
        if is_header:
            errors.append(
                _(
                    "Line %(n)s: account %(account)s is a header; post to one of its accounts "
                    "(one per currency, e.g. %(account)s-%(currency)s)."
                )
                % {"n": index, "account": number, "currency": amount.currency}
            )
            continue
        if not is_active and not allow_inactive:
            errors.append(
                _("Line %(n)s: account %(account)s is closed to new postings.")
                % {"n": index, "account": number}
            )
            continue
        if currency != amount.currency:
            errors.append(
                _("Line %(n)s: account %(account)s holds %(held)s, not %(currency)s.")
                % {"n": index, "account": number, "held": currency, "currency": amount.currency}
            )
            continue
        minor = amount.minor
        debit, credit = (minor, 0) if spec.debit is not None else (0, minor)
        totals[currency][0] += debit
        totals[currency][1] += credit
        subledger_id = "" if spec.subledger_id is None else str(spec.subledger_id)
        prepared.append(
            _Line(
                line_no=index,
                account_id=int(account_id),
                currency=currency,
                debit_minor=debit,
                credit_minor=credit,
                member_id=spec.member_id,
                subledger_type=spec.subledger_type or "",
                subledger_id=subledger_id,
                memo=(spec.memo or "")[:200],
            )
        )
    if errors:
        raise ValidationFailed(errors[0], errors={"lines": errors}, code="invalid_lines")
    for currency, (debit, credit) in sorted(totals.items()):
        if debit != credit:
            raise ValidationFailed(
                _(
                    "The entry does not balance in %(currency)s: debits %(debit)s, "
                    "credits %(credit)s."
                )
                % {
                    "currency": currency,
                    "debit": Money.from_minor(debit, currency).amount,
                    "credit": Money.from_minor(credit, currency).amount,
                },
                field="lines",
                code="unbalanced",
            )
    return prepared


def _with_cursor(fn):
    with connection.cursor() as cursor:
        return fn(cursor)


@dataclass(frozen=True, slots=True)
class _Header:
    """What an entry row holds besides its hash (names of JournalEntry's columns)."""

    number: int
    business_date: dt.date
    posted_at: dt.datetime | None
    actor_id: int | None
    approved_by_id: int | None
    branch_id: int | None
    narrative: str
    source_type: str
    source_id: str
    reversal_of_id: int | None
    idempotency_key: str
    request_digest: str
    prev_hash: str

    def entry(self, digest_hash: str) -> JournalEntry:
        """The stored entry, as if read back (``from_db``: saved, not adding)."""
        entry = JournalEntry.from_db(
            connection.alias, _ENTRY_FIELDS, (*(getattr(self, f) for f in _HEADER), digest_hash)
        )
        entry.replayed = False  # type: ignore[attr-defined]
        return entry


_HEADER = tuple(_Header.__dataclass_fields__)
_ENTRY_FIELDS = (*_HEADER, "hash")


def _write(cursor, h: _Header, lines: list[_Line]) -> str:
    """Insert the lines, then the entry (the database's seal), move the journal head and
    the running balances; return the entry's hash."""
    digest_hash = entry_hash(
        number=h.number,
        business_date=h.business_date,
        posted_at=h.posted_at,
        actor_id=h.actor_id,
        approved_by_id=h.approved_by_id,
        branch_id=h.branch_id,
        narrative=h.narrative,
        source_type=h.source_type,
        source_id=h.source_id,
        reversal_of_id=h.reversal_of_id,
        idempotency_key=h.idempotency_key,
        prev_hash=h.prev_hash,
        lines=[ln.as_hash_line() for ln in lines],
    )
    number = h.number
    bdate = _d(h.business_date)
    values, params = [], []
    for ln in lines:
        values.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
        params.extend(
            [
                number,
                ln.line_no,
                bdate,
                ln.account_id,
                ln.currency,
                ln.debit_minor,
                ln.credit_minor,
                ln.member_id,
                ln.subledger_type,
                ln.subledger_id,
                ln.memo,
            ]
        )
    cursor.execute(
        "INSERT INTO ledger_journalline (entry_id, line_no, business_date, account_id, currency, "  # noqa: S608 (only %s placeholders are joined)
        "debit_minor, credit_minor, member_id, subledger_type, subledger_id, memo) VALUES "
        + ", ".join(values),
        params,
    )
    cursor.execute(
        "INSERT INTO ledger_journalentry (number, business_date, posted_at, actor_id, "
        "approved_by_id, branch_id, narrative, source_type, source_id, reversal_of_id, "
        "idempotency_key, request_digest, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            number,
            bdate,
            connection.ops.adapt_datetimefield_value(h.posted_at),
            h.actor_id,
            h.approved_by_id,
            h.branch_id,
            h.narrative,
            h.source_type,
            h.source_id,
            h.reversal_of_id,
            h.idempotency_key,
            h.request_digest,
            h.prev_hash,
            digest_hash,
        ],
    )
    cursor.execute(
        "UPDATE ledger_ledgerstate SET last_number = %s, last_hash = %s WHERE id = 1",
        [number, digest_hash],
    )
    per_account: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for ln in lines:
        agg = per_account[(ln.account_id, ln.currency)]
        agg[0] += ln.debit_minor
        agg[1] += ln.credit_minor
    bal_values, bal_params, day_values, day_params = [], [], [], []
    for (account_id, currency), (debit, credit) in sorted(per_account.items()):
        bal_values.append("(%s, %s, %s, %s)")
        bal_params.extend([account_id, currency, debit, credit])
        day_values.append("(%s, %s, %s, %s, %s)")
        day_params.extend([account_id, currency, bdate, debit, credit])
    cursor.execute(
        "INSERT INTO ledger_accountbalance (account_id, currency, debit_minor, credit_minor) "
        "VALUES " + ", ".join(bal_values) + " ON CONFLICT (account_id, currency) DO UPDATE SET "
        "debit_minor = ledger_accountbalance.debit_minor + excluded.debit_minor, "
        "credit_minor = ledger_accountbalance.credit_minor + excluded.credit_minor",
        bal_params,
    )
    cursor.execute(
        "INSERT INTO ledger_accountdaytotal (account_id, currency, business_date, debit_minor, "  # noqa: S608 (only %s placeholders are joined)
        "credit_minor) VALUES " + ", ".join(day_values) + " ON CONFLICT (account_id, currency, "
        "business_date) DO UPDATE SET "
        "debit_minor = ledger_accountdaytotal.debit_minor + excluded.debit_minor, "
        "credit_minor = ledger_accountdaytotal.credit_minor + excluded.credit_minor",
        day_params,
    )
    return digest_hash


def _replay(number: int, digest: str, stored_digest: str) -> JournalEntry:
    if stored_digest != digest:
        raise Conflict(
            _("This idempotency key was already used for a different entry (entry %(number)s).")
            % {"number": number},
            code="idempotency_conflict",
        )
    entry = JournalEntry.objects.get(number=number)
    entry.replayed = True  # type: ignore[attr-defined]
    return entry


def journal_post(
    *,
    actor,
    business_date: dt.date,
    narrative: str,
    lines: Sequence[LineSpec],
    source_type: str,
    source_id: str | int = "",
    idempotency_key: str,
    branch=None,
    approved_by=None,
    _reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry; return it (``entry.replayed`` tells a replay apart).

    ``actor`` is the user on whose behalf the money moves (None for a system job such
    as end of day). The caller has checked the actor's permission. Raises
    ValidationFailed (nothing written) or Conflict (key reused with other content).
    """
    key = _check_key(idempotency_key)
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationFailed(_("A narrative is required."), field="narrative")
    if len(narrative) > 300:
        raise ValidationFailed(
            _("The narrative is too long (300 characters at most)."), field="narrative"
        )
    source_type = (source_type or "").strip()
    if not source_type:
        raise ValidationFailed(_("The source of the entry is required."), field="source_type")
    source_id = str(source_id if source_id is not None else "")
    branch_id = getattr(branch, "pk", branch)
    reversal_of_id = _reversal_of.pk if _reversal_of is not None else None
    lines = list(lines)
    digest = request_digest(
        business_date=business_date,
        narrative=narrative,
        lines=lines,
        source_type=source_type,
        source_id=source_id,
        branch_id=branch_id,
        reversal_of=reversal_of_id,
    )
    header = _Header(
        number=0,
        business_date=business_date,
        posted_at=None,
        actor_id=getattr(actor, "pk", None),
        approved_by_id=getattr(approved_by, "pk", None),
        branch_id=branch_id,
        narrative=narrative,
        source_type=source_type,
        source_id=source_id,
        reversal_of_id=reversal_of_id,
        idempotency_key=key,
        request_digest=digest,
        prev_hash="",
    )
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block:
        # inside the caller's transaction (a counter operation): no savepoint of its own;
        # a refusal is raised before anything is written, and a failed write dooms the
        # caller's whole transaction (``set_rollback``), never half an entry committed
        return _post(db, header, lines)
    with transaction.atomic():
        return _post(db, header, lines)


def _post(db, header: _Header, lines: list[LineSpec]) -> JournalEntry:
    cursor = RawCursor(db)
    try:
        last_number, last_hash, closed_through, today, existing = _lock_state(
            cursor, header.idempotency_key
        )
        if existing is not None:
            return _replay(existing[0], header.request_digest, existing[1])
        check_open_date(header.business_date, closed_through=closed_through, today=today)
        for guard in _POSTING_GUARDS:
            guard(business_date=header.business_date, cursor=cursor)
        prepared = prepare_lines(
            lines, allow_inactive=header.reversal_of_id is not None, cursor=cursor
        )
        header = replace(
            header, number=last_number + 1, posted_at=timezone.now(), prev_hash=last_hash
        )
        try:
            entry = header.entry(_write(cursor, header, prepared))
            _audit_posting(cursor, header, prepared)
        except BaseException:
            db.set_rollback(True)
            raise
    finally:
        cursor.close()
    return entry


def journal_reverse(
    *,
    actor,
    entry: JournalEntry | int,
    reason: str,
    idempotency_key: str,
    approved_by=None,
    business_date: dt.date | None = None,
) -> JournalEntry:
    """Post the mirror of ``entry`` (debits become credits) and link both.

    Dated in the open period: the business date unless ``business_date`` is given (it
    may not precede the original's date nor fall in a closed period). An entry is
    reversed once; a reversal is not itself reversed (post the right entry again).
    A MANUAL entry needs ``approved_by``: another person allowed to approve entries.
    Other services (loans...) apply their own maker-checker before calling this.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the reversal."), field="reason")
    number = entry.pk if isinstance(entry, JournalEntry) else int(entry)
    original = JournalEntry.objects.filter(number=number).first()
    if original is None:
        raise NotFound(_("There is no journal entry %(number)s.") % {"number": number})
    key = _check_key(idempotency_key)
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.reversal_of_id == original.pk:
        existing.replayed = True  # type: ignore[attr-defined]
        return existing
    if original.reversal_of_id is not None:
        raise ValidationFailed(
            _(
                "Entry %(number)s is itself a reversal and cannot be reversed; post the correct "
                "entry instead."
            )
            % {"number": original.pk},
            code="reverse_reversal",
        )
    already = (
        JournalEntry.objects.filter(reversal_of=original).values_list("number", flat=True).first()
    )
    if already is not None:
        raise Conflict(
            _("Entry %(number)s was already reversed by entry %(by)s.")
            % {"number": original.pk, "by": already},
            code="already_reversed",
        )
    if original.source_type == "manual":
        if approved_by is None or getattr(approved_by, "pk", None) == getattr(actor, "pk", None):
            raise ValidationFailed(
                _("Reversing a manual entry needs the approval of a second person."),
                field="approved_by",
                code="second_person_required",
            )
        if not has_perm(approved_by, "ledger.entry.approve"):
            raise ValidationFailed(
                _("The approver is not allowed to approve journal entries."),
                field="approved_by",
                code="approver_not_allowed",
            )
    if business_date is None:
        from mupaka.core.selectors import business_date_get

        business_date = business_date_get()
    if business_date < original.business_date:
        raise ValidationFailed(
            _("A reversal cannot be dated before the entry it reverses (%(date)s).")
            % {"date": original.business_date.strftime("%d/%m/%Y")},
            field="business_date",
        )
    mirror = [
        LineSpec(
            account=line.account,
            debit=Money.from_minor(line.credit_minor, line.currency) if line.credit_minor else None,
            credit=Money.from_minor(line.debit_minor, line.currency) if line.debit_minor else None,
            member_id=line.member_id,
            subledger_type=line.subledger_type,
            subledger_id=line.subledger_id,
            memo=line.memo,
        )
        for line in original.lines.select_related("account").order_by("line_no")
    ]
    narrative = (
        _("Reversal of entry %(number)s: %(reason)s") % {"number": original.pk, "reason": reason}
    )[:300]
    return journal_post(
        actor=actor,
        business_date=business_date,
        narrative=narrative,
        lines=mirror,
        source_type=original.source_type,
        source_id=original.source_id,
        idempotency_key=key,
        branch=original.branch_id,
        approved_by=approved_by,
        _reversal_of=original,
    )
