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

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
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


def scoped_digest(scope: str, **payload) -> str:
    """What makes two calls of a money-moving service "the same request" (not who or
    when): SHA-256 of the canonical JSON of ``scope`` and the payload's fields, stored
    beside the operation and compared on a replay of its key."""
    body = json.dumps({"scope": scope, **payload}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def check_idempotency_key(key: str, *, max_length: int = 100) -> str:
    """The key of a money-moving request, stripped; refused when missing
    (``idempotency_key_missing``) or longer than ``max_length``."""
    key = (key or "").strip()
    if not key:
        raise ValidationFailed(
            _("An idempotency key is required for a request that moves money."),
            field="idempotency_key",
            code="idempotency_key_missing",
        )
    if len(key) > max_length:
        raise ValidationFailed(
            _("The idempotency key is too long (%(max)s characters at most).")
            % {"max": max_length},
            field="idempotency_key",
        )
    return key


def idempotent(
    *, key: str, scope: str, actor, payload: Mapping[str, Any], run: Callable[[], Any]
) -> IdempotentResult:
    """Run ``run()`` once per key. Must be the outermost write of the request.

    The key is claimed with one ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and
    PostgreSQL); a concurrent request with the same key waits on the unique index
    until the first commits, then reads its answer. Plain SQL keeps the cost of the
    wrapper to two statements on the teller's hot path."""
    key = check_idempotency_key(key)
    digest = request_hash(scope, payload)
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        connection = transaction.get_connection()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_idempotencyrecord (key, scope, actor_id, request_hash, response, created_at) "
                "VALUES (%s, %s, %s, %s, NULL, %s) ON CONFLICT (key) DO NOTHING",
                [key, scope, actor_id, digest, timezone.now()],
            )
            claimed = cursor.rowcount == 1
        if not claimed:
            return _check(IdempotencyRecord.objects.get(key=key), digest)
        response = run()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_idempotencyrecord SET response = %s WHERE key = %s",
                [json.dumps(response, cls=DjangoJSONEncoder), key],
            )
        return IdempotentResult(response=response, replayed=False)
