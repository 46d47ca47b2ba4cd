"""What the teller screen needs from the savings and loans apps, behind one thin adapter.

The deposit, withdrawal and repayment services belong to the savings and loans apps
(their API.md); this module calls them and turns what they return into what the
counter shows. Until an app publishes its API, its part of the screen stays empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from mupaka.core.money import Money


@dataclass
class AccountRow:
    id: int
    label: str
    currency: str
    balance: Money
    available: Money | None = None
    status: str = ""
    can_deposit: bool = True
    can_withdraw: bool = True


@dataclass
class LoanDueRow:
    id: int
    label: str
    currency: str
    due: Money
    outstanding: Money | None = None
    days_late: int = 0
    extra: dict = field(default_factory=dict)


def _module(name: str):
    try:
        return import_module(name)
    except ImportError:
        return None


def savings_available() -> bool:
    mod = _module("mupaka.savings.selectors")
    return mod is not None and hasattr(mod, "account_list_for_member")


def loans_available() -> bool:
    mod = _module("mupaka.loans.selectors")
    return mod is not None and hasattr(mod, "loans_due_for_member")


def member_accounts(*, user, member) -> list[AccountRow]:
    if not savings_available():
        return []
    mod = _module("mupaka.savings.selectors")
    return list(mod.account_list_for_member(user=user, member=member))  # pragma: no cover


def member_loans_due(*, user, member, on_date: dt.date) -> list[LoanDueRow]:
    if not loans_available():
        return []
    mod = _module("mupaka.loans.selectors")
    return list(
        mod.loans_due_for_member(user=user, member=member, on_date=on_date)
    )  # pragma: no cover
