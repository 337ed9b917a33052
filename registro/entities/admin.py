from django.contrib import admin

from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento, RegistroEntidad


class DocumentoInline(admin.TabularInline):
    model = Documento
    fk_name = "entidad"
    extra = 0
    fields = (
        "tipo",
        "titulo",
        "visibilidad",
        "nombre_original",
        "version",
        "vigente",
        "tamano",
        "subido_por",
        "subido_en",
    )
    readonly_fields = fields
    can_delete = False


class PerfilComercialInline(admin.StackedInline):
    model = PerfilComercial
    extra = 0
    can_delete = False


class AreaInteresInline(admin.TabularInline):
    model = AreaInteres
    extra = 0
    fields = ("codigo", "principal")
    raw_id_fields = ("codigo",)


class MembresiaInline(admin.TabularInline):
    model = Membresia
    extra = 0
    raw_id_fields = ("usuario",)


@admin.register(Entidad)
class EntidadAdmin(admin.ModelAdmin):
    list_display = ("nombre", "nit", "dv", "tipo_cuenta", "es_proveedor", "estado", "created_at")
    search_fields = ("nombre", "nit", "id_tributario")
    list_filter = ("tipo_cuenta", "es_proveedor", "estado", "orden")
    raw_id_fields = ("entidad_superior", "creada_por")
    inlines = [PerfilComercialInline, AreaInteresInline, MembresiaInline, DocumentoInline]


@admin.register(RegistroEntidad)
class RegistroEntidadAdmin(admin.ModelAdmin):
    list_display = ("pk", "usuario", "estado", "updated_at")
    list_filter = ("estado",)
    raw_id_fields = ("usuario", "entidad")
