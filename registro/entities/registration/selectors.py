from django.db.models import Exists, OuterRef, QuerySet

from registro.entities.account.models import Entidad
from registro.entities.registration.models import Documento, RegistroEntidad


def registros_en_curso(*, user) -> QuerySet[RegistroEntidad]:
    return RegistroEntidad.objects.filter(usuario=user, estado=RegistroEntidad.Estado.BORRADOR).order_by("-updated_at")


def registro_get(*, user, pk: int) -> RegistroEntidad | None:
    """A registration of this user's; someone else's is as good as missing (404, not 403)."""
    return RegistroEntidad.objects.filter(pk=pk, usuario=user).first()


def documentos_vigentes(*, registro: RegistroEntidad) -> dict[str, Documento]:
    return {d.tipo: d for d in registro.documentos.filter(vigente=True).select_related("subido_por")}


def documentos_anteriores(*, registro: RegistroEntidad) -> list[Documento]:
    return list(registro.documentos.filter(vigente=False).order_by("tipo", "-version"))


def documentos_directorio() -> QuerySet[Documento]:
    """The documents every user of an active account sees through the Directorio (R2.4): those of
    an active account marked visible there, in a document (type and title) whose current version
    is marked visible too, so hiding a document hides its earlier versions with it. The one rule
    for the profile's list and for the download's guard."""
    current = Documento.objects.filter(
        entidad=OuterRef("entidad"),
        tipo=OuterRef("tipo"),
        titulo=OuterRef("titulo"),
        vigente=True,
        visibilidad=Documento.Visibilidad.DIRECTORIO,
    )
    return Documento.objects.filter(
        entidad__estado=Entidad.Estado.ACTIVA, visibilidad=Documento.Visibilidad.DIRECTORIO
    ).filter(Exists(current))
