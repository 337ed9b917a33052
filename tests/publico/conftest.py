"""A small world of accounts for the public view: every kind, every state that matters, and private
values distinctive enough that finding one in a public output is a leak."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from registro.core.models import ClasificacionEntidad, Municipio, TipoEmpresa
from registro.core.services import reference_data_load
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial, TipoCuenta
from registro.entities.account.workflow import event_record
from tests.factories import EntidadFactory

E = Entidad.Estado
T = EventoEntidad.Tipo


@pytest.fixture(autouse=True)
def _open_data_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "open_data": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "datos-abiertos")},
        },
    }


def area(entidad, codigo, principal=False):
    from registro.core.models import CodigoUNSPSC

    code = CodigoUNSPSC.objects.get(codigo=codigo)
    return AreaInteres.objects.create(entidad=entidad, codigo=code, prefijo=code.prefijo, principal=principal)


def cuenta(*, estado=E.ACTIVA, activada=True, municipio="05001", eventos=(), **kwargs):
    mpio = Municipio.objects.get(codigo=municipio) if municipio else None
    entidad = EntidadFactory(
        estado=estado,
        departamento=mpio.departamento if mpio else None,
        municipio=mpio,
        activada_at=timezone.now() if activada else None,
        telefono=kwargs.pop("telefono", "6045551234"),
        **kwargs,
    )
    event_record(entidad=entidad, tipo=T.REGISTRADA)
    if activada:
        event_record(entidad=entidad, tipo=T.ACTIVADA, estado_anterior=E.PENDIENTE, estado_nuevo=E.ACTIVA)
    for tipo, motivo in eventos:
        event_record(entidad=entidad, tipo=tipo, motivo=motivo)
    return entidad


@pytest.fixture
def mundo(db):
    reference_data_load()
    clas = {
        c: ClasificacionEntidad.objects.filter(campo=c).first() for c in ("orden", "rama", "sector", "tipo_entidad")
    }
    sas = TipoEmpresa.objects.get(codigo="sas")
    natural = TipoEmpresa.objects.get(codigo="persona-natural-colombiana")

    alcaldia = cuenta(
        nombre="ALCALDIA MUNICIPAL DE MEDELLIN",
        orden=clas["orden"],
        rama=clas["rama"],
        sector=clas["sector"],
        tipo_entidad=clas["tipo_entidad"],
        correo_notificaciones="contratacion@medellin.gov.co",
    )
    area(alcaldia, "43000000", principal=True)

    hospital = cuenta(
        nombre="E.S.E. HOSPITAL SAN RAFAEL DE ITAGUI",
        municipio="05360",
        es_proveedor=True,
        orden=clas["orden"],
        eventos=[(T.PERFIL_PROVEEDOR, "")],
    )
    PerfilComercial.objects.create(
        entidad=hospital, persona="juridica", direccion="Calle 50 # 40-10", es_mipyme=False, tamano="grande"
    )
    area(hospital, "85100000", principal=True)

    empresa = cuenta(
        nombre="SOLUCIONES TECNOLOGICAS ANDINAS S.A.S.",
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        municipio="11001",
        correo_notificaciones="notificaciones@andinas.com.co",
    )
    PerfilComercial.objects.create(
        entidad=empresa,
        persona="juridica",
        tipo_empresa=sas,
        direccion="Avenida El Dorado # 68-51",
        sitio_web="https://andinas.com.co",
        representante_nombre="Carlos Andrés Rojas",
        representante_tipo_documento="CC",
        representante_numero_documento="80123456",
        representante_correo="carlos.rojas.personal@gmail.com",
        representante_telefono="3157778899",
        tamano="pequena",
        es_mipyme=True,
        anio_fiscal=2025,
        activos="123456789.00",
    )
    area(empresa, "43210000", principal=True)
    area(empresa, "81110000")

    persona = cuenta(
        nombre="JUANA MARIA OSORIO PELAEZ",
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        nit="52987654",
        municipio="76001",
        telefono="3105550101",
        correo_notificaciones="juana.osorio.casa@hotmail.com",
    )
    PerfilComercial.objects.create(
        entidad=persona,
        persona="natural",
        tipo_empresa=natural,
        nombres="Juana María",
        apellidos="Osorio Peláez",
        tipo_documento="CC",
        numero_documento="52987654",
        direccion="Carrera 24 # 9-87 Barrio Secreto",
        es_mipyme=True,
        tamano="micro",
    )
    area(persona, "80110000", principal=True)

    suspendida = cuenta(
        nombre="CONSTRUCCIONES SUSPENDIDAS LTDA",
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=E.SUSPENDIDA,
        eventos=[(T.SUSPENDIDA, "Motivo reservado de la Mesa 7781")],
    )
    PerfilComercial.objects.create(entidad=suspendida, persona="juridica", representante_numero_documento="10101010")

    pendiente = cuenta(
        nombre="PROVEEDOR PENDIENTE SIN ACTIVAR SAS",
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=E.PENDIENTE,
        activada=False,
    )
    rechazada = cuenta(nombre="ENTIDAD RECHAZADA DE PRUEBA", estado=E.RECHAZADA, activada=False)
    correccion = cuenta(nombre="ENTIDAD EN CORRECCION DE PRUEBA", estado=E.REQUIERE_CORRECCION, activada=False)
    return SimpleNamespace(
        alcaldia=alcaldia,
        hospital=hospital,
        empresa=empresa,
        persona=persona,
        suspendida=suspendida,
        pendiente=pendiente,
        rechazada=rechazada,
        correccion=correccion,
        publicas=[alcaldia, hospital, empresa, persona, suspendida],
        proveedores=[hospital, empresa, persona, suspendida],
        no_publicas=[pendiente, rechazada, correccion],
    )


def hace(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)
