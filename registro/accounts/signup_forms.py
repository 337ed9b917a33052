"""Fields of "Registrar usuario" that allauth's signup form inherits. This module must not import
allauth's forms: allauth imports it while building its own."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from registro.core.errors import ApplicationError

from . import services
from .models import DEFAULT_TIME_ZONE, DocumentType, User
from .timezones import time_zone_choices

PROFILE_FIELDS = ("first_name", "last_name", "document_type", "document_number", "phone", "time_zone")


class ProfileFieldsMixin(forms.Form):
    first_name = forms.CharField(
        label=_("Nombres"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Apellidos"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=[("", _("Seleccione…"))] + DocumentType.choices
    )
    document_number = forms.CharField(label=_("Número de documento"), max_length=20)
    phone = forms.CharField(
        label=_("Teléfono"),
        max_length=20,
        required=False,
        help_text=_("Celular o fijo de 10 dígitos, sin extensión."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    time_zone = forms.ChoiceField(label=_("Zona horaria"), choices=time_zone_choices, initial=DEFAULT_TIME_ZONE)

    def clean_profile(self, user=None) -> None:
        # Runs even when some fields already failed, so every problem is listed at once.
        data = {name: self.cleaned_data.get(name, "") for name in PROFILE_FIELDS}
        try:
            self.cleaned_data.update(services.user_profile_clean(data=data, user=user))
        except ApplicationError as exc:
            for field, messages in (exc.detail.get("fields") or {}).items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)


class RegistrarUsuarioForm(ProfileFieldsMixin):
    """Custom fields of "Registrar usuario" (R1.3); allauth adds username, e-mail and passwords."""

    field_order = [
        "first_name",
        "last_name",
        "document_type",
        "document_number",
        "email",
        "phone",
        "username",
        "password1",
        "password2",
        "time_zone",
        "entity_name",
        "entity_nit",
    ]

    entity_name = forms.CharField(
        label=_("Nombre de la Entidad"),
        max_length=255,
        help_text=_(
            "Si va a solicitar acceso, elija la Entidad de la lista. Si va a registrar una Entidad "
            "que aún no está en la plataforma, escriba su nombre."
        ),
    )
    entity_nit = forms.RegexField(
        regex=r"^\d{5,15}$",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("La Entidad elegida no es válida; búsquela de nuevo.")},
    )

    def clean_entity_name(self):
        name = " ".join(self.cleaned_data["entity_name"].split())
        if "<" in name or ">" in name:
            raise forms.ValidationError(_("El nombre de la Entidad no puede contener los caracteres < >."))
        return name

    def clean(self):
        cleaned = super().clean()
        self.clean_profile()
        self._clean_email_any_case()
        self._clean_password_similarity()
        return cleaned

    def _clean_email_any_case(self) -> None:
        # allauth compares e-mails in lower case only; an account stored with capitals (createsuperuser,
        # shell) would otherwise reach the database constraint and fail with a server error.
        email = self.cleaned_data.get("email")
        if email and User.objects.filter(email__iexact=email).exists():
            self.add_error("email", _("Ya hay registrado un usuario con esta dirección de correo electrónico."))

    def _clean_password_similarity(self) -> None:
        # AUTH_PASSWORD_VALIDATORS compare the password with the person's data (R1.4). allauth's web form
        # ("password1") compares it only with username and e-mail; its headless API input ("password") with
        # nothing at all.
        field = "password" if "password" in self.fields else "password1"
        password = self.cleaned_data.get(field)
        if not password:
            return
        names = ["first_name", "last_name", "document_number"]
        if field == "password":
            names += ["username", "email"]
        user = User(**{name: self.cleaned_data.get(name) or "" for name in names})
        validators = [
            validator
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, password_validation.UserAttributeSimilarityValidator)
        ]
        try:
            password_validation.validate_password(password, user, password_validators=validators)
        except forms.ValidationError as exc:
            self.add_error(field, exc)

    def signup(self, request, user):
        # Called by allauth inside the signup transaction, after the user row exists.
        for name in PROFILE_FIELDS + ("entity_name", "entity_nit"):
            setattr(user, name, self.cleaned_data.get(name) or "")
        user.save()
