"""The served OpenAPI documents are valid OpenAPI 3: client generators and fuzzers refuse an
invalid one, operation by operation."""

import json

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/auth/openapi.json"])
def test_the_served_openapi_document_is_valid(client, path):
    response = client.get(path)
    assert response.status_code == 200
    validate(json.loads(response.content))


def test_the_session_token_scheme_says_where_the_token_goes(client):
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert schemes == {
        "ActiveUserTokenAuth": {"type": "apiKey", "in": "header", "name": "X-Session-Token"},
        "ActiveUserSessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
