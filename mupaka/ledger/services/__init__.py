"""Writes of the ledger. Import from here: ``from mupaka.ledger.services import journal_post``."""

from mupaka.ledger.services.chart import (
    chart_load,
    currency_rule_set,
    mapping_set,
    posting_number,
)
from mupaka.ledger.services.manual import (
    manual_entry_approve,
    manual_entry_create,
    manual_entry_reject,
    reversal_request_create,
)
from mupaka.ledger.services.periods import period_close, period_reopen, register_close_check
from mupaka.ledger.services.posting import (
    LineSpec,
    journal_post,
    journal_reverse,
    register_posting_guard,
    unregister_posting_guard,
)

__all__ = [
    "LineSpec",
    "chart_load",
    "currency_rule_set",
    "journal_post",
    "journal_reverse",
    "manual_entry_approve",
    "manual_entry_create",
    "manual_entry_reject",
    "mapping_set",
    "period_close",
    "period_reopen",
    "posting_number",
    "register_close_check",
    "register_posting_guard",
    "reversal_request_create",
    "unregister_posting_guard",
]
