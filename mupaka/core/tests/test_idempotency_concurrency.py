"""Two requests with the same key at the same moment (a double press on a flaky
connection): the work runs once, both get the same answer. Real parallel
connections, on SQLite and on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from mupaka.core.idempotency import idempotent
from mupaka.core.models import AuditLog, IdempotencyRecord


@pytest.mark.django_db(transaction=True)
def test_same_key_in_parallel_runs_once(make_user):
    teller = make_user("teller", username="t-par")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        from django.db import transaction

        from mupaka.core.audit import audit_record

        def run():
            audit_record(actor=teller, action="test.parallel", object_type="x", object_id=1)
            return {"done": True}

        try:
            barrier.wait()
            with transaction.atomic():
                results.append(
                    idempotent(
                        key="double-press",
                        scope="test",
                        actor=teller,
                        payload={"amount": "10"},
                        run=run,
                    )
                )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(r.replayed for r in results) == [False, True]
    assert all(r.response == {"done": True} for r in results)
    assert AuditLog.objects.filter(action="test.parallel").count() == 1
    assert IdempotencyRecord.objects.filter(key="double-press").count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
