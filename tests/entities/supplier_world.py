"""A small world for the supplier side's tests: an active supplier account (persona jurídica) with
its commercial profile, two areas of interest and its members (Administrador, a plain user, a user
whose role may edit the profile, one whose role manages the library), a natural-person supplier, a
plain State entity, and an entity that also supplies (R4.3). Built with the ORM directly."""

from types import SimpleNamespace

import pytest
from django.test import Client

from registro.core.models import TipoEmpresa
from registro.core.services import reference_data_load
from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial, TipoCuenta
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad
from registro.entities.registration.rules import nit_check_digit
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory

API = "/api/v1"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def proveedor_create(nit: str = "900123456", nombre: str = "SUMINISTROS ANDINOS SAS", **extra) -> Entidad:
    return EntidadFactory(
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=Entidad.Estado.ACTIVA,
        nombre=nombre,
        nombre_abreviado="SUMAND",
        nit=nit,
        dv=nit_check_digit(nit),
        area_negocio="privado",
        tipo_organizacion="",
        departamento_id="05",
        municipio_id="05001",
        telefono="6043855555",
        correo_notificaciones="contacto@suministrosandinos.com.co",
        **extra,
    )


def perfil_create(entidad: Entidad, **extra) -> PerfilComercial:
    data = {
        "persona": TipoEmpresa.Persona.JURIDICA,
        "tipo_empresa": TipoEmpresa.objects.get(codigo="sas"),
        "direccion": "Carrera 43A # 1-50, oficina 301",
        "sitio_web": "https://suministrosandinos.com.co",
        "representante_nombre": "Carlos Restrepo Uribe",
        "representante_tipo_documento": "CC",
        "representante_numero_documento": "71234567",
        "representante_correo": "gerencia@suministrosandinos.com.co",
        "representante_telefono": "3104567890",
        "tamano": "pequena",
        "es_mipyme": True,
    }
    data.update(extra)
    return PerfilComercial.objects.create(entidad=entidad, **data)


def areas_create(entidad: Entidad, codigos: list[str], principal: str) -> None:
    from registro.core.models import CodigoUNSPSC

    for codigo in codigos:
        code = CodigoUNSPSC.objects.get(pk=codigo)
        AreaInteres.objects.create(
            entidad=entidad,
            codigo=code,
            prefijo=CodigoUNSPSC.prefix_of(codigo, code.nivel),
            principal=codigo == principal,
        )


def member(entidad: Entidad, rol: str = Membresia.Rol.COMPRADOR, permisos=(), **user) -> Membresia:
    membresia = MembresiaFactory(entidad=entidad, rol=rol, usuario=UserFactory(**user))
    if permisos:
        role = RolEntidad.objects.create(entidad=entidad, nombre=f"Rol {membresia.pk}", permisos=list(permisos))
        membresia.roles.add(role)
    return membresia


@pytest.fixture
def world(db):
    reference_data_load()
    proveedor = proveedor_create()
    perfil_create(proveedor)
    areas_create(proveedor, ["43000000", "43211500"], principal="43000000")
    natural = proveedor_create(nit="1020304050", nombre="MARIA FERNANDA LOPEZ GIRALDO")
    perfil_create(
        natural,
        persona=TipoEmpresa.Persona.NATURAL,
        tipo_empresa=TipoEmpresa.objects.get(codigo="persona-natural-colombiana"),
        nombres="María Fernanda",
        apellidos="López Giraldo",
        tipo_documento="CC",
        numero_documento="1020304050",
        representante_nombre="",
        representante_tipo_documento="",
        representante_numero_documento="",
        representante_correo="",
        representante_telefono="",
        tamano="micro",
    )
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA, departamento_id="11", municipio_id="11001")
    entidad_proveedora = EntidadFactory(
        estado=Entidad.Estado.ACTIVA,
        es_proveedor=True,
        nombre="IMPRENTA NACIONAL DE COLOMBIA",
        departamento_id="11",
        municipio_id="11001",
        telefono="6014578000",
    )
    return SimpleNamespace(
        proveedor=proveedor,
        natural=natural,
        entidad=entidad,
        entidad_proveedora=entidad_proveedora,
        admin=member(proveedor, Membresia.Rol.ADMINISTRADOR, username="admin.proveedor").usuario,
        plain=member(proveedor, username="usuario.proveedor").usuario,
        editor=member(proveedor, permisos=[Permiso.EDITAR_PERFIL_COMERCIAL], username="editor.proveedor").usuario,
        bibliotecario=member(proveedor, permisos=[Permiso.GESTIONAR_BIBLIOTECA], username="biblio.proveedor").usuario,
        natural_admin=member(natural, Membresia.Rol.ADMINISTRADOR, username="maria.lopez").usuario,
        entidad_admin=member(entidad, Membresia.Rol.ADMINISTRADOR, username="admin.entidad").usuario,
        entidad_proveedora_admin=member(
            entidad_proveedora, Membresia.Rol.ADMINISTRADOR, username="admin.imprenta"
        ).usuario,
        outsider=UserFactory(username="sin.cuenta"),
        desk=DeskUserFactory(username="mesa.proveedores"),
    )
