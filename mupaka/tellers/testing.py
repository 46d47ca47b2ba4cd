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
