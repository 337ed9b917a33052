from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "America/Bogota"


class DocumentType(models.TextChoices):
    CEDULA_CIUDADANIA = "CC", _("Cédula de ciudadanía")
    CEDULA_EXTRANJERIA = "CE", _("Cédula de extranjería")
    PASAPORTE = "PA", _("Pasaporte")
    PPT = "PPT", _("Permiso por Protección Temporal")


class RegistroUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique regardless of letter case, so login is too.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person. Registers once, ever (R1.2), and may later act for several entities."""

    first_name = models.CharField(_("Nombres"), max_length=150)
    last_name = models.CharField(_("Apellidos"), max_length=150)
    email = models.EmailField(_("Correo electrónico"), max_length=254)
    document_type = models.CharField(_("Tipo de documento"), max_length=3, choices=DocumentType.choices)
    document_number = models.CharField(_("Número de documento"), max_length=20)
    phone = models.CharField(_("Teléfono"), max_length=20, blank=True)
    time_zone = models.CharField(_("Zona horaria"), max_length=64, default=DEFAULT_TIME_ZONE)
    # "Nombre de la Entidad" chosen at registration, kept to pre-fill section 3 (R1.3).
    entity_name = models.CharField(_("Nombre de la Entidad"), max_length=255, blank=True)
    entity_nit = models.CharField(_("NIT de la Entidad"), max_length=20, blank=True)
    # When the grace to set up a second factor began: on being given a role that needs one, and
    # again after the desk removes a lost factor (registro/accounts/mfa.py, ADR 0017).
    mfa_grace_started_at = models.DateTimeField(_("Plazo para el segundo factor desde"), null=True, blank=True)

    objects = RegistroUserManager()

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique", condition=~models.Q(email="")),
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                name="user_document_unique",
                condition=~models.Q(document_number=""),
            ),
        ]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AccessEvent(models.Model):
    """One line of "Accesos del usuario": logins, logouts, failures and credential changes."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Inicio de sesión")
        LOGOUT = "logout", _("Cierre de sesión")
        LOGIN_FAILED = "login_failed", _("Intento fallido de inicio de sesión")
        LOGIN_BLOCKED = "login_blocked", _("Inicio de sesión bloqueado por exceso de intentos")
        PASSWORD_CHECK_BLOCKED = (
            "password_check_blocked",
            _("Verificación de la contraseña actual bloqueada por exceso de intentos"),
        )
        PASSWORD_CHANGED = "password_changed", _("Cambio de contraseña")
        PASSWORD_RESET = "password_reset", _("Restablecimiento de contraseña")
        USERNAME_CHANGED = "username_changed", _("Cambio de nombre de usuario")
        EMAIL_CHANGED = "email_changed", _("Cambio de correo electrónico")
        EMAIL_CONFIRMED = "email_confirmed", _("Confirmación del correo electrónico")
        PROFILE_UPDATED = "profile_updated", _("Edición de datos personales")
        TERMS_ACCEPTED = "terms_accepted", _("Aceptación de términos y condiciones")
        # Second factors (allauth.mfa) and sessions (allauth.usersessions).
        MFA_LOGIN = "mfa_login", _("Verificación en dos pasos al iniciar sesión")
        MFA_FAILED = "mfa_failed", _("Código de verificación en dos pasos incorrecto")
        MFA_TOTP_ADDED = "mfa_totp_added", _("Aplicación de autenticación activada")
        MFA_TOTP_REMOVED = "mfa_totp_removed", _("Aplicación de autenticación desactivada")
        MFA_WEBAUTHN_ADDED = "mfa_webauthn_added", _("Llave de seguridad o llave de acceso registrada")
        MFA_WEBAUTHN_REMOVED = "mfa_webauthn_removed", _("Llave de seguridad o llave de acceso eliminada")
        MFA_RECOVERY_CODES_GENERATED = "mfa_recovery_codes", _("Códigos de recuperación generados")
        MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Código de recuperación usado")
        MFA_RESET_BY_DESK = "mfa_reset_by_desk", _("Segundo factor retirado por la Mesa de Servicio")
        REAUTHENTICATED = "reauthenticated", _("Confirmación de identidad para una acción sensible")
        SESSION_ENDED = "session_ended", _("Sesión cerrada desde otra sesión")
        OTHER_SESSIONS_ENDED = "other_sessions_ended", _("Cierre de las demás sesiones")
        SESSIONS_ENDED_BY_DESK = "sessions_ended_by_desk", _("Sesiones cerradas por la Mesa de Servicio")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="access_events"
    )
    kind = models.CharField(_("Evento"), max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(_("Fecha y hora"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("Dirección IP"), null=True, blank=True)
    user_agent = models.CharField(_("Navegador"), max_length=512, blank=True)
    # The login typed in a failed attempt that matched no account (never the password).
    identifier = models.CharField(max_length=254, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("evento de acceso")
        verbose_name_plural = _("eventos de acceso")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="accessevent_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class TermsAcceptance(models.Model):
    """Acceptance of the "Términos y condiciones de uso" in one version (R1.5)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances")
    version = models.CharField(_("Versión"), max_length=32)
    accepted_at = models.DateTimeField(_("Aceptados el"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("aceptación de términos")
        verbose_name_plural = _("aceptaciones de términos")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="terms_user_version_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.version}"
