"""Where "Entrar" leads (R4.4, R5.4)."""

import pytest
from django.test import Client

from registro.entities.account.models import Entidad
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


def home_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/")["Location"]


def test_a_member_of_an_active_entity_lands_on_its_desktop():
    membresia = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    assert home_for(membresia.usuario) == "/entidad/"


def test_a_user_without_entity_or_with_a_pending_one_lands_on_section_3():
    assert home_for(UserFactory()) == "/entidades/"
    pending = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.PENDIENTE))
    assert home_for(pending.usuario) == "/entidades/"


def test_the_desk_lands_on_its_queue():
    assert home_for(DeskUserFactory()) == "/mesa/"


def test_anonymous_visitors_see_the_home_page():
    response = Client().get("/")
    assert response.status_code == 200 and "Registro" in response.content.decode()
