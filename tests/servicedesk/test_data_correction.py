"""Issue #4: while the desk asks for corrections («Requiere corrección»), the entity's administrators
correct its data (not only its documents) before sending the registration back: the page
`/casos/<número>/corregir-datos/` and `PATCH /api/v1/casos/{número}/entidad`."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from registro.core.errors import ApplicationError
from registro.core.models import ClasificacionEntidad
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import correction
from registro.entities.registration.models import Documento
from registro.servicedesk import services
from tests.entities.conftest import pdf_upload
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

API = "/api/v1"


def page_url(caso) -> str:
    return f"/casos/{caso.numero}/corregir-datos/"


def patch(client, caso, data: dict):
    return client.patch(f"{API}/casos/{caso.numero}/entidad", data, content_type="application/json")


def snapshot(entidad: Entidad) -> dict:
    entidad.refresh_from_db()
    return model_to_dict(entidad)


def corrections(entidad: Entidad):
    return EventoEntidad.objects.filter(entidad=entidad, tipo=EventoEntidad.Tipo.DATOS_CORREGIDOS)


def form_data(entidad: Entidad, **changes) -> dict:
    """What the page posts: its pre-filled values (the NIT is not an input) with `changes`."""
    data = correction.entidad_datos_initial(entidad)
    data.pop("nit")
    data.update(changes)
    return data


@pytest.fixture
def admin(admin_user):
    return logged_in(admin_user)


# --- The page -----------------------------------------------------------------------------------


def test_the_case_page_links_to_the_form_which_shows_the_current_data(admin, caso_correccion, entidad):
    case_page = admin.get(f"/casos/{caso_correccion.numero}/").content.decode()
    assert page_url(caso_correccion) in case_page and "Corregir datos de la Entidad" in case_page

    response = admin.get(page_url(caso_correccion))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Corregir datos de la Entidad" in html
    assert f'value="{entidad.nombre}"' in html
    assert f'value="{entidad.telefono}"' in html and f'value="{entidad.correo_notificaciones}"' in html
    assert entidad.nit_con_dv in html
    assert 'name="nit"' not in html  # the NIT is shown, not editable
    assert '<option value="05001" data-departamento="05" selected>' in html


def test_an_administrator_corrects_the_data_and_the_event_lists_the_changes(
    admin, admin_user, caso_correccion, entidad, valores
):
    old_nombre, old_telefono = entidad.nombre, entidad.telefono
    response = admin.post(
        page_url(caso_correccion),
        form_data(
            entidad,
            nombre="Alcaldía de Medellín - Distrito Especial",
            telefono="604 444 1234",
            municipio="05002",
            orden=valores["orden"],
            correo_notificaciones="nuevo.correo@medellin.gov.co",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/casos/{caso_correccion.numero}/#correcciones"

    entidad.refresh_from_db()
    assert entidad.nombre == "ALCALDIA DE MEDELLIN - DISTRITO ESPECIAL"  # the registration's rule R3.3
    assert entidad.nombre_busqueda and "distrito" in entidad.nombre_busqueda.lower()
    assert entidad.telefono == "6044441234"
    assert entidad.municipio_id == "05002"
    assert entidad.orden.valor == "Nacional"
    assert entidad.correo_notificaciones == "nuevo.correo@medellin.gov.co"
    assert entidad.nit == "890905211" and entidad.estado == Entidad.Estado.REQUIERE_CORRECCION

    [evento] = corrections(entidad)
    assert evento.actor == admin_user
    assert sorted(evento.detalle["campos"]) == sorted(
        ["nombre", "telefono", "municipio", "orden", "correo_notificaciones"]
    )
    cambios = evento.detalle["cambios"]
    assert cambios["nombre"] == {"antes": old_nombre, "despues": "ALCALDIA DE MEDELLIN - DISTRITO ESPECIAL"}
    assert cambios["telefono"] == {"antes": old_telefono, "despues": "6044441234"}
    assert cambios["municipio"] == {"antes": "MEDELLÍN", "despues": "ABEJORRAL"}
    assert cambios["orden"] == {"antes": "Territorial", "despues": "Nacional"}
    assert evento.detalle["caso"] == caso_correccion.numero


def test_the_nit_is_fixed(admin, caso_correccion, entidad):
    before = snapshot(entidad)
    response = admin.post(page_url(caso_correccion), form_data(entidad, nit="900123456", telefono="6045550000"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "no se puede cambiar" in html and 'href="#id_nit"' in html
    assert snapshot(entidad) == before and not corrections(entidad).exists()

    # Its own NIT (with the check digit) is not "already registered".
    same = patch(admin, caso_correccion, {"nit": entidad.nit_con_dv, "telefono": "6045550000"})
    assert same.status_code == 200, same.json()
    assert same.json()["nit"] == "890905211" and same.json()["telefono"] == "6045550000"

    changed = patch(admin, caso_correccion, {"nit": "900123456"})
    assert changed.status_code == 400 and "nit" in changed.json()["detail"]["fields"]
    entidad.refresh_from_db()
    assert entidad.nit == "890905211"


def test_invalid_data_is_shown_with_everything_typed_and_changes_nothing(admin, caso_correccion, entidad):
    before = snapshot(entidad)
    response = admin.post(
        page_url(caso_correccion),
        form_data(entidad, nombre="", departamento="05", municipio="11001", telefono="604 999 8888"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="resumen-errores"' in html
    assert 'href="#id_nombre"' in html and 'href="#id_municipio"' in html
    assert "El municipio no pertenece al departamento elegido." in html
    assert 'value="604 999 8888"' in html  # what was typed is kept
    assert '<option value="11001" data-departamento="11" selected>' in html
    assert snapshot(entidad) == before and not corrections(entidad).exists()


def test_the_api_corrects_only_the_fields_sent(admin, admin_user, caso_correccion, entidad):
    before = snapshot(entidad)
    response = patch(admin, caso_correccion, {"telefono": "3001112233", "nombre_abreviado": "alc med"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == entidad.pk and body["telefono"] == "3001112233" and body["nombre_abreviado"] == "ALC MED"
    assert body["nombre"] == before["nombre"] and body["municipio_id"] == "05001"
    [evento] = corrections(entidad)
    assert sorted(evento.detalle["campos"]) == ["nombre_abreviado", "telefono"]
    assert evento.detalle["cambios"]["nombre_abreviado"] == {"antes": "ALCMED", "despues": "ALC MED"}

    # Nothing new, nothing recorded.
    assert patch(admin, caso_correccion, {"telefono": "3001112233"}).status_code == 200
    assert corrections(entidad).count() == 1


def test_the_api_refuses_invalid_data_with_every_field_error(admin, caso_correccion, entidad):
    before = snapshot(entidad)
    response = patch(
        admin,
        caso_correccion,
        {"nombre": "", "municipio": "11001", "correo_notificaciones": "no-es-correo", "registrada_siif": "si"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"nombre", "municipio", "correo_notificaciones", "codigo_pci"} <= set(body["detail"]["fields"])
    assert snapshot(entidad) == before and not corrections(entidad).exists()


def test_the_entity_it_depends_on_is_chosen_among_registered_ones(admin, caso_correccion, entidad):
    superior = EntidadFactory(nombre="GOBERNACION DE ANTIOQUIA")
    response = patch(admin, caso_correccion, {"entidad_superior_nit": superior.nit})
    assert response.status_code == 200, response.json()
    assert response.json()["entidad_superior_id"] == superior.pk
    assert "GOBERNACION DE ANTIOQUIA" in corrections(entidad).get().detalle["cambios"]["entidad_superior"]["despues"]

    unknown = patch(admin, caso_correccion, {"entidad_superior_nit": "800999111"})
    assert unknown.status_code == 400 and "entidad_superior_nombre" in unknown.json()["detail"]["fields"]
    itself = patch(admin, caso_correccion, {"entidad_superior_nit": entidad.nit})
    assert itself.status_code == 400
    # A cycle: the entity it would depend on depends on it.
    superior.entidad_superior = entidad
    superior.save()
    cycle = patch(admin, caso_correccion, {"entidad_superior_nit": superior.nit})
    assert cycle.status_code == 400 and "entidad_superior_nombre" in cycle.json()["detail"]["fields"]

    cleared = patch(admin, caso_correccion, {"entidad_superior_nit": ""})
    assert cleared.status_code == 200 and cleared.json()["entidad_superior_id"] is None


def test_corrected_data_can_ask_for_other_documents(admin, caso_correccion, entidad, sent):
    # A delegated spending authority needs the delegation documents before resubmitting.
    assert patch(admin, caso_correccion, {"ordenador_delegado": "si"}).status_code == 200
    page = admin.get(f"/casos/{caso_correccion.numero}/").content.decode()
    assert "Acto de delegación de la ordenación del gasto" in page and "(falta)" in page
    refused = admin.post(f"{API}/casos/{caso_correccion.numero}/reenviar", {}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["detail"]["missing_documents"] == ["acto_delegacion", "acta_posesion_delegado"]
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.REQUIERE_CORRECCION
    for tipo in ["acto_delegacion", "acta_posesion_delegado"]:
        admin.post(f"{API}/casos/{caso_correccion.numero}/documentos", {"tipo": tipo, "archivo": pdf_upload()})
    resubmitted = sent(
        admin.post, f"{API}/casos/{caso_correccion.numero}/reenviar", {}, content_type="application/json"
    )
    assert resubmitted.status_code == 200, resubmitted.json()
    assert resubmitted.json()["entidad_estado"] == "pendiente"


def test_a_public_private_entity_dates_its_certificate(admin, caso_correccion, entidad):
    data = {"area_negocio": "publico_privado", "certificado_fecha_expedicion": timezone.localdate().isoformat()}
    missing_date = patch(admin, caso_correccion, {"area_negocio": "publico_privado"})
    assert missing_date.status_code == 400
    assert "certificado_fecha_expedicion" in missing_date.json()["detail"]["fields"]
    no_certificate = patch(admin, caso_correccion, data)
    assert no_certificate.status_code == 400
    assert "Anexe primero" in no_certificate.json()["detail"]["fields"]["certificado_fecha_expedicion"][0]

    upload = admin.post(
        f"{API}/casos/{caso_correccion.numero}/documentos",
        {"tipo": "certificado_existencia", "archivo": pdf_upload("certificado.pdf")},
    )
    assert upload.status_code == 201
    old = (timezone.localdate() - timedelta(days=120)).isoformat()
    assert patch(admin, caso_correccion, {**data, "certificado_fecha_expedicion": old}).status_code == 400
    assert patch(admin, caso_correccion, data).status_code == 200
    certificado = entidad.documentos.get(tipo=Documento.Tipo.CERTIFICADO_EXISTENCIA, vigente=True)
    assert certificado.fecha_expedicion == timezone.localdate()
    entidad.refresh_from_db()
    assert entidad.area_negocio == "publico_privado"
    assert {"area_negocio", "certificado_fecha_expedicion"} == set(corrections(entidad).get().detalle["campos"])


# --- When and who ---------------------------------------------------------------------------------


def test_not_while_pending_activation(admin, admin_user, entidad):
    caso = services.caso_create(
        user=admin_user,
        data={
            **services.case_initial(user=admin_user, entidad=entidad),
            "tipo_solicitud": "solicitud",
            "asunto": "registro_entidad",
            "tipo_usuario": "comprador",
            "descripcion": "x",
        },
        entidad=entidad,
    )
    before = snapshot(entidad)
    assert entidad.estado == Entidad.Estado.PENDIENTE
    response = patch(admin, caso, {"telefono": "3001112233"})
    assert response.status_code == 409 and response.json()["detail"]["estado"] == "pendiente"
    web = admin.post(page_url(caso), form_data(entidad, telefono="3001112233"), follow=True)
    assert "cuando la Mesa de Servicio pide corrección" in web.content.decode()
    assert admin.get(page_url(caso))["Location"] == f"/casos/{caso.numero}/"
    assert snapshot(entidad) == before and not corrections(entidad).exists()


def test_not_once_active(admin_user, sent):
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(usuario=admin_user, entidad=entidad)
    client = logged_in(admin_user)
    caso = services.caso_create(
        user=admin_user,
        data={
            **services.case_initial(user=admin_user, entidad=entidad),
            "tipo_solicitud": "duda",
            "asunto": "otro",
            "tipo_usuario": "comprador",
            "descripcion": "x",
        },
        entidad=entidad,
    )
    response = patch(client, caso, {"telefono": "3001112233"})
    assert response.status_code == 409
    entidad.refresh_from_db()
    assert entidad.telefono == "" and not corrections(entidad).exists()
    with pytest.raises(ApplicationError) as raised:
        services.entidad_data_update(entidad=entidad, data={"telefono": "3001112233"}, user=admin_user)
    assert raised.value.status_code == 409


def test_a_buyer_or_a_stranger_gets_404(caso_correccion, entidad):
    comprador = UserFactory()
    MembresiaFactory(usuario=comprador, entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    before = snapshot(entidad)
    for user in [comprador, UserFactory()]:
        client = logged_in(user)
        assert client.get(page_url(caso_correccion)).status_code == 404
        assert client.post(page_url(caso_correccion), form_data(entidad, telefono="3001112233")).status_code == 404
        response = patch(client, caso_correccion, {"telefono": "3001112233"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # The service refuses them too, whatever calls it.
    with pytest.raises(ApplicationError) as raised:
        services.entidad_data_update(entidad=entidad, data={"telefono": "3001112233"}, user=comprador)
    assert raised.value.status_code == 403
    assert snapshot(entidad) == before and not corrections(entidad).exists()


def test_a_suspended_administrator_cannot_correct(admin, admin_user, caso_correccion, entidad):
    MembresiaFactory(entidad=entidad)  # R1.1: someone else stays Administrador
    Membresia.objects.filter(usuario=admin_user, entidad=entidad).update(activa=False)
    assert admin.get(page_url(caso_correccion)).status_code == 404
    assert patch(admin, caso_correccion, {"telefono": "3001112233"}).status_code == 404


# --- The desk sees it -----------------------------------------------------------------------------


def test_the_desk_reviews_the_corrected_data(admin, caso_correccion, desk_user, entidad, sent):
    response = admin.post(
        page_url(caso_correccion), form_data(entidad, nombre="Distrito de Medellín", telefono="604 111 2222")
    )
    assert response.status_code == 302
    resubmitted = sent(admin.post, f"/casos/{caso_correccion.numero}/reenviar/", {"nota": "Corregimos el nombre."})
    assert resubmitted.status_code == 302
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE

    desk = logged_in(desk_user)
    html = desk.get(f"/casos/{caso_correccion.numero}/").content.decode()
    assert "Datos de la Entidad" in html and "DISTRITO DE MEDELLIN" in html and "6041112222" in html
    assert "Datos corregidos por la Entidad" in html
    assert "ALCALDIA MUNICIPAL DE MEDELLIN" in html  # the value before, beside the new one

    revision = desk.get(f"{API}/mesa/casos/{caso_correccion.numero}/revision").json()
    assert revision["entidad"]["nombre"] == "DISTRITO DE MEDELLIN"
    assert revision["entidad"]["telefono"] == "6041112222"


def test_a_retired_classification_value_stays_valid_for_the_entity(admin, caso_correccion, entidad):
    ClasificacionEntidad.objects.filter(pk=entidad.orden_id).update(activo=False)
    response = patch(admin, caso_correccion, {"telefono": "3001112233"})
    assert response.status_code == 200, response.json()
    other = ClasificacionEntidad.objects.filter(campo="rama", activo=True).exclude(pk=entidad.rama_id).first()
    if other is not None:
        ClasificacionEntidad.objects.filter(pk=other.pk).update(activo=False)
        refused = patch(admin, caso_correccion, {"rama": str(other.pk)})
        assert refused.status_code == 400 and "rama" in refused.json()["detail"]["fields"]
