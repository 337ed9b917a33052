"""The authorization matrix: every URL of the project and every API operation, for eight actors,
with the answer each one must get. One world (entity A with its users and objects, entity B with its
administrator, supplier account S with its administrator and a plain user, a suspended supplier Z,
the service desk) is built once for the module; every request runs in its own transaction, rolled
back afterwards, so allowed changes do not leak into the next case.

Adding a URL or an API operation without a rule in `TABLE` makes `test_every_url_and_operation_has_a_rule`
fail: decide who may use it and write it down here. The table also says which URLs are public (those
it allows to anonymous visitors) and `test_every_api_operation_requires_authentication_unless_public`
holds the API to it."""

import datetime
import hashlib
import io
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfWriter

from config.api import api
from registro.accounts import headless, mfa
from registro.accounts.models import AccessEvent, TermsAcceptance
from registro.accounts.permissions import SERVICE_DESK_GROUP
from registro.core.models import ClasificacionEntidad, CodigoUNSPSC, Departamento, Municipio, TipoEmpresa
from registro.entities.account.models import AreaNegocio, Entidad, PerfilComercial, TipoCuenta
from registro.entities.console.models import UnidadContratacion
from registro.entities.directory.models import DescargaDocumento
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    CodigoSolicitud,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from registro.entities.membership import invitations
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.models import OutboundEmail
from registro.publico import snapshots
from registro.servicedesk.models import Adjunto, Caso, Mensaje, RevisionDocumento
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory, give_second_factor
from tests.webauthn import SoftKey

pytestmark = pytest.mark.django_db

# --- Actors and what they may get ---------------------------------------------------------------

ANON = "anonymous"
OUTSIDER = "no_entity"  # logged in, member of no entity; registering one of their own, invited to A
MEMBER_B = "admin_of_b"  # Administrador of entity B, so acting for B
COMPRADOR_A = "comprador_of_a"  # Comprador of A, without extra roles: no permission of the catalogue
ADMIN_A = "admin_of_a"  # Administrador of A: every permission; requester of A's support case
DESK = "service_desk"  # Mesa de Servicio (staff, no entity)
# A supplier account S (tipo_cuenta proveedor, active, with its commercial profile), unrelated to A:
SUPPLIER_ADMIN = "supplier_admin"  # Administrador of S, so acting for S with what applies to a supplier
SUPPLIER_USER = "supplier_user"  # "Usuario del Proveedor" of S without extra roles: no permission
ACTORS = (ANON, OUTSIDER, MEMBER_B, COMPRADOR_A, ADMIN_A, DESK, SUPPLIER_ADMIN, SUPPLIER_USER)
# Roles that need a second factor, without one and past the grace (ADR 0017): a desk member, and
# the Administrador of a third entity C. Each is checked against the actor they would otherwise be.
DESK_WITHOUT_FACTOR = "service_desk_without_second_factor"
ADMIN_WITHOUT_FACTOR = "admin_of_c_without_second_factor"
WITHOUT_FACTOR = {DESK_WITHOUT_FACTOR: DESK, ADMIN_WITHOUT_FACTOR: MEMBER_B}

ALLOW = "allow"  # reaches the view: no 401/403/404/405/422, no detour to log in, the terms or (console) the landing
LOGIN = "login"  # 302 to the login page (the admin's own for /admin/); 401 `not_authenticated` in the API
SITE_LOGIN = "site_login"  # 302 to the site's login page, even from /admin/ (the admin's login page itself)
LANDING = "landing"  # 302 to /entidades/: the console sends a user who acts for no entity to R5.4's page
FORBIDDEN = "403"
NOT_FOUND = "404"  # the object (or the page) is not revealed
OPEN = "open"  # allauth's headless API: open to anyone, does its own authentication; must not fail

LOGIN_PAGE = "/cuentas/login/"
ADMIN_LOGIN_PAGE = "/admin/login/"
LANDING_PAGE = "/entidades/"
TERMS_PAGE = "/cuentas/terminos/"


def who(
    anonymous, no_entity, admin_of_b, comprador_of_a, admin_of_a, service_desk, supplier_admin, supplier_user
) -> dict[str, str]:
    return dict(
        zip(
            ACTORS,
            (anonymous, no_entity, admin_of_b, comprador_of_a, admin_of_a, service_desk, supplier_admin, supplier_user),
            strict=True,
        )
    )


NF = NOT_FOUND
EVERYONE = who(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
LOGGED_IN = who(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
HEADLESS = who(OPEN, OPEN, OPEN, OPEN, OPEN, OPEN, OPEN, OPEN)
ALL_NOT_FOUND = who(NF, NF, NF, NF, NF, NF, NF, NF)
# Entity A's registration page, documents and data: its users and the desk.
ENTITY_A = who(LOGIN, NF, NF, ALLOW, ALLOW, ALLOW, NF, NF)
# The outsider's own registration in progress, and the invitation addressed to the outsider.
OWN_DRAFT = who(LOGIN, ALLOW, NF, NF, NF, NF, NF, NF)
INVITEE = OWN_DRAFT
# Another user's access request: only that user.
NOBODY = who(LOGIN, NF, NF, NF, NF, NF, NF, NF)
# Console pages act for the acting entity; without one the user is sent to the landing page. The
# supplier's actors act for S: its administrator as B's does, its plain user as A's Comprador.
CONSOLE_MEMBER = who(LOGIN, LANDING, ALLOW, ALLOW, ALLOW, LANDING, ALLOW, ALLOW)
CONSOLE_PERMISSION = who(LOGIN, LANDING, ALLOW, FORBIDDEN, ALLOW, LANDING, ALLOW, FORBIDDEN)  # own lists
CONSOLE_OBJECT_OF_A = who(LOGIN, LANDING, NF, FORBIDDEN, ALLOW, LANDING, NF, FORBIDDEN)
# Purchasing units are a State entity's: an account that is not one is refused (403, saying why).
CONSOLE_UNITS = who(LOGIN, LANDING, ALLOW, ALLOW, ALLOW, LANDING, FORBIDDEN, FORBIDDEN)
CONSOLE_UNIT_OF_A = who(LOGIN, LANDING, NF, FORBIDDEN, ALLOW, LANDING, FORBIDDEN, FORBIDDEN)
# The same in the API, where acting for no entity is 404.
API_MEMBER = who(LOGIN, NF, ALLOW, ALLOW, ALLOW, NF, ALLOW, ALLOW)
API_PERMISSION = who(LOGIN, NF, ALLOW, FORBIDDEN, ALLOW, NF, ALLOW, FORBIDDEN)
API_OBJECT_OF_A = who(LOGIN, NF, NF, FORBIDDEN, ALLOW, NF, NF, FORBIDDEN)
API_UNITS_MEMBER = who(LOGIN, NF, ALLOW, ALLOW, ALLOW, NF, FORBIDDEN, FORBIDDEN)
API_UNITS_PERMISSION = who(LOGIN, NF, ALLOW, FORBIDDEN, ALLOW, NF, FORBIDDEN, FORBIDDEN)
API_UNIT_OF_A = who(LOGIN, NF, NF, FORBIDDEN, ALLOW, NF, FORBIDDEN, FORBIDDEN)
API_MEMBER_UNIT_OF_A = who(LOGIN, NF, NF, ALLOW, ALLOW, NF, FORBIDDEN, FORBIDDEN)
# A member of A, found before any permission is asked (anyone may leave): not found outside A.
MEMBER_OF_A = who(LOGIN, LANDING, NF, FORBIDDEN, ALLOW, LANDING, NF, NF)
API_MEMBER_OF_A = who(LOGIN, NF, NF, FORBIDDEN, ALLOW, NF, NF, NF)
# A's support case: its requester (A's admin), A's users who may open its cases or correct its
# registration (not a Comprador without roles), and the desk. Corrections: those who may edit A.
CASE = who(LOGIN, NF, NF, NF, ALLOW, ALLOW, NF, NF)
CASE_CORRECTION = who(LOGIN, NF, NF, NF, ALLOW, NF, NF, NF)
DESK_ONLY = who(LOGIN, NF, NF, NF, NF, ALLOW, NF, NF)
# Only A's users may make A the acting account.
TO_A = who(LOGIN, NF, NF, ALLOW, ALLOW, NF, NF, NF)
# Django's admin: staff only (the desk is staff, without model permissions); others go to its login.
# The supplier side of the console (R9): an account without one has none of these pages (404);
# every user of S sees them, editing needs its permission (S's plain user holds none).
SUPPLIER_SIDE = who(LOGIN, LANDING, NF, NF, NF, LANDING, ALLOW, ALLOW)
SUPPLIER_SIDE_PERMISSION = who(LOGIN, LANDING, NF, NF, NF, LANDING, ALLOW, FORBIDDEN)
API_SUPPLIER_SIDE = who(LOGIN, NF, NF, NF, NF, NF, ALLOW, ALLOW)
API_SUPPLIER_SIDE_PERMISSION = who(LOGIN, NF, NF, NF, NF, NF, ALLOW, FORBIDDEN)
# Information requests: a State entity's users with "Gestionar solicitudes de información" manage
# its own (another entity's are not found); a supplier account is refused, saying why (403).
REQUESTS = who(LOGIN, LANDING, ALLOW, FORBIDDEN, ALLOW, LANDING, FORBIDDEN, FORBIDDEN)
REQUEST_OF_A = CONSOLE_UNIT_OF_A
API_REQUESTS = API_UNITS_PERMISSION
API_REQUEST_OF_A = API_UNIT_OF_A
# The invitations S received: every user of S reads them, answering needs "Responder
# invitaciones"; an account that does not supply is refused, saying why (403).
RECEIVED = who(LOGIN, LANDING, FORBIDDEN, FORBIDDEN, FORBIDDEN, LANDING, ALLOW, ALLOW)
RECEIVED_ANSWER = who(LOGIN, LANDING, FORBIDDEN, FORBIDDEN, FORBIDDEN, LANDING, ALLOW, FORBIDDEN)
API_RECEIVED = who(LOGIN, NF, FORBIDDEN, FORBIDDEN, FORBIDDEN, NF, ALLOW, ALLOW)
API_RECEIVED_ANSWER = who(LOGIN, NF, FORBIDDEN, FORBIDDEN, FORBIDDEN, NF, ALLOW, FORBIDDEN)
# A request's files and S's answer's files: A's users who manage requests and the users of S (the
# invited, answering supplier); nobody else, the desk included.
REQUEST_FILE = who(LOGIN, NF, NF, NF, ALLOW, NF, ALLOW, ALLOW)
# The Directorio: any user acting for an active account, of either kind (R8.1, R2.4).
DIRECTORY = who(LOGIN, LANDING, ALLOW, ALLOW, ALLOW, LANDING, ALLOW, ALLOW)
API_DIRECTORY = API_MEMBER
ADMIN_STAFF = who(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, ALLOW, LOGIN, LOGIN)
ADMIN_MODEL = who(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, FORBIDDEN, LOGIN, LOGIN)
ADMIN_NOT_FOUND = who(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, NF, LOGIN, LOGIN)


def _pdf() -> bytes:
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.write(out)
    return out.getvalue()


PDF = _pdf()
INVITATION_TOKEN = "token-de-invitacion-de-prueba"


@dataclass(frozen=True)
class Rule:
    """Who gets what from one URL pattern or API operation, and how it is called.

    `kwargs` builds the URL's arguments from the world (named patterns); `path` the whole URL
    (patterns without a name). `method` defaults to GET for pages and to the operation's method in
    the API. `data` is the form or JSON body, `files` sends it as multipart with a PDF under that
    field name. `unchanged` reads what a refused request must leave as it was (and an allowed one
    changes)."""

    expect: dict[str, str]
    kwargs: Callable[[Any], dict] | None = None
    path: Callable[[Any], str] | None = None
    method: str | None = None
    data: Callable[[Any], dict] | dict | None = None
    query: dict | None = None
    files: str | None = None
    unchanged: Callable[[Any], Any] | None = field(default=None, compare=False)
    allowed_changes: bool = True


POST = "POST"


def _membresia(pk):
    return list(Membresia.objects.filter(pk=pk).values_list("rol", "activa"))


def _solicitud_estado(w):
    return SolicitudAcceso.objects.get(pk=w.solicitud).estado


def _invitacion_estado(w):
    return Invitacion.objects.filter(pk=w.invitacion).values_list("estado", "envios").first()


def _estado(entidad_id):
    return Entidad.objects.get(pk=entidad_id).estado


def _documento(pk):
    return list(Documento.objects.filter(pk=pk).values_list("vigente", "visibilidad", "version"))


def _peticion_estado(w):
    return SolicitudInformacion.objects.get(pk=w.peticion).estado


def _invitada_estado(w):
    return InvitacionSolicitud.objects.get(pk=w.invitada).estado


def _plazo(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


TABLE: dict[str, Rule] = {
    # --- Home, health, terms ---------------------------------------------------------------------
    "home": Rule(EVERYONE),  # each to their own start page
    "healthz": Rule(EVERYONE),
    # --- Operations: health report and metrics (ADR 0020) ------------------------------------------
    # Everyone gets the overall status; the components only with HEALTH_TOKEN or from
    # HEALTH_TRUSTED_IPS (tests/core/test_observability_health.py). Metrics: METRICS_TOKEN or
    # METRICS_TRUSTED_IPS only, neither set here, so 404 for all (tests/core/test_observability_metrics.py).
    "health": Rule(EVERYONE),
    "metrics": Rule(ALL_NOT_FOUND),
    "terms_text": Rule(EVERYONE),
    "publico:buscar": Rule(EVERYONE, query={"q": "ALCALDIA"}),
    # --- Accounts (our views, then allauth's pages) -------------------------------------------
    "account_signup": Rule(EVERYONE),
    "account_confirm_email": Rule(EVERYONE, kwargs=lambda w: {"key": "abc"}),
    "account_resend_confirmation": Rule(EVERYONE),
    "accounts_terms": Rule(LOGGED_IN),
    "account_login": Rule(EVERYONE),
    "account_logout": Rule(LOGGED_IN),
    "account_inactive": Rule(EVERYONE),
    "account_reauthenticate": Rule(LOGGED_IN),
    "account_email": Rule(LOGGED_IN),
    "account_email_verification_sent": Rule(EVERYONE),
    "account_change_password": Rule(LOGGED_IN),
    "account_set_password": Rule(LOGGED_IN),
    "account_reset_password": Rule(EVERYONE),
    "account_confirm_login_code": Rule(LOGGED_IN),  # no login pending: to the login page, or home
    "account_reset_password_from_key": Rule(EVERYONE, kwargs=lambda w: {"uidb36": "1", "key": "abc"}),
    "account_reset_password_from_key_done": Rule(EVERYONE),
    "account_reset_password_done": Rule(EVERYONE),
    "accounts:settings": Rule(LOGGED_IN),
    "accounts:profile_edit": Rule(LOGGED_IN),
    "accounts:accesses": Rule(LOGGED_IN),
    # --- Entities: registration, access requests -------------------------------------------------
    "entities:landing": Rule(LOGGED_IN),
    "entities:registro_nuevo": Rule(LOGGED_IN),
    "entities:registro": Rule(OWN_DRAFT, kwargs=lambda w: {"pk": w.registro}),
    "entities:registro_eliminar": Rule(  # leads its author back to /entidades/
        OWN_DRAFT,
        kwargs=lambda w: {"pk": w.registro},
        method=POST,
        unchanged=lambda w: RegistroEntidad.objects.filter(pk=w.registro).exists(),
    ),
    "entities:registrada": Rule(ENTITY_A, kwargs=lambda w: {"pk": w.entidad_a}),
    "entities:escritorio": Rule(ENTITY_A, kwargs=lambda w: {"pk": w.entidad_a}),
    "entities:documento": Rule(ENTITY_A, kwargs=lambda w: {"pk": w.documento}),
    "entities:documento_paginas": Rule(ENTITY_A, kwargs=lambda w: {"pk": w.documento}),
    "entities:documento_pagina": Rule(ENTITY_A, kwargs=lambda w: {"pk": w.documento, "numero": 1}),
    "entities:mis_registros": Rule(LOGGED_IN),
    "entities:nuevo_registro": Rule(LOGGED_IN),
    "entities:solicitar_acceso": Rule(LOGGED_IN, kwargs=lambda w: {"pk": w.entidad_a}),
    "entities:cancelar_solicitud": Rule(
        NOBODY, kwargs=lambda w: {"pk": w.solicitud}, method=POST, unchanged=_solicitud_estado
    ),
    # --- The entity console (acting entity) -------------------------------------------------------
    "console:escritorio": Rule(CONSOLE_MEMBER),
    # Switching to A: only A's users.
    "console:cambiar": Rule(TO_A, method=POST, data=lambda w: {"entidad": w.entidad_a}),
    "console:miembros": Rule(CONSOLE_PERMISSION),
    "console:miembro_accion": Rule(
        MEMBER_OF_A,
        kwargs=lambda w: {"pk": w.membresia_target, "accion": "retirar"},
        method=POST,
        unchanged=lambda w: _membresia(w.membresia_target),
    ),
    "console:solicitudes": Rule(CONSOLE_PERMISSION),
    "console:solicitud_decidir": Rule(
        CONSOLE_OBJECT_OF_A,
        kwargs=lambda w: {"pk": w.solicitud, "decision": "rechazar"},
        method=POST,
        data={"motivo": "No trabaja en la Entidad."},
        unchanged=_solicitud_estado,
    ),
    "console:roles": Rule(CONSOLE_PERMISSION),
    "console:rol_editar": Rule(CONSOLE_OBJECT_OF_A, kwargs=lambda w: {"pk": w.rol}),
    "console:rol_eliminar": Rule(
        CONSOLE_OBJECT_OF_A,
        kwargs=lambda w: {"pk": w.rol},
        method=POST,
        unchanged=lambda w: RolEntidad.objects.filter(pk=w.rol).exists(),
    ),
    "console:invitaciones": Rule(CONSOLE_PERMISSION),
    "console:invitacion_accion": Rule(
        CONSOLE_OBJECT_OF_A,
        kwargs=lambda w: {"pk": w.invitacion, "accion": "cancelar"},
        method=POST,
        unchanged=_invitacion_estado,
    ),
    "console:unidades": Rule(CONSOLE_UNITS),  # every member of a State entity sees the units
    "console:unidad_editar": Rule(CONSOLE_UNIT_OF_A, kwargs=lambda w: {"pk": w.unidad}),
    "console:unidad_eliminar": Rule(
        CONSOLE_UNIT_OF_A,
        kwargs=lambda w: {"pk": w.unidad},
        method=POST,
        unchanged=lambda w: UnidadContratacion.objects.filter(pk=w.unidad).exists(),
    ),
    "console:historial": Rule(CONSOLE_PERMISSION),
    # The invitation's link shows what it is for to whoever holds it; accepting needs the invitee.
    "console:invitacion": Rule(EVERYONE, kwargs=lambda w: {"token": INVITATION_TOKEN}),
    "console:invitacion_aceptar": Rule(
        INVITEE, kwargs=lambda w: {"pk": w.invitacion}, method=POST, unchanged=_invitacion_estado
    ),
    # --- Service desk: requesters, A's administrators, the desk ----------------------------------
    "servicedesk:mis_casos": Rule(LOGGED_IN),
    "servicedesk:crear_caso": Rule(LOGGED_IN),
    "servicedesk:caso": Rule(CASE, kwargs=lambda w: {"numero": w.caso}),
    "servicedesk:adjunto": Rule(CASE, kwargs=lambda w: {"pk": w.adjunto}),
    "servicedesk:reemplazar": Rule(CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}, method=POST),
    "servicedesk:reenviar": Rule(CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}, method=POST),
    "servicedesk:corregir_datos": Rule(CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}),
    "servicedesk:cola": Rule(DESK_ONLY),
    "servicedesk:tablero": Rule(DESK_ONLY),
    "servicedesk:designar_administrador": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"numero": w.caso},
        method=POST,
        data=lambda w: {"usuario": w.outsider_username, "motivo": "x"},
        unchanged=lambda w: Membresia.objects.filter(entidad_id=w.entidad_a).count(),
        allowed_changes=False,  # the case asks for the supplier profile: designating is refused (409)
    ),
    "servicedesk:decidir": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"numero": w.caso, "accion": "tomar"},
        method=POST,
        unchanged=lambda w: Caso.objects.get(numero=w.caso).estado,
    ),
    "servicedesk:revisar": Rule(
        DESK_ONLY, kwargs=lambda w: {"numero": w.caso, "documento_id": w.documento}, method=POST
    ),
    # The desk's "Usuarios": every user, and what the desk does for one in an access incident.
    "servicedesk:usuarios": Rule(DESK_ONLY, query={"q": "comprador"}),
    "servicedesk:usuario": Rule(DESK_ONLY, kwargs=lambda w: {"pk": w.outsider_id}),
    # The desk's "Cuentas": every account of either kind; suspending and reactivating need a reason.
    "servicedesk:cuentas": Rule(DESK_ONLY, query={"q": "PRUEBA", "tipo": "proveedor"}),
    "servicedesk:cuenta": Rule(DESK_ONLY, kwargs=lambda w: {"pk": w.entidad_s}),
    "servicedesk:cuenta_accion": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"pk": w.entidad_s, "accion": "suspender"},
        method=POST,
        data={"motivo": "Documentos falsos."},
        unchanged=lambda w: _estado(w.entidad_s),
    ),
    # --- The supplier side of the console: commercial profile, areas, library (S's objects) ----------
    "console:perfil": Rule(SUPPLIER_SIDE),
    "console:perfil_editar": Rule(SUPPLIER_SIDE_PERMISSION),
    "console:areas": Rule(SUPPLIER_SIDE_PERMISSION),
    "console:biblioteca": Rule(SUPPLIER_SIDE),  # every member reads it; adding (POST) needs the permission
    "console:biblioteca_accion": Rule(
        SUPPLIER_SIDE_PERMISSION,
        kwargs=lambda w: {"pk": w.documento_s, "accion": "visibilidad"},
        method=POST,
        data={"visibilidad": "privado"},
        unchanged=lambda w: _documento(w.documento_s),
    ),
    # --- Information requests: A's (entity side), the invitations S received (supplier side) ------
    "information_requests:lista": Rule(REQUESTS),
    "information_requests:nueva": Rule(REQUESTS),
    "information_requests:detalle": Rule(REQUEST_OF_A, kwargs=lambda w: {"pk": w.peticion}),
    "information_requests:invitar": Rule(
        REQUEST_OF_A, kwargs=lambda w: {"pk": w.peticion}, method=POST, data={"accion": "automatica"}
    ),
    "information_requests:ampliar": Rule(
        REQUEST_OF_A,
        kwargs=lambda w: {"pk": w.peticion},
        method=POST,
        data=lambda w: {"plazo_fecha": _plazo(20).date().isoformat(), "plazo_hora": "17:00"},
        unchanged=lambda w: SolicitudInformacion.objects.get(pk=w.peticion).plazo,
    ),
    "information_requests:cancelar": Rule(
        REQUEST_OF_A,
        kwargs=lambda w: {"pk": w.peticion},
        method=POST,
        data={"motivo": "Ya no se necesita."},
        unchanged=_peticion_estado,
    ),
    "information_requests:recibidas": Rule(RECEIVED),
    "information_requests:recibida": Rule(RECEIVED, kwargs=lambda w: {"pk": w.peticion}),
    "information_requests:responder": Rule(
        RECEIVED_ANSWER,
        kwargs=lambda w: {"pk": w.peticion},
        method=POST,
        data={"mensaje": "Podemos suministrarlos."},
        files="archivos",
        unchanged=_invitada_estado,
    ),
    "information_requests:no_interesado": Rule(
        RECEIVED_ANSWER, kwargs=lambda w: {"pk": w.peticion}, method=POST, unchanged=_invitada_estado
    ),
    "information_requests:adjunto_solicitud": Rule(REQUEST_FILE, kwargs=lambda w: {"pk": w.adjunto_peticion}),
    "information_requests:adjunto_respuesta": Rule(REQUEST_FILE, kwargs=lambda w: {"pk": w.adjunto_respuesta}),
    # --- The Directorio: S's profile and its document visible there (the download is recorded) ------
    "directorio:buscar": Rule(DIRECTORY, query={"q": "PRUEBA"}),
    "directorio:perfil": Rule(DIRECTORY, kwargs=lambda w: {"pk": w.entidad_s}),
    "directorio:documento": Rule(
        DIRECTORY,
        kwargs=lambda w: {"pk": w.documento_s},
        unchanged=lambda w: DescargaDocumento.objects.filter(documento_id=w.documento_s).count(),
    ),
    # --- The public view and open data: no login (see test_public_urls_are_open_to_anyone) ---------
    "publico:cuenta": Rule(EVERYONE, kwargs=lambda w: {"pk": w.entidad_s}),
    "publico:datos": Rule(EVERYONE),
    "publico:diccionario": Rule(EVERYONE),
    "publico:proveedores_csv": Rule(EVERYONE),
    "publico:proveedores_json": Rule(EVERYONE),
    "publico:entidades_csv": Rule(EVERYONE),
    "publico:entidades_json": Rule(EVERYONE),
    "publico:parties": Rule(EVERYONE),
    "publico:instantanea": Rule(EVERYONE, kwargs=lambda w: {"archivo": "proveedores.csv"}),
    # --- Developer outbox: on in tests (see test_dev_outbox_is_gone_without_dev_outbox) ----------
    "notifications:outbox": Rule(EVERYONE),
    "notifications:outbox_detail": Rule(EVERYONE, kwargs=lambda w: {"email_id": w.email}),
    "notifications:outbox_html": Rule(EVERYONE, kwargs=lambda w: {"email_id": w.email}),
    # --- API documentation --------------------------------------------------------------------
    "api:openapi-json": Rule(EVERYONE),
    "api:openapi-view": Rule(EVERYONE),
    "api:api-root": Rule(ALL_NOT_FOUND),  # nothing there
    "auth_openapi_json": Rule(EVERYONE),
    "auth_openapi_yaml": Rule(EVERYONE),
    "headless:openapi_json": Rule(EVERYONE),  # same path as auth_openapi_json, which answers
    "headless:openapi_yaml": Rule(EVERYONE),
    "headless:openapi_html": Rule(EVERYONE),
    "auth_openapi_html": Rule(EVERYONE),  # the same page as headless:openapi_html, under the site's CSP exception
    # --- API: the user's own account -------------------------------------------------------------
    "api:me": Rule(LOGGED_IN),
    "api:me_update": Rule(LOGGED_IN, data={}),
    "api:me_change_username": Rule(LOGGED_IN, data={"new_username": "otro.nombre", "current_password": "mala"}),
    "api:me_access_events": Rule(LOGGED_IN),
    "api:me_terms": Rule(LOGGED_IN),
    "api:me_accept_terms": Rule(LOGGED_IN, data={"version": settings.TERMS_VERSION}),
    "api:document_types": Rule(EVERYONE),
    "api:time_zones": Rule(EVERYONE),
    "api:publico_buscar": Rule(EVERYONE, query={"q": "ALCALDIA"}),
    # --- API: entities, registration, access requests --------------------------------------------
    "api:search": Rule(EVERYONE, query={"q": "ALCALDIA"}),
    "api:departamentos": Rule(EVERYONE),
    "api:municipios": Rule(EVERYONE, query={"departamento": "05"}),
    "api:clasificaciones": Rule(EVERYONE, query={"campo": "orden"}),
    "api:registro_create": Rule(
        LOGGED_IN, data={"registrada_siif": "no", "area_negocio": "publico", "tipo_organizacion": "decreto_1082"}
    ),
    "api:registro_proveedor_create": Rule(
        LOGGED_IN, data=lambda w: {"pais": "CO", "area_negocio": "privado", "tipo_empresa": w.tipo_empresa}
    ),
    "api:registro_list": Rule(LOGGED_IN),
    "api:registro_detail": Rule(OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}),
    "api:registro_update": Rule(
        OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}, data={"datos": {"telefono": "6041234567"}}
    ),
    "api:registro_delete": Rule(
        OWN_DRAFT,
        kwargs=lambda w: {"registro_id": w.registro},
        unchanged=lambda w: RegistroEntidad.objects.filter(pk=w.registro).exists(),
    ),
    "api:documento_attach": Rule(
        OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}, data={"tipo": "rut"}, files="archivo"
    ),
    "api:documento_list": Rule(OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}),
    "api:registro_verify": Rule(OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}),
    "api:registro_finalize": Rule(OWN_DRAFT, kwargs=lambda w: {"registro_id": w.registro}),
    "api:entidad_detail": Rule(ENTITY_A, kwargs=lambda w: {"entidad_id": w.entidad_a}),
    "api:documento_download": Rule(ENTITY_A, kwargs=lambda w: {"documento_id": w.documento}),
    "api:solicitud_create": Rule(LOGGED_IN, kwargs=lambda w: {"entidad_id": w.entidad_a}, data={"mensaje": ""}),
    "api:mis_registros": Rule(LOGGED_IN),
    "api:solicitud_cancel": Rule(NOBODY, kwargs=lambda w: {"solicitud_id": w.solicitud}, unchanged=_solicitud_estado),
    # --- API: service desk ------------------------------------------------------------------------
    "api:caso_create": Rule(
        LOGGED_IN,
        data={"tipo_solicitud": "duda", "asunto": "otro", "tipo_usuario": "ciudadano", "descripcion": "Una duda."},
    ),
    "api:caso_list": Rule(LOGGED_IN),
    "api:caso_detail": Rule(CASE, kwargs=lambda w: {"numero": w.caso}),
    "api:mensaje_list": Rule(CASE, kwargs=lambda w: {"numero": w.caso}),
    "api:mensaje_create": Rule(CASE, kwargs=lambda w: {"numero": w.caso}, data={"texto": "Hola"}, files="adjunto"),
    "api:adjunto_download": Rule(CASE, kwargs=lambda w: {"numero": w.caso, "adjunto_id": w.adjunto}),
    "api:documento_replace": Rule(
        CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}, data={"tipo": "rut"}, files="archivo"
    ),
    "api:reenviar": Rule(CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}, data={"nota": ""}),
    "api:entidad_data_update": Rule(CASE_CORRECTION, kwargs=lambda w: {"numero": w.caso}, data={}),
    "api:cola": Rule(DESK_ONLY),
    "api:revision": Rule(DESK_ONLY, kwargs=lambda w: {"numero": w.caso}),
    "api:documento_review": Rule(
        DESK_ONLY, kwargs=lambda w: {"numero": w.caso, "documento_id": w.documento}, data={"decision": "aceptado"}
    ),
    "api:decidir": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"numero": w.caso, "accion": "tomar"},
        data={"motivo": ""},
        unchanged=lambda w: Caso.objects.get(numero=w.caso).estado,
    ),
    "api:designar_administrador": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"numero": w.caso},
        data=lambda w: {"usuario": w.outsider_username, "motivo": "x"},
        unchanged=lambda w: Membresia.objects.filter(entidad_id=w.entidad_a).count(),
        allowed_changes=False,  # the case asks for the supplier profile: designating is refused (409)
    ),
    "api:tablero": Rule(DESK_ONLY),
    "api:usuarios": Rule(DESK_ONLY, query={"q": "comprador"}),
    "api:usuario_detail": Rule(DESK_ONLY, kwargs=lambda w: {"usuario_id": w.outsider_id}),
    "api:cuentas": Rule(DESK_ONLY, query={"q": "PRUEBA"}),
    "api:cuenta_detail": Rule(DESK_ONLY, kwargs=lambda w: {"entidad_id": w.entidad_s}),
    "api:cuenta_suspender": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"entidad_id": w.entidad_s},
        data={"motivo": "Documentos falsos."},
        unchanged=lambda w: _estado(w.entidad_s),
    ),
    "api:cuenta_reactivar": Rule(
        DESK_ONLY,
        kwargs=lambda w: {"entidad_id": w.entidad_z},
        data={"motivo": "Aclaró la situación."},
        unchanged=lambda w: _estado(w.entidad_z),
    ),
    # --- API: the entity console (acting entity; the X-Entidad header is tested below) ------------
    "api:acting_get": Rule(API_MEMBER),
    "api:acting_put": Rule(TO_A, data=lambda w: {"entidad_id": w.entidad_a}),
    "api:permisos": Rule(LOGGED_IN),
    "api:miembros": Rule(API_PERMISSION),
    "api:miembro_patch": Rule(
        API_OBJECT_OF_A,
        kwargs=lambda w: {"membresia_id": w.membresia_target},
        data=lambda w: {"roles": [w.rol]},
        unchanged=lambda w: list(Membresia.objects.get(pk=w.membresia_target).roles.values_list("pk", flat=True)),
    ),
    "api:miembro_suspender": Rule(
        API_OBJECT_OF_A,
        kwargs=lambda w: {"membresia_id": w.membresia_target},
        unchanged=lambda w: _membresia(w.membresia_target),
    ),
    "api:miembro_reactivar": Rule(API_OBJECT_OF_A, kwargs=lambda w: {"membresia_id": w.membresia_target}),
    "api:miembro_retirar": Rule(
        API_MEMBER_OF_A,
        kwargs=lambda w: {"membresia_id": w.membresia_target},
        unchanged=lambda w: _membresia(w.membresia_target),
    ),
    "api:solicitudes": Rule(API_PERMISSION),
    "api:solicitud_aprobar": Rule(
        API_OBJECT_OF_A, kwargs=lambda w: {"solicitud_id": w.solicitud}, data={}, unchanged=_solicitud_estado
    ),
    "api:solicitud_rechazar": Rule(
        API_OBJECT_OF_A,
        kwargs=lambda w: {"solicitud_id": w.solicitud},
        data={"motivo": "No trabaja en la Entidad."},
        unchanged=_solicitud_estado,
    ),
    "api:roles_list": Rule(API_PERMISSION),
    "api:rol_create": Rule(API_PERMISSION, data={"nombre": "Supervisor", "permisos": ["ver_auditoria"]}),
    "api:rol_detail": Rule(API_OBJECT_OF_A, kwargs=lambda w: {"rol_id": w.rol}),
    "api:rol_update": Rule(
        API_OBJECT_OF_A,
        kwargs=lambda w: {"rol_id": w.rol},
        data={"nombre": "Auditor", "permisos": ["ver_auditoria", "gestionar_unidades"]},
        unchanged=lambda w: RolEntidad.objects.get(pk=w.rol).permisos,
    ),
    "api:rol_delete": Rule(
        API_OBJECT_OF_A,
        kwargs=lambda w: {"rol_id": w.rol},
        unchanged=lambda w: RolEntidad.objects.filter(pk=w.rol).exists(),
    ),
    "api:invitaciones_list": Rule(API_PERMISSION),
    "api:invitacion_create": Rule(API_PERMISSION, data={"correo": "nueva.persona@alcaldia.gov.co"}),
    "api:invitacion_resend": Rule(
        API_OBJECT_OF_A, kwargs=lambda w: {"invitacion_id": w.invitacion}, unchanged=_invitacion_estado
    ),
    "api:invitacion_cancel": Rule(
        API_OBJECT_OF_A, kwargs=lambda w: {"invitacion_id": w.invitacion}, unchanged=_invitacion_estado
    ),
    "api:invitacion_mine": Rule(INVITEE, kwargs=lambda w: {"invitacion_id": w.invitacion}),
    "api:invitacion_accept": Rule(
        INVITEE, kwargs=lambda w: {"invitacion_id": w.invitacion}, unchanged=_invitacion_estado
    ),
    "api:unidades_list": Rule(API_UNITS_MEMBER),
    "api:unidad_create": Rule(API_UNITS_PERMISSION, data={"nombre": "Unidad nueva"}),
    "api:unidad_detail": Rule(API_MEMBER_UNIT_OF_A, kwargs=lambda w: {"unidad_id": w.unidad}),
    "api:unidad_update": Rule(
        API_UNIT_OF_A,
        kwargs=lambda w: {"unidad_id": w.unidad},
        data={"nombre": "Compras centrales"},
        unchanged=lambda w: UnidadContratacion.objects.get(pk=w.unidad).nombre,
    ),
    "api:unidad_delete": Rule(
        API_UNIT_OF_A,
        kwargs=lambda w: {"unidad_id": w.unidad},
        unchanged=lambda w: UnidadContratacion.objects.filter(pk=w.unidad).exists(),
    ),
    "api:historial": Rule(API_PERMISSION),
    # --- API: the supplier side (S's profile, areas and library) ----------------------------------
    "api:perfil_get": Rule(API_SUPPLIER_SIDE),
    "api:perfil_patch": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        data={"direccion": "Carrera 7 # 8-9"},
        unchanged=lambda w: PerfilComercial.objects.get(entidad_id=w.entidad_s).direccion,
    ),
    "api:areas_get": Rule(API_SUPPLIER_SIDE),
    "api:areas_put": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        data=lambda w: {"codigos": [w.codigo], "principal": w.codigo},
        unchanged=lambda w: list(
            PerfilComercial.objects.get(entidad_id=w.entidad_s).entidad.areas_interes.values_list("codigo", flat=True)
        ),
    ),
    "api:biblioteca_list": Rule(API_SUPPLIER_SIDE),
    "api:biblioteca_add": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        data={"tipo": "experiencia", "titulo": "Obras en Antioquia", "visibilidad": "directorio"},
        files="archivo",
        unchanged=lambda w: Documento.objects.filter(entidad_id=w.entidad_s).count(),
    ),
    "api:biblioteca_version": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        kwargs=lambda w: {"documento_id": w.documento_s},
        files="archivo",
        unchanged=lambda w: _documento(w.documento_s),
    ),
    "api:biblioteca_visibility": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        kwargs=lambda w: {"documento_id": w.documento_s},
        data={"visibilidad": "privado"},
        unchanged=lambda w: _documento(w.documento_s),
    ),
    "api:biblioteca_retire": Rule(
        API_SUPPLIER_SIDE_PERMISSION,
        kwargs=lambda w: {"documento_id": w.documento_s},
        unchanged=lambda w: _documento(w.documento_s),
    ),
    # --- API: information requests ---------------------------------------------------------------
    "api:solicitudes_informacion": Rule(API_REQUESTS),
    "api:solicitud_informacion_create": Rule(
        API_REQUESTS,
        data=lambda w: {
            "titulo": "Suministro de impresoras",
            "descripcion": "Cotización de impresoras láser.",
            "plazo": _plazo(15).isoformat(),
            "codigos": [w.codigo],
        },
        files="archivos",
        unchanged=lambda w: SolicitudInformacion.objects.count(),
    ),
    "api:solicitud_informacion_detail": Rule(API_REQUEST_OF_A, kwargs=lambda w: {"solicitud_id": w.peticion}),
    "api:solicitud_informacion_invitar": Rule(
        API_REQUEST_OF_A, kwargs=lambda w: {"solicitud_id": w.peticion}, data={"automatica": True}
    ),
    "api:solicitud_informacion_invitaciones": Rule(API_REQUEST_OF_A, kwargs=lambda w: {"solicitud_id": w.peticion}),
    "api:solicitud_informacion_ampliar": Rule(
        API_REQUEST_OF_A,
        kwargs=lambda w: {"solicitud_id": w.peticion},
        data=lambda w: {"plazo": _plazo(20).isoformat()},
        unchanged=lambda w: SolicitudInformacion.objects.get(pk=w.peticion).plazo,
    ),
    "api:solicitud_informacion_cancelar": Rule(
        API_REQUEST_OF_A,
        kwargs=lambda w: {"solicitud_id": w.peticion},
        data={"motivo": "Ya no se necesita."},
        unchanged=_peticion_estado,
    ),
    "api:invitaciones_recibidas": Rule(API_RECEIVED),
    "api:invitacion_recibida": Rule(API_RECEIVED, kwargs=lambda w: {"solicitud_id": w.peticion}),
    "api:invitacion_responder": Rule(
        API_RECEIVED_ANSWER,
        kwargs=lambda w: {"solicitud_id": w.peticion},
        data={"mensaje": "Podemos suministrarlos."},
        files="archivos",
        unchanged=_invitada_estado,
    ),
    "api:invitacion_no_interesado": Rule(
        API_RECEIVED_ANSWER, kwargs=lambda w: {"solicitud_id": w.peticion}, unchanged=_invitada_estado
    ),
    "api:solicitud_informacion_adjunto": Rule(REQUEST_FILE, kwargs=lambda w: {"adjunto_id": w.adjunto_peticion}),
    "api:respuesta_adjunto": Rule(REQUEST_FILE, kwargs=lambda w: {"adjunto_id": w.adjunto_respuesta}),
    # --- API: the Directorio ----------------------------------------------------------------------
    "api:directorio_buscar": Rule(API_DIRECTORY, query={"q": "PRUEBA"}),
    "api:directorio_perfil": Rule(API_DIRECTORY, kwargs=lambda w: {"cuenta_id": w.entidad_s}),
    "api:directorio_documento": Rule(
        API_DIRECTORY,
        kwargs=lambda w: {"documento_id": w.documento_s},
        unchanged=lambda w: DescargaDocumento.objects.filter(documento_id=w.documento_s).count(),
    ),
    # --- API: public (no authentication) ------------------------------------------------------------
    "api:publico_cuenta": Rule(EVERYONE, kwargs=lambda w: {"cuenta_id": w.entidad_s}),
    "api:paises": Rule(EVERYONE),
    "api:tipos_empresa": Rule(EVERYONE),
    "api:unspsc_search": Rule(EVERYONE, query={"q": "computador"}),
    "api:unspsc_detail": Rule(EVERYONE, kwargs=lambda w: {"codigo": w.codigo}),
    # --- allauth's headless API (signup wrapped in a transaction by us) ---------------------------
    "api/v1/auth/app/v1/auth/signup": Rule(HEADLESS, path=lambda w: "/api/v1/auth/app/v1/auth/signup", method=POST),
    "api/v1/auth/browser/v1/auth/signup": Rule(
        HEADLESS, path=lambda w: "/api/v1/auth/browser/v1/auth/signup", method=POST
    ),
    # Password change (limited current-password check, the app keeps its token) and reset request
    # (the same answer for unknown addresses), in front of allauth's own.
    **{
        f"api/v1/auth/{_client}/v1/{_route}": Rule(
            HEADLESS, path=(lambda path: lambda w: path)(f"/api/v1/auth/{_client}/v1/{_route}"), method=POST
        )
        for _client in ("app", "browser")
        for _route in ("account/password/change", "auth/password/request")
    },
    # --- Django's admin: site pages ---------------------------------------------------------------
    "admin:index": Rule(ADMIN_STAFF),
    # The site's login, limits and history apply to the admin: its own page only sends there.
    "admin:login": Rule(who(SITE_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW, FORBIDDEN, FORBIDDEN)),
    "admin:logout": Rule(EVERYONE, method=POST),
    "admin:password_change": Rule(ADMIN_STAFF),
    "admin:password_change_done": Rule(ADMIN_STAFF),
    "admin:autocomplete": Rule(ADMIN_MODEL),
    "admin:jsi18n": Rule(ADMIN_STAFF),
    "admin:view_on_site": Rule(
        ADMIN_NOT_FOUND, kwargs=lambda w: {"content_type_id": w.entidad_content_type, "object_id": w.entidad_a}
    ),
    "admin:app_list": Rule(ADMIN_NOT_FOUND, kwargs=lambda w: {"app_label": "entities"}),
    "admin:auth_user_password_change": Rule(ADMIN_MODEL, kwargs=lambda w: {"id": w.admin_objects["accounts_user"]}),
    "admin/(?P<url>.*)$": Rule(ADMIN_NOT_FOUND, path=lambda w: "/admin/no-existe/"),
}

# --- Active sessions and reauthentication (ADR 0018) ------------------------------------------------
# A user's sessions are theirs alone: another user's session is not found. Ending every session of
# a user is the desk's, with a reason. allauth's own sessions page only leads to "Accesos del usuario".
OWN_SESSION = who(LOGIN, NF, NF, NF, ALLOW, NF, NF, NF)  # the other session of A's administrator
TABLE.update(
    {
        "usersessions_list": Rule(LOGGED_IN),
        "accounts:session_end": Rule(
            OWN_SESSION,
            kwargs=lambda w: {"pk": w.admin_a_other_session},
            method=POST,
            unchanged=lambda w: UserSession.objects.filter(pk=w.admin_a_other_session).exists(),
        ),
        "accounts:sessions_end_others": Rule(LOGGED_IN, method=POST),
        "servicedesk:usuario_cerrar_sesiones": Rule(
            DESK_ONLY,
            kwargs=lambda w: {"pk": w.admin_a},
            method=POST,
            data={"motivo": "Equipo robado."},
            unchanged=lambda w: UserSession.objects.filter(pk=w.admin_a_other_session).exists(),
        ),
        "api:me_sessions": Rule(LOGGED_IN),
        "api:me_session_end": Rule(
            OWN_SESSION,
            kwargs=lambda w: {"session_id": w.admin_a_other_session},
            unchanged=lambda w: UserSession.objects.filter(pk=w.admin_a_other_session).exists(),
        ),
        "api:me_sessions_end_others": Rule(LOGGED_IN),
        "api:usuario_cerrar_sesiones": Rule(
            DESK_ONLY,
            kwargs=lambda w: {"usuario_id": w.admin_a},
            data={"motivo": "Equipo robado."},
            unchanged=lambda w: UserSession.objects.filter(pk=w.admin_a_other_session).exists(),
        ),
        # allauth's headless sessions endpoint: it answers for the caller's own sessions only.
        "headless:app:usersessions:sessions": Rule(HEADLESS),
        "headless:browser:usersessions:sessions": Rule(HEADLESS),
    }
)


# --- Second factor (allauth.mfa, ADR 0017) -------------------------------------------------------
# In the world, A's and B's administrators, S's and the desk have an authenticator app and
# recovery codes; A's administrator also a security key. Anyone else has none: what needs one is
# not found for them. Adding a factor asks to confirm the password first (a redirect, not a refusal).
HAS_FACTOR = who(LOGIN, NF, ALLOW, NF, ALLOW, ALLOW, ALLOW, NF)
OWN_KEY = who(LOGIN, NF, NF, NF, ALLOW, NF, NF, NF)  # what only A's administrator has
TABLE.update(
    {
        "mfa_index": Rule(LOGGED_IN),
        "mfa_authenticate": Rule(EVERYONE),  # no login pending: back to the login page
        "mfa_reauthenticate": Rule(LOGGED_IN),
        "mfa_reauthenticate_webauthn": Rule(LOGGED_IN),
        "mfa_activate_totp": Rule(LOGGED_IN),
        "mfa_deactivate_totp": Rule(HAS_FACTOR),
        "mfa_view_recovery_codes": Rule(HAS_FACTOR),
        "mfa_download_recovery_codes": Rule(HAS_FACTOR),
        "mfa_generate_recovery_codes": Rule(LOGGED_IN),
        "mfa_list_webauthn": Rule(LOGGED_IN),
        "mfa_add_webauthn": Rule(LOGGED_IN),
        # A's administrator's security key: hers to rename or remove (the sign-in is a recent proof
        # of identity, ADR 0018); another person's key is not found (tests/accounts/test_mfa.py).
        "mfa_edit_webauthn": Rule(OWN_KEY, kwargs=lambda w: {"pk": w.llave_a}),
        "mfa_remove_webauthn": Rule(OWN_KEY, kwargs=lambda w: {"pk": w.llave_a}),
        "mfa_login_webauthn": Rule(EVERYONE),  # a passkey login; a plain GET goes back to the login page
        # The desk removes a lost factor (B's administrator's), with a reason.
        "servicedesk:usuario_retirar_segundo_factor": Rule(
            DESK_ONLY,
            kwargs=lambda w: {"pk": w.admin_b_id},
            method=POST,
            data={"segundo_factor-motivo": "Perdió el teléfono; identidad comprobada en el caso."},
            unchanged=lambda w: _factores(w.admin_b_id),
        ),
        "api:usuario_retirar_segundo_factor": Rule(
            DESK_ONLY,
            kwargs=lambda w: {"usuario_id": w.admin_b_id},
            data={"motivo": "Perdió el teléfono; identidad comprobada en el caso."},
            unchanged=lambda w: _factores(w.admin_b_id),
        ),
    }
)
for _client in ("app", "browser"):
    for _endpoint in (
        "authenticate",
        "reauthenticate",
        "authenticate_webauthn",
        "reauthenticate_webauthn",
        "login_webauthn",
        "authenticators",
        "manage_totp",
        "manage_recovery_codes",
        "manage_webauthn",
    ):
        TABLE[f"headless:{_client}:mfa:{_endpoint}"] = Rule(HEADLESS)


def _factores(user_id):
    return sorted(Authenticator.objects.filter(user_id=user_id).values_list("type", flat=True))


# allauth's headless endpoints, for both clients (the app's also refreshes tokens).
HEADLESS_ENDPOINTS = (
    "config",
    "account:current_session",
    "account:reauthenticate",
    "account:confirm_login_code",
    "account:request_password_reset",
    "account:reset_password",
    "account:login",
    "account:signup",
    "account:verify_email",
    "account:resend_email_verification_code",
    "account:change_password",
    "account:manage_email",
)
for _client in ("app", "browser"):
    for _endpoint in HEADLESS_ENDPOINTS:
        TABLE[f"headless:{_client}:{_endpoint}"] = Rule(HEADLESS)
TABLE["headless:app:tokens:refresh"] = Rule(HEADLESS)
# The phone is a profile field, not a login method: allauth's phone endpoints are shadowed by a
# view that answers 404 to everyone (config/urls.py).
for _client in ("app", "browser"):
    for _route, _endpoint in (
        ("account/phone", "account:manage_phone"),
        ("auth/phone/verify", "account:verify_phone"),
        ("auth/phone/verify/resend", "account:resend_phone_verification_code"),
    ):
        _path = f"/api/v1/auth/{_client}/v1/{_route}"
        TABLE[_path.removeprefix("/")] = Rule(ALL_NOT_FOUND, path=(lambda path: lambda w: path)(_path))
        TABLE[f"headless:{_client}:{_endpoint}"] = Rule(ALL_NOT_FOUND)

# The models in Django's admin: (app label, model name). The desk is staff but holds no model
# permission, so every model page is 403 for it; everyone else goes to the admin's login.
ADMIN_MODELS = (
    ("auth", "group"),
    ("account", "emailconfirmation"),
    ("account", "emailaddress"),
    ("django_tasks_database", "dbtaskresult"),
    ("core", "clasificacionentidad"),
    ("core", "departamento"),
    ("core", "municipio"),
    ("accounts", "user"),
    ("accounts", "accessevent"),
    ("accounts", "termsacceptance"),
    ("usersessions", "usersession"),
    ("entities", "entidad"),
    ("entities", "registroentidad"),
    ("servicedesk", "caso"),
    ("servicedesk", "revisiondocumento"),
    ("core", "codigounspsc"),
    ("core", "tipoempresa"),
    ("publico", "instantanea"),
)
for _app, _model in ADMIN_MODELS:
    _name = f"{_app}_{_model}"
    _object = (lambda name: lambda w: {"object_id": w.admin_objects[name]})(_name)
    TABLE[f"admin:{_name}_changelist"] = Rule(ADMIN_MODEL)
    TABLE[f"admin:{_name}_add"] = Rule(ADMIN_MODEL)
    TABLE[f"admin:{_name}_history"] = Rule(ADMIN_MODEL, kwargs=_object)
    TABLE[f"admin:{_name}_delete"] = Rule(ADMIN_MODEL, kwargs=_object)
    TABLE[f"admin:{_name}_change"] = Rule(ADMIN_MODEL, kwargs=_object)
    # The bare object URL only redirects (to the change page, which refuses the desk).
    TABLE[f"admin/{_app}/{_model}/<path:object_id>/"] = Rule(
        ADMIN_STAFF,
        path=(lambda app, model, name: lambda w: f"/admin/{app}/{model}/{w.admin_objects[name]}/")(_app, _model, _name),
    )


# --- The project's URLs and operations --------------------------------------------------------


def _patterns(patterns=None, route="", namespace=""):
    """(key, route) for every view in the project, through every include(): the URL's name, or
    the route for the few without one."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _patterns(entry.url_patterns, here, inner)
        else:
            assert isinstance(entry, URLPattern)
            yield (namespace + entry.name if entry.name else here), here


def _api_operations():
    """(key, method, operation) for every ninja operation; the key is its URL name."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", None) or api.get_operation_url_name(operation, router=router)
                for method in operation.methods:
                    yield f"api:{name}", method, operation


API_METHODS = {key: method for key, method, _operation in _api_operations()}


def test_walk_finds_the_projects_urls_and_operations():
    # Guards the walks themselves: if they silently found nothing, the checks would pass.
    keys = {key for key, _route in _patterns()}
    assert len(keys) > 200
    for key in [
        "accounts:accesses",
        "entities:landing",
        "console:miembros",
        "servicedesk:cola",
        "api:me",
        "admin:index",
    ]:
        assert key in keys, key
    assert len(API_METHODS) > 60
    assert API_METHODS["api:miembro_retirar"] == "DELETE"


def test_every_url_and_operation_has_a_rule():
    """A new URL pattern or API operation must come with its rule in TABLE; a rule whose URL is
    gone must go too."""
    keys = {key for key, _route in _patterns()}
    assert sorted(keys - set(TABLE)) == [], "Add these to TABLE, with who may use them"
    assert sorted(set(API_METHODS) - set(TABLE)) == [], "Add these API operations to TABLE"
    assert sorted(set(TABLE) - keys) == [], "Stale entries in TABLE"
    operations = list(_api_operations())
    assert len({key for key, _m, _o in operations}) == len(operations), "two API operations share a URL name"
    # The signup's entity picker reverses api:search: the classifier's search must not take its name.
    assert reverse("api:search") == "/api/v1/entidades/buscar"


PUBLIC_PREFIXES = ("publico/", "datos/", "api/v1/publico/", "api/v1/unspsc", "api/v1/reference/")


def test_public_urls_are_open_to_anyone():
    """The public view, open data, the classifier and the reference lists answer everyone, without
    login: their rules say so (and the API's operations carry no authentication, above)."""
    public = sorted(key for key, route in _patterns() if route.startswith(PUBLIC_PREFIXES))
    assert "publico:cuenta" in public and "api:unspsc_detail" in public and "publico:instantanea" in public
    assert [key for key in public if TABLE[key].expect != EVERYONE] == []


def test_a_private_library_document_is_the_accounts_alone(world):
    """S's library document marked private is not in the Directorio: not downloadable by another
    account's users (page and API), only by S's own."""
    pk = world.documento_s_privado
    for actor in (ADMIN_A, MEMBER_B, COMPRADOR_A):
        client = _client(world, actor)
        assert client.get(reverse("directorio:documento", kwargs={"pk": pk})).status_code == 404, actor
        assert client.get(reverse("api:directorio_documento", kwargs={"documento_id": pk})).status_code == 404
        assert client.get(reverse("entities:documento", kwargs={"pk": pk})).status_code == 404, actor
    assert not DescargaDocumento.objects.filter(documento_id=pk).exists()
    for actor in (SUPPLIER_ADMIN, SUPPLIER_USER):
        response = _client(world, actor).get(reverse("directorio:documento", kwargs={"pk": pk}))
        assert response.status_code == 200, actor
        assert b"".join(response.streaming_content) == PDF
    # Nor does S's profile in the Directorio list it.
    profile = _client(world, ADMIN_A).get(reverse("api:directorio_perfil", kwargs={"cuenta_id": world.entidad_s}))
    ids = [v["id"] for d in profile.json()["documentos"] for v in d["versiones"]]
    assert ids == [world.documento_s]


def test_every_api_operation_requires_authentication_unless_public():
    """Open operations are exactly those the table opens to anonymous callers; every other one
    has authentication on the operation itself (not only a check in its body)."""
    for key, method, operation in _api_operations():
        public = TABLE[key].expect[ANON] == ALLOW
        assert bool(operation.auth_callbacks) != public, f"{method} {key}"


# --- The world ---------------------------------------------------------------------------------

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _stored(model, name: str, **fields):
    row = model(
        nombre_original=name,
        tamano=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content_type="application/pdf",
        subido_en=timezone.now(),
        **fields,
    )
    row.archivo.save(name, ContentFile(PDF))
    return row


def _build_world() -> SimpleNamespace:
    departamento = Departamento.objects.create(codigo="05", nombre="Antioquia")
    municipio = Municipio.objects.create(codigo="05001", departamento=departamento, nombre="Medellín", tipo="Municipio")
    entidad_a = EntidadFactory(nombre="ALCALDIA DE PRUEBA A", estado=Entidad.Estado.ACTIVA)
    entidad_b = EntidadFactory(nombre="ALCALDIA DE PRUEBA B", estado=Entidad.Estado.ACTIVA)
    admin_a = MembresiaFactory(entidad=entidad_a, usuario__username="admin.a").usuario
    comprador_a = MembresiaFactory(
        entidad=entidad_a, usuario__username="comprador.a", rol=Membresia.Rol.COMPRADOR
    ).usuario
    # The member whom the others try to suspend, retire or give roles to.
    target = MembresiaFactory(entidad=entidad_a, usuario__username="otro.comprador.a", rol=Membresia.Rol.COMPRADOR)
    admin_b = MembresiaFactory(entidad=entidad_b, usuario__username="admin.b").usuario
    outsider = UserFactory(username="sin.entidad")
    desk = DeskUserFactory(username="mesa")
    solicitante = UserFactory(username="solicitante")
    # S: an active supplier account with its commercial profile, its administrator and a plain user.
    entidad_s = EntidadFactory(
        nombre="PROVEEDOR DE PRUEBA S SAS",
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        area_negocio=AreaNegocio.PRIVADO,
        tipo_organizacion="",
        estado=Entidad.Estado.ACTIVA,
        departamento=departamento,
        municipio=municipio,
        telefono="6041234567",
    )
    PerfilComercial.objects.create(
        entidad=entidad_s,
        persona="juridica",
        direccion="Calle 1 # 2-3",
        representante_nombre="Laura Gómez",
        representante_tipo_documento="CC",
        representante_numero_documento="43123456",
    )
    supplier_admin = MembresiaFactory(entidad=entidad_s, usuario__username="admin.proveedor").usuario
    supplier_user = MembresiaFactory(
        entidad=entidad_s, usuario__username="usuario.proveedor", rol=Membresia.Rol.COMPRADOR
    ).usuario
    # Z: a supplier account the desk suspended (what "reactivar" is for).
    entidad_z = EntidadFactory(
        nombre="PROVEEDOR SUSPENDIDO Z", tipo_cuenta=TipoCuenta.PROVEEDOR, estado=Entidad.Estado.SUSPENDIDA
    )
    MembresiaFactory(entidad=entidad_z, usuario__username="admin.proveedor.z")
    # S's own objects, for the supplier's actors (test_a_supplier_accounts_own_objects).
    s_target = MembresiaFactory(entidad=entidad_s, usuario__username="otro.usuario.proveedor", rol="comprador")
    s_solicitud = SolicitudAcceso.objects.create(usuario=solicitante, entidad=entidad_s, mensaje="Soy vendedor.")
    s_rol = RolEntidad.objects.create(entidad=entidad_s, nombre="Comercial", permisos=["editar_perfil_comercial"])
    s_invitacion = invitations.invitacion_create(
        entidad=entidad_s, actor=supplier_admin, correo="vendedora@proveedor.com.co"
    )

    solicitud = SolicitudAcceso.objects.create(usuario=solicitante, entidad=entidad_a, mensaje="Trabajo aquí.")
    rol = RolEntidad.objects.create(entidad=entidad_a, nombre="Auditor", permisos=["ver_auditoria"])
    unidad = UnidadContratacion.objects.create(entidad=entidad_a, nombre="Compras")
    unidad.miembros.add(target)
    invitacion = invitations.invitacion_create(entidad=entidad_a, actor=admin_a, correo=outsider.email)
    Invitacion.objects.filter(pk=invitacion.pk).update(token_hash=hashlib.sha256(INVITATION_TOKEN.encode()).hexdigest())
    documento = Documento(
        entidad=entidad_a,
        tipo=Documento.Tipo.RUT,
        nombre_original="rut.pdf",
        tamano=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content_type="application/pdf",
        subido_por=admin_a,
        subido_en=timezone.now(),
    )
    documento.archivo.save("rut.pdf", ContentFile(PDF))
    registro = RegistroEntidad.objects.create(usuario=outsider, datos={"nombre": "HOSPITAL NUEVO", "nit": "900123"})
    caso = Caso.objects.create(
        solicitante=admin_a,
        entidad=entidad_a,
        tipo_solicitud="solicitud",
        asunto="perfil_proveedor",
        tipo_usuario="comprador",
        descripcion="Solicito habilitar el perfil de Proveedor.",
        nombres=admin_a.first_name,
        apellidos=admin_a.last_name,
        numero_documento=admin_a.document_number,
        correo=admin_a.email,
        numero="CASO-2026-900001",
    )
    mensaje = Mensaje.objects.create(caso=caso, autor=admin_a, texto="Adjunto el soporte.")
    adjunto = Adjunto(
        mensaje=mensaje,
        nombre_original="soporte.pdf",
        tamano=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content_type="application/pdf",
        subido_en=timezone.now(),
    )
    adjunto.archivo.save("soporte.pdf", ContentFile(PDF))
    # S's library: a document visible in the Directorio.
    documento_s = _stored(
        Documento,
        "experiencia.pdf",
        entidad=entidad_s,
        tipo=Documento.Tipo.EXPERIENCIA,
        titulo="Experiencia en suministros",
        visibilidad=Documento.Visibilidad.DIRECTORIO,
        subido_por=supplier_admin,
    )
    documento_s_privado = _stored(
        Documento,
        "estados.pdf",
        entidad=entidad_s,
        tipo=Documento.Tipo.ESTADOS_FINANCIEROS,
        titulo="Estados financieros internos",
        visibilidad=Documento.Visibilidad.PRIVADO,
        subido_por=supplier_admin,
    )
    tipo_empresa = TipoEmpresa.objects.create(
        codigo="sas-de-prueba", nombre="Sociedad por acciones simplificada", persona=TipoEmpresa.Persona.JURIDICA
    )
    # A's information request, with a file, S invited to it (pending); another one S answered with a file.
    codigo = CodigoUNSPSC.objects.filter(nivel="clase").order_by("codigo").first()
    peticion = SolicitudInformacion.objects.create(
        entidad=entidad_a,
        titulo="Suministro de computadores",
        descripcion="Cotización de computadores portátiles.",
        plazo=_plazo(10),
        creada_por=admin_a,
    )
    CodigoSolicitud.objects.create(solicitud=peticion, codigo=codigo, prefijo=codigo.prefijo)
    adjunto_peticion = _stored(AdjuntoSolicitud, "pliego.pdf", solicitud=peticion)
    invitada = InvitacionSolicitud.objects.create(
        solicitud=peticion, proveedor=entidad_s, origen=InvitacionSolicitud.Origen.MANUAL
    )
    respondida = SolicitudInformacion.objects.create(
        entidad=entidad_a, titulo="Mantenimiento", descripcion="Cotización.", plazo=_plazo(5), creada_por=admin_a
    )
    respuesta = InvitacionSolicitud.objects.create(
        solicitud=respondida,
        proveedor=entidad_s,
        origen=InvitacionSolicitud.Origen.MANUAL,
        estado=InvitacionSolicitud.Estado.RESPONDIDA,
        mensaje="Adjuntamos la cotización.",
        respondida_por=supplier_admin,
        respondida_at=timezone.now(),
    )
    adjunto_respuesta = _stored(AdjuntoRespuesta, "cotizacion.pdf", invitacion=respuesta)
    # Today's open-data snapshot, in the module's own open-data storage.
    instantaneas = snapshots.snapshot_write()
    email = OutboundEmail.objects.create(
        to=["ana@alcaldia.gov.co"], subject="Confirme su registro", text_body="clave", html_body="<p>clave</p>"
    )

    # Second factors (ADR 0017): the actors whose roles need one have it; A's administrator also a
    # security key. Two more people hold such a role without one, past their grace (see
    # test_a_role_that_needs_a_second_factor_is_held_at_its_setup).
    for user in (admin_a, admin_b, supplier_admin):
        give_second_factor(user)
    llave_a = Authenticator.objects.create(
        user=admin_a,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Llave de la oficina", "credential": SoftKey().register()},
    )
    desk_without = DeskUserFactory(username="mesa.sin.factor", second_factor=False)
    entidad_c = EntidadFactory(nombre="ALCALDIA DE PRUEBA C", estado=Entidad.Estado.ACTIVA)
    admin_without = MembresiaFactory(entidad=entidad_c, usuario__username="admin.c.sin.factor").usuario
    type(admin_without).objects.filter(pk=admin_without.pk).update(
        mfa_grace_started_at=timezone.now() - datetime.timedelta(days=settings.MFA_GRACE_DAYS_ADMIN + 1)
    )

    sessions = {}
    for actor, user in {
        DESK_WITHOUT_FACTOR: desk_without,
        ADMIN_WITHOUT_FACTOR: admin_without,
        OUTSIDER: outsider,
        MEMBER_B: admin_b,
        COMPRADOR_A: comprador_a,
        ADMIN_A: admin_a,
        DESK: desk,
        SUPPLIER_ADMIN: supplier_admin,
        SUPPLIER_USER: supplier_user,
    }.items():
        client = Client()
        client.force_login(user)
        sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # A second session of A's administrator, in another browser: theirs to end, and the desk's.
    other = Client()
    other.force_login(admin_a)
    admin_a_other_session = UserSession.objects.create(
        user=admin_a,
        session_key=other.cookies[settings.SESSION_COOKIE_NAME].value,
        ip="10.0.0.9",
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )

    admin_objects = {
        "auth_group": Group.objects.get(name=SERVICE_DESK_GROUP).pk,
        "account_emailconfirmation": EmailConfirmation.objects.create(
            email_address=EmailAddress.objects.get(user=solicitante), key="clave-de-confirmacion"
        ).pk,
        "account_emailaddress": EmailAddress.objects.get(user=admin_a).pk,
        "django_tasks_database_dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={}, task_path="x", backend_name="default", run_after=timezone.now()
        ).pk,
        "core_clasificacionentidad": ClasificacionEntidad.objects.create(campo="orden", valor="Nacional").pk,
        "core_departamento": departamento.pk,
        "core_municipio": municipio.pk,
        "accounts_user": admin_a.pk,
        "accounts_accessevent": AccessEvent.objects.filter(user=admin_a).first().pk,
        "accounts_termsacceptance": TermsAcceptance.objects.filter(user=admin_a).first().pk,
        "usersessions_usersession": admin_a_other_session.pk,
        "entities_entidad": entidad_a.pk,
        "entities_registroentidad": registro.pk,
        "servicedesk_caso": caso.pk,
        "servicedesk_revisiondocumento": RevisionDocumento.objects.create(
            caso=caso, documento=documento, decision="aceptado", revisor=desk
        ).pk,
        "core_codigounspsc": codigo.pk,
        "core_tipoempresa": tipo_empresa.pk,
        "publico_instantanea": instantaneas[0].pk,
    }
    return SimpleNamespace(
        entidad_a=entidad_a.pk,
        entidad_b=entidad_b.pk,
        entidad_s=entidad_s.pk,
        entidad_z=entidad_z.pk,
        s_target=s_target.pk,
        s_solicitud=s_solicitud.pk,
        s_rol=s_rol.pk,
        s_invitacion=s_invitacion.pk,
        membresia_target=target.pk,
        solicitud=solicitud.pk,
        rol=rol.pk,
        unidad=unidad.pk,
        invitacion=invitacion.pk,
        documento=documento.pk,
        documento_s=documento_s.pk,
        documento_s_privado=documento_s_privado.pk,
        tipo_empresa=tipo_empresa.codigo,
        codigo=codigo.codigo,
        peticion=peticion.pk,
        invitada=invitada.pk,
        adjunto_peticion=adjunto_peticion.pk,
        adjunto_respuesta=adjunto_respuesta.pk,
        registro=registro.pk,
        caso=caso.numero,
        adjunto=adjunto.pk,
        email=email.pk,
        outsider_username=outsider.username,
        admin_b_id=admin_b.pk,
        llave_a=llave_a.pk,
        outsider_id=outsider.pk,
        admin_a=admin_a.pk,
        admin_a_other_session=admin_a_other_session.pk,
        entidad_content_type=ContentType.objects.get_for_model(Entidad).pk,
        admin_objects={name: str(pk) for name, pk in admin_objects.items()},
        sessions=sessions,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of it. The test settings of tests/conftest.py are applied here once for
    the module instead of once per test (see `_test_settings` below): the matrix has many cases."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
            PASSWORD_HASHERS=FAST_HASHERS,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            DEV_OUTBOX=True,
            # The sessions are logged in once for the module (a recent proof for sensitive
            # actions, tests/conftest.py); the matrix may take longer than the usual window.
            ACCOUNT_REAUTHENTICATION_TIMEOUT=24 * 3600,
            STORAGES={
                **settings.STORAGES,
                "open_data": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path_factory.mktemp("datos-abiertos"))},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ),
        transaction.atomic(),
        _cached_auth_schema(),
    ):
        # Only ever in the test database (every test here is marked django_db, so it exists).
        name = str(connection.settings_dict["NAME"])
        assert name == (connection.settings_dict.get("TEST") or {}).get("NAME") or name.startswith("test_")
        yield _build_world()
        transaction.set_rollback(True)


@contextmanager
def _cached_auth_schema():
    # allauth builds the authentication API's schema anew on every request (about 0.3 s); the
    # matrix asks for it 24 times. Who may read it does not depend on how it is built.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(headless, "_auth_schema", cache(headless._auth_schema))
        yield


@pytest.fixture(autouse=True)
def _test_settings(world):
    """Replaces tests/conftest.py's per-test settings, applied once by `world`."""
    from django.core.cache import cache as django_cache

    django_cache.clear()


# --- The matrix ----------------------------------------------------------------------------------


def _url(rule: Rule, key: str, w) -> str:
    if rule.path is not None:
        return rule.path(w)
    return reverse(key, kwargs=rule.kwargs(w) if rule.kwargs else None)


def _method(rule: Rule, key: str) -> str:
    return rule.method or API_METHODS.get(key, "GET")


def _call(client: Client, rule: Rule, key: str, w, **extra):
    url, method = _url(rule, key, w), _method(rule, key)
    data = rule.data(w) if callable(rule.data) else rule.data
    if rule.files:
        upload = SimpleUploadedFile("documento.pdf", PDF, content_type="application/pdf")
        return client.post(url, {**(data or {}), rule.files: upload}, **extra)
    if method == "GET":
        return client.get(url, rule.query or {}, **extra)
    if url.startswith("/api/"):
        return client.generic(method, url, json.dumps(data or {}), content_type="application/json", **extra)
    assert method == POST, method
    return client.post(url, data or {}, **extra)


def _client(w, actor: str) -> Client:
    client = Client()
    if actor != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[actor]
    return client


def _is_refusal(response, url: str) -> bool:
    """A refusal, or a detour that keeps the request from the view: to log in (with `next`), to
    accept the terms, or (console pages) to the landing page of a user who acts for no entity.
    Plain redirects to those pages are where some views lead on success (logout, a deleted draft)."""
    location = response.get("Location", "")
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code not in (301, 302):
        return False
    return (
        (location.startswith((LOGIN_PAGE, ADMIN_LOGIN_PAGE)) and "next=" in location)
        or location.startswith(TERMS_PAGE)
        or (url.startswith("/entidad/") and location == LANDING_PAGE)
    )


def _assert_answer(kind: str, response, url: str) -> None:
    status, location = response.status_code, response.get("Location", "")
    answer = (status, location)
    if kind == ALLOW:
        assert not _is_refusal(response, url), answer
        assert status not in (405, 422), f"the request did not reach the view: {answer}"
    elif kind == LOGIN:
        if url.startswith("/api/"):
            assert status == 401, answer
            assert response.json()["code"] == "not_authenticated"
        else:
            assert status == 302, answer
            assert location.startswith(ADMIN_LOGIN_PAGE if url.startswith("/admin/") else LOGIN_PAGE), answer
    elif kind == SITE_LOGIN:
        assert status == 302 and location.startswith(LOGIN_PAGE) and "next=" in location, answer
    elif kind == LANDING:
        assert (status, location) == (302, LANDING_PAGE)
    elif kind == FORBIDDEN:
        assert status == 403, answer
    elif kind == NOT_FOUND:
        assert status == 404, answer
    else:
        assert kind == OPEN
    assert status < 500, answer


MATRIX = [pytest.param(key, actor, id=f"{key}-{actor}") for key in TABLE for actor in ACTORS]


@pytest.mark.parametrize(("key", "actor"), MATRIX)
def test_authorization_matrix(world, key, actor):
    _check(TABLE[key], key, actor, world)


# S's own objects: the supplier's administrator manages them as A's administrator manages A's, through
# the same membership code; its plain user holds no permission (§6). The objects of A are in TABLE.
SUPPLIER_OWN = {SUPPLIER_ADMIN: ALLOW, SUPPLIER_USER: FORBIDDEN}


def _solicitud_s(w):
    return SolicitudAcceso.objects.get(pk=w.s_solicitud).estado


def _invitacion_s(w):
    return Invitacion.objects.filter(pk=w.s_invitacion).values_list("estado", "envios").first()


SUPPLIER_TABLE: dict[str, Rule] = {
    "console:miembro_accion": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"pk": w.s_target, "accion": "suspender"},
        method=POST,
        unchanged=lambda w: _membresia(w.s_target),
    ),
    "console:solicitud_decidir": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"pk": w.s_solicitud, "decision": "rechazar"},
        method=POST,
        data={"motivo": "No trabaja con nosotros."},
        unchanged=_solicitud_s,
    ),
    "console:rol_editar": Rule(SUPPLIER_OWN, kwargs=lambda w: {"pk": w.s_rol}),
    "console:rol_eliminar": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"pk": w.s_rol},
        method=POST,
        unchanged=lambda w: RolEntidad.objects.filter(pk=w.s_rol).exists(),
    ),
    "console:invitacion_accion": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"pk": w.s_invitacion, "accion": "cancelar"},
        method=POST,
        unchanged=_invitacion_s,
    ),
    "api:miembro_patch": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"membresia_id": w.s_target},
        data={"rol": "administrador"},
        unchanged=lambda w: _membresia(w.s_target),
    ),
    "api:miembro_suspender": Rule(
        SUPPLIER_OWN, kwargs=lambda w: {"membresia_id": w.s_target}, unchanged=lambda w: _membresia(w.s_target)
    ),
    "api:solicitud_aprobar": Rule(
        SUPPLIER_OWN, kwargs=lambda w: {"solicitud_id": w.s_solicitud}, data={}, unchanged=_solicitud_s
    ),
    "api:rol_detail": Rule(SUPPLIER_OWN, kwargs=lambda w: {"rol_id": w.s_rol}),
    "api:rol_update": Rule(
        SUPPLIER_OWN,
        kwargs=lambda w: {"rol_id": w.s_rol},
        data={"nombre": "Comercial", "permisos": ["editar_perfil_comercial", "gestionar_biblioteca"]},
        unchanged=lambda w: RolEntidad.objects.get(pk=w.s_rol).permisos,
    ),
    "api:invitacion_resend": Rule(
        SUPPLIER_OWN, kwargs=lambda w: {"invitacion_id": w.s_invitacion}, unchanged=_invitacion_s
    ),
    "api:invitacion_cancel": Rule(
        SUPPLIER_OWN, kwargs=lambda w: {"invitacion_id": w.s_invitacion}, unchanged=_invitacion_s
    ),
}
SUPPLIER_MATRIX = [
    pytest.param(key, actor, id=f"own-{key}-{actor}") for key in SUPPLIER_TABLE for actor in SUPPLIER_OWN
]


@pytest.mark.parametrize(("key", "actor"), SUPPLIER_MATRIX)
def test_a_supplier_accounts_own_objects(world, key, actor):
    _check(SUPPLIER_TABLE[key], key, actor, world)


def _check(rule: Rule, key: str, actor: str, world) -> None:
    kind = rule.expect[actor]
    before = rule.unchanged(world) if rule.unchanged else None
    response = _call(_client(world, actor), rule, key, world)
    _assert_answer(kind, response, _url(rule, key, world))
    if rule.unchanged is not None:
        after = rule.unchanged(world)
        if kind == ALLOW and rule.allowed_changes:
            assert after != before, "allowed, but it changed nothing: then the refusals' check proves nothing"
        else:
            assert after == before, "refused, but it changed the data"


ROUTES = dict(_patterns())
# The console API acts for the acting entity; the X-Entidad header names it for one call.
ACTING_API = sorted(key for key in API_METHODS if ROUTES[key].startswith("api/v1/entidad/") or key == "api:acting_get")


@pytest.mark.parametrize("actor", [MEMBER_B, SUPPLIER_ADMIN])
@pytest.mark.parametrize("key", ACTING_API)
def test_naming_another_entity_in_the_header_acts_for_nothing(world, key, actor):
    """B's administrator (or S's) naming entity A in X-Entidad gets 404 from every console
    operation: the header chooses among the caller's own memberships only."""
    rule = TABLE[key]
    before = rule.unchanged(world) if rule.unchanged else None
    response = _call(_client(world, actor), rule, key, world, HTTP_X_ENTIDAD=str(world.entidad_a))
    assert response.status_code == 404, (response.status_code, response.content[:200])
    assert (rule.unchanged(world) if rule.unchanged else None) == before


def test_the_header_chooses_among_the_callers_entities(world):
    # The same call with the caller's own entity works: the 404 above is the header's doing.
    response = _client(world, MEMBER_B).get("/api/v1/entidad/miembros", HTTP_X_ENTIDAD=str(world.entidad_b))
    assert response.status_code == 200
    response = _client(world, ADMIN_A).get("/api/v1/entidad/miembros", HTTP_X_ENTIDAD=str(world.entidad_b))
    assert response.status_code == 404


def test_protected_pages_send_the_visitor_back_after_login(client):
    for url in ["/usuario/configuracion/", "/usuario/configuracion/editar/", "/usuario/accesos/", "/entidades/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_PAGE}?next={url}"


def test_dev_outbox_is_gone_without_dev_outbox(world, settings):
    urls = ["/dev/correos/", f"/dev/correos/{world.email}/", f"/dev/correos/{world.email}/html/"]
    settings.DEV_OUTBOX = False
    for actor in ACTORS:
        assert [_client(world, actor).get(url).status_code for url in urls] == [404, 404, 404], actor


# Sensitive actions (ADR 0018): once the proof of identity is older than the window, whoever may
# act is asked to confirm it first (the page to allauth's reauthentication, the API 401), and
# nothing changes; everyone else keeps the answer of TABLE.
SENSITIVE_ROWS = {
    "servicedesk:cuenta_accion": DESK,
    "servicedesk:designar_administrador": DESK,
    "api:cuenta_suspender": DESK,
    "api:cuenta_reactivar": DESK,
    "api:designar_administrador": DESK,
}


@pytest.mark.parametrize("key", sorted(SENSITIVE_ROWS))
def test_sensitive_actions_ask_again_once_the_window_has_passed(world, settings, key):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    rule, actor = TABLE[key], SENSITIVE_ROWS[key]
    assert rule.expect[actor] == ALLOW
    before = rule.unchanged(world)
    response = _call(_client(world, actor), rule, key, world)
    if key.startswith("api:"):
        assert response.status_code == 401 and response.json()["code"] == "reauthentication_required"
    else:
        assert response.status_code == 302 and response["Location"].startswith("/cuentas/reauthenticate/?next=")
    assert rule.unchanged(world) == before
    for other in ACTORS:
        if other != actor:
            _check(rule, key, other, world)


# --- Second factor required by role (ADR 0017) ---------------------------------------------------

SETUP_PAGE = "/cuentas/2fa/"
_OPERATIONS = {key: operation for key, _method, operation in _api_operations()}


def _unprivileged(key: str, rule: Rule, w) -> bool:
    """What mfa.py declares reachable without the factor, resolved for this URL."""
    url = _url(rule, key, w)
    if url.startswith(mfa.UNPRIVILEGED_PATH_PREFIXES):
        return True
    view_name = resolve(url.split("?")[0]).view_name
    if url.startswith("/api/"):
        return (_method(rule, key), view_name) in mfa.UNPRIVILEGED_OPERATIONS
    return mfa.is_unprivileged(view_name)


@pytest.mark.parametrize("actor", sorted(WITHOUT_FACTOR))
@pytest.mark.parametrize("key", sorted(TABLE))
def test_a_role_that_needs_a_second_factor_is_held_at_its_setup(world, key, actor):
    """A desk member, and an Administrador past the grace, without a second factor: every
    privileged page sends them to set one up (302 to /cuentas/2fa/) and every privileged API
    operation answers 403 `mfa_required`, and neither changes anything; what mfa.py declares
    unprivileged answers them as it answers the actor they would otherwise be (the desk, or B's
    administrator: the matrix's rows above, with a factor)."""
    rule = TABLE[key]
    # What needs a factor of one's own (viewing recovery codes...) they lack, as the outsider does.
    counterpart = rule.expect[OUTSIDER if rule.expect == HAS_FACTOR else WITHOUT_FACTOR[actor]]
    url = _url(rule, key, world)
    before = rule.unchanged(world) if rule.unchanged else None
    response = _call(_client(world, actor), rule, key, world)
    answer = (response.status_code, response.get("Location", ""))
    public_api = key in _OPERATIONS and not _OPERATIONS[key].auth_callbacks
    if public_api or _unprivileged(key, rule, world):
        _assert_answer(counterpart, response, url)
        return
    if url.startswith("/api/"):
        if counterpart == NOT_FOUND and response.status_code == 404:
            pass  # the desk's operations stay not found to anyone else, first
        else:
            assert response.status_code == 403 and response.json()["code"] == "mfa_required", answer
    else:
        assert response.status_code == 302 and answer[1].startswith(f"{SETUP_PAGE}?next="), answer
    if rule.unchanged is not None:
        assert rule.unchanged(world) == before, "held at the setup, but it changed the data"


def test_with_a_factor_the_same_people_pass(world):
    """The refusals above are the missing factor's: once set up, the same users reach the desk's
    queue and their console and API."""
    desk = Client()
    desk.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[DESK_WITHOUT_FACTOR]
    admin = Client()
    admin.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[ADMIN_WITHOUT_FACTOR]
    assert desk.get("/mesa/").status_code == 302
    assert admin.get("/api/v1/entidad/miembros").status_code == 403
    with transaction.atomic():
        for username in ("mesa.sin.factor", "admin.c.sin.factor"):
            give_second_factor(get_user_model().objects.get(username=username))
        assert desk.get("/mesa/").status_code == 200
        assert admin.get("/entidad/").status_code == 200
        assert admin.get("/api/v1/entidad/miembros").status_code == 200
        transaction.set_rollback(True)
