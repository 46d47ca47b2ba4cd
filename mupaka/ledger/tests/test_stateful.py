"""Random sequences of postings, replays, reversals, month closes and bad requests never
leave the books unbalanced, never lose or duplicate money, and verify stays green."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mupaka.core.exceptions import Conflict, MupakaError, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.services import business_date_set
from mupaka.ledger.models import AccountBalance, JournalEntry
from mupaka.ledger.services import LineSpec, journal_post, journal_reverse, period_close
from mupaka.ledger.services.periods import month_end
from mupaka.ledger.verify import LEDGER_CHECKS, run_checks

ACCOUNTS = ["5710", "5700", "3200", "3300", "7000", "6300", "4800"]
CURRENCIES = ["USD", "CDF", "RWF"]
START = dt.date(2026, 1, 5)

amounts = st.integers(min_value=1, max_value=10**13)  # minor units, up to 10^11 USD


def make_machine(staff):
    class Books(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            business_date_set(actor=None, new_date=START)
            self.today = START
            self.closed_through: dt.date | None = None
            self.expected: dict[str, int] = defaultdict(int)  # account number → debit − credit
            self.posted: dict[int, list[tuple[str, int]]] = {}  # entry → [(account, signed minor)]
            self.requests: dict[str, tuple] = {}  # key → (content, entry number)
            self.reversed: set[int] = set()
            self.reversals: set[int] = set()
            self.keys = 0

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _key(self) -> str:
            self.keys += 1
            return f"sm-{self.keys}"

        def _post(self, key, legs, date):
            lines = [
                LineSpec.dr(acc, Money.from_minor(minor, acc[-3:]))
                if minor > 0
                else LineSpec.cr(acc, Money.from_minor(-minor, acc[-3:]))
                for acc, minor in legs
            ]
            return journal_post(
                actor=staff["teller"],
                business_date=date,
                narrative="Opération",
                lines=lines,
                source_type="test.stateful",
                idempotency_key=key,
            )

        def _record(self, entry, legs):
            self.posted[entry.number] = legs
            for acc, minor in legs:
                self.expected[acc] += minor

        @rule(
            debit=st.sampled_from(ACCOUNTS),
            credit=st.sampled_from(ACCOUNTS),
            currency=st.sampled_from(CURRENCIES),
            minor=amounts,
            back=st.integers(0, 40),
            split=st.booleans(),
        )
        def post(self, debit, credit, currency, minor, back, split):
            date = self.today - dt.timedelta(days=back)
            legs = [(f"{debit}-{currency}", minor)]
            if split and minor > 1:
                legs += [
                    (f"{credit}-{currency}", -(minor // 2)),
                    (f"{credit}-{currency}", -(minor - minor // 2)),
                ]
            else:
                legs += [(f"{credit}-{currency}", -minor)]
            key = self._key()
            if self.closed_through is not None and date <= self.closed_through:
                with pytest.raises(ValidationFailed):
                    self._post(key, legs, date)
                return
            entry = self._post(key, legs, date)
            self.requests[key] = (legs, date, entry.number)
            self._record(entry, legs)

        @precondition(lambda self: self.requests)
        @rule(data=st.data())
        def replay_same_request(self, data):
            key = data.draw(st.sampled_from(sorted(self.requests)))
            legs, date, number = self.requests[key]
            entry = self._post(key, legs, date)  # even in a closed period: it was posted already
            assert entry.number == number and entry.replayed

        @precondition(lambda self: self.requests)
        @rule(data=st.data())
        def reuse_key_for_other_content(self, data):
            key = data.draw(st.sampled_from(sorted(self.requests)))
            legs, date, _ = self.requests[key]
            other = [(acc, minor * 2) for acc, minor in legs]
            with pytest.raises(Conflict):
                self._post(key, other, date)

        @rule(
            currency=st.sampled_from(CURRENCIES),
            minor=amounts,
            kind=st.sampled_from(["unbalanced", "zero", "header", "currency"]),
        )
        def bad_request(self, currency, minor, kind):
            legs = {
                "unbalanced": [(f"5710-{currency}", minor), (f"3300-{currency}", -(minor + 1))],
                "zero": [(f"5710-{currency}", 0), (f"3300-{currency}", 0)],
                "header": [("5710", minor), (f"3300-{currency}", -minor)],
                "currency": [
                    (f"5710-{currency}", minor),
                    ("3300-BIF" if currency != "BIF" else "3300-USD", -minor),
                ],
            }[kind]
            lines = []
            for acc, m in legs:
                cur = acc[-3:] if "-" in acc else currency
                money = Money.from_minor(abs(m), cur)
                lines.append(LineSpec.dr(acc, money) if m >= 0 else LineSpec.cr(acc, money))
            with pytest.raises(ValidationFailed):
                journal_post(
                    actor=staff["teller"],
                    business_date=self.today,
                    narrative="Mauvaise",
                    lines=lines,
                    source_type="test.stateful",
                    idempotency_key=self._key(),
                )

        @precondition(
            lambda self: any(
                n not in self.reversed and n not in self.reversals for n in self.posted
            )
        )
        @rule(data=st.data())
        def reverse(self, data):
            candidates = sorted(
                n for n in self.posted if n not in self.reversed and n not in self.reversals
            )
            number = data.draw(st.sampled_from(candidates))
            reversal = journal_reverse(
                actor=staff["manager"], entry=number, reason="erreur", idempotency_key=self._key()
            )
            assert reversal.business_date == self.today
            self.reversed.add(number)
            self.reversals.add(reversal.number)
            self._record(reversal, [(acc, -minor) for acc, minor in self.posted[number]])
            with pytest.raises(Conflict):
                journal_reverse(
                    actor=staff["manager"],
                    entry=number,
                    reason="encore",
                    idempotency_key=self._key(),
                )

        @rule(days=st.integers(1, 45))
        def next_days(self, days):
            self.today += dt.timedelta(days=days)
            business_date_set(actor=None, new_date=self.today)

        @rule()
        def close_last_month(self):
            first = self.today.replace(day=1)
            last = first - dt.timedelta(days=1)
            end = month_end(last.year, last.month)
            try:
                period_close(actor=staff["accountant"], year=last.year, month=last.month)
            except MupakaError as exc:
                assert self.closed_through is not None and end <= self.closed_through, exc.message
                return
            self.closed_through = end

        @invariant()
        def books_match_expectations(self):
            stored = {
                b.account.number: b.debit_minor - b.credit_minor
                for b in AccountBalance.objects.select_related("account")
            }
            assert {k: v for k, v in stored.items() if v} == {
                k: v for k, v in self.expected.items() if v
            }
            assert JournalEntry.objects.count() == len(self.posted)
            per_currency: dict[str, int] = defaultdict(int)
            for b in AccountBalance.objects.all():
                per_currency[b.currency] += b.debit_minor - b.credit_minor
            assert all(v == 0 for v in per_currency.values())

        @invariant()
        def verify_is_green(self):
            if self.keys % 5 == 0:  # the full walk is the slow part
                assert [r.name for r in run_checks(LEDGER_CHECKS) if not r.ok] == []

    return Books


@pytest.mark.django_db
def test_books_stay_whole(chart, staff):
    run_state_machine_as_test(
        make_machine(staff),
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
