"""Loan terms, allocation rules and penalty rule as JSON-safe dicts, and back.

A loan keeps the terms it was approved and disbursed with (the product may change later):
the lifecycle stores :func:`snapshot` in the loan row and rebuilds the values with
:func:`terms_from_dict` and friends. Decimals travel as strings, dates as ISO text, so the
round trip is exact.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from .allocation import AllocationRules, AllocationStrategy, PrepaymentMode
from .charges import PenaltyRule
from .loan_state import Component
from .terms import Charge, InvalidTerms, LoanTerms

_DATE_FIELDS = {"disbursement_date", "first_due_date"}
_DECIMAL_FIELDS = {
    "principal",
    "annual_rate",
    "installment_multiple",
    "currency_multiple",
    "compulsory_savings_percent",
    "carried_interest",
}
_INT_FIELDS = {
    "installments",
    "decimals",
    "every",
    "grace_principal",
    "grace_interest_payment",
    "grace_interest_free",
}


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # StrEnum
        return str(value.value)
    return value


def terms_to_dict(terms: LoanTerms) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(LoanTerms):
        if f.name == "money":
            continue
        value = getattr(terms, f.name)
        if f.name == "charges":
            out["charges"] = [
                {
                    "time": str(c.time.value),
                    "calculation": str(c.calculation.value),
                    "amount": str(c.amount),
                    "deducted": c.deducted,
                    "name": c.name,
                }
                for c in value
            ]
        else:
            out[f.name] = _text(value)
    return out


def terms_from_dict(data: dict[str, Any]) -> LoanTerms:
    values: dict[str, Any] = {}
    try:
        for key, raw in data.items():
            if key == "charges":
                values["charges"] = tuple(
                    Charge(
                        time=c["time"],
                        calculation=c["calculation"],
                        amount=Decimal(c["amount"]),
                        deducted=bool(c.get("deducted", True)),
                        name=c.get("name", ""),
                    )
                    for c in raw
                )
            elif raw is None:
                values[key] = None
            elif key in _DATE_FIELDS:
                values[key] = date.fromisoformat(raw)
            elif key in _DECIMAL_FIELDS:
                values[key] = Decimal(raw)
            elif key in _INT_FIELDS:
                values[key] = int(raw)
            else:
                values[key] = raw
    except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidTerms(f"unreadable loan terms: {exc}") from exc
    return LoanTerms(**values)


def rules_to_dict(rules: AllocationRules) -> dict[str, Any]:
    return {
        "strategy": str(rules.strategy.value),
        "order": [str(c.value) for c in rules.order],
        "prepayment": str(rules.prepayment.value),
    }


def rules_from_dict(data: dict[str, Any]) -> AllocationRules:
    return AllocationRules(
        strategy=AllocationStrategy(data["strategy"]),
        order=tuple(Component(c) for c in data["order"]),
        prepayment=PrepaymentMode(data["prepayment"]),
    )


def penalty_to_dict(rule: PenaltyRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "calculation": str(rule.calculation.value),
        "amount": str(rule.amount),
        "tolerance_days": rule.tolerance_days,
        "repeat_every_days": rule.repeat_every_days,
        "basis": str(rule.basis.value),
    }


def penalty_from_dict(data: dict[str, Any] | None) -> PenaltyRule | None:
    if not data:
        return None
    return PenaltyRule(
        calculation=data["calculation"],
        amount=Decimal(data["amount"]),
        tolerance_days=int(data["tolerance_days"]),
        repeat_every_days=(
            int(data["repeat_every_days"]) if data.get("repeat_every_days") is not None else None
        ),
        basis=data["basis"],
    )


def snapshot(
    terms: LoanTerms, rules: AllocationRules, penalty: PenaltyRule | None
) -> dict[str, Any]:
    """Everything a loan needs to replay itself without its product."""
    return {
        "terms": terms_to_dict(terms),
        "rules": rules_to_dict(rules),
        "penalty": penalty_to_dict(penalty),
    }
