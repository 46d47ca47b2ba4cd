"""Money rounding for the loan engine: minor units, cash multiple and rounding mode.

Rounding happens only at named points (an instalment's interest, its principal, a fee), always
through :class:`MoneyRounding`, with the product's explicit mode. All arithmetic runs inside
:data:`CALC_CONTEXT` (34 significant digits), entered with ``decimal.localcontext``; the global
decimal context is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum

# 34 digits (IEEE decimal128) leaves room for 10^15 amounts times 18-digit rates.
CALC_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class Rounding(StrEnum):
    """Rounding mode of a product, named as on the command line."""

    HALF_EVEN = "half-even"
    HALF_UP = "half-up"
    DOWN = "down"

    @property
    def decimal_mode(self) -> str:
        return _DECIMAL_MODES[self]


_DECIMAL_MODES = {
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.DOWN: ROUND_DOWN,
}


def is_multiple_of(amount: Decimal, multiple: Decimal) -> bool:
    """True when ``amount`` is an exact multiple of ``multiple`` (which must be positive)."""
    return CALC_CONTEXT.remainder(amount, multiple) == 0


@dataclass(frozen=True, slots=True)
class MoneyRounding:
    """Rounds amounts to a currency's minor units and, optionally, to its cash multiple.

    ``decimals`` is the number of minor units (USD 2, CDF 2, RWF 0, BIF 0): the domain takes
    it as an argument and keeps no currency table. ``cash_multiple`` is the smallest amount a
    till can pay out (e.g. 50 for a CDF till without coins); every amount the engine produces
    is a multiple of it.
    """

    decimals: int = 2
    mode: Rounding = Rounding.HALF_EVEN
    cash_multiple: Decimal | None = None
    quantum: Decimal = field(init=False, repr=False, compare=False)
    _mode: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.decimals <= 8:
            raise ValueError(f"decimals must be between 0 and 8, not {self.decimals}")
        quantum = ONE.scaleb(-self.decimals)
        if self.cash_multiple is not None:
            if self.cash_multiple <= 0:
                raise ValueError("the currency multiple must be positive")
            if not is_multiple_of(self.cash_multiple, quantum):
                raise ValueError(
                    f"the currency multiple {self.cash_multiple} is finer than the currency's "
                    f"{self.decimals} decimals"
                )
        object.__setattr__(self, "quantum", quantum)
        object.__setattr__(self, "_mode", self.mode.decimal_mode)

    def round(self, amount: Decimal) -> Decimal:
        """Round to minor units, then to the cash multiple, with the product's mode."""
        if self.cash_multiple is None:
            return amount.quantize(self.quantum, self._mode, CALC_CONTEXT)
        return self.round_to_multiple(amount, self.cash_multiple)

    def round_to_multiple(self, amount: Decimal, multiple: Decimal) -> Decimal:
        """Nearest multiple of ``multiple`` under the product's mode (Fineract's
        ``Money.roundToMultiplesOf``: divide, round to an integer, multiply)."""
        units = CALC_CONTEXT.divide(amount, multiple).quantize(ONE, self._mode, CALC_CONTEXT)
        return CALC_CONTEXT.multiply(units, multiple).quantize(self.quantum, context=CALC_CONTEXT)

    def is_rounded(self, amount: Decimal) -> bool:
        """True when ``amount`` needs no rounding (minor units and cash multiple)."""
        if amount != amount.quantize(self.quantum, context=CALC_CONTEXT):
            return False
        return self.cash_multiple is None or is_multiple_of(amount, self.cash_multiple)

    def fmt(self, amount: Decimal) -> str:
        """The amount as a plain string with exactly ``decimals`` decimals."""
        return str(amount.quantize(self.quantum, context=CALC_CONTEXT))
