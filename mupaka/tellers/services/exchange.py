"""The exchange desk: daily rates set by the manager, exchanges at the counter.

Pure arithmetic (rate application, rounding of the payout to the smallest note, change,
margin, journal legs) is in :mod:`mupaka.tellers.domain.exchange`; this module looks up
the day's rate, checks permissions and the till, posts and keeps the rate used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.idempotency import check_idempotency_key, scoped_digest
from mupaka.core.money import Money, Rounding, is_known_currency, to_decimal
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get
from mupaka.ledger.selectors import account_for, cash_multiple
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.tellers.cash import till_cash_line, till_for_cash
from mupaka.tellers.domain import exchange as fx
from mupaka.tellers.models import RATE_SCALE, Exchange, ExchangeRate, Receipt
from mupaka.tellers.selectors import (
    money_text,
    pair_for,
    rate_current,
    rate_from_e8,
    rate_text,
)
from mupaka.tellers.services.receipts import ReceiptLine, receipt_issue, receipt_language

__all__ = ["ExchangeResult", "domain_rate", "exchange_do", "exchange_preview", "rate_set"]

_RATE_MESSAGES = {
    "not_positive": gettext_lazy("The rate must be greater than zero."),
    "too_many_decimals": gettext_lazy("A rate has 8 decimals at most."),
    "sell_below_buy": gettext_lazy(
        "The sell rate cannot be below the buy rate: the institution would lose on every exchange."
    ),
}


def _to_e8(value: Decimal) -> int:
    return int((value * RATE_SCALE).to_integral_value())


def domain_rate(rate: ExchangeRate) -> fx.Rate:
    return fx.Rate(
        base=rate.base,
        quote=rate.quote,
        buy=rate_from_e8(rate.buy_e8),
        sell=rate_from_e8(rate.sell_e8),
        reference=rate_from_e8(rate.reference_e8),
    )


@transaction.atomic
def rate_set(
    *,
    actor,
    base: str,
    quote: str,
    buy: Decimal | str,
    sell: Decimal | str,
    reference: Decimal | str | None = None,
    reference_source: str = "",
    rate_date: dt.date | None = None,
) -> ExchangeRate:
    """A new rate for a pair (``USD``/``CDF``: FC per dollar). The latest rate set for a
    date applies to new exchanges; earlier exchanges keep theirs. ``rate_date``: the
    business date by default, never before it (history is not rewritten)."""
    require_perm(actor, "rate.set")
    inst = institution_get()
    base, quote = (base or "").strip().upper(), (quote or "").strip().upper()
    errors: dict[str, list[str]] = {}
    for field, cur in (("base", base), ("quote", quote)):
        if not is_known_currency(cur) or cur not in (inst.accepted_currencies or []):
            errors.setdefault(field, []).append(
                _("%(currency)s is not a currency this institution accepts.")
                % {"currency": cur or "?"}
            )
    if base and base == quote:
        errors.setdefault("quote", []).append(_("Choose two different currencies."))
    if not errors and (quote, base) in set(ExchangeRate.objects.values_list("base", "quote")):
        errors.setdefault("base", []).append(
            _("This pair is quoted as %(pair)s: give the rate in that direction.")
            % {"pair": f"{quote}/{base}"}
        )
    try:
        values = {
            "buy": to_decimal(buy),
            "sell": to_decimal(sell),
            "reference": None if reference in (None, "") else to_decimal(reference),
        }
    except (TypeError, ValueError):
        raise ValidationFailed(_("A rate is a number such as 2850.50."), field="buy")
    for field, code in fx.rate_problems(values["buy"], values["sell"], values["reference"]):
        errors.setdefault(field, []).append(str(_RATE_MESSAGES[code]))
    on_date = rate_date or inst.business_date
    if on_date < inst.business_date:
        errors.setdefault("rate_date", []).append(
            _("A rate cannot be set for a past date: past operations keep their rate.")
        )
    if errors:
        first = next(iter(errors.values()))[0]
        code = (
            "sell_below_buy"
            if str(_RATE_MESSAGES["sell_below_buy"]) in errors.get("sell", [])
            else "invalid"
        )
        raise ValidationFailed(first, errors=errors, code=code)
    rate = ExchangeRate.objects.create(
        base=base,
        quote=quote,
        rate_date=on_date,
        buy_e8=_to_e8(values["buy"]),
        sell_e8=_to_e8(values["sell"]),
        reference_e8=None if values["reference"] is None else _to_e8(values["reference"]),
        reference_source=reference_source[:80],
        set_by=actor,
    )
    audit_record(actor=actor, action="exchange_rate.set", obj=rate, after=snapshot(rate))
    return rate


# --- exchanges --------------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    rate: ExchangeRate
    quote: fx.ExchangeQuote
    margin_base: Money


def _not_traded(currency: str) -> ValidationFailed:
    return ValidationFailed(
        _("The institution does not trade %(currency)s at the exchange desk.")
        % {"currency": currency},
        field="currency_out",
        code="currency_not_traded",
    )


def _base_rate(margin: Money, base_currency: str, on_date: dt.date) -> fx.Rate:
    pair = pair_for(base_currency, margin.currency)
    rate = rate_current(*pair, on_date) if pair else None
    if rate is None:
        raise ValidationFailed(
            _(
                "The margin is measured in %(base)s: set today's %(base)s/%(currency)s rate "
                "before this exchange."
            )
            % {"base": base_currency, "currency": margin.currency},
            code="no_base_rate",
        )
    return domain_rate(rate)


def _prepare(*, offered: Money, currency_out: str, on_date: dt.date) -> Prepared:
    inst = institution_get()
    accepted = inst.accepted_currencies or []
    currency_out = (currency_out or "").strip().upper()
    for cur in (offered.currency, currency_out):
        if cur not in accepted:
            raise _not_traded(cur)
    if offered.currency == currency_out:
        raise ValidationFailed(
            _("Choose two different currencies."), field="currency_out", code="same_currency"
        )
    pair = pair_for(offered.currency, currency_out)
    if pair is None:
        raise ValidationFailed(
            _("The institution does not trade %(a)s against %(b)s.")
            % {"a": offered.currency, "b": currency_out},
            field="currency_out",
            code="currency_not_traded",
        )
    rate = rate_current(*pair, on_date)
    if rate is None:
        raise ValidationFailed(
            _("No %(pair)s rate is set for %(date)s: the manager sets the day's rates first.")
            % {"pair": f"{pair[0]}/{pair[1]}", "date": on_date.strftime("%d/%m/%Y")},
            field="currency_out",
            code="no_rate_today",
        )
    try:
        quote = fx.exchange_quote(
            offered=offered,
            currency_out=currency_out,
            rate=domain_rate(rate),
            cash_multiple_in=cash_multiple(offered.currency),
            cash_multiple_out=cash_multiple(currency_out),
        )
    except fx.ExchangeRefused as exc:
        if exc.code == "too_small":
            message = _("%(amount)s is worth less than the smallest %(currency)s note.") % {
                "amount": money_text(offered),
                "currency": currency_out,
            }
        else:
            message = _("Give an amount greater than zero, exact to the minor unit.")
        raise ValidationFailed(message, field="amount", code=exc.code)
    base = inst.base_currency
    margin = quote.margin_quote
    if margin.currency != base:
        margin = fx.convert(
            margin,
            base,
            domain_rate(rate) if base in pair else _base_rate(margin, base, on_date),
        )
    return Prepared(rate=rate, quote=quote, margin_base=margin.round(Rounding.HALF_EVEN))


def exchange_preview(*, actor, offered: Money, currency_out: str) -> Prepared:
    """What the customer would get (for the screen), without writing anything."""
    require_perm(actor, "exchange.do")
    return _prepare(
        offered=offered, currency_out=currency_out, on_date=institution_get().business_date
    )


@dataclass(frozen=True)
class ExchangeResult:
    exchange: Exchange
    receipt: Receipt
    replayed: bool = False  # the first result of this key, returned again: nothing moved


KEY_MAX_LENGTH = 150  # Exchange.idempotency_key, and the journal's own limit: the entry's key


def _digest(*, offered: Money, currency_out: str, member_id, customer_name: str) -> str:
    """What the exchange asked, in no language: a replay must ask the same."""
    return scoped_digest(
        "tellers.exchange",
        offered=[offered.currency, format(offered.amount.normalize(), "f")],
        currency_out=(currency_out or "").strip().upper(),
        member=member_id,
        customer=(customer_name or "").strip()[:160],
    )


def _replayed(key: str, digest: str) -> ExchangeResult | None:
    """The exchange already done under ``key`` (None if there is none); Conflict when the
    key was used for another exchange."""
    done = Exchange.objects.select_related("receipt").filter(idempotency_key=key).first()
    if done is None:
        return None
    if done.request_digest != digest:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    return ExchangeResult(exchange=done, receipt=done.receipt, replayed=True)


def _rate_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


@grouped
@transaction.atomic
def exchange_do(
    *,
    actor,
    offered: Money,
    currency_out: str,
    member_id: int | None = None,
    customer_name: str = "",
    journal_key: str,
) -> ExchangeResult:
    """Change ``offered`` (handed over by a member or a walk-in customer) into
    ``currency_out`` at the day's rate through the actor's till. The payout is rounded
    down to the smallest note; the remainder goes back in her own currency when it is
    worth at least that currency's smallest note, else it is kept (stated on the
    receipt). One journal entry, balanced in each currency through the exchange
    position, the margin against the reference rate booked in the base currency.

    Idempotent on its own: called again with the same ``journal_key`` it returns the
    first exchange and its receipt (``replayed=True``) and writes nothing, whatever has
    happened since; the same key for another exchange (amount, currencies, customer) is
    a Conflict (``idempotency_conflict``). A refused exchange leaves its key unused."""
    require_perm(actor, "exchange.do")
    key = check_idempotency_key(journal_key, max_length=KEY_MAX_LENGTH)
    digest = _digest(
        offered=offered, currency_out=currency_out, member_id=member_id, customer_name=customer_name
    )
    done = _replayed(key, digest)
    if done is not None:
        return done
    if member_id is None and not (customer_name or "").strip():
        raise ValidationFailed(
            _("Give the member or the walk-in customer's name."), field="customer_name"
        )
    till = till_for_cash(actor=actor, lock=True)
    # a call with the same key that was waiting for the till's lock sees the first one now
    done = _replayed(key, digest)
    if done is not None:
        return done
    prepared = _prepare(offered=offered, currency_out=currency_out, on_date=till.business_date)
    q = prepared.quote
    exchange = Exchange.objects.create(
        till=till,
        rate=prepared.rate,
        business_date=till.business_date,
        member_id=member_id,
        customer_name=customer_name.strip()[:160],
        currency_in=q.currency_in,
        offered_minor=q.offered.minor,
        change_minor=q.change.minor,
        amount_in_minor=q.amount_in.minor,
        currency_out=q.currency_out,
        amount_out_minor=q.amount_out.minor,
        unpaid_minor=q.kept.minor,
        side=q.side,
        applied_rate_e8=_to_e8(q.applied_rate),
        reference_rate_e8=_to_e8(q.reference_rate),
        margin_currency=prepared.margin_base.currency,
        margin_minor=prepared.margin_base.minor,
        idempotency_key=key,
        request_digest=digest,
        created_by=actor,
    )
    memo = _("Exchange %(id)s") % {"id": exchange.pk}
    lines: list[LineSpec] = []
    for leg in fx.exchange_legs(q, prepared.margin_base):
        if leg.role == "till_cash":
            lines.append(
                till_cash_line(
                    actor=actor, amount=leg.amount, side=leg.side, member_id=member_id, memo=memo
                )
            )
        else:
            account = account_for(leg.role, leg.amount.currency)
            kw = {
                "member_id": member_id,
                "memo": memo,
                "subledger_type": "tellers.exchange",
                "subledger_id": str(exchange.pk),
            }
            lines.append(
                LineSpec.dr(account, leg.amount, **kw)
                if leg.side == "dr"
                else LineSpec.cr(account, leg.amount, **kw)
            )
    pair = f"{prepared.rate.base}/{prepared.rate.quote}"
    entry = journal_post(
        actor=actor,
        business_date=till.business_date,
        narrative=_("Exchange %(in)s → %(out)s at %(rate)s (%(pair)s)")
        % {
            "in": money_text(q.amount_in, locale="fr"),
            "out": money_text(q.amount_out, locale="fr"),
            "rate": _rate_text(q.applied_rate),
            "pair": pair,
        },
        lines=lines,
        source_type="tellers.exchange",
        source_id=str(exchange.pk),
        idempotency_key=key,
        branch=till.branch,
    )
    with receipt_language():  # the member's paper: in French, whoever served her
        notes = [
            _("Rate %(pair)s: %(rate)s (%(side)s)")
            % {
                "pair": pair,
                "rate": rate_text(q.applied_rate),
                "side": _("we buy") if q.side == "buy" else _("we sell"),
            }
        ]
        if q.kept.is_positive:
            notes.append(
                _("Remainder below the smallest note, not paid: %(kept)s.")
                % {"kept": money_text(q.kept)}
            )
        receipt_lines = [ReceiptLine(_("Received"), q.offered)]
        if q.change.is_positive:
            receipt_lines.append(ReceiptLine(_("Change given back"), q.change))
        receipt_lines.append(ReceiptLine(_("Paid out"), q.amount_out))
        receipt = receipt_issue(
            actor=actor,
            kind="tellers.exchange",
            title=_("Currency exchange"),
            lines=receipt_lines,
            notes=notes,
            member_id=member_id,
            party_name=customer_name.strip(),
            entry_number=entry.number,
            till=till,
        )
    exchange.entry_number = entry.number
    exchange.receipt = receipt
    exchange.save(update_fields=["entry_number", "receipt"])
    audit_record(
        actor=actor,
        action="exchange.do",
        obj=exchange,
        after=snapshot(exchange),
        branch_id=till.branch_id,
    )
    return ExchangeResult(exchange=exchange, receipt=receipt)
