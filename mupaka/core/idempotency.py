"""Idempotent requests: a teller who presses "submit" twice moves money once.

The first request under a key runs and its JSON-safe answer is stored in the
same transaction; a replay with the same content gets that answer back; the
same key with other content is refused (409)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.models import IdempotencyRecord


@dataclass(frozen=True)
class IdempotentResult:
    response: Any
    replayed: bool


def request_hash(scope: str, payload: Mapping[str, Any]) -> str:
    canonical = json.dumps({"scope": scope, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(record: IdempotencyRecord, digest: str) -> IdempotentResult:
    if record.request_hash != digest:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    return IdempotentResult(response=record.response, replayed=True)


def idempotent(
    *, key: str, scope: str, actor, payload: Mapping[str, Any], run: Callable[[], Any]
) -> IdempotentResult:
    """Run ``run()`` once per key. Must be the outermost write of the request."""
    key = (key or "").strip()
    if not key:
        raise ValidationFailed(
            _("An idempotency key is required for a request that moves money."),
            field="idempotency_key",
            code="idempotency_key_missing",
        )
    if len(key) > 100:
        raise ValidationFailed(
            _("The idempotency key is too long (100 characters at most)."), field="idempotency_key"
        )
    digest = request_hash(scope, payload)
    with transaction.atomic():
        existing = IdempotencyRecord.objects.filter(key=key).first()
        if existing is not None:
            return _check(existing, digest)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key,
                    scope=scope,
                    actor=actor if getattr(actor, "pk", None) else None,
                    request_hash=digest,
                )
        except IntegrityError:
            # Another request with this key committed first (PostgreSQL waits
            # for it on the unique index, then lands here).
            return _check(IdempotencyRecord.objects.get(key=key), digest)
        response = run()
        record.response = response
        record.save(update_fields=["response"])
        return IdempotentResult(response=response, replayed=False)
