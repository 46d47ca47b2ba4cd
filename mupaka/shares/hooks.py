"""After-commit hooks for the channels issue (the SMS receipt in Swahili of scenario 1).

``shares_purchase`` calls :func:`on_commit` inside its transaction; once it commits,
every registered listener gets ``member_id``, ``holding_id`` and ``joined`` (True when
the purchase made her an active member). Nothing is registered today: the channels
issue registers its SMS sender here (``register_listener(send_welcome_sms)``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)
Listener = Callable[..., None]
_LISTENERS: list[Listener] = []


def register_listener(fn: Listener) -> None:
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)


def unregister_listener(fn: Listener) -> None:
    if fn in _LISTENERS:
        _LISTENERS.remove(fn)


def notify(**event) -> None:
    for fn in list(_LISTENERS):
        try:
            fn(**event)
        except Exception:  # a failed SMS never undoes a committed payment
            logger.exception("shares listener %r failed", fn)


def on_commit(**event) -> None:
    if _LISTENERS:
        transaction.on_commit(lambda: notify(**event))
