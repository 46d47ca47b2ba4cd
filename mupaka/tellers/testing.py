"""Helpers for other apps' tests (and the demo): a teller with an open, funded till.

    from mupaka.tellers.testing import open_till_with_cash

    till = open_till_with_cash(teller=staff["teller"], manager=staff["manager"],
                               floats=[Money.of("2000", "USD"), Money.of("3000000", "CDF")])

Funds the branch vault (opening balance) with what the float needs, opens the till and
has the teller confirm the float: one call, three journal entries. Needs the chart
loaded (``chart_load(actor=None, preset="drc")``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from mupaka.core.money import Money
from mupaka.tellers.models import Till, TransferStatus


@transaction.atomic
def open_till_with_cash(
    *, teller, manager, floats: Iterable[Money], currencies: Iterable[str] = ()
) -> Till:
    from mupaka.tellers.services import cash_transfer_confirm, till_open, vault_fund

    floats = list(floats)
    for money in floats:
        vault_fund(
            actor=manager,
            branch=teller.branch,
            amount=money,
            source="opening",
            reason="test",
            journal_key=f"test-vault-{uuid.uuid4()}",
        )
    till = till_open(actor=manager, teller=teller, floats=floats, currencies=currencies)
    for transfer in till.transfers.filter(status=TransferStatus.PENDING):
        cash_transfer_confirm(actor=teller, transfer=transfer, journal_key=f"test-{uuid.uuid4()}")
    return till


def exact_count(till: Till, *, short: dict[str, int] | None = None) -> dict[str, dict[str, int]]:
    """The count a careful teller makes of her expected cash (largest notes first), in the
    shape ``till_close`` takes; ``short={"CDF": 50000}`` leaves that much (minor units)
    out, taken from the smallest notes."""
    from mupaka.tellers.selectors import denominations, till_balances

    counts: dict[str, dict[str, int]] = {}
    for cur, expected in till_balances(till).items():
        left = expected - (short or {}).get(cur, 0)
        counts[cur] = {}
        for d in denominations(cur):
            n, left = divmod(left, d.value_minor)
            if n:
                counts[cur][str(d.value_minor)] = n
        if left:
            raise ValueError(f"{left} {cur} (minor units) cannot be made of the notes in use")
    return counts
