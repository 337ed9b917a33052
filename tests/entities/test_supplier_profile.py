"""The commercial profile after registration (R9.2) through the HTTP layer: who sees and edits it,
the registration's rules on every field, the audit trail of every change, nothing half-saved, and
a change of NIT or legal name sent to the Mesa de Servicio instead of applied."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from registro.entities.account.models import Entidad, EventoEntidad, PerfilComercial, TipoCuenta
from registro.entities.account.signals import identity_change_requested
from registro.entities.registration.rules import nit_check_digit
from registro.entities.supplier import profile
from registro.servicedesk import receivers
from registro.servicedesk.models import Asunto, Caso
from tests.entities.supplier_world import logged_in
from tests.factories import EntidadFactory, MembresiaFactory

PERFIL = "/entidad/perfil/"
EDITAR = "/entidad/perfil/editar/"


def form_data(entidad: Entidad, **changes) -> dict:
    """What the edit page posts for the account as it is, with `changes`."""
    perfil = PerfilComercial.objects.filter(entidad=entidad).first()
    data = {k: v for k, v in profile.perfil_initial(entidad, perfil).items()}
    data.update(changes)
    return data


def snapshot(entidad: Entidad) -> tuple:
    entidad = Entidad.objects.get(pk=entidad.pk)
    perfil = PerfilComercial.objects.filter(entidad=entidad).values().first()
    return (
        {f.attname: getattr(entidad, f.attname) for f in Entidad._meta.concrete_fields},
        perfil,
        EventoEntidad.objects.filter(entidad=entidad).count(),
        Caso.objects.count(),
    )


# --- Seeing it --------------------------------------------------------------------------------


def test_every_member_sees_the_profile_and_only_editors_get_the_button(world):
    page = logged_in(world.plain).get(PERFIL)
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "SUMINISTROS ANDINOS SAS",
        "SUMAND",
        "900123456-",
        "Sociedad por Acciones Simplificada",
        "Carrera 43A # 1-50, oficina 301",
        "Carlos Restrepo Uribe",
        "Pequeña empresa",
        "MiPyme",
        "contacto@suministrosandinos.com.co",
        "Difusión de Tecnologías de Información y Telecomunicaciones",
        "Categoría principal",
        "Computadores",
    ):
        assert text in html, text
    assert EDITAR not in html
    # Its tabs are in the console's navigation, the profile's marked as the current page.
    assert 'href="/entidad/perfil/" aria-current="page"' in html
    assert 'href="/entidad/biblioteca/"' in html
    assert 'href="/entidad/areas/"' not in html  # areas are edited with the profile's permission
    editor = logged_in(world.editor).get(PERFIL).content.decode()
    assert EDITAR in editor and 'href="/entidad/areas/"' in editor


@pytest.mark.parametrize("path", [PERFIL, EDITAR, "/entidad/areas/", "/entidad/biblioteca/"])
def test_an_account_without_supplier_side_has_none_of_these_pages(world, path):
    client = logged_in(world.entidad_admin)
    assert client.get(path).status_code == 404
    if path != PERFIL:  # a page only seen
        assert client.post(path, {}).status_code == 404
    escritorio = client.get("/entidad/").content.decode()
    assert "Perfil comercial" not in escritorio and "/entidad/biblioteca/" not in escritorio


def test_a_member_without_the_permission_cannot_edit(world):
    before = snapshot(world.proveedor)
    client = logged_in(world.plain)
    assert client.get(EDITAR).status_code == 403
    response = client.post(EDITAR, form_data(world.proveedor, telefono="3001112233"))
    assert response.status_code == 403
    assert snapshot(world.proveedor) == before
    # A role with the permission is enough; the library's permission is not.
    assert logged_in(world.editor).get(EDITAR).status_code == 200
    assert logged_in(world.bibliotecario).get(EDITAR).status_code == 403


def test_anonymous_is_sent_to_log_in(world):
    from django.test import Client

    response = Client().get(EDITAR)
    assert response.status_code == 302 and "/cuentas/login/" in response["Location"]


# --- Editing ------------------------------------------------------------------------------------


def test_editing_saves_every_field_and_records_each_change_before_and_after(world):
    client = logged_in(world.editor)
    page = client.get(EDITAR)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Carrera 43A # 1-50, oficina 301"' in html and 'name="representante_nombre"' in html
    response = client.post(
        EDITAR,
        form_data(
            world.proveedor,
            telefono="+57 300 123 4567",
            direccion="Calle 10 # 40-20",
            sitio_web="www.suministrosandinos.co",
            departamento="11",
            municipio="11001",
            tamano="mediana",
            es_mipyme="si",
            anio_fiscal="2025",
            activos="1.250.000.000",
            pasivos="300000000,50",
            patrimonio="949.999.999,50",
            ingresos_operacionales="2000000000",
            representante_numero_documento="71.234.568",
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "Guardamos los cambios del perfil comercial." in response.content.decode()
    entidad = Entidad.objects.get(pk=world.proveedor.pk)
    perfil = entidad.perfil
    assert (entidad.telefono, entidad.departamento_id, entidad.municipio_id) == ("3001234567", "11", "11001")
    assert perfil.direccion == "Calle 10 # 40-20"
    assert perfil.sitio_web == "https://www.suministrosandinos.co"
    assert (perfil.tamano, perfil.es_mipyme, perfil.anio_fiscal) == ("mediana", True, 2025)
    assert str(perfil.activos) == "1250000000.00" and str(perfil.pasivos) == "300000000.50"
    assert str(perfil.patrimonio) == "949999999.50" and str(perfil.ingresos_operacionales) == "2000000000.00"
    assert perfil.representante_numero_documento == "71234568"
    evento = EventoEntidad.objects.get(entidad=entidad, tipo=EventoEntidad.Tipo.PERFIL_EDITADO)
    assert evento.actor == world.editor
    cambios = evento.detalle["cambios"]
    assert cambios["telefono"] == {"antes": "6043855555", "despues": "3001234567"}
    assert cambios["municipio"] == {"antes": "MEDELLÍN", "despues": "BOGOTÁ, D.C."}
    assert cambios["tamano"] == {"antes": "Pequeña empresa", "despues": "Mediana empresa"}
    assert cambios["anio_fiscal"] == {"antes": "", "despues": "2025"}
    assert cambios["activos"] == {"antes": "", "despues": "1.250.000.000,00"}
    assert set(cambios) == {
        "telefono",
        "departamento",
        "municipio",
        "direccion",
        "sitio_web",
        "tamano",
        "anio_fiscal",
        "activos",
        "pasivos",
        "patrimonio",
        "ingresos_operacionales",
        "representante_numero_documento",
    }  # es_mipyme was already «Sí»; untouched fields are not listed
    # The account's history shows who, when, and each field before and after.
    historial = logged_in(world.admin).get("/entidad/historial/").content.decode()
    assert "Datos de la cuenta modificados" in historial
    assert "Teléfono de contacto</span>:" in historial and "6043855555" in historial and "3001234567" in historial
    assert "Tamaño de la empresa</span>:" in historial and "Mediana empresa" in historial


def test_sending_the_same_data_changes_nothing_and_records_nothing(world):
    before = snapshot(world.proveedor)
    response = logged_in(world.admin).post(EDITAR, form_data(world.proveedor), follow=True)
    assert "No cambió ningún dato." in response.content.decode()
    assert snapshot(world.proveedor) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"departamento": "05", "municipio": "11001"},
            "municipio",
            "El municipio no pertenece al departamento elegido.",
        ),
        ({"telefono": "604 385 5555 ext 12"}, "telefono", "Escriba el teléfono sin extensión."),
        ({"telefono": "12345"}, "telefono", "Escriba un celular de 10 dígitos"),
        ({"tamano": "grande", "es_mipyme": "si"}, "es_mipyme", "Una gran empresa no es MiPyme"),
        ({"correo_notificaciones": "no-es-correo"}, "correo_notificaciones", "dirección de correo electrónico válida"),
        ({"activos": "mil millones", "anio_fiscal": "2025"}, "activos", "Escriba el valor en pesos"),
        ({"pasivos": "-5", "anio_fiscal": "2025"}, "pasivos", "El valor no puede ser negativo."),
        ({"activos": "1000000"}, "anio_fiscal", "Escriba el año fiscal"),
        ({"anio_fiscal": "1850", "activos": "1"}, "anio_fiscal", "Escriba un año fiscal desde 1990."),
        ({"representante_nombre": ""}, "representante_nombre", "Este campo es obligatorio."),
        ({"representante_numero_documento": "12ab"}, "representante_numero_documento", "cédula"),
        ({"direccion": ""}, "direccion", "Este campo es obligatorio."),
        ({"nit": "900123456-0"}, "nit", "El dígito de verificación de este NIT es"),
        ({"nit": "12"}, "nit", "El NIT tiene entre 6 y 10 dígitos"),
        ({"nombre": "  "}, "nombre", "Este campo es obligatorio."),
    ],
)
def test_a_wrong_field_is_refused_with_its_message_and_nothing_is_saved(world, changes, field, message):
    before = snapshot(world.proveedor)
    data = form_data(world.proveedor, **{"telefono": "3009998877", "direccion": "Otra dirección 123", **changes})
    response = logged_in(world.admin).post(EDITAR, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="resumen-errores"' in html and f'href="#id_{field}"' in html
    assert message.lower() in html.lower(), html[html.find("resumen-errores") : html.find("resumen-errores") + 1500]
    # What was typed is kept, valid or not.
    assert 'value="3009998877"' in html or field == "telefono"
    assert snapshot(world.proveedor) == before


def test_every_problem_is_listed_at_once(world):
    data = form_data(world.proveedor, telefono="1", correo_notificaciones="x", tamano="grande", es_mipyme="si")
    response = logged_in(world.admin).post(EDITAR, data)
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("telefono", "correo_notificaciones", "es_mipyme"):
        assert f'href="#id_{field}"' in html


# --- NIT and legal name: a case for the Mesa de Servicio ------------------------------------------


def test_a_new_nit_or_legal_name_goes_to_the_desk_and_the_rest_applies(world, sent, settings):
    settings.SERVICE_DESK_EMAIL = "mesa@colombiacompra.gov.co"
    response = sent(
        logged_in(world.admin).post,
        EDITAR,
        form_data(
            world.proveedor, nombre="Suministros Andinos del Valle S.A.S.", nit="900123457", telefono="3001234567"
        ),
        follow=True,
    )
    html = response.content.decode()
    caso = Caso.objects.get()
    assert caso.numero in html and "El cambio de «Nombre o razón social», «NIT» no se aplica todavía" in html
    entidad = Entidad.objects.get(pk=world.proveedor.pk)
    assert (entidad.nombre, entidad.nit) == ("SUMINISTROS ANDINOS SAS", "900123456")  # not applied
    assert entidad.telefono == "3001234567"  # applied
    assert caso.asunto == Asunto.CAMBIO_IDENTIFICACION and caso.entidad == entidad
    assert caso.solicitante == world.admin and caso.tipo_usuario == "proveedor"
    assert caso.cambios == {
        "nombre": {"antes": "SUMINISTROS ANDINOS SAS", "despues": "SUMINISTROS ANDINOS DEL VALLE SAS"},
        "nit": {
            "antes": f"900123456-{nit_check_digit('900123456')}",
            "despues": f"900123457-{nit_check_digit('900123457')}",
        },
    }
    assert "SUMINISTROS ANDINOS DEL VALLE SAS" in caso.descripcion
    solicitado = EventoEntidad.objects.get(entidad=entidad, tipo=EventoEntidad.Tipo.CAMBIO_SOLICITADO)
    assert solicitado.detalle["caso"] == caso.numero and solicitado.detalle["cambios"] == caso.cambios
    editado = EventoEntidad.objects.get(entidad=entidad, tipo=EventoEntidad.Tipo.PERFIL_EDITADO)
    assert set(editado.detalle["cambios"]) == {"telefono"}
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted([world.admin.email, "mesa@colombiacompra.gov.co"])
    # The profile says a change is with the desk.
    perfil_page = logged_in(world.admin).get(PERFIL).content.decode()
    assert caso.numero in perfil_page and "la cuenta conserva los datos actuales" in perfil_page


def test_the_same_name_written_differently_is_not_a_change(world):
    before = snapshot(world.proveedor)
    response = logged_in(world.admin).post(EDITAR, form_data(world.proveedor, nombre="suministros andinos s.a.s"))
    assert response.status_code == 302
    assert snapshot(world.proveedor) == before


def test_the_nit_of_another_account_is_refused_before_reaching_the_desk(world):
    before = snapshot(world.proveedor)
    response = logged_in(world.admin).post(EDITAR, form_data(world.proveedor, nit=world.entidad.nit))
    assert response.status_code == 400
    assert "Ya hay otra cuenta registrada con el NIT" in response.content.decode()
    assert snapshot(world.proveedor) == before


def test_a_second_request_while_one_is_open_is_refused_and_nothing_is_saved(world):
    client = logged_in(world.admin)
    assert client.post(EDITAR, form_data(world.proveedor, nit="900123457")).status_code == 302
    before = snapshot(world.proveedor)
    response = client.post(EDITAR, form_data(world.proveedor, nombre="OTRO NOMBRE SAS", telefono="3005556677"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Ya hay un caso abierto con la Mesa de Servicio" in html and Caso.objects.get().numero in html
    assert snapshot(world.proveedor) == before  # not even the phone


def test_the_desk_receiver_is_connected(world):
    assert identity_change_requested.has_listeners(Entidad)
    sync_receivers, _async_receivers = identity_change_requested._live_receivers(Entidad)
    assert receivers.open_identity_change_case in sync_receivers


def test_without_a_receiver_the_request_is_not_lost_silently(world):
    before = snapshot(world.proveedor)
    assert identity_change_requested.disconnect(sender=Entidad, dispatch_uid="servicedesk.open_identity_change_case")
    try:
        with pytest.raises(ImproperlyConfigured):
            profile.perfil_update(
                entidad=world.proveedor,
                user=world.admin,
                data={"nit": "900123457", "telefono": "3001234567"},
            )
    finally:
        receivers.connect()
    assert snapshot(world.proveedor) == before  # the phone neither


# --- Other kinds of account ---------------------------------------------------------------------


def test_a_natural_person_edits_names_and_has_no_legal_representative(world):
    client = logged_in(world.natural_admin)
    html = client.get(EDITAR).content.decode()
    assert 'name="nombres"' in html and 'name="representante_nombre"' not in html
    perfil_html = client.get(PERFIL).content.decode()
    assert "Persona natural" in perfil_html and "Representante legal" not in perfil_html
    response = client.post(EDITAR, form_data(world.natural, nombres="María  Fernanda ", apellidos="López"))
    assert response.status_code == 302
    perfil = PerfilComercial.objects.get(entidad=world.natural)
    assert (perfil.nombres, perfil.apellidos) == ("María Fernanda", "López")
    refused = client.post(EDITAR, form_data(world.natural, nombres="M4ría"))
    assert refused.status_code == 400 and "Use solo letras" in refused.content.decode()


def test_an_entity_that_also_supplies_gets_its_profile_created_on_its_first_edit(world):
    client = logged_in(world.entidad_proveedora_admin)
    page = client.get(PERFIL)
    assert page.status_code == 200
    assert "aún no tiene datos propios" in page.content.decode()
    assert not PerfilComercial.objects.filter(entidad=world.entidad_proveedora).exists()
    # The legal representative is asked for, as for a supplier that is a legal person.
    missing = client.post(EDITAR, form_data(world.entidad_proveedora, direccion="Carrera 66 # 24-09"))
    assert missing.status_code == 400 and 'href="#id_representante_nombre"' in missing.content.decode()
    assert not PerfilComercial.objects.filter(entidad=world.entidad_proveedora).exists()
    response = client.post(
        EDITAR,
        form_data(
            world.entidad_proveedora,
            direccion="Carrera 66 # 24-09",
            representante_nombre="Director General",
            representante_tipo_documento="CC",
            representante_numero_documento="19123456",
        ),
    )
    assert response.status_code == 302
    perfil = PerfilComercial.objects.get(entidad=world.entidad_proveedora)
    assert perfil.direccion == "Carrera 66 # 24-09" and perfil.persona == "juridica"
    evento = EventoEntidad.objects.get(entidad=world.entidad_proveedora, tipo=EventoEntidad.Tipo.PERFIL_EDITADO)
    assert evento.detalle["cambios"]["direccion"] == {"antes": "", "despues": "Carrera 66 # 24-09"}
    assert "Es Entidad" in client.get(PERFIL).content.decode()


def test_a_foreign_supplier_has_its_tax_identifier_and_no_divipola(world):
    extranjero = EntidadFactory(
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=Entidad.Estado.ACTIVA,
        nombre="Andean Supplies Cía. Ltda.",
        nit=None,
        dv="",
        pais="EC",
        id_tributario="1790012345001",
        telefono="2345678",
        correo_notificaciones="ventas@andean.ec",
    )
    PerfilComercial.objects.create(
        entidad=extranjero, persona="juridica", direccion="Av. Amazonas N34-45, Quito", representante_nombre="Luis Vera"
    )
    admin = MembresiaFactory(entidad=extranjero).usuario
    client = logged_in(admin)
    html = client.get(EDITAR).content.decode()
    assert 'name="id_tributario"' in html and 'name="nit"' not in html and 'name="departamento"' not in html
    data = form_data(
        extranjero,
        representante_tipo_documento="PA",
        representante_numero_documento="AB123456",
        telefono="(02) 234-5679",
    )
    response = client.post(EDITAR, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    extranjero.refresh_from_db()
    assert extranjero.telefono == "022345679"
    too_long = client.post(EDITAR, form_data(extranjero, telefono="+593 2 234 5679"))
    assert too_long.status_code == 400 and "entre 7 y 10 dígitos" in too_long.content.decode()
    # Its foreign legal name keeps its spelling; a new tax identifier goes to the desk.
    response = client.post(EDITAR, form_data(extranjero, id_tributario="1790012345002"))
    assert response.status_code == 302
    caso = Caso.objects.get(entidad=extranjero)
    assert caso.cambios == {"id_tributario": {"antes": "1790012345001", "despues": "1790012345002"}}
    extranjero.refresh_from_db()
    assert extranjero.id_tributario == "1790012345001" and extranjero.nombre == "Andean Supplies Cía. Ltda."
