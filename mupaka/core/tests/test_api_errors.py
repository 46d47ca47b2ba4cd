"""An API client always reads JSON: the address it asks for may not exist (the URL
resolver answers before any API view), the method may be wrong; the pages keep
their HTML error pages."""

import json

import pytest
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseServerError
from rest_framework.test import APIClient

from mupaka.core.middleware import ErrorPageMiddleware
from mupaka.core.tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/nope/",
        "/api/v1/",
        "/api/v1",
        "/api/v1/members/abc",  # the <int:pk> converter refuses it: no view is reached
        "/api/v2/members",
    ],
)
def test_an_unknown_api_address_answers_json_404(staff, api_client_for, path):
    response = api_client_for(staff["teller"]).get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "There is nothing at this address in the API (see /api/v1/docs).",
        "code": "not_found",
    }


def test_the_404_in_french_and_for_any_method(staff, api_client_for):
    client = api_client_for(staff["teller"])
    response = client.post("/api/v1/nope", {"a": 1}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Il n'y a rien à cette adresse dans l'API (voir /api/v1/docs).",
        "code": "not_found",
    }
    for method in (client.put, client.patch, client.delete):
        response = method("/api/v1/members/abc")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_an_unknown_address_without_a_token_is_json_too(institution):
    response = APIClient().get("/api/v1/nope")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_views_own_answers_pass_unchanged(staff, api_client_for):
    client = api_client_for(staff["teller"])
    # an unknown object: the view's own message, not the address message
    response = client.get("/api/v1/members/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "address" not in response.json()["detail"]
    # a method the endpoint does not take: 405 in the same shape, Allow kept
    response = client.delete("/api/v1/members", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
    }
    assert "GET" in response["Allow"]
    # a role refused: 403 JSON as before
    response = api_client_for(staff["coordinator"]).get("/api/v1/members")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_pages_keep_the_html_404(staff):
    response = client_for(staff["teller"]).get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    response = client_for(staff["teller"]).get("/members/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (HttpResponseNotAllowed(["GET"]), 405, "method_not_allowed"),
        (HttpResponseServerError("<h1>Server Error (500)</h1>"), 500, "error"),
        (HttpResponse("<h1>Bad Request (400)</h1>", status=400), 400, "invalid"),
        (HttpResponse("slow down", status=429), 429, "error"),
    ],
)
def test_any_html_error_under_the_api_becomes_json(rf, answer, status, code):
    """What Django itself answers (a view outside DRF refusing the method, the 500
    handler, a bad request) keeps its status and becomes the API's error shape."""
    response = ErrorPageMiddleware(lambda request: answer)(rf.get("/api/v1/anything"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"detail", "code"} and body["code"] == code and body["detail"]
    if status == 405:
        assert response["Allow"] == "GET"
    if status == 429:
        assert body["detail"] == "Too Many Requests"


def test_html_errors_of_pages_and_api_successes_are_left_alone(rf):
    page_error = HttpResponse("<h1>Not Found</h1>", status=404)
    assert ErrorPageMiddleware(lambda r: page_error)(rf.get("/members/1/")) is page_error
    docs = HttpResponse("<html>swagger</html>")
    assert ErrorPageMiddleware(lambda r: docs)(rf.get("/api/v1/docs")) is docs
