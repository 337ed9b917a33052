"""Accounts for the Directorio's tests, built with the ORM: any kind, state, place, profile and
areas of interest."""

from registro.core.models import CodigoUNSPSC, TipoEmpresa
from registro.entities.account.models import AreaInteres, PerfilComercial, TipoCuenta
from tests.factories import EntidadFactory

_nit = iter(range(700_000_001, 799_999_999, 7))


def cuenta(
    nombre: str,
    *,
    tipo: str = TipoCuenta.PROVEEDOR,
    estado: str = "activa",
    es_proveedor: bool = False,
    departamento: str | None = None,
    municipio: str | None = None,
    tamano: str = "",
    mipyme: bool = False,
    tipo_empresa: str | None = None,
    persona: str = "juridica",
    areas: tuple[str, ...] = (),
    nit: str | None = None,
    **extra,
):
    """An account; a commercial profile when it supplies; `areas` are 8-digit codes, the first
    the main category."""
    entidad = EntidadFactory(
        nombre=nombre,
        nit=nit or str(next(_nit)),
        tipo_cuenta=tipo,
        estado=estado,
        es_proveedor=es_proveedor,
        departamento_id=departamento or (municipio[:2] if municipio else None),
        municipio_id=municipio,
        **extra,
    )
    if tipo == TipoCuenta.PROVEEDOR or es_proveedor:
        PerfilComercial.objects.create(
            entidad=entidad,
            persona=persona,
            tamano=tamano,
            es_mipyme=mipyme,
            tipo_empresa=TipoEmpresa.objects.get(codigo=tipo_empresa) if tipo_empresa else None,
        )
    for i, codigo in enumerate(areas):
        code = CodigoUNSPSC.objects.get(pk=codigo)
        AreaInteres.objects.create(entidad=entidad, codigo=code, prefijo=code.prefijo, principal=i == 0)
    return entidad


def documento(entidad, tipo="rut", *, titulo="", version=1, vigente=True, visibilidad="directorio", contenido=None):
    """A stored document of `entidad` (a PDF unless `contenido` is given)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from registro.entities.registration.models import Documento
    from tests.entities.conftest import pdf_bytes

    data = contenido or pdf_bytes()
    row = Documento(
        entidad=entidad,
        tipo=tipo,
        titulo=titulo,
        version=version,
        vigente=vigente,
        visibilidad=visibilidad,
        nombre_original=f"{tipo}-v{version}.pdf",
        tamano=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="application/pdf",
        subido_en=timezone.now(),
    )
    row.archivo.save(row.nombre_original, ContentFile(data), save=False)
    row.save()
    return row
