"""Presets, account mappings, currency rules, closing and reopening months, manual drafts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.core.services import business_date_set
from mupaka.ledger.models import Account, AccountMapping, CurrencyRule, DraftStatus, JournalEntry
from mupaka.ledger.roles import PRESET_ROLES
from mupaka.ledger.selectors import account_for, cash_multiple, closed_through
from mupaka.ledger.services import (
    LineSpec,
    chart_load,
    currency_rule_set,
    manual_entry_approve,
    manual_entry_create,
    manual_entry_reject,
    mapping_set,
    period_close,
    period_reopen,
)
from mupaka.ledger.services.chart import preset_names, preset_read
from mupaka.ledger.tests.conftest import m

pytestmark = pytest.mark.django_db


def test_the_three_presets_are_well_formed():
    assert {"drc", "rwanda", "burundi"} <= set(preset_names())
    for name in ("drc", "rwanda", "burundi"):
        data = preset_read(name)
        assert set(data["mappings"]) == set(PRESET_ROLES), name
        classes = [a["number"] for a in data["accounts"]]
        assert classes == ["0", "1", "2", "3", "4", "5", "6", "7"], name


def test_drc_preset_follows_the_pcci_groups():
    data = preset_read("drc")
    groups = {c["number"]: {g["number"] for g in c.get("children", [])} for c in data["accounts"]}
    assert {"10", "11"} <= groups["1"] and {"32", "39"} <= groups["3"]
    assert data["regulator"] == "BCC"


@pytest.mark.parametrize("preset", ["drc", "rwanda", "burundi"])
def test_load_creates_posting_accounts_per_currency_and_every_mapping(institution, preset):
    result = chart_load(actor=None, preset=preset)
    assert result.accounts_created > 100
    currencies = institution.accepted_currencies
    for role in PRESET_ROLES:
        for cur in currencies:
            account = account_for(role, cur)
            assert account.currency == cur and not account.is_header
            assert (
                account.number.endswith(f"-{cur}") and account.parent.number == account.base_number
            )
    assert set(CurrencyRule.objects.values_list("currency", flat=True)) == set(currencies)
    again = chart_load(actor=None, preset=preset)
    assert (again.accounts_created, again.mappings_created, again.currency_rules_created) == (
        0,
        0,
        0,
    )


def test_adding_a_currency_then_reloading(institution, staff):
    chart_load(actor=None, preset="drc", currencies=["USD"])
    assert not Account.objects.filter(number="5710-CDF").exists()
    with pytest.raises(PermissionDenied):
        chart_load(actor=staff["teller"], preset="drc", currencies=["USD", "CDF"])
    result = chart_load(actor=staff["accountant"], preset="drc", currencies=["USD", "CDF"])
    assert result.accounts_created > 0 and Account.objects.get(number="5710-CDF").currency == "CDF"
    assert account_for("till_cash", "CDF").number == "5710-CDF"
    assert AuditLog.objects.filter(action="ledger.chart_load", actor=staff["accountant"]).exists()


def test_unknown_preset(institution):
    from mupaka.core.exceptions import NotFound

    with pytest.raises(NotFound):
        chart_load(actor=None, preset="../../etc/passwd")


def test_currency_rules(chart, staff):
    assert cash_multiple("CDF") == Decimal("50")
    assert cash_multiple("USD") == Decimal("1")
    assert m("12530", "CDF").quantize_cash(cash_multiple("CDF")) == m("12550", "CDF")
    rule = currency_rule_set(
        actor=staff["accountant"], currency="CDF", cash_multiple="100", note="billets de 100"
    )
    assert rule.cash_multiple_minor == 10000 and cash_multiple("CDF") == Decimal("100")
    with pytest.raises(ValidationFailed) as exc:
        currency_rule_set(actor=staff["accountant"], currency="RWF", cash_multiple="0.5")
    assert "cash_multiple" in exc.value.errors
    with pytest.raises(ValidationFailed):
        currency_rule_set(actor=staff["accountant"], currency="XYZ", cash_multiple="1")
    with pytest.raises(PermissionDenied):
        currency_rule_set(actor=staff["teller"], currency="CDF", cash_multiple="50")
    assert AuditLog.objects.filter(action="ledger.currency_rule_set").count() == 1


def test_mapping_set_refuses_what_cannot_work(chart, staff):
    accountant = staff["accountant"]
    with pytest.raises(ValidationFailed):
        mapping_set(actor=accountant, role="till_cash", currency="USD", account="5710")  # header
    with pytest.raises(ValidationFailed):
        mapping_set(actor=accountant, role="till_cash", currency="USD", account="5710-CDF")
    with pytest.raises(ValidationFailed):
        mapping_set(actor=accountant, role="no_such_role", currency="USD", account="5710-USD")
    with pytest.raises(PermissionDenied):
        mapping_set(actor=staff["manager"], role="till_cash", currency="USD", account="5700-USD")
    mapping_set(actor=accountant, role="till_cash", currency="USD", account="5700-USD")
    assert account_for("till_cash", "USD").number == "5700-USD"
    assert AccountMapping.objects.filter(role="till_cash", currency="USD").count() == 1


def test_month_close_rules(post, staff):
    accountant = staff["accountant"]
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=accountant, year=2026, month=11)  # business date 02/11/2026
    assert exc.value.code == "period_not_over"
    with pytest.raises(PermissionDenied):
        period_close(actor=staff["manager"], year=2026, month=10)
    period_close(actor=accountant, year=2026, month=10)
    assert closed_through() == dt.date(2026, 10, 31)
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=accountant, year=2026, month=9)
    assert exc.value.code == "already_closed"


def test_close_waits_for_pending_drafts_and_reopen_is_for_the_admin(chart, staff):
    business_date_set(actor=None, new_date=dt.date(2026, 12, 1))
    draft = manual_entry_create(
        actor=staff["accountant"],
        business_date=dt.date(2026, 11, 30),
        narrative="Loyer",
        lines=[LineSpec.dr("6300-USD", m("100")), LineSpec.cr("5200-USD", m("100"))],
        idempotency_key="d1",
    )
    with pytest.raises(ValidationFailed) as exc:
        period_close(actor=staff["accountant"], year=2026, month=11)
    assert exc.value.code == "pending_drafts"
    manual_entry_approve(actor=staff["manager"], draft=draft)
    period_close(actor=staff["accountant"], year=2026, month=11)
    with pytest.raises(PermissionDenied):
        period_reopen(actor=staff["accountant"], reason="oubli")
    with pytest.raises(ValidationFailed):
        period_reopen(actor=staff["admin"], reason=" ")
    period_reopen(actor=staff["admin"], reason="Ajustement demandé par l'auditeur")
    assert closed_through() is None
    assert AuditLog.objects.get(action="ledger.period_reopen").reason.startswith("Ajustement")
    with pytest.raises(ValidationFailed):
        period_reopen(actor=staff["admin"], reason="encore")


def test_manual_drafts_are_checked_when_prepared(chart, staff):
    with pytest.raises(ValidationFailed) as exc:
        manual_entry_create(
            actor=staff["accountant"],
            business_date=dt.date(2026, 11, 2),
            narrative="x",
            lines=[LineSpec.dr("6300-USD", m("100")), LineSpec.cr("5200-USD", m("99"))],
            idempotency_key="bad",
        )
    assert exc.value.code == "unbalanced"
    with pytest.raises(PermissionDenied):
        manual_entry_create(
            actor=staff["manager"],
            business_date=dt.date(2026, 11, 2),
            narrative="x",
            lines=[LineSpec.dr("6300-USD", m("1")), LineSpec.cr("5200-USD", m("1"))],
            idempotency_key="mgr",
        )


def test_reject_and_withdraw(chart, staff):
    def draft(key):
        return manual_entry_create(
            actor=staff["accountant"],
            business_date=dt.date(2026, 11, 2),
            narrative="Frais",
            lines=[LineSpec.dr("6300-USD", m("5")), LineSpec.cr("5200-USD", m("5"))],
            idempotency_key=key,
        )

    first = draft("a")
    assert draft("a").pk == first.pk  # replay
    with pytest.raises(ValidationFailed):
        manual_entry_reject(actor=staff["manager"], draft=first, reason="")
    manual_entry_reject(actor=staff["manager"], draft=first, reason="Pièce manquante")
    with pytest.raises(Conflict):
        manual_entry_approve(actor=staff["manager"], draft=first)
    second = draft("b")
    with pytest.raises(PermissionDenied):
        manual_entry_reject(actor=staff["teller"], draft=second, reason="non")
    withdrawn = manual_entry_reject(actor=staff["accountant"], draft=second, reason="Doublon")
    assert withdrawn.status == DraftStatus.REJECTED
    assert JournalEntry.objects.count() == 0


def test_demo_loads_the_drc_chart(institution, staff):
    from mupaka.core.demo import DemoContext
    from mupaka.ledger import demo

    ctx = DemoContext(institution=institution, branches={}, users=staff, rng=random.Random(1))
    demo.build(ctx)
    assert "drc" in ctx.out[0]
    assert account_for("till_cash", "RWF").number == "5710-RWF"


def test_chart_command(institution, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("chart", "presets")
    assert "burundi" in capsys.readouterr().out
    call_command("chart", "load", "drc", "--currencies", "USD,CDF")
    out = capsys.readouterr().out
    assert "Preset drc:" in out and Account.objects.filter(number="5710-CDF").exists()
    assert not Account.objects.filter(number="5710-RWF").exists()
    with pytest.raises(CommandError):
        call_command("chart", "load", "nowhere")
