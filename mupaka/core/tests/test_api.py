import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_me_with_token(staff, api_client_for):
    response = api_client_for(staff["teller"]).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "teller",
        "role": "teller",
        "branch": "BKV",
        "business_date": "2026-11-02",
    }


def test_without_token_is_refused_with_json(institution):
    response = APIClient().get("/api/v1/me")
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not_authenticated", "authentication_failed")


def test_bad_token_is_refused(institution):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "Invalid token" in response.json()["detail"]


def test_openapi_schema_and_docs(staff, api_client_for):
    client = api_client_for(staff["admin"])
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Mupaka API"
    assert "/api/v1/me" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn" not in docs.content.lower()


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    """Every endpoint's schema is generated without a warning (an unnamed enum, a view
    whose serializer cannot be guessed...) and validates as OpenAPI 3."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "LoanChannelEnum" in (tmp_path / "schema.yml").read_text()


def test_token_command_prints_a_working_token(staff):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("token", "create", "teller", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert client.get("/api/v1/me").status_code == 200
