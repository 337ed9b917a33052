from django.contrib import admin

from .models import Caso, EventoCaso, Mensaje, RevisionDocumento


class MensajeInline(admin.TabularInline):
    model = Mensaje
    extra = 0
    fields = ("autor", "de_la_mesa", "texto", "created_at")
    readonly_fields = fields
    can_delete = False


class EventoInline(admin.TabularInline):
    model = EventoCaso
    extra = 0
    fields = ("created_at", "actor", "tipo", "estado_anterior", "estado_nuevo", "motivo")
    readonly_fields = fields
    can_delete = False


@admin.register(Caso)
class CasoAdmin(admin.ModelAdmin):
    list_display = ("numero", "asunto", "tipo_solicitud", "estado", "nombre_entidad", "created_at")
    list_filter = ("estado", "asunto", "tipo_solicitud")
    search_fields = ("numero", "nombre_entidad", "correo", "numero_documento")
    raw_id_fields = ("solicitante", "entidad", "asignado_a")
    inlines = [MensajeInline, EventoInline]


@admin.register(RevisionDocumento)
class RevisionDocumentoAdmin(admin.ModelAdmin):
    list_display = ("caso", "documento", "decision", "revisor", "created_at")
    raw_id_fields = ("caso", "documento", "revisor")
