from django.contrib import admin

from .models import Entidad


@admin.register(Entidad)
class EntidadAdmin(admin.ModelAdmin):
    list_display = ("nombre", "nit", "estado", "created_at")
    search_fields = ("nombre", "nit")
    list_filter = ("estado",)
