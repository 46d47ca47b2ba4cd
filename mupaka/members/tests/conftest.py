"""Fixtures of the members app: a way to register members quickly."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

_seq = itertools.count(1)


@pytest.fixture
def officer(staff):
    return staff["officer"]


@pytest.fixture
def register(staff, branch):
    """register(**overrides) → a pending member of BKV with a unique phone and name."""
    from mupaka.members.services import member_register

    def make(actor=None, **overrides):
        n = next(_seq)
        values = {
            "actor": actor or staff["officer"],
            "branch": branch,
            "first_name": f"Neema{n:03d}",
            "last_name": "Bahati",
            "sex": "F",
            "birth_date": dt.date(1990, 1, 1) + dt.timedelta(days=n),
            "phone": f"+24397{n:07d}",
        }
        values.update(overrides)
        return member_register(**values)

    return make


@pytest.fixture
def trio(register):
    """Three pending members of BKV."""
    return [register() for _ in range(3)]


# --- a member with money (savings, shares, loans): the member page's tests ---------------
from mupaka.tellers.tests.counter_fixtures import *  # noqa: E402, F403


@pytest.fixture
def chart(institution):
    from mupaka.ledger.services import chart_load

    chart_load(actor=None, preset="drc")
    return institution
