"""check_idempotency_key: the one check of a money-moving request's key (core's
idempotent wrapper, savings, shares and the exchange desk use it)."""

from __future__ import annotations

import pytest
from django.utils import translation

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.idempotency import check_idempotency_key


def test_the_key_is_stripped():
    assert check_idempotency_key("  op-1 ") == "op-1"


@pytest.mark.parametrize("key", ["", "   ", None])
def test_a_missing_key_is_refused(key):
    with pytest.raises(ValidationFailed) as exc:
        check_idempotency_key(key)
    assert exc.value.code == "idempotency_key_missing" and "idempotency_key" in exc.value.errors


def test_a_key_too_long_is_refused_with_its_limit_in_the_users_language():
    assert check_idempotency_key("k" * 100) == "k" * 100
    with translation.override("fr"), pytest.raises(ValidationFailed) as exc:
        check_idempotency_key("k" * 101)
    assert (
        str(exc.value.message) == "La clé d'idempotence est trop longue (100 caractères au plus)."
    )
    assert check_idempotency_key("k" * 150, max_length=150) == "k" * 150
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        check_idempotency_key("k" * 151, max_length=150)
    assert exc.value.message == "The idempotency key is too long (150 characters at most)."


def test_the_digest_is_the_one_stored_beside_earlier_operations():
    """The same canonical JSON the services hashed before they shared this function:
    an operation stored earlier still recognises its replay."""
    import hashlib
    import json

    from mupaka.core.idempotency import scoped_digest

    payload = {"account": 7, "amount": "USD 45.50", "channel": "cash", "memo": ""}
    before = hashlib.sha256(
        json.dumps({"scope": "savings.deposit", **payload}, sort_keys=True, default=str).encode()
    ).hexdigest()
    assert scoped_digest("savings.deposit", **payload) == before
    exchange = {
        "scope": "tellers.exchange",
        "offered": ["USD", "100"],
        "currency_out": "CDF",
        "member": None,
        "customer": "Client de passage",
    }
    assert (
        scoped_digest(**exchange)
        == hashlib.sha256(json.dumps(exchange, sort_keys=True).encode()).hexdigest()
    )
    assert scoped_digest("savings.deposit", **{**payload, "amount": "USD 45.51"}) != before
