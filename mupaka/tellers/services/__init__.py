"""Writes of the tellers app. Import from here."""

from mupaka.tellers.services.receipts import (
    RECEIPT_LANGUAGE,
    ReceiptLine,
    receipt_issue,
    receipt_language,
)
from mupaka.tellers.services.tills import (
    cash_transfer_cancel,
    cash_transfer_confirm,
    cash_transfer_create,
    till_close,
    till_close_confirm,
    till_open,
    till_recount,
    vault_ensure,
    vault_fund,
)

__all__ = [
    "RECEIPT_LANGUAGE",
    "ReceiptLine",
    "cash_transfer_cancel",
    "cash_transfer_confirm",
    "cash_transfer_create",
    "receipt_issue",
    "receipt_language",
    "till_close",
    "till_close_confirm",
    "till_open",
    "till_recount",
    "vault_ensure",
    "vault_fund",
]

from mupaka.tellers.services.exchange import (  # noqa: E402
    ExchangeResult,
    exchange_do,
    exchange_preview,
    rate_set,
)

__all__ += ["ExchangeResult", "exchange_do", "exchange_preview", "rate_set"]

from mupaka.tellers.services.denominations import (  # noqa: E402
    denomination_add,
    denomination_set_active,
)

__all__ += ["denomination_add", "denomination_set_active"]
