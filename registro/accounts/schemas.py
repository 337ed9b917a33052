from datetime import datetime

from django.utils import timezone
from ninja import Field, Schema

from .timezones import user_zone


class ProfileOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    document_type: str
    document_number: str
    phone: str
    time_zone: str
    entity_name: str
    entity_nit: str
    date_joined: datetime


class ProfileIn(Schema):
    """Only the fields sent change (PATCH); the rest keep their values."""

    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    document_type: str | None = Field(None, max_length=3)
    document_number: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    time_zone: str | None = Field(None, max_length=64)


class UsernameChangeIn(Schema):
    new_username: str = Field(max_length=150)
    current_password: str = Field(max_length=4096)


class AccessEventOut(Schema):
    kind: str
    label: str
    created_at: datetime = Field(description="En la zona horaria del usuario")
    ip: str | None
    user_agent: str

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_created_at(obj, context) -> datetime:
        return timezone.localtime(obj.created_at, timezone=user_zone(context["request"].auth))


class TermsStatusOut(Schema):
    current_version: str
    accepted: bool
    accepted_at: datetime | None
    terms_url: str


class TermsAcceptIn(Schema):
    version: str = Field(max_length=32)


class ChoiceOut(Schema):
    value: str
    label: str


class SessionOut(Schema):
    """One of the user's sessions ("Sesiones activas")."""

    id: int
    browser: str = Field(description="Navegador y sistema, leídos del User-Agent")
    user_agent: str
    ip: str
    created_at: datetime = Field(description="Inicio de la sesión, en la zona horaria del usuario")
    last_seen_at: datetime = Field(description="Última actividad, en la zona horaria del usuario")
    is_current: bool = Field(description="La sesión desde la que se hace esta llamada")

    @staticmethod
    def resolve_created_at(obj, context) -> datetime:
        return timezone.localtime(obj.created_at, timezone=user_zone(context["request"].auth))

    @staticmethod
    def resolve_last_seen_at(obj, context) -> datetime:
        return timezone.localtime(obj.last_seen_at, timezone=user_zone(context["request"].auth))


class SessionsEndedOut(Schema):
    ended: int = Field(description="Cuántas sesiones se cerraron")
