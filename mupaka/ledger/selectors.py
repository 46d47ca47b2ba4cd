"""Reads of the ledger: accounts by role, balances as of any date, statements, reports.

Balances never sum the journal: ``AccountBalance`` holds the running totals and
``AccountDayTotal`` one row per account, currency and value date, so a balance as of
any date sums at most one row per day with movements (verify checks both against
the lines).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.models import (
    Account,
    AccountBalance,
    AccountDayTotal,
    AccountMapping,
    CurrencyRule,
    JournalEntry,
    JournalLine,
    LedgerState,
)


# --- accounts by role ------------------------------------------------------------
def _scope(product) -> tuple[str, int] | None:
    if product is None:
        return None
    if isinstance(product, tuple):
        return str(product[0]), int(product[1])
    return product._meta.label_lower, int(product.pk)


def account_for(role: str, currency: str, product=None) -> Account:
    """The posting account that plays ``role`` in ``currency``: the product's own
    mapping if it has one, else the institution's default (from the preset).

    ``product``: None, a model instance (its label and pk), or ``("loans.loanproduct", 3)``.
    Raises ValidationFailed (code ``no_account_mapping``) when nothing is mapped.
    """
    scope = _scope(product)
    cond = Q(scope_type="", scope_id=0)
    if scope is not None:
        cond |= Q(scope_type=scope[0], scope_id=scope[1])
    mappings = list(
        AccountMapping.objects.filter(cond, role=role, currency=currency).select_related("account")
    )
    mappings.sort(key=lambda m: m.scope_type == "")  # the product's own mapping first
    if not mappings:
        raise ValidationFailed(
            _(
                "No account is mapped for %(role)s in %(currency)s: the accountant sets it "
                "under Ledger → Account mappings."
            )
            % {"role": role, "currency": currency},
            code="no_account_mapping",
        )
    return mappings[0].account


def account_get(number: str) -> Account:
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise NotFound(_("There is no account %(number)s.") % {"number": number})
    return account


# --- currency rules -------------------------------------------------------------------
def currency_rule_get(currency: str) -> CurrencyRule | None:
    return CurrencyRule.objects.filter(currency=currency).first()


def cash_multiple(currency: str) -> Decimal:
    """Smallest note or coin the tills use for ``currency``, in major units
    (the currency's minor unit when no rule is set)."""
    rule = currency_rule_get(currency)
    if rule is None:
        return Money.from_minor(1, currency).amount
    return Money.from_minor(rule.cash_multiple_minor, currency).amount


def closed_through() -> dt.date | None:
    state = LedgerState.objects.filter(id=1).first()
    return state.closed_through if state else None


# --- balances ------------------------------------------------------------------------
@dataclass(frozen=True)
class Balance:
    """Debit and credit totals of an account in one currency; ``amount`` is signed
    debit-minus-credit, ``natural`` is positive on the account's normal side."""

    currency: str
    debit_minor: int
    credit_minor: int
    debit_normal: bool = True

    @property
    def net_minor(self) -> int:
        return self.debit_minor - self.credit_minor

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.net_minor, self.currency)

    @property
    def natural(self) -> Money:
        return self.amount if self.debit_normal else -self.amount

    @property
    def debit(self) -> Money:
        return Money.from_minor(self.debit_minor, self.currency)

    @property
    def credit(self) -> Money:
        return Money.from_minor(self.credit_minor, self.currency)


def _posting_ids(account: Account) -> list[int]:
    if not account.is_header:
        return [account.pk]
    ids, frontier = [], [account.pk]
    while frontier:
        children = list(
            Account.objects.filter(parent_id__in=frontier).values_list("id", "is_header")
        )
        ids.extend(i for i, header in children if not header)
        frontier = [i for i, header in children if header]
    return ids


def account_balances(account: Account, *, as_of: dt.date | None = None) -> dict[str, Balance]:
    """Balance per currency of an account (a header sums its posting accounts) at the
    end of ``as_of`` (None: now, from the running totals)."""
    ids = _posting_ids(account)
    if as_of is None:
        qs = AccountBalance.objects.filter(account_id__in=ids)
    else:
        qs = AccountDayTotal.objects.filter(account_id__in=ids, business_date__lte=as_of)
    rows = qs.values("currency").annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    return {
        r["currency"]: Balance(
            r["currency"], int(r["d"] or 0), int(r["c"] or 0), account.debit_normal
        )
        for r in rows
    }


def account_balance(
    account: Account, *, as_of: dt.date | None = None, currency: str | None = None
) -> Balance:
    """Balance of a posting account (or of a header in one ``currency``)."""
    currency = currency or account.currency
    if not currency:
        raise ValidationFailed(
            _("Choose a currency for a multi-currency account."), field="currency"
        )
    found = account_balances(account, as_of=as_of).get(currency)
    return found or Balance(currency, 0, 0, account.debit_normal)


def role_balance(
    role: str, currency: str, *, as_of: dt.date | None = None, product=None
) -> Balance:
    """Balance of the account mapped to ``role`` (what a sub-ledger check compares to)."""
    return account_balance(account_for(role, currency, product), as_of=as_of)


# --- statements --------------------------------------------------------------------
@dataclass
class StatementLine:
    entry_number: int
    business_date: dt.date
    narrative: str
    memo: str
    debit_minor: int
    credit_minor: int
    balance_minor: int
    reversal_of: int | None


@dataclass
class Statement:
    account: Account
    currency: str
    date_from: dt.date
    date_to: dt.date
    opening_minor: int
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def closing_minor(self) -> int:
        return self.lines[-1].balance_minor if self.lines else self.opening_minor

    @property
    def total_debit_minor(self) -> int:
        return sum(ln.debit_minor for ln in self.lines)

    @property
    def total_credit_minor(self) -> int:
        return sum(ln.credit_minor for ln in self.lines)


def account_statement(
    account: Account, *, date_from: dt.date, date_to: dt.date, currency: str | None = None
) -> Statement:
    """Movements of an account between two value dates with a running balance
    (debit minus credit), starting from the balance at the end of the day before."""
    if date_to < date_from:
        raise ValidationFailed(_("The end date is before the start date."), field="to")
    currency = currency or account.currency
    if not currency:
        raise ValidationFailed(
            _("Choose a currency for a multi-currency account."), field="currency"
        )
    ids = _posting_ids(account)
    opening = AccountDayTotal.objects.filter(
        account_id__in=ids, currency=currency, business_date__lt=date_from
    ).aggregate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    running = int(opening["d"] or 0) - int(opening["c"] or 0)
    statement = Statement(account, currency, date_from, date_to, running)
    lines = (
        JournalLine.objects.filter(
            account_id__in=ids,
            currency=currency,
            business_date__gte=date_from,
            business_date__lte=date_to,
        )
        .select_related("entry")
        .order_by("business_date", "entry_id", "line_no")
    )
    for line in lines:
        running += line.debit_minor - line.credit_minor
        statement.lines.append(
            StatementLine(
                entry_number=line.entry_id,
                business_date=line.business_date,
                narrative=line.entry.narrative,
                memo=line.memo,
                debit_minor=line.debit_minor,
                credit_minor=line.credit_minor,
                balance_minor=running,
                reversal_of=line.entry.reversal_of_id,
            )
        )
    return statement


def entry_list(
    *,
    account: Account | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    source_type: str = "",
):
    qs = JournalEntry.objects.all().order_by("-number")
    if account is not None:
        qs = qs.filter(lines__account_id__in=_posting_ids(account)).distinct()
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    if source_type:
        qs = qs.filter(source_type=source_type)
    return qs


def entry_get(number: int) -> JournalEntry:
    entry = (
        JournalEntry.objects.select_related("actor", "approved_by", "reversal_of")
        .filter(number=number)
        .first()
    )
    if entry is None:
        raise NotFound(_("There is no journal entry %(number)s.") % {"number": number})
    return entry


# --- trial balance ------------------------------------------------------------------
@dataclass
class TrialBalanceRow:
    account: Account
    currency: str
    debit_minor: int
    credit_minor: int

    @property
    def balance_minor(self) -> int:
        return self.debit_minor - self.credit_minor

    @property
    def debit_balance_minor(self) -> int:
        return max(self.balance_minor, 0)

    @property
    def credit_balance_minor(self) -> int:
        return max(-self.balance_minor, 0)


@dataclass
class TrialBalance:
    as_of: dt.date
    currency: str
    rows: list[TrialBalanceRow]

    @property
    def total_debit_minor(self) -> int:
        return sum(r.debit_minor for r in self.rows)

    @property
    def total_credit_minor(self) -> int:
        return sum(r.credit_minor for r in self.rows)

    @property
    def total_debit_balance_minor(self) -> int:
        return sum(r.debit_balance_minor for r in self.rows)

    @property
    def total_credit_balance_minor(self) -> int:
        return sum(r.credit_balance_minor for r in self.rows)

    @property
    def balanced(self) -> bool:
        return self.total_debit_minor == self.total_credit_minor


def trial_balance(*, as_of: dt.date, currency: str, include_zero: bool = False) -> TrialBalance:
    """Debit and credit totals of every posting account in ``currency`` up to ``as_of``."""
    totals = (
        AccountDayTotal.objects.filter(currency=currency, business_date__lte=as_of)
        .values("account_id")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    )
    by_account = {t["account_id"]: (int(t["d"] or 0), int(t["c"] or 0)) for t in totals}
    accounts = Account.objects.filter(is_header=False, currency=currency).order_by("number")
    if not include_zero:
        accounts = accounts.filter(id__in=list(by_account))
    rows = [TrialBalanceRow(a, currency, *by_account.get(a.pk, (0, 0))) for a in accounts]
    return TrialBalance(as_of, currency, rows)


def currencies_in_use() -> list[str]:
    return sorted(set(AccountBalance.objects.values_list("currency", flat=True)))


def totals_by_role(role: str, *, as_of: dt.date | None = None) -> dict[str, int]:
    """Net (debit - credit) minor units per currency of every account mapped to ``role``."""
    ids = set(AccountMapping.objects.filter(role=role).values_list("account_id", flat=True))
    result: dict[str, int] = defaultdict(int)
    for account in Account.objects.filter(id__in=ids):
        for cur, bal in account_balances(account, as_of=as_of).items():
            result[cur] += bal.net_minor
    return dict(result)


# --- financial statements laid out by the preset's classes ---------------------------------
@dataclass
class ReportRow:
    number: str
    name_fr: str
    name_en: str
    level: int
    is_header: bool
    amount_minor: int

    def name(self, language: str = "fr") -> str:
        return self.name_en if language.startswith("en") else self.name_fr


@dataclass
class ReportSection:
    key: str
    rows: list[ReportRow]
    total_minor: int


@dataclass
class FinancialStatement:
    kind: str  # balance_sheet | income_statement
    currency: str
    date_from: dt.date | None
    date_to: dt.date
    sections: list[ReportSection]
    result_minor: int

    @property
    def balanced(self) -> bool:
        if self.kind != "balance_sheet":
            return True
        by_key = {s.key: s.total_minor for s in self.sections}
        return by_key.get("assets", 0) == by_key.get("liabilities_equity", 0)


def _net_by_account(
    currency: str, *, date_from: dt.date | None, date_to: dt.date
) -> dict[int, int]:
    qs = AccountDayTotal.objects.filter(currency=currency, business_date__lte=date_to)
    if date_from is not None:
        qs = qs.filter(business_date__gte=date_from)
    rows = qs.values("account_id").annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    return {r["account_id"]: int(r["d"] or 0) - int(r["c"] or 0) for r in rows}


def _section(
    key: str, accounts: dict[int, Account], nets: dict[int, int], types: set[str], sign: int
) -> ReportSection:
    """Posting accounts of ``types`` with their natural balance, rolled up to their
    headers (classes, groups) in chart order; zero lines are left out."""
    totals: dict[int, int] = defaultdict(int)
    for account_id, net in nets.items():
        account = accounts.get(account_id)
        if account is None or account.is_header or account.type not in types or net == 0:
            continue
        node: Account | None = account
        while node is not None:
            totals[node.pk] += sign * net
            node = accounts.get(node.parent_id) if node.parent_id else None
    rows = [
        ReportRow(a.number, a.name_fr, a.name_en, a.level, a.is_header, totals[a.pk])
        for a in sorted((accounts[i] for i in totals), key=lambda a: a.number)
        if totals[a.pk] != 0 or not a.is_header
    ]
    top = sum(totals[a.pk] for a in accounts.values() if a.parent_id is None and a.pk in totals)
    return ReportSection(key, rows, top)


def balance_sheet(*, as_of: dt.date, currency: str) -> FinancialStatement:
    """Assets against liabilities and equity (classes 1 to 5) at the end of ``as_of``, the
    year's result on the equity side; off-balance items (class 0) apart."""
    accounts = {a.pk: a for a in Account.objects.all()}
    nets = _net_by_account(currency, date_from=None, date_to=as_of)
    assets = _section("assets", accounts, nets, {"asset"}, 1)
    liabilities = _section("liabilities_equity", accounts, nets, {"liability", "equity"}, -1)
    result = -sum(
        net
        for aid, net in nets.items()
        if aid in accounts and accounts[aid].type in ("income", "expense")
    )
    off = _section("off_balance", accounts, nets, {"off_balance"}, 1)
    liabilities.total_minor += result
    return FinancialStatement(
        "balance_sheet", currency, None, as_of, [assets, liabilities, off], result
    )


def income_statement(*, date_from: dt.date, date_to: dt.date, currency: str) -> FinancialStatement:
    """Expenses (class 6) and income (class 7) between two value dates; result = income − expenses."""
    if date_to < date_from:
        raise ValidationFailed(_("The end date is before the start date."), field="to")
    accounts = {a.pk: a for a in Account.objects.all()}
    nets = _net_by_account(currency, date_from=date_from, date_to=date_to)
    income = _section("income", accounts, nets, {"income"}, -1)
    expenses = _section("expenses", accounts, nets, {"expense"}, 1)
    return FinancialStatement(
        "income_statement",
        currency,
        date_from,
        date_to,
        [income, expenses],
        income.total_minor - expenses.total_minor,
    )


def general_ledger(*, date_from: dt.date, date_to: dt.date, currency: str) -> list[Statement]:
    """The statement of every posting account in ``currency`` that has a balance or a
    movement in the period."""
    active = set(
        AccountDayTotal.objects.filter(currency=currency, business_date__lte=date_to).values_list(
            "account_id", flat=True
        )
    )
    statements = []
    for account in Account.objects.filter(id__in=active, is_header=False).order_by("number"):
        statement = account_statement(
            account, date_from=date_from, date_to=date_to, currency=currency
        )
        if statement.lines or statement.opening_minor:
            statements.append(statement)
    return statements
