"""After-commit hooks for the channels issue (SMS receipts in the member's language).

Nothing is sent from inside a money transaction: the services call
``transaction.on_commit(lambda: notify_committed(ids))`` and every function registered
here then receives the ids of the committed savings transactions. Today nothing is
registered; the SMS sender will be (``register_listener(send_sms_receipt)``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

logger = logging.getLogger(__name__)
Listener = Callable[[Sequence[int]], None]
_LISTENERS: list[Listener] = []


def register_listener(fn: Listener) -> None:
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)


def unregister_listener(fn: Listener) -> None:
    if fn in _LISTENERS:
        _LISTENERS.remove(fn)


def notify_committed(transaction_ids: Sequence[int]) -> None:
    for fn in list(_LISTENERS):
        try:
            fn(list(transaction_ids))
        except Exception:  # a failed SMS never undoes a committed deposit
            logger.exception("savings listener %r failed", fn)


def on_commit(transaction_ids: Sequence[int]) -> None:
    """Schedule the listeners for after the current transaction commits (if any)."""
    if _LISTENERS:
        ids = list(transaction_ids)
        transaction.on_commit(lambda: notify_committed(ids))
