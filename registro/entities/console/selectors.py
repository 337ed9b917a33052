from django.db.models import QuerySet

from registro.entities.account.models import Entidad
from registro.entities.console.models import UnidadContratacion


def unidades(*, entidad: Entidad) -> QuerySet[UnidadContratacion]:
    return entidad.unidades.prefetch_related("miembros__usuario").order_by("nombre")
