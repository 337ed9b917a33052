from django.contrib import admin

from .models import Instantanea


@admin.register(Instantanea)
class InstantaneaAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the daily task."""

    list_display = ("archivo", "fecha", "filas", "tamano", "sha256")
    list_filter = ("archivo",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
