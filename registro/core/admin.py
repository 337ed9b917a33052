from django.contrib import admin

from .models import ClasificacionEntidad, CodigoUNSPSC, Departamento, Municipio, TipoEmpresa


@admin.register(ClasificacionEntidad)
class ClasificacionEntidadAdmin(admin.ModelAdmin):
    list_display = ("campo", "valor", "activo", "posicion")
    list_filter = ("campo", "activo")
    list_editable = ("activo", "posicion")
    search_fields = ("valor",)


@admin.register(Departamento)
class DepartamentoAdmin(admin.ModelAdmin):
    list_display = ("codigo", "nombre")
    search_fields = ("nombre", "codigo")


@admin.register(Municipio)
class MunicipioAdmin(admin.ModelAdmin):
    list_display = ("codigo", "nombre", "departamento", "tipo")
    list_filter = ("departamento",)
    search_fields = ("nombre", "codigo")


@admin.register(TipoEmpresa)
class TipoEmpresaAdmin(admin.ModelAdmin):
    """The supplier pre-form's types of organisation: the desk adds, renames, reorders or
    deactivates them; a deactivated one stays on the accounts that have it."""

    list_display = ("nombre", "codigo", "persona", "extranjera", "activo", "posicion")
    list_filter = ("persona", "extranjera", "activo")
    list_editable = ("activo", "posicion")
    search_fields = ("nombre", "codigo")


@admin.register(CodigoUNSPSC)
class CodigoUNSPSCAdmin(admin.ModelAdmin):
    """The classifier ships with the project (registro/core/data/unspsc-es.csv) and changes only
    with a new version of it: browsable here, not editable."""

    list_display = ("codigo", "nombre", "nivel", "padre")
    list_filter = ("nivel",)
    search_fields = ("codigo", "nombre")
    list_select_related = ("padre",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
