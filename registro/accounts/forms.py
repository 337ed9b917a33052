from allauth.account.forms import AddEmailForm, LoginForm, SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

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
