"""Money in and out of savings accounts: the savings side of any journal entry.

Other services (loans, shares, tellers) call :func:`savings_movement_line` inside their
own ``transaction.atomic`` to get the savings line of the entry they post, then
:func:`savings_entry_link` once the entry exists::

    with transaction.atomic():
        line = savings_movement_line(actor=teller, account=acct, amount=Money.of("20", "USD"),
                                     direction="out", kind="loan_repayment",
                                     business_date=bd, reference=f"loans.loan:{loan.pk}")
        entry = journal_post(..., lines=[line, LineSpec.cr(...)])
        savings_entry_link(entry=entry, lines=[line])

The account row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
write transaction is already exclusive) until the caller's transaction ends, the
rules are checked against the locked row, the balances are updated and the
transaction row (with its running balance) is written, all before the line is
returned. Nothing is left behind when the caller's transaction rolls back.

A KYC tier limit adds up the member's OTHER accounts (her balance in the currency, her
withdrawals of the day), which the account lock does not cover: when a limit applies,
the member's limit lock (:func:`lock_member_limits`) is taken after the account lock, so
two tellers serving her at once (two of her accounts) are served one after the other.
Lock order, everywhere: her account rows (in id order; an operation on two accounts
locks both first), then her limit lock, then the till and the ledger (``journal_post``).
An unlimited operation takes no member lock (the counter's fast path is unchanged).

The counter services of this module (:func:`savings_deposit`, :func:`savings_withdraw`,
:func:`savings_transfer`) are built on the same two calls. They are idempotent by
themselves: the key is stored on the operation's first savings transaction, and a
replay with the same content returns the first result (``replayed=True``).

The posting path is written with a few plain SQL statements (as the ledger's) because
a teller's counter must stay fast: see bench/teller.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import Conflict, NotFound, ValidationFailed
from mupaka.core.idempotency import check_idempotency_key as check_key
from mupaka.core.idempotency import scoped_digest as digest
from mupaka.core.money import Money
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.rawsql import RawCursor
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.members.domain.kyc import IdDocument, kyc_tier
from mupaka.savings import hooks
from mupaka.savings.domain.rules import AccountState, Refusal, TierLimit, check_credit, check_debit
from mupaka.savings.gl import gl_account
from mupaka.savings.models import SUBLEDGER, Channel, SavingsAccount, TxnKind
from mupaka.savings.services.messages import money_text, refusal_error

MONEY_KINDS = frozenset(
    {
        TxnKind.DEPOSIT,
        TxnKind.WITHDRAWAL,
        TxnKind.TRANSFER,
        TxnKind.FEE,
        TxnKind.INTEREST,
        TxnKind.WITHHOLDING_TAX,
        TxnKind.PENALTY,
        TxnKind.LOAN_DISBURSEMENT,
        TxnKind.LOAN_REPAYMENT,
        TxnKind.SHARES,
        TxnKind.REVERSAL,
    }
)
# Customer "out" movements that count against a tier's daily withdrawal limit.
DAILY_LIMIT_KINDS = (TxnKind.WITHDRAWAL.value, TxnKind.TRANSFER.value)


@dataclass(frozen=True, slots=True)
class SavingsLineSpec(LineSpec):
    """A :class:`~mupaka.ledger.services.LineSpec` on a savings account's ledger account,
    carrying the savings transaction it was recorded as (link it with
    :func:`savings_entry_link` once the entry is posted)."""

    savings_transaction_id: int = 0
    savings_account_id: int = 0
    balance_after_minor: int = 0


@dataclass(frozen=True, slots=True)
class MovementResult:
    """What a counter operation returns (JSON-friendly through :meth:`as_dict`)."""

    transaction_id: int
    entry_number: int | None
    account_id: int
    account_number: str
    currency: str
    amount_minor: int
    fee_minor: int
    balance_minor: int
    available_minor: int
    replayed: bool = False

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def fee(self) -> Money:
        return Money.from_minor(self.fee_minor, self.currency)

    @property
    def balance(self) -> Money:
        return Money.from_minor(self.balance_minor, self.currency)

    @property
    def available(self) -> Money:
        return Money.from_minor(max(self.available_minor, 0), self.currency)

    def as_dict(self) -> dict:
        return {
            "transaction": self.transaction_id,
            "entry": self.entry_number,
            "account": self.account_id,
            "account_number": self.account_number,
            "currency": self.currency,
            "amount": str(self.amount.amount),
            "fee": str(self.fee.amount),
            "balance": str(self.balance.amount),
            "available_balance": str(self.available.amount),
            "replayed": self.replayed,
        }


# --- the locked account ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Locked:
    """An account row read under its lock, with what the rules need."""

    id: int
    number: str
    member_id: int
    branch_id: int
    product_id: int
    currency: str
    status: str
    balance_minor: int
    blocked_minor: int
    min_balance_minor: int
    gl_account_id: int
    gl_number: str
    kind: str
    matured: bool
    withdrawal_fee_minor: int
    id_type: str
    id_number: str
    id_expiry_date: dt.date | None
    last_customer_date: dt.date
    # read in the same statement (one round trip at the counter):
    business_date: dt.date | None = None
    limits: tuple = (None, None, None, None)  # tier 0 balance/day, tier 1 balance/day
    replay_id: int | None = None

    @property
    def state(self) -> AccountState:
        return AccountState(
            status=self.status,
            kind=self.kind,
            balance_minor=self.balance_minor,
            blocked_minor=self.blocked_minor,
            min_balance_minor=self.min_balance_minor,
            matured=self.matured,
        )

    @property
    def available_minor(self) -> int:
        return self.balance_minor - self.blocked_minor - self.min_balance_minor

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


# The account row, its ledger account, product and member, plus (same round trip) the
# business date, the tier 0 and tier 1 limits of its currency and the idempotency probe.
_LOCK_SQL = (
    "SELECT a.id, a.number, a.member_id, a.branch_id, a.product_id, a.currency, a.status, "
    "a.balance_minor, a.blocked_minor, a.min_balance_minor, a.gl_account_id, g.number, p.kind, "
    "a.matured, p.withdrawal_fee_minor, m.id_type, m.id_number, m.id_expiry_date, "
    "a.last_customer_date, "
    "(SELECT i.business_date FROM core_institution i ORDER BY i.id LIMIT 1), "
    "(SELECT l.max_balance_minor FROM savings_kyctierlimit l "
    "WHERE l.tier = 0 AND l.currency = a.currency), "
    "(SELECT l.max_withdrawal_per_day_minor FROM savings_kyctierlimit l "
    "WHERE l.tier = 0 AND l.currency = a.currency), "
    "(SELECT l.max_balance_minor FROM savings_kyctierlimit l "
    "WHERE l.tier = 1 AND l.currency = a.currency), "
    "(SELECT l.max_withdrawal_per_day_minor FROM savings_kyctierlimit l "
    "WHERE l.tier = 1 AND l.currency = a.currency), "
    "(SELECT t.id FROM savings_savingstransaction t WHERE t.idempotency_key = %s) "
    "FROM savings_savingsaccount a "
    "JOIN ledger_account g ON g.id = a.gl_account_id "
    "JOIN savings_savingsproduct p ON p.id = a.product_id "
    "JOIN members_member m ON m.id = a.member_id "
)


def db_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _row_to_locked(row) -> Locked:
    values = list(row[:19])
    values[13] = bool(values[13])
    values[17] = db_date(values[17])
    values[18] = db_date(values[18])
    return Locked(
        *values, business_date=db_date(row[19]), limits=tuple(row[20:24]), replay_id=row[24]
    )


def lock_accounts(ids: list[int], *, key: str | None = None) -> dict[int, Locked]:
    """Lock the account rows (in id order, so two operations never deadlock). The same
    statement reads the business date, the KYC tier limits of the account's currency and
    (``key``) whether an operation with this idempotency key exists."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    with RawCursor() as cursor:
        suffix = " FOR UPDATE OF a" if cursor.db.vendor == "postgresql" else ""
        cursor.execute(
            _LOCK_SQL  # noqa: S608 (only %s placeholders are joined)
            + f"WHERE a.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY a.id"
            + suffix,
            [key or "", *ids],
        )
        rows = cursor.fetchall()
    found = {int(r[0]): _row_to_locked(r) for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("No savings account with this id."), field="account")
    return found


def lock_account(account: SavingsAccount | int, *, key: str | None = None) -> Locked:
    account_id = account.pk if isinstance(account, SavingsAccount) else int(account)
    return lock_accounts([account_id], key=key)[account_id]


def business_date_now() -> dt.date:
    with connection.cursor() as cursor:
        cursor.execute("SELECT business_date FROM core_institution ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("No institution is set up yet."))
    return db_date(row[0])


# --- rules against the locked row ---------------------------------------------------------
def _tier_limit(acct: Locked, on_date: dt.date) -> TierLimit | None:
    """The member's tier on ``on_date`` (members' KYC rule) and its limits, read with the
    account (tiers 0 and 1; a limit of a higher tier is not set by the institution)."""
    tier = kyc_tier(
        IdDocument(acct.id_type or "", acct.id_number or "", acct.id_expiry_date), on_date=on_date
    )
    if tier > 1:
        return None
    max_balance, max_day = acct.limits[2 * tier : 2 * tier + 2]
    if max_balance is None and max_day is None:
        return None
    return TierLimit(tier=tier, max_balance_minor=max_balance, max_withdrawal_per_day_minor=max_day)


# The class of the PostgreSQL advisory lock that serializes a member's limited operations
# (the object is the member id): "SV", savings. No other lock in Mupaka uses advisory locks.
MEMBER_LIMIT_LOCK_CLASS = 0x5356


def lock_member_limits(*member_ids: int) -> None:
    """Wait for the member's other operations that a KYC tier limit applies to, and make
    the next ones wait for this one, until the transaction ends. Call it after locking the
    account and before adding up her balances or her withdrawals of the day.

    PostgreSQL: a transaction-level advisory lock on (savings limits, member id). Not the
    member row: ``shares_purchase`` and ``account_create`` lock her row *before* her
    savings account, so a row lock taken here (after the account) could deadlock with
    them; the advisory lock is taken by this path only, always after the account lock.
    SQLite: the IMMEDIATE write transaction already lets one writer at a time.

    Several members (a transfer between two limited members): in member id order, so
    two transfers in opposite directions never wait for each other crosswise. Taking a
    lock the transaction already holds returns at once."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for member_id in sorted({int(i) for i in member_ids}):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::integer, %s::integer)",
                [MEMBER_LIMIT_LOCK_CLASS, member_id & 0x7FFFFFFF],
            )


def _member_total_minor(acct: Locked) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(balance_minor), 0) FROM savings_savingsaccount "
            "WHERE member_id = %s AND currency = %s AND status <> 'closed'",
            [acct.member_id, acct.currency],
        )
        return int(cursor.fetchone()[0])


def _withdrawn_today_minor(acct: Locked, on_date: dt.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(t.amount_minor), 0) FROM savings_savingstransaction t "
            "JOIN savings_savingsaccount a ON a.id = t.account_id "
            "WHERE a.member_id = %s AND a.currency = %s AND t.business_date = %s "
            "AND t.direction = 'out' AND t.customer = %s AND t.kind IN (%s, %s) "
            # a withdrawal reversed (posted by mistake) was not taken: it gives the room back
            "AND NOT EXISTS (SELECT 1 FROM savings_savingstransaction r "
            "WHERE r.reversal_of_id = t.id)",
            [
                acct.member_id,
                acct.currency,
                connection.ops.adapt_datefield_value(on_date),
                True,
                *DAILY_LIMIT_KINDS,
            ],
        )
        return int(cursor.fetchone()[0])


def check_amount(acct: Locked, amount: Money, *, field: str = "amount") -> int:
    """The amount in minor units, after refusing another currency, zero or too many decimals."""
    if not isinstance(amount, Money):
        raise TypeError("amount must be a Money")
    if amount.currency != acct.currency:
        raise ValidationFailed(
            _(
                "Account %(number)s holds %(held)s, not %(currency)s: change the money at the "
                "exchange desk first, or use an account in %(currency)s."
            )
            % {"number": acct.number, "held": acct.currency, "currency": amount.currency},
            field=field,
            code="currency_mismatch",
        )
    if amount.amount <= 0:
        raise ValidationFailed(_("The amount must be greater than zero."), field=field)
    if not amount.is_exact:
        raise ValidationFailed(
            _("%(currency)s amounts have at most %(n)s decimals.")
            % {"currency": amount.currency, "n": amount.exponent},
            field=field,
        )
    return amount.minor


def check_rules(
    acct: Locked,
    amount_minor: int,
    *,
    direction: str,
    customer: bool,
    business_date: dt.date,
    kind: str = TxnKind.WITHDRAWAL,
    opening: bool = False,
    below_minimum: bool = False,
    use_blocked_minor: int = 0,
    term_break: bool = False,
) -> None:
    """Raise the translated refusal of the domain rules, if any (nothing written).

    The tier's maximum balance applies to the member's money coming in; its daily limit
    to her withdrawals and transfers out (``DAILY_LIMIT_KINDS``, what the day's total
    counts), not to what she pays the institution from savings (a loan instalment,
    shares). The sums run under the member's limit lock."""
    refusal: Refusal | None
    limit = _tier_limit(acct, business_date) if customer else None
    if direction == "in":
        total = None
        if limit and limit.max_balance_minor is not None:
            lock_member_limits(acct.member_id)
            total = _member_total_minor(acct)
        refusal = check_credit(
            acct.state,
            amount_minor,
            customer=customer,
            opening=opening,
            member_total_minor=total,
            limit=limit,
        )
    else:
        if str(kind) not in DAILY_LIMIT_KINDS:
            limit = None
        today = 0
        if limit and limit.max_withdrawal_per_day_minor is not None:
            lock_member_limits(acct.member_id)
            today = _withdrawn_today_minor(acct, business_date)
        refusal = check_debit(
            acct.state,
            amount_minor,
            customer=customer,
            use_blocked_minor=use_blocked_minor,
            below_minimum=below_minimum,
            withdrawn_today_minor=today,
            limit=limit,
            term_break=term_break,
        )
    if refusal is not None:
        raise refusal_error(refusal, acct)


# --- writing ------------------------------------------------------------------------------------
def record(
    acct: Locked,
    *,
    kind: str,
    direction: str,
    amount_minor: int,
    business_date: dt.date,
    channel: str,
    customer: bool,
    actor,
    memo: str = "",
    reference: str = "",
    entry_number: int | None = None,
    idempotency_key: str | None = None,
    request_digest: str = "",
    reversal_of: int | None = None,
    blocked_delta_minor: int = 0,
) -> tuple[int, Locked]:
    """Update the account's balances and insert its transaction row; return the row's id
    and the account as it now is. The caller holds the lock and has checked the rules."""
    delta = {"in": amount_minor, "out": -amount_minor}.get(direction, 0)
    balance = acct.balance_minor + delta
    blocked = acct.blocked_minor + blocked_delta_minor
    last_customer = (
        business_date
        if customer and business_date > acct.last_customer_date
        else (acct.last_customer_date)
    )
    with RawCursor() as cursor:
        ops = cursor.db.ops
        d = ops.adapt_datefield_value
        cursor.execute(
            "UPDATE savings_savingsaccount SET balance_minor = %s, blocked_minor = %s, "
            "available_minor = %s, last_customer_date = %s WHERE id = %s",
            [
                balance,
                blocked,
                balance - blocked - acct.min_balance_minor,
                d(last_customer),
                acct.id,
            ],
        )
        cursor.execute(
            "INSERT INTO savings_savingstransaction (account_id, business_date, kind, direction, "
            "amount_minor, balance_after_minor, blocked_after_minor, entry_id, channel, customer, "
            "memo, reference, idempotency_key, request_digest, reversal_of_id, actor_id, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                acct.id,
                d(business_date),
                str(kind),
                str(direction),
                amount_minor,
                balance,
                blocked,
                entry_number,
                str(channel),
                bool(customer),
                (memo or "")[:200],
                (reference or "")[:60],
                idempotency_key,
                request_digest,
                reversal_of,
                getattr(actor, "pk", None),
                ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        txn_id = int(cursor.fetchone()[0])
    return txn_id, replace(
        acct, balance_minor=balance, blocked_minor=blocked, last_customer_date=last_customer
    )


def line_for(
    acct: Locked, amount: Money, direction: str, *, memo: str, txn_id: int
) -> SavingsLineSpec:
    """Money in is a credit of the savings (liability) account, money out a debit."""
    side = {"credit": amount} if direction == "in" else {"debit": amount}
    return SavingsLineSpec(
        account=acct.gl_number,
        member_id=acct.member_id,
        subledger_type=SUBLEDGER,
        subledger_id=str(acct.id),
        memo=(memo or "")[:200],
        savings_transaction_id=txn_id,
        savings_account_id=acct.id,
        balance_after_minor=acct.balance_minor,
        **side,
    )


def movement(
    acct: Locked,
    *,
    actor,
    amount: Money,
    direction: str,
    kind: str,
    business_date: dt.date,
    memo: str = "",
    reference: str = "",
    customer: bool = True,
    channel: str = Channel.OTHER,
    rules: bool = True,
    opening: bool = False,
    below_minimum: bool = False,
    use_blocked_minor: int = 0,
    term_break: bool = False,
    idempotency_key: str | None = None,
    request_digest: str = "",
    reversal_of: int | None = None,
) -> tuple[SavingsLineSpec, Locked]:
    """One movement on an account already locked by the caller: check, record, line."""
    if direction not in ("in", "out"):
        raise ValueError("direction is 'in' or 'out'")
    if kind not in MONEY_KINDS:
        raise ValueError(f"{kind!r} is not a money movement kind")
    amount_minor = check_amount(acct, amount)
    if rules:
        check_rules(
            acct,
            amount_minor,
            direction=direction,
            customer=customer,
            business_date=business_date,
            kind=kind,
            opening=opening,
            below_minimum=below_minimum,
            use_blocked_minor=use_blocked_minor,
            term_break=term_break,
        )
    txn_id, after = record(
        acct,
        kind=kind,
        direction=direction,
        amount_minor=amount_minor,
        business_date=business_date,
        channel=channel,
        customer=customer,
        actor=actor,
        memo=memo,
        reference=reference,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        reversal_of=reversal_of,
    )
    return line_for(after, amount, direction, memo=memo, txn_id=txn_id), after


# --- the public movement API -----------------------------------------------------------------
def savings_movement_line(
    *,
    actor,
    account: SavingsAccount | int,
    amount: Money,
    direction: Literal["in", "out"],
    kind: str,
    business_date: dt.date,
    memo: str = "",
    reference: str = "",
    customer: bool = True,
    channel: str = Channel.OTHER,
) -> SavingsLineSpec:
    """Move ``amount`` in or out of a savings account as one side of the caller's journal
    entry; return the line to post. Must run inside the caller's transaction.

    ``kind``: ``deposit``, ``withdrawal``, ``transfer``, ``fee``, ``loan_disbursement``,
    ``loan_repayment``, ``shares``... (:class:`~mupaka.savings.models.TxnKind`).
    ``customer``: the member's own operation (counts for dormancy and her KYC tier's
    limits; refused on a dormant account); False for the institution's postings.
    ``reference``: what the movement belongs to, e.g. ``"loans.loan:17"``.

    Refusals (ValidationFailed, translated, ``field="amount"``): ``currency_mismatch``,
    ``account_closed``, ``account_blocked``, ``account_dormant``, ``term_no_deposit``,
    ``term_not_matured``, ``insufficient_available``, ``tier_max_balance``,
    ``tier_daily_withdrawal``; NotFound for an unknown account. The caller checks the
    actor's permission (as for ``journal_post``).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("savings_movement_line must run inside the transaction that posts")
    acct = lock_account(account)
    line, _after = movement(
        acct,
        actor=actor,
        amount=amount,
        direction=direction,
        kind=kind,
        business_date=business_date,
        memo=memo,
        reference=reference,
        customer=customer,
        channel=channel,
    )
    return line


def savings_entry_link(*, entry: JournalEntry, lines) -> None:
    """Record on the savings transactions of ``lines`` the entry they were posted in.
    Refuses a replayed entry (the movement would be counted twice: Conflict)."""
    ids = [ln.savings_transaction_id for ln in lines if isinstance(ln, SavingsLineSpec)]
    if not ids:
        return
    if getattr(entry, "replayed", False):
        raise Conflict(
            _("This operation was already posted (entry %(number)s).") % {"number": entry.number},
            code="already_posted",
        )
    with RawCursor() as cursor:
        cursor.execute(
            "UPDATE savings_savingstransaction SET entry_id = %s "  # noqa: S608 (only %s placeholders are joined)
            f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND entry_id IS NULL",
            [entry.number, *ids],
        )
        if cursor.rowcount != len(ids):
            raise Conflict(
                _("These savings movements are already linked to an entry."), code="already_linked"
            )


# --- idempotent counter operations ------------------------------------------------------------
def replayed_result(key: str, request_digest: str) -> MovementResult | None:
    """The first result of an operation already done under ``key`` (None if new)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, t.request_digest, t.entry_id, t.account_id, a.number, a.currency, "
            "t.amount_minor, t.balance_after_minor, t.balance_after_minor - t.blocked_after_minor "
            "- a.min_balance_minor FROM savings_savingstransaction t JOIN savings_savingsaccount a "
            "ON a.id = t.account_id WHERE t.idempotency_key = %s",
            [key],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        if row[1] != request_digest:
            raise Conflict(
                _("This idempotency key was already used for a different request."),
                code="idempotency_conflict",
            )
        fee = 0
        if row[2] is not None:
            cursor.execute(
                "SELECT COALESCE(SUM(amount_minor), 0) FROM savings_savingstransaction "
                "WHERE entry_id = %s AND account_id = %s AND kind = 'fee'",
                [row[2], row[3]],
            )
            fee = int(cursor.fetchone()[0])
    return MovementResult(
        transaction_id=row[0],
        entry_number=row[2],
        account_id=row[3],
        account_number=row[4],
        currency=row[5],
        amount_minor=row[6],
        fee_minor=fee,
        balance_minor=row[7] - fee,
        available_minor=row[8] - fee,
        replayed=True,
    )


def _account_id(account) -> int:
    return account.pk if isinstance(account, SavingsAccount) else int(account)


def _counter_line(*, actor, channel: str, amount: Money, side: str, member_id: int, memo: str):
    """The other side of a counter operation: the teller's till (cash) or the bank."""
    if channel == Channel.CASH:
        from mupaka.tellers.cash import till_cash_line

        return till_cash_line(actor=actor, amount=amount, side=side, member_id=member_id, memo=memo)
    if channel == Channel.BANK:
        account = gl_account("bank", amount.currency)
        return LineSpec(
            account=account,
            member_id=member_id,
            memo=memo,
            **({"debit": amount} if side == "dr" else {"credit": amount}),
        )
    raise ValidationFailed(_("Unknown channel."), field="channel")


def _deposit_perm(channel: str) -> str:
    if channel == Channel.CASH:
        return "savings.deposit"
    if channel == Channel.BANK:
        return "savings.deposit_bank"
    raise ValidationFailed(
        _("A deposit is made in cash or received by bank / mobile money."), field="channel"
    )


@grouped
def savings_deposit(
    *,
    actor,
    account: SavingsAccount | int,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    memo: str = "",
    reference: str = "",
) -> MovementResult:
    """A member's deposit: cash at the actor's open till (``channel="cash"``, tellers) or
    money received on the institution's bank / mobile-money account (``"bank"``,
    accountant or manager). One entry: Dr till cash (or bank) / Cr the savings account."""
    require_perm(actor, _deposit_perm(channel))
    key = check_key(idempotency_key)
    account_id = _account_id(account)
    request = digest(
        "savings.deposit", account=account_id, amount=str(amount), channel=channel, memo=memo
    )
    with transaction.atomic():
        acct = lock_account(account_id, key=key)
        if acct.replay_id is not None:
            return replayed_result(key, request)
        bdate = acct.business_date
        require_branch(actor, acct.branch_id)
        narrative = memo or _("Deposit to savings account %(number)s") % {"number": acct.number}
        line, after = movement(
            acct,
            actor=actor,
            amount=amount,
            direction="in",
            kind=TxnKind.DEPOSIT,
            business_date=bdate,
            memo=narrative,
            reference=reference,
            customer=True,
            channel=channel,
            idempotency_key=key,
            request_digest=request,
        )
        counter = _counter_line(
            actor=actor,
            channel=channel,
            amount=amount,
            side="dr",
            member_id=acct.member_id,
            memo=narrative,
        )
        entry = journal_post(
            actor=actor,
            business_date=bdate,
            narrative=narrative,
            lines=[counter, line],
            source_type="savings.deposit",
            source_id=line.savings_transaction_id,
            idempotency_key=f"savings.deposit:{key}",
            branch=acct.branch_id,
        )
        savings_entry_link(entry=entry, lines=[line])
        hooks.on_commit([line.savings_transaction_id])
    return MovementResult(
        transaction_id=line.savings_transaction_id,
        entry_number=entry.number,
        account_id=acct.id,
        account_number=acct.number,
        currency=acct.currency,
        amount_minor=amount.minor,
        fee_minor=0,
        balance_minor=after.balance_minor,
        available_minor=after.available_minor,
    )


@grouped
def savings_withdraw(
    *,
    actor,
    account: SavingsAccount | int,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    memo: str = "",
) -> MovementResult:
    """A member's cash withdrawal at the actor's open till, with the product's withdrawal
    fee taken in the same entry: Dr savings (amount + fee) / Cr till cash (amount) /
    Cr savings fee income (fee). Refused above the available balance (balance − blocked −
    minimum balance, fee included) or the member's KYC-tier daily limit."""
    require_perm(actor, "savings.withdraw")
    if channel != Channel.CASH:
        raise ValidationFailed(
            _("Withdrawals are paid in cash; use a transfer to move money to another account."),
            field="channel",
        )
    key = check_key(idempotency_key)
    account_id = _account_id(account)
    request = digest("savings.withdraw", account=account_id, amount=str(amount), memo=memo)
    with transaction.atomic():
        acct = lock_account(account_id, key=key)
        if acct.replay_id is not None:
            return replayed_result(key, request)
        bdate = acct.business_date
        require_branch(actor, acct.branch_id)
        amount_minor = check_amount(acct, amount)
        fee_minor = acct.withdrawal_fee_minor
        if fee_minor and acct.status == "active":
            # the withdrawal and its fee must both fit in the available balance
            total = amount_minor + fee_minor
            if total > acct.available_minor:
                raise ValidationFailed(
                    _(
                        "Not enough available on account %(number)s: %(amount)s plus the "
                        "withdrawal fee of %(fee)s asked, %(available)s available."
                    )
                    % {
                        "number": acct.number,
                        "amount": money_text(amount),
                        "fee": money_text(acct.money(fee_minor)),
                        "available": money_text(acct.money(max(acct.available_minor, 0))),
                    },
                    field="amount",
                    code="insufficient_available",
                )
        narrative = memo or _("Withdrawal from savings account %(number)s") % {
            "number": acct.number
        }
        line, after = movement(
            acct,
            actor=actor,
            amount=amount,
            direction="out",
            kind=TxnKind.WITHDRAWAL,
            business_date=bdate,
            memo=narrative,
            customer=True,
            channel=channel,
            idempotency_key=key,
            request_digest=request,
        )
        cash = _counter_line(
            actor=actor,
            channel=channel,
            amount=amount,
            side="cr",
            member_id=acct.member_id,
            memo=narrative,
        )
        lines = [line, cash]
        savings_lines = [line]
        if fee_minor:
            fee = acct.money(fee_minor)
            fee_line, after = movement(
                after,
                actor=actor,
                amount=fee,
                direction="out",
                kind=TxnKind.FEE,
                business_date=bdate,
                memo=_("Withdrawal fee"),
                customer=False,
                channel=channel,
            )
            income = gl_account(
                "savings_fee_income", acct.currency, ("savings.savingsproduct", acct.product_id)
            )
            lines += [
                fee_line,
                LineSpec.cr(income, fee, member_id=acct.member_id, memo=_("Withdrawal fee")),
            ]
            savings_lines.append(fee_line)
        entry = journal_post(
            actor=actor,
            business_date=bdate,
            narrative=narrative,
            lines=lines,
            source_type="savings.withdrawal",
            source_id=line.savings_transaction_id,
            idempotency_key=f"savings.withdraw:{key}",
            branch=acct.branch_id,
        )
        savings_entry_link(entry=entry, lines=savings_lines)
        hooks.on_commit([ln.savings_transaction_id for ln in savings_lines])
    return MovementResult(
        transaction_id=line.savings_transaction_id,
        entry_number=entry.number,
        account_id=acct.id,
        account_number=acct.number,
        currency=acct.currency,
        amount_minor=amount_minor,
        fee_minor=fee_minor,
        balance_minor=after.balance_minor,
        available_minor=after.available_minor,
    )


@dataclass(frozen=True, slots=True)
class TransferResult:
    out: MovementResult
    into: MovementResult

    def as_dict(self) -> dict:
        return {"from": self.out.as_dict(), "to": self.into.as_dict()}


@grouped
def savings_transfer(
    *,
    actor,
    from_account: SavingsAccount | int,
    to_account: SavingsAccount | int,
    amount: Money,
    idempotency_key: str,
    memo: str = "",
) -> TransferResult:
    """Move money between two savings accounts in the same currency (one entry, no cash).
    Both accounts are locked in id order."""
    require_perm(actor, "savings.transfer")
    key = check_key(idempotency_key)
    src_id, dst_id = _account_id(from_account), _account_id(to_account)
    if src_id == dst_id:
        raise ValidationFailed(_("Choose two different accounts."), field="to_account")
    request = digest("savings.transfer", src=src_id, dst=dst_id, amount=str(amount), memo=memo)
    with transaction.atomic():
        done = replayed_result(key, request)
        if done is not None:
            into = _transfer_peer(done)
            return TransferResult(out=done, into=into)
        bdate = business_date_now()
        locked = lock_accounts([src_id, dst_id])
        src, dst = locked[src_id], locked[dst_id]
        require_branch(actor, src.branch_id)
        require_branch(actor, dst.branch_id)
        if src.currency != dst.currency:
            raise ValidationFailed(
                _(
                    "Account %(from)s holds %(a)s and account %(to)s holds %(b)s: a transfer "
                    "stays in one currency (use the exchange desk)."
                )
                % {"from": src.number, "a": src.currency, "to": dst.number, "b": dst.currency},
                field="to_account",
                code="currency_mismatch",
            )
        limited = {a.member_id for a in (src, dst) if _tier_limit(a, bdate) is not None}
        if len(limited) > 1:  # two limited members: both limit locks, in member id order
            lock_member_limits(*limited)
        narrative = memo or _("Transfer from %(from)s to %(to)s") % {
            "from": src.number,
            "to": dst.number,
        }
        out_line, src_after = movement(
            src,
            actor=actor,
            amount=amount,
            direction="out",
            kind=TxnKind.TRANSFER,
            business_date=bdate,
            memo=narrative,
            reference=f"savings.account:{dst.id}",
            channel=Channel.TRANSFER,
            idempotency_key=key,
            request_digest=request,
        )
        in_line, dst_after = movement(
            dst,
            actor=actor,
            amount=amount,
            direction="in",
            kind=TxnKind.TRANSFER,
            business_date=bdate,
            memo=narrative,
            reference=f"savings.account:{src.id}",
            channel=Channel.TRANSFER,
        )
        entry = journal_post(
            actor=actor,
            business_date=bdate,
            narrative=narrative,
            lines=[out_line, in_line],
            source_type="savings.transfer",
            source_id=out_line.savings_transaction_id,
            idempotency_key=f"savings.transfer:{key}",
            branch=src.branch_id,
        )
        savings_entry_link(entry=entry, lines=[out_line, in_line])
        hooks.on_commit([out_line.savings_transaction_id, in_line.savings_transaction_id])
    minor = amount.minor

    def result(acct: Locked, after: Locked, line: SavingsLineSpec) -> MovementResult:
        return MovementResult(
            transaction_id=line.savings_transaction_id,
            entry_number=entry.number,
            account_id=acct.id,
            account_number=acct.number,
            currency=acct.currency,
            amount_minor=minor,
            fee_minor=0,
            balance_minor=after.balance_minor,
            available_minor=after.available_minor,
        )

    return TransferResult(
        out=result(src, src_after, out_line), into=result(dst, dst_after, in_line)
    )


def _transfer_peer(done: MovementResult) -> MovementResult:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, t.account_id, a.number, a.currency, t.amount_minor, t.balance_after_minor, "
            "t.balance_after_minor - t.blocked_after_minor - a.min_balance_minor "
            "FROM savings_savingstransaction t JOIN savings_savingsaccount a ON a.id = t.account_id "
            "WHERE t.entry_id = %s AND t.direction = 'in' ORDER BY t.id LIMIT 1",
            [done.entry_number],
        )
        row = cursor.fetchone()
    return MovementResult(
        transaction_id=row[0],
        entry_number=done.entry_number,
        account_id=row[1],
        account_number=row[2],
        currency=row[3],
        amount_minor=row[4],
        fee_minor=0,
        balance_minor=row[5],
        available_minor=row[6],
        replayed=True,
    )
