"""Section 3 → "Registrar Proveedor" (R9) through the HTTP layer: the three paths, "Validar" over both
kinds of account, the pre-form with "Tipo de cuenta: Proveedor", the supplier's form for a legal
person, a natural person and a foreign company, the areas-of-interest picker without JavaScript,
documents, drafts that keep everything, and "Finalizar", which creates an active account."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from registro.core.models import TipoEmpresa
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial, TipoCuenta
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.models import OutboundEmail
from tests.entities.conftest import (
    SUPPLIER_DOCS_JURIDICA,
    SUPPLIER_DOCS_NATURAL,
    SUPPLIER_NIT,
    pdf_upload,
)
from tests.factories import EntidadFactory, UserFactory

pytestmark = pytest.mark.django_db

NUEVO = "/entidades/registro/nuevo/"


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


def pre_form_post(pre: dict, **extra) -> dict:
    """The pre-form page as the browser sends it: the kind, and the supplier's answers prefixed."""
    return {"tipo_cuenta": "proveedor", **{f"proveedor-{k}": v for k, v in {**pre, **extra}.items()}}


def start(browser, pre, **extra) -> tuple[RegistroEntidad, str]:
    response = browser.post(NUEVO, pre_form_post(pre, **extra))
    assert response.status_code == 302, response.content.decode()[:3000]
    return RegistroEntidad.objects.latest("pk"), response["Location"]


def documents(tipos) -> dict:
    return {f"archivo_{tipo}": pdf_upload(f"{tipo}.pdf") for tipo in tipos}


def nothing_created():
    assert not Entidad.objects.filter(tipo_cuenta=TipoCuenta.PROVEEDOR).exists()
    assert not PerfilComercial.objects.exists() and not AreaInteres.objects.exists()
    assert not Membresia.objects.exists() and not EventoEntidad.objects.exists()
    assert not OutboundEmail.objects.exists() and mail.outbox == []
    assert not Documento.objects.filter(entidad__isnull=False).exists()
    assert not RegistroEntidad.objects.exclude(estado=RegistroEntidad.Estado.BORRADOR).exists()


# --- Section 3 and the pre-form ---------------------------------------------------------------------


def test_section_3_explains_three_paths_and_validar_shows_each_accounts_kind(browser):
    EntidadFactory(nombre="ALCALDIA DE PEREIRA", nit="891480030")
    EntidadFactory(
        nombre="PEREIRA SOFTWARE SAS", nit=SUPPLIER_NIT, tipo_cuenta=TipoCuenta.PROVEEDOR, estado=Entidad.Estado.ACTIVA
    )
    page = browser.get("/entidades/").content.decode()
    for path in ("Registrar una Entidad Estatal", "Registrar un Proveedor", "Solicitar acceso a una cuenta registrada"):
        assert path in page
    assert "sin esperar a la Mesa de Servicio" in page

    html = browser.get("/entidades/?q=pereira").content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "ALCALDIA DE PEREIRA</td><td>Entidad Estatal" in rows
    assert "PEREIRA SOFTWARE SAS</td><td>Proveedor" in rows
    assert "/entidades/registro/nuevo/?tipo_cuenta=proveedor&amp;nombre=pereira" in html

    by_nit = browser.get(f"/entidades/?q={SUPPLIER_NIT}-1").content.decode()
    supplier = Entidad.objects.get(nit=SUPPLIER_NIT)
    assert "ya está registrado a nombre de PEREIRA SOFTWARE SAS (Proveedor)" in by_nit
    assert f"/entidades/{supplier.pk}/solicitar/" in by_nit and "Registrar Proveedor" not in by_nit


def test_the_pre_form_offers_proveedor_with_any_country_and_the_active_types(browser, reference_data):
    TipoEmpresa.objects.filter(codigo="otro").update(activo=False)
    html = browser.get(f"{NUEVO}?tipo_cuenta=proveedor").content.decode()
    assert 'value="proveedor" id="id_tipo_cuenta_1" data-tipo-cuenta-choice checked' in html
    assert '<fieldset data-tipo-cuenta="proveedor">' in html  # shown
    assert '<fieldset data-tipo-cuenta="entidad_estatal" hidden>' in html
    for country in ('value="CO" selected>Colombia', 'value="US">Estados Unidos', 'value="JP">Japón'):
        assert country in html
    assert "Sociedad por Acciones Simplificada" in html and "Persona jurídica extranjera" in html
    assert 'value="otro"' not in html  # deactivated in admin
    assert 'name="proveedor-area_negocio" value="privado"' in html and "Público y Privado" in html
    # The State entity's pre-form is unchanged, by default.
    entity = browser.get(NUEVO).content.decode()
    assert (
        '<fieldset data-tipo-cuenta="entidad_estatal">' in entity
        and "¿La Entidad está registrada en el SIIF?" in entity
    )


def test_generar_formulario_opens_the_supplier_form_with_the_name_and_nit_from_validar(browser, proveedor_pre):
    response = browser.post(
        NUEVO, {**pre_form_post(proveedor_pre), "nombre": "Soluciones del Café", "nit": SUPPLIER_NIT}
    )
    assert response.status_code == 302
    registro = RegistroEntidad.objects.get()
    assert registro.datos == {
        "tipo_cuenta": "proveedor",
        "pais": "CO",
        "area_negocio": "privado",
        "tipo_empresa": "sas",
        "nombre": "Soluciones del Café",
        "nit": SUPPLIER_NIT,
    }
    html = browser.get(response["Location"]).content.decode()
    assert "<h1>Registrar Proveedor</h1>" in html
    for label in (
        "Razón social",
        "Nombre Abreviado",
        "NIT",
        "Departamento",
        "Dirección",
        "Sitio web",
        "Correo electrónico para notificaciones SECOP II",
        "Representante legal",
        "Tamaño de la empresa",
        "¿Es MiPyme?",
        "Información financiera (opcional)",
        "Áreas de interés",
        "Certificado de existencia y representación legal",
        "Registro Único Tributario (RUT)",
        "Registro Único de Proponentes (RUP)",
    ):
        assert label in html, label
    assert 'value="Soluciones del Café"' in html and "SOLUCIONES DEL CAFE" in html  # the R3.3 preview
    assert "Documento de identidad" not in html  # a legal person's documents


@pytest.mark.parametrize(
    ("tipo", "pais", "field", "message"),
    [
        ("persona-juridica-extranjera", "CO", "pais", "es de otro país: elija el país de origen"),
        ("sas", "US", "tipo_empresa", "para un Proveedor de Estados Unidos elija"),
        ("no-existe", "CO", "tipo_empresa", "Elija un tipo de organización de la lista."),
        ("sas", "XX", "pais", "Escoja una opción válida"),
    ],
)
def test_a_wrong_pre_form_is_shown_again_and_creates_nothing(browser, proveedor_pre, tipo, pais, field, message):
    response = browser.post(NUEVO, pre_form_post(proveedor_pre, tipo_empresa=tipo, pais=pais))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and f'href="#id_proveedor-{field}"' in html
    assert not RegistroEntidad.objects.exists()


def test_without_javascript_the_kind_is_changed_on_the_server_keeping_the_answers(browser, pre_data):
    data = {**pre_data, **pre_form_post({"pais": "US"}), "accion": "tipo", "codigo_pci": "13-01"}
    html = browser.post(NUEVO, data).content.decode()
    assert '<fieldset data-tipo-cuenta="proveedor">' in html
    assert 'value="US" selected' in html and 'value="13-01"' in html
    assert "Hay problemas" not in html and not RegistroEntidad.objects.exists()


# --- The whole registration ---------------------------------------------------------------------------


def test_a_colombian_legal_person_registers_an_active_account_and_lands_on_its_desktop(
    browser, user, proveedor_pre, juridica_data, sent
):
    registro, url = start(browser, proveedor_pre)
    files = documents([*SUPPLIER_DOCS_JURIDICA, "rup"])
    response = sent(browser.post, url, {**juridica_data, "accion": "finalizar", **files})
    assert response.status_code == 302, response.content.decode()[:4000]
    entidad = Entidad.objects.get()
    assert response["Location"] == f"/entidades/{entidad.pk}/"
    desktop = browser.get(response["Location"])
    assert desktop["Location"] == "/entidad/"
    page = browser.get("/entidad/").content.decode()
    assert "SOLUCIONES TECNOLOGICAS DEL CAFE SAS" in page and "quedó registrada y activa" in page

    assert (entidad.tipo_cuenta, entidad.estado) == (TipoCuenta.PROVEEDOR, Entidad.Estado.ACTIVA)
    assert entidad.activada_at is not None and entidad.creada_por == user
    assert (entidad.nombre, entidad.nombre_abreviado) == ("SOLUCIONES TECNOLOGICAS DEL CAFE SAS", "SOLTEC")
    assert (entidad.nit, entidad.dv, entidad.pais, entidad.id_tributario) == (SUPPLIER_NIT, "1", "CO", "")
    assert (entidad.area_negocio, entidad.departamento_id, entidad.municipio_id) == ("privado", "66", "66001")
    assert (entidad.telefono, entidad.correo_notificaciones) == ("6063334455", "licitaciones@soltec.com.co")
    assert entidad.actua_como_proveedor and entidad.tipo_label == "Proveedor"

    perfil = entidad.perfil
    assert (perfil.persona, perfil.tipo_empresa.codigo) == ("juridica", "sas")
    assert perfil.direccion == "Carrera 7 # 20-30, oficina 501" and perfil.sitio_web == "https://www.soltec.com.co"
    assert (perfil.representante_nombre, perfil.representante_tipo_documento) == ("Carlos Andrés Gómez Ríos", "CC")
    assert (perfil.representante_numero_documento, perfil.representante_telefono) == ("1088234567", "3104567890")
    assert perfil.representante_correo == "gerencia@soltec.com.co"
    assert (perfil.tamano, perfil.es_mipyme, perfil.anio_fiscal) == ("pequena", True, timezone.localdate().year - 1)
    assert (perfil.activos, perfil.pasivos) == (Decimal("1500000000"), Decimal("600000000"))
    assert perfil.patrimonio == Decimal("900000000")  # computed: assets − liabilities
    assert perfil.ingresos_operacionales == Decimal("2300000000.50")
    assert (perfil.nombres, perfil.numero_documento) == ("", "")

    areas = list(entidad.areas_interes.order_by("codigo_id").values_list("codigo_id", "prefijo", "principal"))
    assert areas == [("43000000", "43", False), ("81111500", "811115", True)]

    membresia = Membresia.objects.get()
    assert (membresia.usuario, membresia.entidad, membresia.rol) == (user, entidad, Membresia.Rol.ADMINISTRADOR)
    docs = {d.tipo: d for d in entidad.documentos.all()}
    assert set(docs) == {"rut", "certificado_existencia", "rup"}
    assert docs["certificado_existencia"].fecha_expedicion == timezone.localdate()
    assert all(d.registro_id == registro.pk and d.visibilidad == "directorio" for d in docs.values())
    evento = EventoEntidad.objects.get()
    assert (evento.tipo, evento.estado_nuevo, evento.actor) == ("registrada", "activa", user)
    registro.refresh_from_db()
    assert (registro.estado, registro.entidad) == (RegistroEntidad.Estado.FINALIZADO, entidad)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, "licitaciones@soltec.com.co"])
    to_user = next(m for m in mail.outbox if m.to == [user.email])
    assert to_user.subject == "[Registro SECOP] La cuenta de Proveedor SOLUCIONES TECNOLOGICAS DEL CAFE SAS está lista"
    assert "ya está activa y lista para usar" in to_user.body and f"/entidades/{entidad.pk}/" in to_user.body
    assert "Mesa de Servicio" in to_user.body  # ...whose activation it does not need
    # The finished registration is no longer a form.
    assert browser.get(url)["Location"] == f"/entidades/{entidad.pk}/registrada/"


def test_a_natural_person_gets_the_nit_of_their_cedula_and_no_legal_representative(
    browser, proveedor_pre, natural_data, sent
):
    owner = UserFactory(first_name="María Fernanda", last_name="Peñuela Ortiz", document_number="52345678")
    browser.force_login(owner)
    registro, url = start(browser, proveedor_pre, tipo_empresa="persona-natural-colombiana")
    # Their own names and document are already there, from their user.
    assert {k: registro.datos[k] for k in ("nombres", "apellidos", "tipo_documento", "numero_documento")} == {
        "nombres": "María Fernanda",
        "apellidos": "Peñuela Ortiz",
        "tipo_documento": "CC",
        "numero_documento": "52345678",
    }
    html = browser.get(url).content.decode()
    assert "Datos de la persona natural" in html and "Representante legal" not in html
    assert "Razón social" not in html and "Documento de identidad" in html
    assert "Certificado de existencia" not in html
    assert "Su NIT, según su cédula: 52345678-3." in html

    response = sent(browser.post, url, {**natural_data, "accion": "finalizar", **documents(SUPPLIER_DOCS_NATURAL)})
    assert response.status_code == 302, response.content.decode()[:4000]
    entidad = Entidad.objects.get()
    assert (entidad.nombre, entidad.nit, entidad.dv) == ("MARIA FERNANDA PEÑUELA ORTIZ", "52345678", "3")
    assert entidad.estado == Entidad.Estado.ACTIVA and entidad.municipio_id == "11001"
    perfil = entidad.perfil
    assert (perfil.persona, perfil.nombres, perfil.apellidos) == ("natural", "María Fernanda", "Peñuela Ortiz")
    assert (perfil.tipo_documento, perfil.numero_documento) == ("CC", "52345678")
    assert perfil.representante_nombre == "" and perfil.tamano == "micro"
    assert perfil.anio_fiscal is None and perfil.activos is None
    # A single code is the main category by itself.
    assert list(entidad.areas_interes.values_list("codigo_id", "prefijo", "principal")) == [
        ("80111600", "801116", True)
    ]
    docs = {d.tipo: d for d in entidad.documentos.all()}
    assert set(docs) == {"rut", "documento_identidad"}
    assert docs["documento_identidad"].visibilidad == Documento.Visibilidad.PRIVADO  # personal data
    assert docs["rut"].visibilidad == Documento.Visibilidad.DIRECTORIO


def test_a_natural_person_with_another_document_types_their_nit(browser, proveedor_pre, natural_data):
    registro, url = start(browser, proveedor_pre, tipo_empresa="persona-natural-colombiana")
    data = {**natural_data, "tipo_documento": "CE", "numero_documento": "456789", "accion": "finalizar"}
    html = browser.post(url, data).content.decode()
    assert "Escriba el NIT que aparece en su RUT" in html
    cedula = {**natural_data, "nit": "52345679", "accion": "finalizar"}
    html = browser.post(url, cedula).content.decode()
    assert "Con cédula de ciudadanía, el NIT es el número de la cédula (52345678)." in html
    nothing_created()


def test_a_foreign_company_gives_its_countrys_tax_id_and_keeps_its_name_as_typed(
    browser, proveedor_pre, juridica_data, sent
):
    registro, url = start(browser, proveedor_pre, pais="US", tipo_empresa="persona-juridica-extranjera")
    html = browser.get(url).content.decode()
    assert "Identificación tributaria del país de origen" in html and "Departamento" not in html
    assert "País: Estados Unidos." in html
    data = {
        **juridica_data,
        "nombre": "Acme Widgets, Inc.",
        "nombre_abreviado": "Acme",
        "nit": "",
        "id_tributario": "12-3456789",
        "departamento": "",
        "municipio": "",
        "direccion": "350 Fifth Avenue, New York, NY 10118",
        "telefono": "+1 (212) 555-0100",
        "representante_tipo_documento": "PA",
        "representante_numero_documento": "X1234567",
        "representante_telefono": "+1 212 555 0199",
        "tamano": "grande",
        "es_mipyme": "no",
    }
    html = browser.post(url, {**data, "accion": "guardar"}, follow=True).content.decode()
    assert "Forma sugerida por la guía" in html and "ACME WIDGETS INC" in html  # suggested, not forced
    response = sent(browser.post, url, {**data, "accion": "finalizar", **documents(SUPPLIER_DOCS_JURIDICA)})
    assert response.status_code == 302, response.content.decode()[:4000]
    entidad = Entidad.objects.get()
    assert (entidad.nombre, entidad.nombre_abreviado) == ("Acme Widgets, Inc.", "Acme")
    assert (entidad.nit, entidad.dv, entidad.pais, entidad.id_tributario) == (None, "", "US", "123456789")
    assert entidad.nit_con_dv == "US 123456789"
    assert (entidad.departamento_id, entidad.municipio_id, entidad.telefono) == (None, None, "+12125550100")
    assert entidad.perfil.representante_telefono == "+12125550199"
    assert entidad.perfil.representante_numero_documento == "X1234567"


def test_a_foreign_tax_id_is_checked_where_python_stdnum_knows_the_country(browser, proveedor_pre, juridica_data):
    registro, url = start(browser, proveedor_pre, pais="MX", tipo_empresa="persona-juridica-extranjera")
    base = {**juridica_data, "nit": "", "telefono": "+52 55 1234 5678", "accion": "finalizar"}
    html = browser.post(url, {**base, "id_tributario": "GODE561331GR8"}).content.decode()
    assert "«GODE561331GR8» no es una identificación tributaria válida de México" in html
    html = browser.post(url, {**base, "id_tributario": "AB/12"}).content.decode()
    assert "entre 3 y 30 letras, números o guiones" in html
    # A country stdnum does not know: only the length and the characters.
    registro, url = start(browser, proveedor_pre, pais="BO", tipo_empresa="persona-juridica-extranjera")
    html = browser.post(url, {**base, "id_tributario": "1020703023"}).content.decode()
    assert (
        "identificación tributaria" not in html.split("Falta información o hay datos por corregir")[1].split("</ul>")[0]
    )
    nothing_created()


# --- Drafts, errors, and nothing half-saved ------------------------------------------------------------


def test_finalizar_lists_every_problem_at_once_and_keeps_everything(browser, proveedor_pre, juridica_data):
    registro, url = start(browser, proveedor_pre)
    data = {
        **juridica_data,
        "correo_notificaciones": "no-es-correo",
        "representante_numero_documento": "12",
        "telefono": "",
        "tamano": "grande",
        "activos": "100",
        "pasivos": "40",
        "patrimonio": "70",
        "areas": "",
        "sitio_web": "no es una web",
    }
    response = browser.post(url, {**data, "accion": "finalizar", "archivo_rut": pdf_upload("RUT Soltec.pdf")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Falta información o hay datos por corregir" in html
    for fragment in (
        'href="#id_correo_notificaciones"',
        "cédula de ciudadanía debe tener entre 3 y 10 dígitos",
        'href="#id_telefono"',
        "Una gran empresa no es MiPyme",
        "con los valores escritos es $ 60, no $ 70",
        'href="#areas-interes">Áreas de interés: Elija al menos un código',
        "Ingrese una URL válida",
        "Anexe el documento: Certificado de existencia y representación legal",
    ):
        assert fragment in html, fragment
    assert "Anexe el documento: Registro Único Tributario" not in html  # that one was attached
    assert 'value="no-es-correo"' in html and 'value="Soluciones Tecnológicas del Café S.A.S."' in html
    assert "RUT Soltec.pdf" in html
    nothing_created()
    registro.refresh_from_db()
    assert registro.datos["correo_notificaciones"] == "no-es-correo" and registro.datos["patrimonio"] == "70"
    browser.post("/cuentas/logout/")
    browser.force_login(registro.usuario)
    again = browser.get(url).content.decode()
    assert 'value="no-es-correo"' in again and "RUT Soltec.pdf" in again
    assert "Registros en curso" in browser.get("/entidades/").content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nit": f"{SUPPLIER_NIT}-7"}, "nit", "El dígito de verificación de este NIT es 1, no 7"),
        (
            {"areas": "43000000,99999999"},
            "areas",
            "no están en el Clasificador de Bienes y Servicios (UNSPSC): 99999999",
        ),
        ({"municipio": "05001"}, "municipio", "El municipio no pertenece al departamento elegido"),
        ({"certificado_fecha_expedicion": "OLD"}, "certificado_fecha_expedicion", "en los últimos 30 días"),
        ({"activos": "10", "pasivos": "4", "patrimonio": "7"}, "patrimonio", "es $ 6, no $ 7"),
        ({"activos": "10", "anio_fiscal": ""}, "anio_fiscal", "Indique el año fiscal"),
        ({"areas": "43000000,81111500", "categoria_principal": ""}, "categoria_principal", "Marque cuál"),
    ],
    ids=["check-digit", "unknown-unspsc", "municipality", "old-certificate", "equity", "fiscal-year", "no-main"],
)
def test_each_bad_input_gets_its_own_message_and_nothing_is_half_saved(
    browser, proveedor_pre, juridica_data, change, field, message
):
    registro, url = start(browser, proveedor_pre)
    if change.get("certificado_fecha_expedicion") == "OLD":
        change = {"certificado_fecha_expedicion": (timezone.localdate() - timedelta(days=31)).isoformat()}
    data = {**juridica_data, **change, "accion": "finalizar", **documents(SUPPLIER_DOCS_JURIDICA)}
    response = browser.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('id="resumen-errores"')[1].split("</ul>")[0]
    assert message in summary
    assert summary.count("<li>") == 1, summary  # only this one
    anchor = "#areas-interes" if field in ("areas", "categoria_principal") else f"#id_{field}"
    assert f'href="{anchor}"' in summary
    nothing_created()
    assert registro.documentos.filter(vigente=True).count() == 2  # the files stay with the draft


def test_the_certificates_age_limit_is_a_setting(browser, proveedor_pre, juridica_data, settings, sent):
    settings.PROVEEDOR_CERTIFICADO_MAX_DIAS = 10
    registro, url = start(browser, proveedor_pre)
    eleven = (timezone.localdate() - timedelta(days=11)).isoformat()
    data = {**juridica_data, "certificado_fecha_expedicion": eleven, **documents(SUPPLIER_DOCS_JURIDICA)}
    html = browser.post(url, {**data, "accion": "finalizar"}).content.decode()
    assert "en los últimos 10 días" in html and "No puede tener más de 10 días al finalizar" in html
    ten = (timezone.localdate() - timedelta(days=10)).isoformat()
    response = sent(browser.post, url, {**juridica_data, "certificado_fecha_expedicion": ten, "accion": "finalizar"})
    assert response.status_code == 302


@pytest.mark.parametrize("kind", ["entidad_estatal", "proveedor"])
def test_a_nit_registered_as_any_kind_of_account_sends_the_user_to_request_access(
    browser, proveedor_pre, juridica_data, kind
):
    existente = EntidadFactory(nombre="EXISTENTE SAS", nit=SUPPLIER_NIT, tipo_cuenta=kind, estado=Entidad.Estado.ACTIVA)
    registro, url = start(browser, proveedor_pre)
    response = browser.post(url, {**juridica_data, "accion": "finalizar", **documents(SUPPLIER_DOCS_JURIDICA)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Ya hay una cuenta registrada con el NIT {SUPPLIER_NIT}-1: EXISTENTE SAS ({existente.tipo_label})" in html
    assert f'href="/entidades/{existente.pk}/solicitar/">Solicitud de acceso</a>' in html
    assert Entidad.objects.count() == 1 and not PerfilComercial.objects.exists() and not Membresia.objects.exists()


def test_a_foreign_tax_id_already_registered_in_that_country_is_refused(browser, proveedor_pre, juridica_data):
    EntidadFactory(
        nombre="ACME LLC", nit=None, dv="", pais="US", id_tributario="123456789", tipo_cuenta=TipoCuenta.PROVEEDOR
    )
    registro, url = start(browser, proveedor_pre, pais="US", tipo_empresa="persona-juridica-extranjera")
    data = {**juridica_data, "nit": "", "id_tributario": "12-3456789", "telefono": "+1 212 555 0100"}
    html = browser.post(url, {**data, "accion": "finalizar"}).content.decode()
    assert "Ya hay una cuenta registrada de Estados Unidos con la identificación tributaria 123456789: ACME LLC" in html
    assert Entidad.objects.count() == 1


def test_a_supplier_draft_takes_only_supplier_documents(browser, proveedor_pre, juridica_data, settings):
    registro, url = start(browser, proveedor_pre)
    # The page offers only the supplier's documents: another type is not even read...
    browser.post(url, {**juridica_data, "accion": "guardar", "archivo_acto_estructura": pdf_upload()})
    assert not Documento.objects.exists()
    # ...and the service refuses it for the API as well.
    from registro.core.errors import ApplicationError
    from registro.entities.registration import services

    with pytest.raises(ApplicationError) as refused:
        services.documento_attach(
            registro=registro, tipo="acto_estructura", uploaded=pdf_upload(), user=registro.usuario
        )
    assert "El registro de un Proveedor lleva el RUT" in refused.value.message
    assert not Documento.objects.exists()


def test_a_bad_file_is_refused_with_its_reason_and_nothing_else_is_lost(browser, proveedor_pre, juridica_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    registro, url = start(browser, proveedor_pre)
    bad = SimpleUploadedFile("rut.pdf.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = browser.post(
        url, {**juridica_data, "accion": "anexar", "archivo_rut": bad, "archivo_rup": pdf_upload("rup.pdf")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "rut.pdf.exe" in html and 'href="#id_archivo_rut"' in html
    assert list(Documento.objects.values_list("tipo", flat=True)) == ["rup"]
    assert 'value="Soluciones Tecnológicas del Café S.A.S."' in html


def test_replacing_a_supplier_document_keeps_the_earlier_version(browser, proveedor_pre, juridica_data):
    registro, url = start(browser, proveedor_pre)
    browser.post(url, {**juridica_data, "accion": "guardar", "archivo_rut": pdf_upload("rut-2025.pdf")})
    browser.post(url, {**juridica_data, "accion": "guardar", "archivo_rut": pdf_upload("rut-2026.pdf")})
    rows = list(registro.documentos.order_by("version").values_list("nombre_original", "version", "vigente"))
    assert rows == [("rut-2025.pdf", 1, False), ("rut-2026.pdf", 2, True)]
    assert "Versiones anteriores" in browser.get(url).content.decode()


# --- The areas-of-interest picker without JavaScript -------------------------------------------------------


def test_the_picker_searches_browses_and_adds_codes_keeping_the_whole_draft(browser, proveedor_pre, juridica_data):
    registro, url = start(browser, proveedor_pre)
    typed = {**juridica_data, "areas": [], "categoria_principal": "", "correo_notificaciones": "a medias"}
    typed.pop("areas")

    # "Buscar en el clasificador": the draft is saved and the page comes back with the results.
    response = browser.post(url, {**typed, "accion": "buscar_unspsc", "unspsc_q": "ingeniería de software"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?unspsc_q=ingenier%C3%ADa+de+software#areas-interes"
    registro.refresh_from_db()
    assert registro.datos["correo_notificaciones"] == "a medias" and registro.datos["areas"] == ""
    html = browser.get(response["Location"]).content.decode()
    assert "1 resultado para «ingeniería de software»" in html
    assert 'id="buscar-81111500"' in html and 'value="a medias"' in html

    # "Agregar los marcados".
    response = browser.post(
        url, {**typed, "areas": ["81111500"], "accion": "agregar_unspsc", "unspsc_q": "ingeniería de software"}
    )
    registro.refresh_from_db()
    assert registro.datos["areas"] == "81111500"
    html = browser.get(response["Location"]).content.decode()
    assert 'name="categoria_principal" value="81111500"' in html

    # Browsing: segment 43, then its family 4323; what was chosen stays.
    response = browser.post(url, {**typed, "areas": ["81111500"], "unspsc_padre": "43000000"})
    assert response["Location"] == f"{url}?unspsc_padre=43000000#areas-interes"
    html = browser.get(response["Location"]).content.decode()
    assert 'id="explorar-43230000"' in html and '<details class="unspsc-browse" open>' in html
    response = browser.post(
        url,
        {
            **typed,
            "areas": ["81111500", "43230000"],
            "categoria_principal": "81111500",
            "accion": "agregar_unspsc",
            "unspsc_ubicacion": "43000000",
        },
    )
    assert response["Location"] == f"{url}?unspsc_padre=43000000#areas-interes"  # still browsing there
    registro.refresh_from_db()
    assert (registro.datos["areas"], registro.datos["categoria_principal"]) == ("81111500,43230000", "81111500")

    # Dropping a code: its "Conservar" box unticked.
    browser.post(url, {**typed, "areas": ["43230000"], "categoria_principal": "81111500", "accion": "guardar"})
    registro.refresh_from_db()
    assert registro.datos["areas"] == "43230000"


def test_unknown_codes_stay_in_the_draft_and_are_shown_to_be_dropped(browser, proveedor_pre, juridica_data):
    registro, url = start(browser, proveedor_pre)
    browser.post(url, {**juridica_data, "areas": ["43000000", "12345"], "accion": "guardar"})
    html = browser.get(url).content.decode()
    assert "Estos valores no son códigos del clasificador" in html
    assert 'name="areas" value="12345" id="desconocido-1" checked' in html


def test_the_desk_sees_a_registered_supplier_as_such(browser, proveedor_pre, juridica_data, sent):
    from tests.factories import DeskUserFactory

    registro, url = start(browser, proveedor_pre)
    sent(browser.post, url, {**juridica_data, "accion": "finalizar", **documents(SUPPLIER_DOCS_JURIDICA)})
    entidad = Entidad.objects.get()
    desk = Client()
    desk.force_login(DeskUserFactory())
    html = desk.get(f"/entidades/{entidad.pk}/registrada/").content.decode()
    assert "<dd>Proveedor</dd>" in html and "<dd>Sociedad por Acciones Simplificada</dd>" in html
    assert "Pendiente de activación" not in html and "Orden" not in html
    assert "Cuenta registrada" in html  # its history
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(f"/entidades/{entidad.pk}/registrada/").status_code == 404
