"""A second factor required by role (ADR 0017): the desk and every Administrador must set one up;
the grace, its banner, the redirect to the setup page and the API's 403 `mfa_required`."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from registro.accounts import mfa
from registro.entities.membership import members
from registro.entities.membership.models import Membresia
from registro.servicedesk.services import staff_create
from tests.factories import (
    PASSWORD,
    DeskUserFactory,
    EntidadFactory,
    MembresiaFactory,
    UserFactory,
    give_second_factor,
    totp_code,
)

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _age_grace(user, days: int) -> None:
    type(user).objects.filter(pk=user.pk).update(mfa_grace_started_at=timezone.now() - datetime.timedelta(days=days))
    user.refresh_from_db()
    mfa.forget_status(user)


def test_the_production_defaults_are_none_for_the_desk_and_a_week_for_administrators(settings):
    assert (settings.MFA_GRACE_DAYS_DESK, settings.MFA_GRACE_DAYS_ADMIN) == (0, 7)


def test_who_must_have_a_second_factor():
    plain = UserFactory()
    comprador = MembresiaFactory(rol=Membresia.Rol.COMPRADOR).usuario
    admin = MembresiaFactory().usuario
    desk = DeskUserFactory(second_factor=False)
    suspended_admin = MembresiaFactory(activa=False).usuario
    assert not mfa.status(plain).required and not mfa.status(comprador).required
    assert not mfa.status(suspended_admin).required  # an active membership only
    assert mfa.status(admin).in_grace and mfa.status(admin).days_left == 7
    assert mfa.status(desk).blocked  # no grace for the desk
    give_second_factor(admin)
    mfa.forget_status(admin)
    assert mfa.status(admin).required and mfa.status(admin).compliant and not mfa.status(admin).blocked


def test_recovery_codes_alone_are_not_a_factor():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    desk = DeskUserFactory(second_factor=False)
    RecoveryCodes.activate(desk)
    assert not mfa.has_second_factor(desk) and mfa.status(desk).blocked


def test_the_grace_counts_down_and_ends(settings):
    admin = MembresiaFactory().usuario
    _age_grace(admin, 5)
    assert mfa.status(admin).days_left == 2 and not mfa.status(admin).blocked
    _age_grace(admin, 7)
    assert mfa.status(admin).blocked
    settings.MFA_GRACE_DAYS_ADMIN = 30
    mfa.forget_status(admin)
    assert mfa.status(admin).in_grace and mfa.status(admin).days_left == 23
    settings.MFA_GRACE_DAYS_DESK = 3
    desk = DeskUserFactory(second_factor=False)
    assert mfa.status(desk).in_grace and mfa.status(desk).days_left == 3
    # Both roles: the shorter grace.
    MembresiaFactory(usuario=desk)
    mfa.forget_status(desk)
    assert mfa.status(desk).days_left == 3


def test_being_named_administrador_starts_the_grace():
    user = UserFactory()
    assert user.mfa_grace_started_at is None
    entidad = EntidadFactory()
    before = timezone.now()
    members.membresia_place(entidad=entidad, usuario=user, rol=Membresia.Rol.ADMINISTRADOR)
    user.refresh_from_db()
    assert user.mfa_grace_started_at >= before
    started = user.mfa_grace_started_at
    # Saving the same membership again, or a second appointment while still Administrador, does not
    # give a new grace.
    membresia = Membresia.objects.get(usuario=user, entidad=entidad)
    membresia.save()
    members.membresia_place(entidad=EntidadFactory(), usuario=user, rol=Membresia.Rol.ADMINISTRADOR)
    user.refresh_from_db()
    assert user.mfa_grace_started_at == started


def test_a_comprador_promoted_to_administrador_starts_a_new_grace():
    membresia = MembresiaFactory(rol=Membresia.Rol.COMPRADOR)
    MembresiaFactory(entidad=membresia.entidad)  # the account keeps another administrator
    user = membresia.usuario
    _age_grace(user, 100)
    membresia.rol = Membresia.Rol.ADMINISTRADOR
    membresia.save(update_fields=["rol"])
    user.refresh_from_db()
    assert timezone.now() - user.mfa_grace_started_at < datetime.timedelta(minutes=1)
    assert mfa.status(user).in_grace


def test_someone_with_a_factor_named_administrador_needs_nothing_more():
    user = UserFactory()
    give_second_factor(user)
    MembresiaFactory(usuario=user)
    user.refresh_from_db()
    assert user.mfa_grace_started_at is None and not mfa.status(user).blocked


def test_a_new_desk_member_starts_at_once():
    user = staff_create(
        username="mesa.nueva", email="nueva@cce.gov.co", first_name="A", last_name="B", password=PASSWORD
    )
    assert user.mfa_grace_started_at is not None
    assert mfa.status(user).blocked


# --- The web pages ---------------------------------------------------------------------------------


def test_a_desk_member_without_a_factor_is_sent_to_set_it_up():
    client = logged_in(DeskUserFactory(second_factor=False))
    for url in ["/mesa/", "/usuario/accesos/", "/entidades/", "/mesa/usuarios/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/cuentas/2fa/?next={url.replace('/', '%2F')}", url
    # What stays reachable: the setup pages, the terms, logging out.
    setup = client.get("/cuentas/2fa/")
    assert setup.status_code == 200
    assert "Debe configurar un segundo factor antes de continuar." in setup.content.decode()
    # The sign-in just now is a recent proof of identity (ADR 0018): setting the app up asks nothing more.
    assert client.get("/cuentas/2fa/totp/activate/").status_code == 200
    assert client.get("/terminos/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/cuentas/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_after_login_a_role_without_a_factor_goes_to_the_setup():
    admin = MembresiaFactory().usuario
    client = Client()
    response = client.post("/cuentas/login/", {"login": admin.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/cuentas/2fa/"
    # During the grace they may go on: every page shows how long is left.
    page = client.get("/usuario/configuracion/")
    assert page.status_code == 200
    assert "le quedan 7 días para configurar un segundo factor" in page.content.decode()
    assert 'href="/cuentas/2fa/">Configurarlo ahora</a>' in page.content.decode()


def test_the_last_day_of_the_grace_says_one_day():
    admin = MembresiaFactory().usuario
    _age_grace(admin, 6)
    page = logged_in(admin).get("/usuario/configuracion/").content.decode()
    assert "le queda 1 día para configurar un segundo factor" in page


def test_past_the_grace_an_administrador_is_held_at_the_setup():
    admin = MembresiaFactory(entidad__estado="activa").usuario
    _age_grace(admin, 8)
    client = logged_in(admin)
    assert client.get("/entidad/")["Location"].startswith("/cuentas/2fa/?next=")
    give_second_factor(admin)
    assert client.get("/entidad/").status_code == 200
    assert "segundo factor" not in client.get("/usuario/configuracion/").content.decode()


def test_other_users_see_no_banner_and_are_never_held():
    client = logged_in(MembresiaFactory(rol=Membresia.Rol.COMPRADOR).usuario)
    page = client.get("/usuario/configuracion/")
    assert page.status_code == 200 and "mfa-grace" not in page.content.decode()


def test_logging_in_with_the_code_then_goes_where_the_login_was_going():
    desk = DeskUserFactory()
    client = Client()
    client.post("/cuentas/login/?next=/mesa/", {"login": desk.username, "password": PASSWORD})
    response = client.post("/cuentas/2fa/authenticate/", {"code": totp_code()})
    assert response["Location"] == "/mesa/"
    assert client.get("/mesa/").status_code == 200


# --- The API -------------------------------------------------------------------------------------


def _token(user) -> str:
    response = Client().post(
        "/api/v1/auth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    return response.json()["meta"]["session_token"]


def test_the_api_refuses_privileged_operations_with_mfa_required():
    admin = MembresiaFactory(entidad__estado="activa").usuario
    _age_grace(admin, 8)
    token = _token(admin)  # no factor yet: the password alone logs in
    headers = {"HTTP_X_SESSION_TOKEN": token}
    refused = Client().get("/api/v1/entidad/miembros", **headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_required"
    assert "segundo factor" in refused.json()["message"]
    assert Client().patch("/api/v1/me", {}, content_type="application/json", **headers).json()["code"] == "mfa_required"
    # Reading one's own profile and the terms is not privileged.
    assert Client().get("/api/v1/me", **headers).status_code == 200
    assert Client().get("/api/v1/me/terms", **headers).status_code == 200
    # allauth's own API (the factors themselves) answers.
    assert Client().get("/api/v1/auth/app/v1/account/authenticators", **headers).status_code == 200
    # The session cookie, likewise.
    assert logged_in(admin).get("/api/v1/entidad/miembros").json()["code"] == "mfa_required"
    give_second_factor(admin)
    assert Client().get("/api/v1/entidad/miembros", **headers).status_code == 200


def test_the_desk_s_operations_stay_not_found_to_others_first():
    admin = MembresiaFactory().usuario
    _age_grace(admin, 8)
    assert logged_in(admin).get("/api/v1/mesa/casos").status_code == 404
    desk = DeskUserFactory(second_factor=False)
    response = logged_in(desk).get("/api/v1/mesa/casos")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


def test_the_headless_login_asks_for_the_code_of_those_who_have_one():
    desk = DeskUserFactory()
    client = Client()
    response = client.post(
        "/api/v1/auth/app/v1/auth/login",
        {"username": desk.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401
    flows = {f["id"]: f for f in response.json()["data"]["flows"]}
    assert flows["mfa_authenticate"]["is_pending"]
    token = response.json()["meta"]["session_token"]
    done = client.post(
        "/api/v1/auth/app/v1/auth/2fa/authenticate",
        {"code": totp_code()},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert done.status_code == 200
    token = done.json()["meta"]["session_token"]
    assert Client().get("/api/v1/mesa/casos", HTTP_X_SESSION_TOKEN=token).status_code == 200
