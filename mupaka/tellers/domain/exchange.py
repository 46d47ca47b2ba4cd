"""Exchange desk arithmetic. Pure: Decimal and Money only, no Django, no clock.

Conventions
-----------
A pair ``base/quote`` (USD/CDF) is quoted in ``quote`` units for one ``base`` unit.
``buy`` is what the institution pays for one ``base`` unit, ``sell`` what it asks
(``sell >= buy``); the ``reference`` rate (the central bank's, or the mid-rate
``(buy + sell) / 2`` when none is given) measures the margin.

A customer hands over ``offered`` in one currency of the pair and asks for the other.

* She sells base (USD → CDF): the institution *buys* at ``buy``: due = offered × buy.
* She buys base (CDF → USD): the institution *sells* at ``sell``: due = offered / sell.

The till pays ``due`` rounded *down* to the smallest note of the currency paid out.
The remainder is given back in the customer's own currency when it is worth at least
that currency's smallest note (converted at the applied rate, rounded down); the
remainder of the remainder (less than the smallest note of both currencies) is kept
and stated on the receipt. So the amount actually exchanged is ``offered - change``.

The margin is what the exchanged amount is worth at the reference rate minus what was
paid, measured in the quote currency, then converted to the institution's base
currency (:func:`convert`). The journal entry (see :func:`exchange_legs`) balances in
each currency through the exchange position accounts and books the margin in the
base currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from mupaka.core.money import Money, Rounding, to_decimal

__all__ = [
    "ExchangeQuote",
    "ExchangeRefused",
    "Leg",
    "Rate",
    "convert",
    "exchange_legs",
    "exchange_quote",
    "rate_problems",
]

RATE_PLACES = 8


class ExchangeRefused(ValueError):
    """The exchange cannot be done; ``code`` says why."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        super().__init__(message or code)


@dataclass(frozen=True, slots=True)
class Rate:
    base: str
    quote: str
    buy: Decimal
    sell: Decimal
    reference: Decimal | None = None

    @property
    def mid(self) -> Decimal:
        return (self.buy + self.sell) / 2

    @property
    def ref(self) -> Decimal:
        """The rate margins are measured against."""
        return self.reference if self.reference is not None else self.mid

    def has(self, currency: str) -> bool:
        return currency in (self.base, self.quote)


def rate_problems(
    buy: Decimal | str, sell: Decimal | str, reference: Decimal | str | None = None
) -> list[tuple[str, str]]:
    """(field, code) of everything wrong with a rate; empty when it can be used.
    ``sell_below_buy``: the institution would lose on every round trip."""
    problems: list[tuple[str, str]] = []
    b, s = to_decimal(buy), to_decimal(sell)
    for field, value in (("buy", b), ("sell", s)):
        if value <= 0:
            problems.append((field, "not_positive"))
        elif value != value.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            problems.append((field, "too_many_decimals"))
    if b > 0 and s > 0 and s < b:
        problems.append(("sell", "sell_below_buy"))
    if reference is not None:
        r = to_decimal(reference)
        if r <= 0:
            problems.append(("reference", "not_positive"))
        elif r != r.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            problems.append(("reference", "too_many_decimals"))
    return problems


def convert(amount: Money, target: str, rate: Rate) -> Money:
    """``amount`` in ``target`` at the pair's reference rate (unrounded)."""
    if amount.currency == target:
        return amount
    if amount.currency == rate.base and target == rate.quote:
        return Money(amount.amount * rate.ref, target)
    if amount.currency == rate.quote and target == rate.base:
        return Money(amount.amount / rate.ref, target)
    raise ValueError(f"rate {rate.base}/{rate.quote} cannot convert {amount.currency} to {target}")


@dataclass(frozen=True, slots=True)
class ExchangeQuote:
    side: Literal["buy", "sell"]  # what the institution does with the base currency
    offered: Money  # handed over by the customer
    change: Money  # given back to her, in her own currency
    amount_in: Money  # offered - change: what is exchanged
    amount_due: Money  # unrounded value of amount_in at the applied rate
    amount_out: Money  # paid out, a multiple of the smallest note
    kept: Money  # remainder kept (currency paid out), less than the smallest notes
    applied_rate: Decimal
    reference_rate: Decimal
    margin_quote: Money  # value at reference of amount_in minus amount_out, in quote

    @property
    def currency_in(self) -> str:
        return self.offered.currency

    @property
    def currency_out(self) -> str:
        return self.amount_out.currency


def exchange_quote(
    *,
    offered: Money,
    currency_out: str,
    rate: Rate,
    cash_multiple_in: Decimal | str,
    cash_multiple_out: Decimal | str,
) -> ExchangeQuote:
    """What the customer gets for ``offered``. Raises :class:`ExchangeRefused`:
    ``not_traded`` (the rate is not for these currencies), ``not_positive``,
    ``too_small`` (less than the smallest note of the currency paid out)."""
    cur_in = offered.currency
    if cur_in == currency_out or not (rate.has(cur_in) and rate.has(currency_out)):
        raise ExchangeRefused("not_traded")
    if offered.amount <= 0 or not offered.is_exact:
        raise ExchangeRefused("not_positive")
    step_in, step_out = to_decimal(cash_multiple_in), to_decimal(cash_multiple_out)
    if cur_in == rate.base:
        side: Literal["buy", "sell"] = "buy"
        applied = rate.buy
        due = Money(offered.amount * applied, currency_out)
    else:
        side = "sell"
        applied = rate.sell
        due = Money(offered.amount / applied, currency_out)
    paid = due.quantize_cash(step_out, Rounding.DOWN)
    if paid.amount <= 0:
        raise ExchangeRefused("too_small")
    rest_out = due - paid
    rest_in = (
        Money(rest_out.amount / applied, cur_in)
        if side == "buy"
        else Money(rest_out.amount * applied, cur_in)
    )
    change = rest_in.quantize_cash(step_in, Rounding.DOWN)
    amount_in = offered - change
    due_net = (
        Money(amount_in.amount * applied, currency_out)
        if side == "buy"
        else Money(amount_in.amount / applied, currency_out)
    )
    kept = (due_net - paid).round(Rounding.HALF_EVEN)
    ref = rate.ref
    if side == "buy":
        margin = Money(amount_in.amount * ref, rate.quote) - paid
    else:
        margin = amount_in - Money(paid.amount * ref, rate.quote)
    return ExchangeQuote(
        side=side,
        offered=offered,
        change=change,
        amount_in=amount_in,
        amount_due=due_net,
        amount_out=paid,
        kept=kept,
        applied_rate=applied,
        reference_rate=ref,
        margin_quote=margin,
    )


@dataclass(frozen=True, slots=True)
class Leg:
    role: str  # "till_cash", "exchange_position", "exchange_income", "exchange_loss"
    side: Literal["dr", "cr"]
    amount: Money


def exchange_legs(quote: ExchangeQuote, margin_base: Money) -> list[Leg]:
    """The journal legs of an exchange, balanced in each currency.

    Cash in and out go through the till; each currency's counterpart is the exchange
    position; the margin (already in the institution's base currency, rounded to its
    minor unit) is income (or a loss) against the base currency's position. Legs on
    the same position account are netted. Worked example (USD base, USD/CDF buy
    2 847.35, reference 2 871.20, USD 100 changed to CDF):

    ====================  ===========  ===========
    account               debit        credit
    ====================  ===========  ===========
    till_cash USD          100.00 USD
    exchange_position USD               99.16 USD
    exchange_income USD                  0.84 USD
    exchange_position CDF  284 700 CDF
    till_cash CDF                      284 700 CDF
    ====================  ===========  ===========
    """
    if not margin_base.is_exact:
        raise ValueError("round the margin to the base currency's minor unit first")
    position: dict[str, Decimal] = {}  # signed: debit positive

    def pos(money: Money, sign: int) -> None:
        position[money.currency] = position.get(money.currency, Decimal(0)) + sign * money.amount

    legs: list[Leg] = [Leg("till_cash", "dr", quote.amount_in)]
    pos(quote.amount_in, -1)
    pos(quote.amount_out, +1)
    if margin_base.is_positive:
        pos(margin_base, +1)
    elif margin_base.is_negative:
        pos(margin_base, +1)  # a loss: the position is credited
    for currency in (quote.currency_in, quote.currency_out, margin_base.currency):
        if currency not in position:
            continue
        net = position.pop(currency)
        if net > 0:
            legs.append(Leg("exchange_position", "dr", Money(net, currency)))
        elif net < 0:
            legs.append(Leg("exchange_position", "cr", Money(-net, currency)))
    if margin_base.is_positive:
        legs.append(Leg("exchange_income", "cr", margin_base))
    elif margin_base.is_negative:
        legs.append(Leg("exchange_loss", "dr", -margin_base))
    legs.append(Leg("till_cash", "cr", quote.amount_out))
    return legs


def legs_balance(legs: list[Leg]) -> dict[str, Decimal]:
    """Debits minus credits per currency (all zero for a valid entry)."""
    totals: dict[str, Decimal] = {}
    for leg in legs:
        sign = 1 if leg.side == "dr" else -1
        totals[leg.amount.currency] = (
            totals.get(leg.amount.currency, Decimal(0)) + sign * leg.amount.amount
        )
    return totals
