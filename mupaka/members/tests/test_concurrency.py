"""Member numbers stay unique when officers register at the same moment.

Run on PostgreSQL (the counter row is locked with SELECT ... FOR UPDATE); the
in-memory SQLite test database cannot hold two writers, and a SQLite file
serializes writers at BEGIN IMMEDIATE anyway."""

import datetime as dt
import threading

import pytest
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_registrations_get_distinct_numbers(staff, branch):
    from mupaka.members.models import Member, MemberNumberCounter
    from mupaka.members.services import member_register

    officer = staff["officer"]
    errors: list[Exception] = []
    start = threading.Barrier(4)

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(5):
                member_register(
                    actor=officer,
                    branch=branch,
                    first_name=f"Neema{t}{i}",
                    last_name="Bahati",
                    sex="F",
                    birth_date=dt.date(1990, 1 + t, 1 + i),
                    phone=f"+2439700{t}{i:04d}",
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    numbers = sorted(Member.objects.values_list("number", flat=True))
    assert numbers == [f"BKV-{n:06d}" for n in range(1, 21)]
    assert MemberNumberCounter.objects.get(branch=branch).last_value == 20
