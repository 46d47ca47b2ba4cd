import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from mupaka.core import services
from mupaka.core.audit import audit_record
from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.models import AuditLog, Branch, IdempotencyRecord, User
from mupaka.core.permissions import branch_scope, has_perm, require_branch, require_perm


def test_staff_create_writes_audit_with_after_values(staff, branch):
    user = services.staff_create(
        actor=staff["admin"],
        username="neema",
        password="kivu-lake-2026",
        role="teller",
        branch=branch,
        first_name="Neema",
    )
    row = AuditLog.objects.get(action="staff.create", object_id=str(user.pk))
    assert row.actor == staff["admin"]
    assert row.after["role"] == "teller"
    assert row.after["branch_id"] == branch.pk
    assert row.before is None
    assert user.check_password("kivu-lake-2026")


def test_staff_create_refused_for_non_admin_and_nothing_written(staff, branch):
    before = User.objects.count(), AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=staff["manager"],
            username="x1",
            password="kivu-lake-2026",
            role="teller",
            branch=branch,
        )
    assert (User.objects.count(), AuditLog.objects.count()) == before


@pytest.mark.parametrize("password", ["short", "1234567890123", "password123"])
def test_staff_create_refuses_weak_passwords(staff, branch, password):
    with pytest.raises(ValidationFailed) as exc:
        services.staff_create(
            actor=staff["admin"], username="weak", password=password, role="teller", branch=branch
        )
    assert "password" in exc.value.errors
    assert not User.objects.filter(username="weak").exists()


def test_staff_create_needs_branch_for_branch_roles(staff):
    with pytest.raises(ValidationFailed) as exc:
        services.staff_create(
            actor=staff["admin"],
            username="nobranch",
            password="kivu-lake-2026",
            role="teller",
            branch=None,
        )
    assert "branch" in exc.value.errors
    # an auditor sees all branches and needs none
    services.staff_create(
        actor=staff["admin"],
        username="aud2",
        password="kivu-lake-2026",
        role="auditor",
        branch=None,
    )


def test_staff_update_records_before_and_after_only_for_changed_fields(staff, other_branch):
    teller = staff["teller"]
    services.staff_update(
        actor=staff["admin"], user=teller, branch=other_branch, phone="+243970000009"
    )
    row = AuditLog.objects.filter(action="staff.update").latest("id")
    assert row.before == {"branch_id": teller.branch_id, "phone": ""}
    assert row.after == {"branch_id": other_branch.pk, "phone": "+243970000009"}


def test_admin_cannot_deactivate_self(staff):
    with pytest.raises(ValidationFailed):
        services.staff_update(actor=staff["admin"], user=staff["admin"], is_active=False)
    assert User.objects.get(pk=staff["admin"].pk).is_active


def test_institution_update_checks_currencies(staff, institution):
    with pytest.raises(ValidationFailed):
        services.institution_update(actor=staff["admin"], accepted_currencies=["USD", "XYZ"])
    with pytest.raises(ValidationFailed):
        services.institution_update(actor=staff["admin"], base_currency="EUR")
    inst = services.institution_update(
        actor=staff["admin"], name="COOPEC Nouvelle", accepted_currencies=["usd", "cdf"]
    )
    assert inst.accepted_currencies == ["USD", "CDF"]
    row = AuditLog.objects.get(action="institution.update")
    assert row.before["name"] == "COOPEC Test Bukavu" and row.after["name"] == "COOPEC Nouvelle"


def test_branch_create_validates_code(staff, institution):
    with pytest.raises(ValidationFailed):
        services.branch_create(actor=staff["admin"], code="B K", name="Bad")
    b = services.branch_create(actor=staff["admin"], code="uvr", name="Uvira")
    assert b.code == "UVR"
    with pytest.raises(ValidationFailed):
        services.branch_create(actor=staff["admin"], code="UVR", name="Again")


def test_business_date_set_audited(staff, institution):
    services.business_date_set(actor=staff["admin"], new_date=dt.date(2026, 12, 1))
    row = AuditLog.objects.get(action="institution.business_date_set")
    assert row.before == {"business_date": "2026-11-02"}
    assert row.after == {"business_date": "2026-12-01"}


def test_token_create_replaces_previous(staff):
    t1 = services.staff_token_create(actor=staff["admin"], user=staff["teller"])
    t2 = services.staff_token_create(actor=staff["admin"], user=staff["teller"])
    assert t1.key != t2.key
    from rest_framework.authtoken.models import Token

    assert Token.objects.filter(user=staff["teller"]).count() == 1


def test_permissions_and_branch_scope(staff, other_branch, make_user):
    assert has_perm(staff["admin"], "staff.manage")
    assert not has_perm(staff["teller"], "staff.manage")
    with pytest.raises(PermissionDenied) as exc:
        require_perm(staff["teller"], "staff.manage")
    assert "Administrat" in exc.value.message
    goma_teller = make_user("teller", username="goma-teller", branch_=other_branch)
    qs = Branch.objects.all()
    assert list(
        branch_scope(goma_teller, User.objects.all()).values_list("username", flat=True)
    ) == ["goma-teller"]
    assert branch_scope(staff["auditor"], User.objects.all()).count() == User.objects.count()
    assert qs.count() == 2
    with pytest.raises(PermissionDenied):
        require_branch(goma_teller, staff["teller"].branch_id)
    require_branch(staff["auditor"], other_branch.pk)


def test_inactive_user_has_no_permission(staff):
    staff["admin"].is_active = False
    assert not has_perm(staff["admin"], "staff.manage")


def test_audit_record_inside_a_transaction(staff):
    with transaction.atomic():
        audit_record(actor=staff["admin"], action="x.test", object_type="x", object_id=1)
    assert AuditLog.objects.filter(action="x.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_transaction_is_refused(make_user):
    user = make_user("admin", username="adm")
    with pytest.raises(RuntimeError):
        audit_record(actor=user, action="x.test", object_type="x", object_id=1)


def test_audit_log_is_append_only_in_the_database(staff, branch):
    services.staff_update(actor=staff["admin"], user=staff["teller"], phone="+243970000001")
    row = AuditLog.objects.latest("id")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).delete()
    assert AuditLog.objects.get(pk=row.pk).action == "staff.update"


class TestIdempotency:
    def test_runs_once_and_replays_the_first_answer(self, staff):
        calls = []

        def run():
            calls.append(1)
            return {"n": len(calls)}

        first = idempotent(
            key="k-1", scope="test", actor=staff["teller"], payload={"a": "1"}, run=run
        )
        again = idempotent(
            key="k-1", scope="test", actor=staff["teller"], payload={"a": "1"}, run=run
        )
        assert first.response == again.response == {"n": 1}
        assert not first.replayed and again.replayed
        assert calls == [1]

    def test_same_key_other_content_is_a_conflict(self, staff):
        idempotent(
            key="k-2", scope="test", actor=staff["teller"], payload={"a": "1"}, run=lambda: {}
        )
        with pytest.raises(Conflict):
            idempotent(
                key="k-2", scope="test", actor=staff["teller"], payload={"a": "2"}, run=lambda: {}
            )

    def test_missing_key_refused(self, staff):
        with pytest.raises(ValidationFailed):
            idempotent(key=" ", scope="test", actor=staff["teller"], payload={}, run=lambda: {})

    def test_failure_inside_leaves_no_record_so_a_retry_can_run(self, staff):
        def boom():
            raise ValidationFailed("no")

        with pytest.raises(ValidationFailed):
            idempotent(key="k-3", scope="test", actor=staff["teller"], payload={}, run=boom)
        assert not IdempotencyRecord.objects.filter(key="k-3").exists()
        assert idempotent(
            key="k-3", scope="test", actor=staff["teller"], payload={}, run=lambda: {"ok": True}
        ).response == {"ok": True}


def test_suite_runs_on_the_database_it_was_given(db):
    """make test runs this file twice: SQLite, then PostgreSQL via DATABASE_URL."""
    import os

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected
