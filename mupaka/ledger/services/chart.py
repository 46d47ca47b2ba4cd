"""Chart of accounts, account mappings and currency rules: loaded from presets, edited
by the accountant."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money, Rounding, is_known_currency, to_decimal
from mupaka.core.permissions import require_perm
from mupaka.ledger.models import (
    Account,
    AccountMapping,
    AccountType,
    CurrencyRule,
    LedgerState,
)
from mupaka.ledger.roles import is_known_role

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"


def posting_number(base_number: str, currency: str) -> str:
    """The number of the posting account of ``base_number`` in ``currency``: ``5710-USD``."""
    return f"{base_number}-{currency}"


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def preset_read(name: str) -> dict[str, Any]:
    """The preset's data, checked for shape (numbers unique, types known, mappings to
    posting accounts)."""
    path = PRESET_DIR / f"{name}.yaml"
    if not name.isidentifier() or not path.exists():
        raise NotFound(
            _("There is no chart preset %(name)s (available: %(names)s).")
            % {"name": name, "names": ", ".join(preset_names())}
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen: dict[str, dict] = {}
    leaves: set[str] = set()

    def walk(nodes: list[dict], parent_type: str | None, parent_number: str | None) -> None:
        for node in nodes:
            number = str(node["number"])
            if number in seen:
                raise ValueError(f"preset {name}: account {number} appears twice")
            if parent_number and not number.startswith(parent_number):
                raise ValueError(f"preset {name}: {number} does not start with its parent's number")
            kind = node.get("type", parent_type)
            if kind not in AccountType.values:
                raise ValueError(f"preset {name}: account {number} has no valid type")
            for cur in node.get("currencies", []) or []:
                if not is_known_currency(cur):
                    raise ValueError(f"preset {name}: unknown currency {cur} on {number}")
            seen[number] = node
            children = node.get("children") or []
            if children:
                walk(children, kind, number)
            else:
                leaves.add(number)

    walk(data.get("accounts") or [], None, None)
    for role, number in (data.get("mappings") or {}).items():
        if not is_known_role(role):
            raise ValueError(f"preset {name}: unknown role {role}")
        if str(number) not in leaves:
            raise ValueError(f"preset {name}: role {role} maps to {number}, not a posting account")
    return data


@dataclass(frozen=True)
class ChartLoadResult:
    preset: str
    accounts_created: int
    mappings_created: int
    currency_rules_created: int


def _accepted_currencies() -> list[str]:
    from mupaka.core.models import Institution

    inst = Institution.objects.order_by("id").first()
    if inst is None or not inst.accepted_currencies:
        raise ValidationFailed(_("Set up the institution and its accepted currencies first."))
    return list(inst.accepted_currencies)


@transaction.atomic
def chart_load(*, actor, preset: str, currencies: list[str] | None = None) -> ChartLoadResult:
    """Create what is missing of ``preset`` for ``currencies`` (default: the institution's).

    Safe to run again, e.g. after adding an accepted currency: existing accounts keep
    their names and settings, existing mappings and currency rules are not touched.
    ``actor`` None is the system (demo, first set-up from the command line).
    """
    if actor is not None:
        require_perm(actor, "ledger.chart.manage")
    data = preset_read(preset)
    currencies = [c.upper() for c in (currencies or _accepted_currencies())]
    for cur in currencies:
        if not is_known_currency(cur):
            raise ValidationFailed(_("Unknown currency code: %(code)s.") % {"code": cur})
    existing = {a.number: a for a in Account.objects.all()}
    created = 0

    def ensure(
        number: str, base: str, node: dict, kind: str, parent, level: int, *, header: bool, cur: str
    ) -> Account:
        nonlocal created
        account = existing.get(number)
        if account is None:
            suffix = f" ({cur})" if cur else ""
            account = Account.objects.create(
                number=number,
                base_number=base,
                name_fr=f"{node['name_fr']}{suffix}",
                name_en=f"{node.get('name_en', node['name_fr'])}{suffix}",
                type=kind,
                currency=cur,
                is_header=header,
                parent=parent,
                level=level,
                class_code=base[0],
            )
            existing[number] = account
            created += 1
        return account

    def walk(nodes: list[dict], parent: Account | None, parent_type: str | None, level: int):
        for node in nodes:
            number = str(node["number"])
            kind = node.get("type", parent_type)
            header = ensure(number, number, node, kind, parent, level, header=True, cur="")
            children = node.get("children") or []
            if children:
                walk(children, header, kind, level + 1)
                continue
            allowed = node.get("currencies") or currencies
            for cur in currencies:
                if cur in allowed:
                    ensure(
                        posting_number(number, cur),
                        number,
                        node,
                        kind,
                        header,
                        level + 1,
                        header=False,
                        cur=cur,
                    )

    walk(data.get("accounts") or [], None, None, 1)

    mappings_created = 0
    current = set(
        AccountMapping.objects.filter(scope_type="", scope_id=0).values_list("role", "currency")
    )
    for role, base in (data.get("mappings") or {}).items():
        for cur in currencies:
            account = existing.get(posting_number(str(base), cur))
            if account is None or (role, cur) in current:
                continue
            AccountMapping.objects.create(role=role, currency=cur, account=account)
            mappings_created += 1

    rules_created = 0
    have_rules = set(CurrencyRule.objects.values_list("currency", flat=True))
    for cur, rule in (data.get("currency_rules") or {}).items():
        if cur not in currencies or cur in have_rules:
            continue
        multiple = Money.of(str(rule["cash_multiple"]), cur)
        CurrencyRule.objects.create(
            currency=cur,
            cash_multiple_minor=multiple.minor,
            rounding=Rounding(rule.get("rounding", Rounding.HALF_EVEN)).value,
            note=rule.get("note", "")[:200],
        )
        rules_created += 1

    state, _created = LedgerState.objects.get_or_create(id=1)
    state.preset = preset
    state.save(update_fields=["preset"])
    result = ChartLoadResult(preset, created, mappings_created, rules_created)
    audit_record(
        actor=actor,
        action="ledger.chart_load",
        object_type="ledger.chart",
        object_id=preset,
        object_repr=data.get("name_fr", preset),
        after={
            "preset": preset,
            "currencies": currencies,
            "accounts_created": created,
            "mappings_created": mappings_created,
            "currency_rules_created": rules_created,
        },
    )
    return result


def _scope(product) -> tuple[str, int]:
    if product is None:
        return "", 0
    if isinstance(product, tuple):
        kind, pk = product
        return str(kind), int(pk)
    return product._meta.label_lower, int(product.pk)


@transaction.atomic
def mapping_set(
    *, actor, role: str, currency: str, account: Account | str, product=None
) -> AccountMapping:
    """Point ``role`` in ``currency`` at ``account``: the default (product None) or one
    product's own mapping (a model instance or ``("loans.loanproduct", 3)``)."""
    require_perm(actor, "ledger.mapping.manage")
    if not is_known_role(role):
        raise ValidationFailed(_("Unknown role: %(role)s.") % {"role": role}, field="role")
    if not isinstance(account, Account):
        account = Account.objects.filter(number=str(account)).first()
        if account is None:
            raise ValidationFailed(_("There is no such account."), field="account")
    if account.is_header or account.currency != currency:
        raise ValidationFailed(
            _("Choose a posting account that holds %(currency)s.") % {"currency": currency},
            field="account",
        )
    scope_type, scope_id = _scope(product)
    mapping = (
        AccountMapping.objects.select_for_update()
        .filter(role=role, currency=currency, scope_type=scope_type, scope_id=scope_id)
        .first()
    )
    before = snapshot(mapping) if mapping else None
    if mapping is None:
        mapping = AccountMapping(
            role=role, currency=currency, scope_type=scope_type, scope_id=scope_id
        )
    mapping.account = account
    mapping.save()
    audit_record(
        actor=actor,
        action="ledger.mapping_set",
        obj=mapping,
        before=before,
        after=snapshot(mapping),
    )
    return mapping


@transaction.atomic
def currency_rule_set(
    *,
    actor,
    currency: str,
    cash_multiple: Decimal | str,
    rounding: Rounding | str = Rounding.HALF_EVEN,
    note: str = "",
) -> CurrencyRule:
    """Set the smallest note or coin a till uses for ``currency`` (in major units, e.g. 50)."""
    require_perm(actor, "ledger.currency_rule.manage")
    currency = (currency or "").upper()
    if not is_known_currency(currency):
        raise ValidationFailed(
            _("Unknown currency code: %(code)s.") % {"code": currency}, field="currency"
        )
    try:
        multiple = Money(to_decimal(cash_multiple), currency)
        minor = multiple.minor
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("The cash multiple must be an amount in %(currency)s, e.g. 50.")
            % {"currency": currency},
            field="cash_multiple",
        )
    if minor <= 0:
        raise ValidationFailed(
            _("The cash multiple must be greater than zero."), field="cash_multiple"
        )
    try:
        rounding = Rounding(rounding)
    except ValueError:
        raise ValidationFailed(_("Unknown rounding mode."), field="rounding")
    rule = CurrencyRule.objects.select_for_update().filter(currency=currency).first()
    before = snapshot(rule) if rule else None
    rule = rule or CurrencyRule(currency=currency)
    rule.cash_multiple_minor = minor
    rule.rounding = rounding.value
    rule.note = (note or "")[:200]
    rule.save()
    audit_record(
        actor=actor,
        action="ledger.currency_rule_set",
        obj=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule
