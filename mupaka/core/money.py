"""Money: a Decimal amount with its ISO 4217 currency. Pure: no Django, no clock.

Rules (see ../shared/DESIGN.md):

- ``Decimal`` only. A ``float`` is refused with ``TypeError`` everywhere, even on the
  way in: ``Money.of("12.50", "USD")``, never ``Money.of(12.5, "USD")``.
- Adding, subtracting or comparing two currencies raises :class:`CurrencyMismatch`.
- The currency's minor units come from babel's CLDR data
  (``babel.numbers.get_currency_precision``: USD 2, CDF 2, RWF 0, BIF 0, EUR 2), not
  from a table typed here.
- A Money may carry more decimals than its currency (interest, rates, shares of a
  fee); rounding happens at named points with an explicit :class:`Rounding` mode
  (``HALF_EVEN`` by default): ``m.round()``, ``m.quantize_cash(Decimal("50"))``.
- Stored amounts are integers in minor units: ``m.minor`` (refuses an amount that is
  not exact in minor units) and ``Money.from_minor(1250, "USD")``.
- ``allocate`` splits a sum into parts by ratios without losing or inventing a cent.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

__all__ = [
    "CurrencyMismatch",
    "Money",
    "Rounding",
    "UnknownCurrency",
    "currency_exponent",
    "is_known_currency",
    "to_decimal",
]

# Enough precision for sums near 10^18 minor units with 10 decimals to spare.
_CONTEXT = decimal.Context(
    prec=40, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation]
)


class Rounding(StrEnum):
    """Named rounding modes. The value is what a product or a rule stores."""

    HALF_EVEN = "half_even"  # banker's rounding: 0.125 → 0.12, 0.135 → 0.14
    HALF_UP = "half_up"  # 0.125 → 0.13 (ties away from zero)
    HALF_DOWN = "half_down"  # 0.125 → 0.12 (ties towards zero)
    UP = "up"  # away from zero: 0.121 → 0.13, -0.121 → -0.13
    DOWN = "down"  # towards zero (truncate): 0.129 → 0.12
    CEILING = "ceiling"  # towards +infinity
    FLOOR = "floor"  # towards -infinity

    @property
    def decimal_mode(self) -> str:
        return _DECIMAL_MODES[self]


_DECIMAL_MODES = {
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_DOWN: decimal.ROUND_HALF_DOWN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.CEILING: decimal.ROUND_CEILING,
    Rounding.FLOOR: decimal.ROUND_FLOOR,
}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


class UnknownCurrency(ValueError):
    """Not an ISO 4217 code known to CLDR."""


@lru_cache(maxsize=256)
def is_known_currency(code: str) -> bool:
    from babel.numbers import get_currency_name

    if not isinstance(code, str) or len(code) != 3 or not code.isalpha() or not code.isupper():
        return False
    return get_currency_name(code, locale="en") != code


@lru_cache(maxsize=256)
def currency_exponent(code: str) -> int:
    """Number of decimals of the currency's minor unit (USD 2, RWF 0), from CLDR."""
    from babel.numbers import get_currency_precision

    if not is_known_currency(code):
        raise UnknownCurrency(f"unknown currency code: {code!r}")
    return int(get_currency_precision(code))


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, an int or a numeric string. Floats are refused."""
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, float):
        raise TypeError(
            "a float cannot be an amount (binary floats cannot hold 0.1 exactly); "
            "pass a string or a Decimal"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            result = Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {value!r}")
    else:
        raise TypeError(f"cannot make an amount from {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"an amount must be finite, not {value!r}")
    return result


def _check_factor(value: Any) -> Decimal:
    if isinstance(value, Money):
        raise TypeError("multiply or divide Money by a number, not by Money")
    return to_decimal(value)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Immutable; compare only within one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if not is_known_currency(self.currency):
            raise UnknownCurrency(f"unknown currency code: {self.currency!r}")

    # --- construction ------------------------------------------------------
    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise TypeError("minor units are an int")
        return cls(Decimal(minor).scaleb(-currency_exponent(currency), _CONTEXT), currency)

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str) -> Money:
        total = cls.zero(currency)
        for item in items:
            total = total + item
        return total

    # --- minor units ---------------------------------------------------------
    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    @property
    def minor(self) -> int:
        """The amount in integer minor units; refuses an amount that needs rounding first."""
        scaled = self.amount.scaleb(self.exponent, _CONTEXT)
        if scaled != scaled.to_integral_value():
            raise ValueError(
                f"{self} has more decimals than {self.currency} allows ({self.exponent}); "
                "round it first"
            )
        return int(scaled)

    @property
    def is_exact(self) -> bool:
        """True when the amount is a whole number of minor units."""
        scaled = self.amount.scaleb(self.exponent, _CONTEXT)
        return scaled == scaled.to_integral_value()

    # --- rounding ----------------------------------------------------------
    def round(
        self, mode: Rounding | str = Rounding.HALF_EVEN, *, places: int | None = None
    ) -> Money:
        """Round to the currency's minor unit (or ``places`` decimals) with a named mode."""
        mode = Rounding(mode)
        exp = self.exponent if places is None else places
        quantum = Decimal(1).scaleb(-exp)
        return Money(
            self.amount.quantize(quantum, rounding=mode.decimal_mode, context=_CONTEXT),
            self.currency,
        )

    def quantize_cash(
        self, multiple: Decimal | int | str, mode: Rounding | str = Rounding.HALF_EVEN
    ) -> Money:
        """Round to a multiple of the smallest note or coin used at the till.

        ``Money.of("12530", "CDF").quantize_cash(50)`` → 12 550 CDF (HALF_EVEN), or
        12 500 with ``mode=Rounding.DOWN`` (what a till pays out when it cannot make change).
        ``multiple`` is in major units (50 = FC 50) and is itself exact in minor units.
        """
        step = to_decimal(multiple)
        if step <= 0:
            raise ValueError("the cash multiple must be positive")
        if not Money(step, self.currency).is_exact:
            raise ValueError(
                f"cash multiple {step} is finer than the minor unit of {self.currency}"
            )
        mode = Rounding(mode)
        units = (self.amount / step).quantize(
            Decimal(1), rounding=mode.decimal_mode, context=_CONTEXT
        )
        return Money(units * step, self.currency).round()

    # --- allocation ----------------------------------------------------------
    def allocate(self, ratios: Sequence[Decimal | int | str]) -> list[Money]:
        """Split into parts proportional to ``ratios``; the parts add up exactly.

        Works in minor units with the largest-remainder method (ties go to the
        earlier part). ``Money.of("100", "USD").allocate([1, 1, 1])`` →
        33.34, 33.33, 33.33. The amount must be exact in minor units.
        """
        weights = [to_decimal(r) for r in ratios]
        if not weights:
            raise ValueError("allocate needs at least one ratio")
        if any(w < 0 for w in weights):
            raise ValueError("ratios cannot be negative")
        total_weight = sum(weights, Decimal(0))
        if total_weight == 0:
            raise ValueError("ratios cannot all be zero")
        total = self.minor
        sign = -1 if total < 0 else 1
        magnitude = abs(total)
        shares: list[int] = []
        remainders: list[tuple[Decimal, int]] = []
        for index, weight in enumerate(weights):
            exact = Decimal(magnitude) * weight / total_weight
            whole = int(exact.to_integral_value(rounding=decimal.ROUND_FLOOR))
            shares.append(whole)
            remainders.append((exact - whole, index))
        left = magnitude - sum(shares)
        for _, index in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left]:
            shares[index] += 1
        return [Money.from_minor(sign * s, self.currency) for s in shares]

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` equal parts (differing by one minor unit at most)."""
        if parts < 1:
            raise ValueError("split needs at least one part")
        return self.allocate([1] * parts)

    # --- arithmetic ------------------------------------------------------------
    def _same(self, other: Any, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot {op} {self.currency} and {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        other = self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int | str) -> Money:
        return Money(self.amount * _check_factor(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int | str) -> Money:
        d = _check_factor(divisor)
        if d == 0:
            raise ZeroDivisionError("division of Money by zero")
        return Money(_CONTEXT.divide(self.amount, d), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __bool__(self) -> bool:
        return self.amount != 0

    # --- comparisons ----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.currency, self.amount))

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    # --- text ------------------------------------------------------------------
    def __str__(self) -> str:
        """Machine-readable text: ``12.50 USD`` (people get money_format.format_money)."""
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __float__(self) -> float:  # pragma: no cover - guard
        raise TypeError("Money never becomes a float")
