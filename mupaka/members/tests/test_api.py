"""The members and groups API: validation field by field, 401/403/404/409, languages."""

import pytest
from rest_framework.test import APIClient

from mupaka.core.models import AuditLog
from mupaka.members.models import BorderPost, Member, MemberNumberCounter, SolidarityGroup

pytestmark = pytest.mark.django_db


def body(**extra):
    data = {
        "first_name": "Furaha",
        "last_name": "Mapendo",
        "sex": "F",
        "birth_date": "1992-03-14",
        "phone": "+243 97 000 0001",
        "language": "sw",
        "id_type": "voter_card",
        "id_number": "SK123",
        "trader_profile": {
            "border_posts": [BorderPost.objects.get(name="Ruzizi I / Rusizi I").pk],
            "goods_traded": "tomates, farine de manioc",
            "crossings_per_week": 21,
            "currencies": ["USD", "CDF", "RWF"],
            "daily_turnover": "85.50",
            "daily_turnover_currency": "USD",
        },
    }
    data.update(extra)
    return data


def counts():
    return Member.objects.count(), AuditLog.objects.count()


@pytest.fixture
def officer_api(api_client_for, staff):
    return api_client_for(staff["officer"])


def test_register_and_read_back(officer_api):
    response = officer_api.post("/api/v1/members", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"] == "BKV-000001"
    assert data["phone"] == "+243970000001"
    assert data["status"] == "pending"
    assert data["kyc_tier"] == 1
    assert data["trader_profile"]["daily_turnover"] == "85.50"
    assert data["trader_profile"]["border_posts"][0]["name"] == "Ruzizi I / Rusizi I"
    got = officer_api.get(f"/api/v1/members/{data['id']}").json()
    assert got["number"] == "BKV-000001" and got["solidarity_group"] is None


def test_search_by_phone_number_and_name(officer_api):
    officer_api.post("/api/v1/members", body(), format="json")
    for q in ["0970000001", "+243 97 000 0001", "BKV-000001", "1", "mapendo fur"]:
        results = officer_api.get("/api/v1/members", {"search": q}).json()["results"]
        assert [r["number"] for r in results] == ["BKV-000001"], q
    assert officer_api.get("/api/v1/members", {"search": "Zawadi"}).json()["count"] == 0


def test_validation_errors_field_by_field(officer_api):
    before = counts()
    response = officer_api.post(
        "/api/v1/members",
        {"first_name": "", "sex": "X", "birth_date": "2026-02-30", "colour": "blue"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"first_name", "last_name", "sex", "birth_date", "phone", "colour"}
    assert "AAAA-MM-JJ" in errors["birth_date"][0]  # the officer works in French
    assert response.json()["code"] == "invalid"
    assert counts() == before


def test_unknown_field_refused(officer_api):
    response = officer_api.post("/api/v1/members", body(colour="blue"), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["colour"]
    assert Member.objects.count() == 0


def test_service_validation_errors_are_400_per_field(officer_api):
    before = counts()
    response = officer_api.post(
        "/api/v1/members",
        body(
            phone="12345",
            birth_date="2030-01-01",
            id_type="passport",
            id_number="OP1",
            id_issue_date="2024-05-01",
            id_expiry_date="2024-04-01",
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    # a document issued before a birth date in the future is refused too
    assert set(errors) == {"phone", "birth_date", "id_issue_date", "id_expiry_date"}
    assert counts() == before


def test_trader_profile_errors_are_400(officer_api):
    profile = {"daily_turnover": "12.5", "daily_turnover_currency": "RWF", "currencies": ["XYZ"]}
    response = officer_api.post("/api/v1/members", body(trader_profile=profile), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"daily_turnover", "currencies"}


def test_duplicate_is_409_with_matches_then_201_with_reason(officer_api):
    first = officer_api.post("/api/v1/members", body(), format="json").json()
    sister = body(first_name="Riziki", birth_date="1995-06-01", id_number="SK999")
    before = counts()
    response = officer_api.post("/api/v1/members", sister, format="json")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "possible_duplicate"
    assert data["matches"][0]["number"] == first["number"]
    assert data["matches"][0]["reasons"] == ["phone"]
    assert "duplicate_reason" in data["errors"]
    assert counts() == before
    response = officer_api.post(
        "/api/v1/members", {**sister, "duplicate_reason": "Sa sœur"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["duplicate_reason"] == "Sa sœur"


def test_duplicate_member_number_is_409(officer_api, branch):
    officer_api.post("/api/v1/members", body(), format="json")
    MemberNumberCounter.objects.filter(branch=branch).update(last_value=0)
    before = counts()
    response = officer_api.post(
        "/api/v1/members",
        body(first_name="Neema", phone="0970000002", id_number="X1"),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "member_number_taken"
    assert "number" in response.json()["errors"]
    assert counts() == before


def test_no_token_is_401():
    response = APIClient().get("/api/v1/members")
    assert response.status_code == 401
    assert "detail" in response.json()
    response = APIClient().post("/api/v1/members", body(), format="json")
    assert response.status_code == 401
    assert Member.objects.count() == 0


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/members").status_code == 401


def test_roles_refused_with_403(api_client_for, staff):
    response = api_client_for(staff["coordinator"]).get("/api/v1/members")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    response = api_client_for(staff["teller"]).post("/api/v1/members", body(), format="json")
    assert response.status_code == 403
    assert Member.objects.count() == 0


def test_teller_can_search_and_read(api_client_for, staff, officer_api):
    created = officer_api.post("/api/v1/members", body(), format="json").json()
    teller = api_client_for(staff["teller"])
    assert teller.get("/api/v1/members", {"search": "furaha"}).json()["count"] == 1
    assert teller.get(f"/api/v1/members/{created['id']}").status_code == 200
    response = teller.patch(f"/api/v1/members/{created['id']}", {"town": "Uvira"}, format="json")
    assert response.status_code == 403


def test_unknown_member_is_404(officer_api):
    response = officer_api.get("/api/v1/members/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert officer_api.patch("/api/v1/members/999999", {}, format="json").status_code == 404
    assert officer_api.get("/api/v1/groups/999999").status_code == 404


def test_other_branch_member_is_403(api_client_for, staff, register, other_branch):
    far = register(actor=staff["admin"], branch=other_branch)
    response = api_client_for(staff["officer"]).get(f"/api/v1/members/{far.pk}")
    assert response.status_code == 403


def test_patch_details_consent_status_profile(officer_api):
    created = officer_api.post("/api/v1/members", body(), format="json").json()
    url = f"/api/v1/members/{created['id']}"
    response = officer_api.patch(
        url,
        {
            "town": "Uvira",
            "phone_secondary": "+250 788 123 456",
            "consent_sms": True,
            "status": "active",
            "trader_profile": {"goods_traded": "poisson"},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["town"] == "Uvira"
    assert data["phone_secondary"] == "+250788123456"
    assert data["consent_sms"] is True and data["consent_sms_at"]
    assert data["status"] == "active"
    assert data["trader_profile"]["goods_traded"] == "poisson"
    # keys left out of the nested profile keep their values
    assert data["trader_profile"]["daily_turnover"] == "85.50"
    assert data["trader_profile"]["border_posts"][0]["name"] == "Ruzizi I / Rusizi I"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "member.update",
        "member.consent_set",
        "member.status_change",
        "member.trader_profile_set",
    } <= actions


def test_patch_is_all_or_nothing(officer_api):
    created = officer_api.post("/api/v1/members", body(), format="json").json()
    before = counts()
    response = officer_api.patch(
        f"/api/v1/members/{created['id']}",
        {"town": "Uvira", "status": "inactive"},  # pending → inactive is refused
        format="json",
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert Member.objects.get(pk=created["id"]).town == ""
    assert counts() == before


def test_patch_feb_30_and_locked_fields(officer_api):
    created = officer_api.post("/api/v1/members", body(), format="json").json()
    response = officer_api.patch(
        f"/api/v1/members/{created['id']}",
        {"birth_date": "1990-02-30", "number": "BKV-999999"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"birth_date", "number"}


def test_messages_in_english_and_french(officer_api):
    bad = body(birth_date="2030-01-01")
    en = officer_api.post("/api/v1/members", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 400
    assert en["Content-Language"] == "en"
    assert en.json()["errors"]["birth_date"] == ["The birth date cannot be in the future."]
    fr = officer_api.post("/api/v1/members", bad, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert fr["Content-Language"] == "fr"
    assert fr.json()["errors"]["birth_date"] == [
        "La date de naissance ne peut pas être dans le futur."
    ]


# --- groups -----------------------------------------------------------------------


def make_members(api, n):
    ids = []
    for i in range(n):
        data = body(
            first_name=f"Membre{i}",
            birth_date=f"199{i % 10}-01-0{1 + i % 9}",
            phone=f"09700001{i:02d}",
            id_number=f"ID{i}",
            trader_profile=None,
        )
        response = api.post("/api/v1/members", data, format="json")
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    return ids


def test_group_create_read_and_add(officer_api):
    ids = make_members(officer_api, 6)
    response = officer_api.post(
        "/api/v1/groups",
        {
            "name": "Umoja Ruzizi",
            "member_ids": ids[:5],
            "leader_id": ids[0],
            "secretary_id": ids[1],
            "meeting_day": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    group = response.json()
    assert len(group["members"]) == 5 and group["leader"]["id"] == ids[0]
    assert officer_api.get(f"/api/v1/groups/{group['id']}").json()["name"] == "Umoja Ruzizi"
    response = officer_api.post(
        f"/api/v1/groups/{group['id']}/members", {"member_id": ids[5]}, format="json"
    )
    assert response.status_code == 201
    assert len(response.json()["members"]) == 6
    member = officer_api.get(f"/api/v1/members/{ids[5]}").json()
    assert member["solidarity_group"]["name"] == "Umoja Ruzizi"


def test_group_errors(officer_api, api_client_for, staff):
    ids = make_members(officer_api, 4)
    response = officer_api.post(
        "/api/v1/groups",
        {"name": "", "member_ids": ids[:2], "leader_id": ids[3], "secretary_id": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    response = officer_api.post(
        "/api/v1/groups",
        {"name": "Tujenge", "member_ids": ids[:2], "leader_id": ids[3], "secretary_id": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert "secretary_id" in response.json()["errors"]
    response = officer_api.post(
        "/api/v1/groups",
        {"name": "Tujenge", "member_ids": ids[:2], "leader_id": ids[0], "secretary_id": ids[1]},
        format="json",
    )
    assert response.status_code == 400
    assert "members" in response.json()["errors"]
    ok = officer_api.post(
        "/api/v1/groups",
        {"name": "Tujenge", "member_ids": ids[:3], "leader_id": ids[0], "secretary_id": ids[1]},
        format="json",
    )
    assert ok.status_code == 201
    group_id = ok.json()["id"]
    response = officer_api.post(
        "/api/v1/groups",
        {"name": "Amani", "member_ids": ids[1:4], "leader_id": ids[1], "secretary_id": ids[2]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_in_group"
    response = officer_api.post(f"/api/v1/groups/{group_id}/members", {}, format="json")
    assert response.status_code == 400 and "member_id" in response.json()["errors"]
    response = officer_api.post(
        f"/api/v1/groups/{group_id}/members", {"member_number": "BKV-999999"}, format="json"
    )
    assert response.status_code == 400 and "member_number" in response.json()["errors"]
    response = api_client_for(staff["teller"]).post(
        f"/api/v1/groups/{group_id}/members", {"member_id": ids[3]}, format="json"
    )
    assert response.status_code == 403
    assert SolidarityGroup.objects.count() == 1


def test_openapi_schema_lists_member_endpoints(officer_api):
    response = officer_api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/groups",
        "/api/v1/groups/{id}",
        "/api/v1/groups/{id}/members",
    ]:
        assert path in paths


def test_border_posts_for_the_trader_profile(officer_api, api_client_for, staff):
    """GET /border-posts: the ids a trader profile takes (reference data, no personal data:
    the network coordinator reads them too); the inactive ones are left out."""
    posts = officer_api.get("/api/v1/border-posts").json()
    ruzizi = next(p for p in posts if p["name"] == "Ruzizi I / Rusizi I")
    assert (ruzizi["country"], ruzizi["other_country"]) == ("CD", "RW")
    BorderPost.objects.filter(name="Bunagana").update(is_active=False)
    names = [
        p["name"] for p in api_client_for(staff["coordinator"]).get("/api/v1/border-posts").json()
    ]
    assert "Bunagana" not in names and "Ruzizi I / Rusizi I" in names
    response = officer_api.post(
        "/api/v1/members",
        body(trader_profile={"border_posts": [ruzizi["id"]]}),
        format="json",
    )
    assert response.json()["trader_profile"]["border_posts"] == [
        {"id": ruzizi["id"], "name": "Ruzizi I / Rusizi I"}
    ]
    assert APIClient().get("/api/v1/border-posts").status_code == 401
