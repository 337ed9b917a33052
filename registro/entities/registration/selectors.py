from django.db.models import QuerySet

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
