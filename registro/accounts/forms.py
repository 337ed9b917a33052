from allauth.account.adapter import get_adapter
from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    SignupForm,
)
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MFAReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django import forms
from django.utils.translation import gettext_lazy as _

from registro.core.errors import ApplicationError

from . import passwords
from .signup_forms import ProfileFieldsMixin


class RegistroSignupForm(SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "username": _("Nombre de usuario"),
            "email": _("Correo electrónico"),
            "password1": _("Contraseña"),
            "password2": _("Confirmación de la contraseña"),
        }
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["email"].help_text = _("Un correo al que tenga acceso ahora; se recomienda el institucional.")
        self.fields["password1"].help_text = _("Mínimo 8 caracteres, con letras, números y caracteres especiales.")
        self.fields["username"].help_text = _("Lo usará para entrar. Letras sin tildes, números y . @ + - _")


class EntrarForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Usuario o correo electrónico")
        self.fields["password"].label = _("Contraseña")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Recordarme en este equipo")


class ProfileForm(ProfileFieldsMixin):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        self.clean_profile(user=self.user)
        return cleaned


class UsernameChangeForm(forms.Form):
    new_username = forms.CharField(label=_("Nuevo nombre de usuario"), max_length=150)
    current_password = forms.CharField(
        label=_("Contraseña actual"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TermsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=_("He leído y acepto los términos y condiciones de uso del SECOP II"),
        error_messages={"required": _("Para continuar debe aceptar los términos y condiciones de uso.")},
    )


class ResendConfirmationForm(forms.Form):
    login = forms.CharField(label=_("Usuario o correo electrónico"), max_length=254)


class CambiarCorreoForm(AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Correo electrónico nuevo")
        self.fields["email"].widget.attrs.pop("placeholder", None)


class CambiarContrasenaForm(ChangePasswordForm):
    """allauth's password change, with the current password checked under the password-check
    limit (accounts/passwords.py)."""

    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        try:
            ok = passwords.current_password_check(context.request, self.user, password)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if not ok:
            raise get_adapter().validation_error("enter_current_password")
        return password


class RecuperarContrasenaForm(ResetPasswordForm):
    """ "¿Olvidó su contraseña?": the same answer for a registered and an unknown address, so the
    form cannot be used to find out who has an account (ADR 0004). Signup still reports duplicates
    (ACCOUNT_PREVENT_ENUMERATION is off for it); only this form stops saying "unknown e-mail"."""

    def clean_email(self) -> str:
        try:
            return super().clean_email()  # finds self.users, then refuses an unknown address
        except forms.ValidationError as exc:
            if exc.code != "unknown_email":
                raise
            return self.cleaned_data["email"]


class ConfirmarIdentidadForm(ReauthenticateForm):
    """allauth's reauthentication before a sensitive action (accounts/reauthentication.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Contraseña")
        self.fields["password"].widget.attrs.pop("placeholder", None)


# --- Second factor (allauth.mfa): the site's labels and help on allauth's forms -------------------


def _code_field(field, label, help_text):
    field.label = label
    field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"})


class _CodigoMixin:
    """The login's second step and its reauthentication: the app's code or a recovery code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            _("Código de verificación"),
            _("Los 6 dígitos que muestra su aplicación de autenticación, o uno de sus códigos de recuperación."),
        )


class CodigoVerificacionForm(_CodigoMixin, AuthenticateForm):
    pass


class CodigoReautenticacionForm(_CodigoMixin, MFAReauthenticateForm):
    pass


class ActivarAplicacionForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            _("Código que muestra la aplicación"),
            _("Después de agregar el usuario a la aplicación, escriba los 6 dígitos que muestra ahora."),
        )


class AgregarLlaveForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Nombre de la llave")
        self.fields["name"].help_text = _("Para reconocerla en la lista, p. ej. «Llave USB de la oficina».")
        self.fields["name"].max_length = 100
        if "passwordless" in self.fields:
            self.fields["passwordless"].label = _("Usarla también como llave de acceso, para entrar sin contraseña")
            self.fields["passwordless"].help_text = _(
                "La llave o el equipo le pedirán su huella, su rostro o un PIN cada vez que entre."
            )


class RenombrarLlaveForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Nombre de la llave")
        self.fields["name"].max_length = 100
