"""The desk removes a lost second factor (ADR 0017): "Retirar segundo factor" on a user's page and
POST /api/v1/mesa/usuarios/{id}/retirar-segundo-factor, always with a reason, recorded in the
user's access history, e-mailed to them; the rule of their role then applies again."""

import pytest
from allauth.mfa.models import Authenticator

from registro.accounts import mfa
from registro.accounts.models import AccessEvent
from registro.notifications.models import OutboundEmail
from tests.factories import DeskUserFactory, MembresiaFactory, UserFactory, give_second_factor
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

MOTIVO = "Perdió el teléfono. Identidad comprobada por videollamada con su cédula (caso 2026-000123)."
URL = "/mesa/usuarios/{}/retirar-segundo-factor/"
API = "/api/v1/mesa/usuarios/{}/retirar-segundo-factor"


@pytest.fixture
def mesa(db):
    return DeskUserFactory(username="mesa.seguridad")


@pytest.fixture
def ana(db):
    user = MembresiaFactory(usuario__username="ana.admin", usuario__email="ana@alcaldia.gov.co").usuario
    give_second_factor(user)
    return user


def test_the_users_page_shows_the_factors_and_the_form(mesa, ana):
    html = logged_in(mesa).get(f"/mesa/usuarios/{ana.pk}/").content.decode()
    section = html[html.index('id="segundo-factor"') :]
    assert "Aplicación de autenticación" in section and "Códigos de recuperación" in section
    assert "Uno de sus roles (Mesa de Servicio o Usuario Administrador) exige un segundo factor." in section
    assert f'action="{URL.format(ana.pk)}"' in section
    assert 'name="segundo_factor-motivo"' in section
    # The reason is required, and marked so.
    label = section[section.index('<label for="id_segundo_factor-motivo">') :]
    assert label[: label.index("</label>")].endswith('<span class="required" aria-hidden="true">*</span>')
    # The second-factor section sits where the page keeps it, before the access history.
    assert html.index('id="segundo-factor"') < html.index("Historial de accesos")


def test_removing_a_lost_factor(mesa, ana, sent):
    client = logged_in(mesa)
    response = sent(client.post, URL.format(ana.pk), {"segundo_factor-motivo": MOTIVO})
    assert response.status_code == 302 and response["Location"] == f"/mesa/usuarios/{ana.pk}/"
    assert not Authenticator.objects.filter(user=ana).exists()
    event = AccessEvent.objects.filter(user=ana).latest("id")
    assert event.kind == AccessEvent.Kind.MFA_RESET_BY_DESK
    assert event.detail == {"motivo": MOTIVO, "mesa": "mesa.seguridad", "retirados": ["recovery_codes", "totp"]}
    mail = OutboundEmail.objects.get(to=[ana.email], template="accounts/email/mfa_reset_by_desk")
    assert mail.subject == "[Registro SECOP] La Mesa de Servicio retiró su segundo factor"
    assert MOTIVO in mail.text_body
    page = client.get(response["Location"]).content.decode()
    assert "Se retiró el segundo factor de ana.admin; se le avisó por correo." in page
    assert "No tiene segundo factor configurado." in page
    # Their own "Accesos del usuario" shows it.
    assert "Segundo factor retirado por la Mesa de Servicio" in logged_in(ana).get("/usuario/accesos/").content.decode()


def test_an_administrador_gets_a_new_grace_and_the_desk_none(mesa, ana):
    other_desk = DeskUserFactory()
    mfa.second_factor_reset_by_desk(user=ana, staff=mesa, motivo=MOTIVO, client=mfa.services.ClientInfo(None, ""))
    mfa.second_factor_reset_by_desk(
        user=other_desk, staff=mesa, motivo=MOTIVO, client=mfa.services.ClientInfo(None, "")
    )
    ana.refresh_from_db()
    other_desk.refresh_from_db()
    assert mfa.status(ana).in_grace and mfa.status(ana).days_left == 7
    assert mfa.status(other_desk).blocked
    assert logged_in(other_desk).get("/mesa/")["Location"].startswith("/cuentas/2fa/")


def test_a_reason_is_required(mesa, ana):
    response = logged_in(mesa).post(URL.format(ana.pk), {"segundo_factor-motivo": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    # Beside the field once (the form's check and the service's say the same), and in the summary.
    assert html.count('<p class="error" id="id_segundo_factor-motivo-error">Escriba el motivo por el que retira') == 1
    assert "Motivo del retiro: Escriba el motivo por el que retira el segundo factor." in html
    assert Authenticator.objects.filter(user=ana).count() == 2
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.MFA_RESET_BY_DESK).exists()


def test_nothing_to_remove_is_a_conflict(mesa):
    plain = UserFactory()
    response = logged_in(mesa).post(URL.format(plain.pk), {"segundo_factor-motivo": MOTIVO}, follow=True)
    assert response.redirect_chain == [(f"/mesa/usuarios/{plain.pk}/", 302)]
    assert f"{plain.username} no tiene segundo factor configurado." in response.content.decode()


def test_the_desk_does_not_remove_its_own(mesa):
    response = logged_in(mesa).post(URL.format(mesa.pk), {"segundo_factor-motivo": MOTIVO}, follow=True)
    assert "No puede retirar su propio segundo factor" in response.content.decode()
    assert Authenticator.objects.filter(user=mesa).exists()


def test_only_the_desk(ana):
    someone = MembresiaFactory().usuario
    give_second_factor(someone)
    assert logged_in(someone).post(URL.format(ana.pk), {"segundo_factor-motivo": MOTIVO}).status_code == 404
    response = logged_in(someone).post(API.format(ana.pk), {"motivo": MOTIVO}, content_type="application/json")
    assert response.status_code == 404
    assert Authenticator.objects.filter(user=ana).count() == 2


def test_the_api(mesa, ana):
    client = logged_in(mesa)
    detail = client.get(f"/api/v1/mesa/usuarios/{ana.pk}").json()
    assert [f["tipo"] for f in detail["segundos_factores"]] == ["totp", "recovery_codes"]
    assert detail["segundo_factor_exigido"] is True
    missing = client.post(API.format(ana.pk), {"motivo": ""}, content_type="application/json")
    assert missing.status_code == 400 and "motivo" in missing.json()["detail"]["fields"]
    done = client.post(API.format(ana.pk), {"motivo": MOTIVO}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["segundos_factores"] == []
    assert done.json()["accesos"][0]["kind"] == "mfa_reset_by_desk"
    again = client.post(API.format(ana.pk), {"motivo": MOTIVO}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
