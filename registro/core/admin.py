from django.contrib import admin

from .models import ClasificacionEntidad, Departamento, Municipio


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
