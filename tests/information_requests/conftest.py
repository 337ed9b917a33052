"""Accounts for information requests: a State entity with an Administrador, a Comprador without
the permission and one with a role that carries it; suppliers with areas of interest."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from registro.entities.account.models import AreaInteres, Entidad, TipoCuenta
from registro.entities.information_requests import services
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad
from tests.factories import EntidadFactory, MembresiaFactory

ACTIVA = Entidad.Estado.ACTIVA


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def supplier(*codigos: str, nombre: str = "", estado=ACTIVA, correo: str | None = None, **kwargs) -> Entidad:
    """A supplier account with areas of interest at `codigos` (8-digit codes of the classifier)."""
    kwargs.setdefault("tipo_cuenta", TipoCuenta.PROVEEDOR)
    entidad = EntidadFactory(estado=estado, **({"nombre": nombre} if nombre else {}), **kwargs)
    entidad.correo_notificaciones = correo if correo is not None else f"ventas{entidad.pk}@proveedor.com.co"
    entidad.save(update_fields=["correo_notificaciones"])
    from registro.core.models import CodigoUNSPSC

    for codigo in codigos:
        c = CodigoUNSPSC.objects.get(pk=codigo)
        AreaInteres.objects.create(entidad=entidad, codigo=c, prefijo=c.prefijo)
    return entidad


@pytest.fixture
def entidad(db):
    return EntidadFactory(estado=ACTIVA, nombre="ALCALDIA DE TUNJA", correo_notificaciones="contratos@tunja.gov.co")


@pytest.fixture
def admin(entidad):
    return MembresiaFactory(entidad=entidad).usuario


@pytest.fixture
def comprador(entidad):
    return MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR).usuario


@pytest.fixture
def gestor(entidad):
    """A Comprador whose role carries the permission."""
    membresia = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    rol = RolEntidad.objects.create(
        entidad=entidad, nombre="Estudios de mercado", permisos=[Permiso.GESTIONAR_SOLICITUDES_INFORMACION]
    )
    membresia.roles.add(rol)
    return membresia.usuario


@pytest.fixture
def proveedor(db):
    return supplier("43210000", nombre="TECNOLOGIA ANDINA SAS")


@pytest.fixture
def proveedor_admin(proveedor):
    return MembresiaFactory(entidad=proveedor).usuario


@pytest.fixture
def proveedor_usuario(proveedor):
    """A plain user of the supplier: no permission to answer."""
    return MembresiaFactory(entidad=proveedor, rol=Membresia.Rol.COMPRADOR).usuario


def manana(hours: int = 24):
    return timezone.now() + timedelta(hours=hours)


def crear(entidad, actor, *, codigos=("43000000",), plazo=None, archivos=(), titulo="Cotización de computadores"):
    return services.solicitud_create(
        entidad=entidad,
        actor=actor,
        titulo=titulo,
        descripcion="Necesitamos 40 portátiles para las sedes rurales.",
        codigos=list(codigos),
        plazo=plazo or manana(),
        archivos=archivos,
    )


@pytest.fixture
def solicitud(entidad, admin):
    return crear(entidad, admin)
