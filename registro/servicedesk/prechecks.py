"""Automatic pre-checks the Mesa de Servicio sees beside an entity's documents while it reviews the
activation: the things the desk otherwise checks by eye. They only inform; nothing is decided
here, and nothing here raises on a bad or unreadable file.

`prechecks_for(entidad)` returns, in this order:

1. ``nit_dv`` — the stored check digit is the DIAN modulo-11 digit of the NIT.
2. ``certificado_vigencia`` — (Público y Privado only) the certificate of existence was issued no
   more than 90 days before it was uploaded (R2.2).
3. ``autorizacion_administrador`` — (R2.3) every active Administrador's full name and document
   number appear in the authorization's text.
4. ``rut_nit`` — the NIT appears in the RUT's text.
5. ``nombres_similares`` — other registered entities with similar names (possible duplicates).

Decisions worth knowing:
- Text is read from PDFs only (pypdf, first 30 pages). A file that is not a PDF, does not open, or
  has fewer than `MIN_TEXT_CHARS` letters and digits (a scan without OCR) has "no text": checks 3
  and 4 then give a warning telling the desk to check by eye, never a failure.
- Names and numbers are compared on `fold`-ed text (capitals, no accents, no punctuation, single
  spaces), so case, accents, line breaks, extra spaces, dots and dashes do not matter. Ñ is also
  compared as N on both sides (a user typing "Nunez" for NÚÑEZ). A name is found when the whole
  "nombres apellidos" or "apellidos nombres" sequence appears (documents often write the surname
  first). A number is found when its digits appear in order with at most one space between them
  (after folding, "1.020.304.050" and "8 9 0 9 0 5 2 1 1" are "1 020 304 050" and
  "8 9 0 9 0 5 2 1 1") and no digit right before or after; the RUT's NIT may be followed by its
  check digit ("890905211-7", "8909052117").
- Similar names: candidates are picked in SQL with plain ``LIKE '%word%'`` on ``nombre_busqueda``
  (same code on SQLite and PostgreSQL, where the trigram index of migration 0002 serves it),
  ranked by how many of the words they hold, capped at `SIMILAR_CANDIDATES`. The words are the 3
  longest *distinctive* words of the name: connectors (DE, LA, Y...), institution words (ALCALDIA,
  MUNICIPAL, HOSPITAL, ESE, CONCEJO...) and very common place prefixes (SAN, SANTA, PUERTO...) are
  left out, since nearly every name holds them. A name whose only distinctive word is long also
  searches that word's first and last 5 letters, so a typo in it still finds the candidate.
  Candidates are then scored with difflib's SequenceMatcher on the distinctive words (connectors
  and institution words removed; the whole key when either has no distinctive word), so
  "ALCALDIA MUNICIPAL DE SANTA ROSA DE OSOS" and "MUNICIPIO DE SANTA ROSA DE OSOS" score 1.0 while
  "ALCALDIA MUNICIPAL DE SAN PEDRO" and "... SAN PABLO" score 0.4. Two names are never similar
  when they name different kinds of institution (an ALCALDIA and the CONCEJO of the same town) or
  hold different numbers ("NOTARIA 1" and "NOTARIA 2"). Reported: score ≥ `SIMILAR_MIN_RATIO`,
  best first, at most `SIMILAR_MAX`.
"""

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader

from registro.core.text import fold, search_key
from registro.entities.account.models import AreaNegocio, Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import rules
from registro.entities.registration.models import Documento

logger = logging.getLogger(__name__)

OK = "ok"
WARNING = "warning"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"

MIN_TEXT_CHARS = 20
SIMILAR_CANDIDATES = 200
SIMILAR_MIN_RATIO = 0.75
SIMILAR_MAX = 10
SIMILAR_WORDS = 3


@dataclass(frozen=True)
class Precheck:
    code: str
    label: str
    status: str
    message: str
    detail: dict = field(default_factory=dict)


def prechecks_for(entidad: Entidad, *, today: date | None = None) -> list[Precheck]:
    today = today or timezone.localdate()
    tipos = [
        Documento.Tipo.CERTIFICADO_EXISTENCIA,
        Documento.Tipo.AUTORIZACION_ADMINISTRADOR,
        Documento.Tipo.RUT,
    ]
    documentos: dict[str, Documento] = {}
    for documento in entidad.documentos.filter(vigente=True, tipo__in=tipos).order_by("version"):
        documentos[documento.tipo] = documento  # the latest version wins, should there be two
    return [
        _check_nit_dv(entidad),
        _check_certificado(entidad, documentos.get(Documento.Tipo.CERTIFICADO_EXISTENCIA), today=today),
        _check_autorizacion(entidad, documentos.get(Documento.Tipo.AUTORIZACION_ADMINISTRADOR)),
        _check_rut(entidad, documentos.get(Documento.Tipo.RUT)),
        _check_nombres_similares(entidad),
    ]


# --- PDF text ---------------------------------------------------------------------------------


def pdf_text(documento: Documento, *, max_pages: int = 30) -> str:
    """The text of the stored file's first `max_pages` pages; "" when it is not a PDF, does not
    open, is encrypted, or has no text layer. Never raises."""
    try:
        with documento.archivo.open("rb") as stored:
            data = stored.read()
    except Exception as error:
        logger.info("Could not read document %s: %s: %s", documento.pk, type(error).__name__, error)
        return ""
    start = data.find(b"%PDF-", 0, 1024)
    if start < 0:
        return ""
    try:
        reader = PdfReader(io.BytesIO(data[start:]), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        pages = reader.pages[:max_pages]
    except Exception as error:  # any pypdf error, and the odd ValueError/RecursionError on broken files
        logger.info("pypdf could not open document %s: %s: %s", documento.pk, type(error).__name__, error)
        return ""
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as error:
            logger.info("pypdf could not read page %s of document %s: %s", number, documento.pk, error)
    return "\n".join(texts)


def _has_text(folded: str) -> bool:
    return len(folded.replace(" ", "")) >= MIN_TEXT_CHARS


# --- matching helpers -------------------------------------------------------------------------


def _match_form(text: str) -> str:
    """The form names are looked for in: `fold`, with Ñ as N."""
    return fold(text).replace("Ñ", "N")


def name_in_text(name: str, text: str) -> bool:
    """Whether `name` appears in `text` as a whole sequence of words, ignoring case, accents,
    punctuation, line breaks and repeated spaces."""
    wanted = _match_form(name)
    return bool(wanted) and f" {wanted} " in f" {_match_form(text)} "


def person_name_in_text(first_name: str, last_name: str, text: str) -> bool:
    """ "Nombres Apellidos" or "Apellidos Nombres" in `text` (see `name_in_text`)."""
    return name_in_text(f"{first_name} {last_name}", text) or name_in_text(f"{last_name} {first_name}", text)


def _number_pattern(number: str, *, suffix: str = "") -> re.Pattern | None:
    chars = re.sub(r"[^0-9A-Z]", "", fold(number))
    if not chars:
        return None
    boundary = "0-9" if chars.isdigit() else "0-9A-Z"
    body = " ?".join(re.escape(c) for c in chars)
    tail = f"(?: ?{re.escape(suffix)})?" if suffix else ""
    return re.compile(rf"(?<![{boundary}]){body}{tail}(?![{boundary}])")


def number_in_text(number: str, text: str, *, suffix: str = "") -> str | None:
    """Where `number` appears in `text` ignoring dots, spaces, commas and dashes between its
    characters (one separator at most, "1.020.304.050", "8 9 0 9 0 5 2 1 1"), as the folded
    match; None when it does not. `suffix` (a check digit) may follow it."""
    pattern = _number_pattern(number, suffix=suffix)
    if pattern is None:
        return None
    found = pattern.search(fold(text))
    return found.group(0) if found else None


# --- 1. NIT check digit -----------------------------------------------------------------------


def _check_nit_dv(entidad: Entidad) -> Precheck:
    code, label = "nit_dv", _("Dígito de verificación del NIT")
    try:
        esperado = rules.nit_check_digit(entidad.nit)
    except Exception:
        esperado = ""
    detail = {"nit": entidad.nit, "dv_registrado": entidad.dv, "dv_calculado": esperado}
    if not esperado:
        return Precheck(
            code, label, FAIL, _("No se pudo calcular el dígito de verificación del NIT %(nit)s.") % detail, detail
        )
    if not entidad.dv:
        return Precheck(
            code,
            label,
            FAIL,
            _("La Entidad no tiene dígito de verificación registrado; para el NIT %(nit)s es %(dv_calculado)s.")
            % detail,
            detail,
        )
    if entidad.dv == esperado:
        return Precheck(
            code,
            label,
            OK,
            _("El dígito de verificación registrado (%(dv_registrado)s) corresponde al NIT %(nit)s.") % detail,
            detail,
        )
    return Precheck(
        code,
        label,
        FAIL,
        _(
            "El dígito de verificación registrado es %(dv_registrado)s, pero para el NIT %(nit)s "
            "el dígito calculado es %(dv_calculado)s."
        )
        % detail,
        detail,
    )


# --- 2. certificate of existence --------------------------------------------------------------


def _check_certificado(entidad: Entidad, documento: Documento | None, *, today: date) -> Precheck:
    code, label = "certificado_vigencia", _("Vigencia del certificado de existencia y representación legal")
    if entidad.area_negocio != AreaNegocio.PUBLICO_PRIVADO:
        return Precheck(
            code,
            label,
            NOT_APPLICABLE,
            _("Solo se exige a las Entidades con área de negocio «Público y Privado»."),
            {"area_negocio": entidad.area_negocio},
        )
    if documento is None:
        return Precheck(code, label, FAIL, _("La Entidad no adjuntó el certificado de existencia."), {})
    detail: dict = {"documento_id": documento.pk, "max_dias": rules.CERTIFICADO_MAX_DIAS}
    if documento.fecha_expedicion is None:
        return Precheck(
            code, label, FAIL, _("El certificado de existencia no tiene fecha de expedición registrada."), detail
        )
    expedido = documento.fecha_expedicion
    subido = timezone.localdate(documento.subido_en)
    dias_carga = (subido - expedido).days
    dias_hoy = (today - expedido).days
    detail |= {
        "fecha_expedicion": expedido.isoformat(),
        "fecha_carga": subido.isoformat(),
        "dias_al_cargar": dias_carga,
        "dias_hoy": dias_hoy,
    }
    values = {
        "expedido": f"{expedido:%d/%m/%Y}",
        "subido": f"{subido:%d/%m/%Y}",
        "dias_carga": dias_carga,
        "dias_hoy": dias_hoy,
        "max": rules.CERTIFICADO_MAX_DIAS,
    }
    if dias_carga < 0:
        return Precheck(
            code,
            label,
            FAIL,
            _(
                "La fecha de expedición (%(expedido)s) es posterior a la fecha en que se adjuntó el certificado (%(subido)s)."
            )
            % values,
            detail,
        )
    if rules.certificado_vigente(expedido, hoy=subido):
        message = _(
            "Expedido el %(expedido)s: tenía %(dias_carga)s días al adjuntarse el %(subido)s (máximo %(max)s); "
            "hoy tiene %(dias_hoy)s días."
        )
        return Precheck(code, label, OK, message % values, detail)
    message = _(
        "Expedido el %(expedido)s: tenía %(dias_carga)s días al adjuntarse el %(subido)s, más de los %(max)s "
        "permitidos; hoy tiene %(dias_hoy)s días."
    )
    return Precheck(code, label, FAIL, message % values, detail)


# --- 3. administrator authorization (R2.3) ----------------------------------------------------


def _check_autorizacion(entidad: Entidad, documento: Documento | None) -> Precheck:
    code, label = "autorizacion_administrador", _("Autorización del Usuario Administrador")
    if documento is None:
        return Precheck(code, label, FAIL, _("La Entidad no adjuntó la autorización del Usuario Administrador."), {})
    text = pdf_text(documento)
    detail: dict = {"documento_id": documento.pk}
    if not _has_text(fold(text)):
        return Precheck(
            code,
            label,
            WARNING,
            _(
                "El documento no tiene texto que se pueda leer (posiblemente es una imagen escaneada): "
                "verifique a simple vista los nombres y números de documento de los Administradores."
            ),
            detail,
        )
    membresias = (
        Membresia.objects.filter(entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR, activa=True)
        .select_related("usuario")
        .order_by("created_at", "pk")
    )
    administradores = []
    faltantes = []
    for membresia in membresias:
        usuario = membresia.usuario
        nombre = f"{usuario.first_name} {usuario.last_name}".strip()
        nombre_ok = person_name_in_text(usuario.first_name, usuario.last_name, text)
        numero_ok = number_in_text(usuario.document_number, text) is not None
        administradores.append(
            {
                "usuario_id": usuario.pk,
                "nombre": nombre,
                "numero_documento": usuario.document_number,
                "nombre_encontrado": nombre_ok,
                "documento_encontrado": numero_ok,
            }
        )
        if not nombre_ok:
            faltantes.append(_("el nombre «%(nombre)s»") % {"nombre": nombre})
        if not numero_ok:
            faltantes.append(
                _("el número de documento %(numero)s de %(nombre)s")
                % {"numero": usuario.document_number, "nombre": nombre}
            )
    detail["administradores"] = administradores
    if not administradores:
        return Precheck(
            code,
            label,
            WARNING,
            _("La Entidad no tiene Usuarios Administradores activos cuyos datos buscar en la autorización."),
            detail,
        )
    if faltantes:
        detail["faltantes"] = faltantes
        return Precheck(
            code,
            label,
            FAIL,
            _("No se encontró en la autorización: %(faltantes)s.") % {"faltantes": "; ".join(faltantes)},
            detail,
        )
    nombres = ", ".join(a["nombre"] for a in administradores)
    return Precheck(
        code,
        label,
        OK,
        _("La autorización menciona el nombre y el número de documento de: %(nombres)s.") % {"nombres": nombres},
        detail,
    )


# --- 4. NIT in the RUT ------------------------------------------------------------------------


def _check_rut(entidad: Entidad, documento: Documento | None) -> Precheck:
    code, label = "rut_nit", _("NIT en el RUT")
    if documento is None:
        return Precheck(code, label, FAIL, _("La Entidad no adjuntó el RUT."), {"nit": entidad.nit})
    text = pdf_text(documento)
    detail: dict = {"documento_id": documento.pk, "nit": entidad.nit}
    if not _has_text(fold(text)):
        return Precheck(
            code,
            label,
            WARNING,
            _(
                "El RUT no tiene texto que se pueda leer (posiblemente es una imagen escaneada): "
                "verifique a simple vista que corresponda al NIT %(nit)s."
            )
            % {"nit": entidad.nit},
            detail,
        )
    try:
        dv = rules.nit_check_digit(entidad.nit)
    except Exception:
        dv = entidad.dv
    found = number_in_text(entidad.nit, text, suffix=dv)
    if found is None:
        return Precheck(
            code, label, FAIL, _("No se encontró el NIT %(nit)s en el texto del RUT.") % {"nit": entidad.nit}, detail
        )
    detail["texto_encontrado"] = found
    return Precheck(
        code,
        label,
        OK,
        _("El NIT %(nit)s aparece en el RUT («%(found)s»).") % {"nit": entidad.nit, "found": found},
        detail,
    )


# --- 5. similar names -------------------------------------------------------------------------

# Dropped everywhere.
CONNECTOR_WORDS = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "E", "O", "EN", "A", "AL", "PARA", "POR", "CON", "NO", "N"}
)
# Words that say what kind of institution it is; two names whose kinds differ (each has at least
# one, none shared) are different institutions, whatever the rest says.
KIND_WORDS = {
    "ALCALDIA": "municipio",
    "MUNICIPIO": "municipio",
    "DISTRITO": "municipio",
    "GOBERNACION": "departamento",
    "DEPARTAMENTO": "departamento",
    "CONCEJO": "concejo",
    "ASAMBLEA": "asamblea",
    "PERSONERIA": "personeria",
    "CONTRALORIA": "contraloria",
    "HOSPITAL": "salud",
    "ESE": "salud",
    "CLINICA": "salud",
    "IPS": "salud",
    "EDUCATIVA": "educacion",
    "COLEGIO": "educacion",
    "ESCUELA": "educacion",
    "UNIVERSIDAD": "universidad",
    "EMPRESA": "empresa",
    "EMPRESAS": "empresa",
    "ESP": "empresa",
    "MINISTERIO": "ministerio",
    "SUPERINTENDENCIA": "superintendencia",
    "AGENCIA": "agencia",
    "INSTITUTO": "instituto",
    "CORPORACION": "corporacion",
    "FONDO": "fondo",
    "NOTARIA": "notaria",
    "JUZGADO": "juzgado",
    "TRIBUNAL": "tribunal",
    "FISCALIA": "fiscalia",
}
# Other words that nearly every public entity's name holds: not distinctive.
INSTITUTION_WORDS = frozenset(KIND_WORDS) | frozenset(
    {
        "MUNICIPAL",
        "MUNICIPALES",
        "DEPARTAMENTAL",
        "DISTRITAL",
        "ESPECIAL",
        "NACIONAL",
        "REGIONAL",
        "SOCIAL",
        "ESTADO",
        "PUBLICA",
        "PUBLICAS",
        "PUBLICO",
        "PUBLICOS",
        "SERVICIOS",
        "INSTITUCION",
        "CENTRO",
        "UNIDAD",
        "ADMINISTRATIVA",
        "ADMINISTRATIVO",
        "COLOMBIA",
        "REPUBLICA",
        "SECRETARIA",
        "EICE",
        "SAS",
        "SA",
        "LTDA",
    }
)
# Distinctive, but so common at the start of place names that searching them finds half the table.
COMMON_PLACE_WORDS = frozenset({"SAN", "SANTA", "SANTO", "PUERTO", "VILLA", "NUEVO", "NUEVA"})


def _words(key: str) -> list[str]:
    return [w for w in key.split() if w not in CONNECTOR_WORDS]


def _distinctive(key: str) -> list[str]:
    return [w for w in _words(key) if w not in INSTITUTION_WORDS]


def _kinds(key: str) -> set[str]:
    return {KIND_WORDS[w] for w in key.split() if w in KIND_WORDS}


def _numbers(key: str) -> set[str]:
    return {w for w in key.split() if w.isdigit()}


def search_fragments(key: str) -> list[str]:
    """What the candidates' `nombre_busqueda` is searched for: the `SIMILAR_WORDS` longest
    distinctive words (longest first), falling back to any non-connector words."""
    words = [w for w in _distinctive(key) if w not in COMMON_PLACE_WORDS and len(w) >= 3 and not w.isdigit()]
    if not words:
        words = [w for w in _words(key) if len(w) >= 3]
    unique = list(dict.fromkeys(words))
    chosen = sorted(unique, key=len, reverse=True)[:SIMILAR_WORDS]
    if len(chosen) == 1 and len(chosen[0]) >= 7:
        chosen += [chosen[0][:5], chosen[0][-5:]]
    return chosen


def name_similarity(key_a: str, key_b: str) -> float:
    """How alike two search keys are, 0..1 (see the module's docstring)."""
    if _kinds(key_a) and _kinds(key_b) and not (_kinds(key_a) & _kinds(key_b)):
        return 0.0
    if _numbers(key_a) != _numbers(key_b):
        return 0.0
    a, b = _distinctive(key_a), _distinctive(key_b)
    if not a or not b:
        a, b = _words(key_a), _words(key_b)
    return SequenceMatcher(None, " ".join(a), " ".join(b), autojunk=False).ratio()


def similar_entities(entidad: Entidad) -> list[dict]:
    key = search_key(entidad.nombre)
    fragments = search_fragments(key)
    if not fragments:
        return []
    any_fragment = Q()
    for fragment in fragments:
        any_fragment |= Q(nombre_busqueda__contains=fragment)
    # One CASE per fragment, summed: a row holding two fragments counts 2.
    hits = sum(
        (
            Case(When(nombre_busqueda__contains=f, then=Value(1)), default=Value(0), output_field=IntegerField())
            for f in fragments
        ),
        Value(0),
    )
    candidates = (
        Entidad.objects.filter(any_fragment)
        .exclude(pk=entidad.pk)
        .annotate(hits=hits)
        .order_by("-hits", "pk")
        .values("pk", "nombre", "nombre_busqueda", "nit", "dv", "estado", "municipio__nombre")[:SIMILAR_CANDIDATES]
    )
    found = []
    for candidate in candidates:
        ratio = name_similarity(key, candidate["nombre_busqueda"])
        if ratio >= SIMILAR_MIN_RATIO:
            found.append(
                {
                    "id": candidate["pk"],
                    "nombre": candidate["nombre"],
                    "nit": candidate["nit"],
                    "dv": candidate["dv"],
                    "estado": candidate["estado"],
                    "municipio": candidate["municipio__nombre"] or "",
                    "ratio": round(ratio, 3),
                }
            )
    found.sort(key=lambda s: (-s["ratio"], s["nombre"], s["id"]))
    return found[:SIMILAR_MAX]


def _check_nombres_similares(entidad: Entidad) -> Precheck:
    code, label = "nombres_similares", _("Entidades con nombres similares")
    similares = similar_entities(entidad)
    detail = {"similares": similares}
    if not similares:
        return Precheck(code, label, OK, _("No hay otras Entidades registradas con nombres similares."), detail)
    listado = "; ".join(
        _("%(nombre)s (NIT %(nit)s, %(pct)s%% de similitud)")
        % {"nombre": s["nombre"], "nit": s["nit"], "pct": round(s["ratio"] * 100)}
        for s in similares
    )
    return Precheck(
        code,
        label,
        WARNING,
        _("Hay Entidades registradas con nombres similares; verifique que no sea un registro duplicado: %(lista)s.")
        % {"lista": listado},
        detail,
    )
