from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AccessEvent, TermsAcceptance, User


@admin.register(User)
class RegistroUserAdmin(UserAdmin):
    """Operators manage users here, including membership of the "Mesa de Servicio" group."""

    list_display = ("username", "email", "first_name", "last_name", "document_type", "document_number", "is_staff")
    search_fields = ("username", "email", "first_name", "last_name", "document_number")
    fieldsets = UserAdmin.fieldsets + (
        (
            "Registro SECOP",
            {"fields": ("document_type", "document_number", "phone", "time_zone", "entity_name", "entity_nit")},
        ),
    )


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "ip", "identifier")
    list_filter = ("kind",)
    search_fields = ("user__username", "identifier", "ip")
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False  # the access history is a record, not something to edit


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at")
    raw_id_fields = ("user",)


# Second factors are not edited in Django's admin: its change form would show TOTP secrets, and a
# lost factor is removed by the desk's "Retirar segundo factor", with a reason in the history.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
