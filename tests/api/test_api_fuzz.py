"""Fuzzing the whole API with schemathesis, in process against the WSGI application."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.factories import PASSWORD, DeskUserFactory, MembresiaFactory, totp_code

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

FUZZ = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance]


def _token(user) -> str:
    response = Client().post(
        "/api/v1/auth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    if response.status_code == 401:
        # The desk has a second factor (ADR 0017): the login's second step, with the app's code.
        response = Client().post(
            "/api/v1/auth/app/v1/auth/2fa/authenticate",
            {"code": totp_code()},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"],
        )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.fixture
def wsgi(db):
    # Each request through the WSGI handler would close the test's database connection, as at the
    # end of a real request; Django's test client disconnects these signals the same way, and
    # connects them again after each of its requests, so tokens are made before this fixture.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db):
    """An Administrador acting for an active entity: every permission of the console."""
    return _token(MembresiaFactory(entidad__estado="activa").usuario)


@pytest.fixture
def desk_token(db):
    return _token(DeskUserFactory())


@schema.parametrize()
@FUZZ
def test_anonymous(case, wsgi):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_entity_administrator(case, admin_token, wsgi):
    case.call_and_validate(checks=CHECKS, headers={"X-Session-Token": admin_token})


# The desk's own operations and the cases it sees; elsewhere it is a user of no entity, which the
# other runs already cover.
@schema.include(path_regex=r"^/api/v1/(mesa|casos)/").parametrize()
@FUZZ
def test_service_desk(case, desk_token, wsgi):
    case.call_and_validate(checks=CHECKS, headers={"X-Session-Token": desk_token})
