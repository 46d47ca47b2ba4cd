"""Fixtures of the ledger's tests: the DRC chart loaded for USD, CDF, RWF and BIF, and a
small helper to post worked examples."""

from __future__ import annotations

import itertools

import pytest

from mupaka.core.money import Money
from mupaka.ledger import db_guards
from mupaka.ledger.services import LineSpec, chart_load, journal_post

_keys = itertools.count(1)


@pytest.fixture
def chart(institution):
    chart_load(actor=None, preset="drc")
    return institution


@pytest.fixture
def bdate(institution):
    return institution.business_date


def m(amount: str, currency: str = "USD") -> Money:
    return Money.of(amount, currency)


@pytest.fixture
def post(chart, staff):
    """post([("5710-USD", "20", None), ("3300-USD", None, "20")]) with dr/cr amounts."""

    def do(
        legs, *, actor=None, business_date=None, key=None, narrative="Test", source="test", **kw
    ):
        lines = []
        for number, debit, credit in legs:
            currency = number.rsplit("-", 1)[1]
            lines.append(
                LineSpec(
                    account=number,
                    debit=m(debit, currency) if debit is not None else None,
                    credit=m(credit, currency) if credit is not None else None,
                )
            )
        return journal_post(
            actor=actor or staff["teller"],
            business_date=business_date or chart.business_date,
            narrative=narrative,
            lines=lines,
            source_type=source,
            source_id=kw.pop("source_id", ""),
            idempotency_key=key or f"test-{next(_keys)}",
            **kw,
        )

    return do


@pytest.fixture
def _restore_guards(django_db_blocker):
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        db_guards.install(connection)


@pytest.fixture
def committing_db(_restore_guards, transactional_db):
    """A database where transactions really commit. The guards are dropped just before
    the rows are flushed (the append-only triggers would refuse the DELETE) and
    re-installed afterwards."""
    from django.db import connection

    db_guards.install(connection)
    yield
    db_guards.remove(connection)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service tests read the English source messages; page tests see French (the users'
    language) through the middleware."""
    from django.utils import translation

    with translation.override("en"):
        yield
