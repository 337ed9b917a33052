"""Pre-checks 1 to 4: the NIT's check digit, the certificate's age, the authorization and the RUT."""

import logging
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.text import fold
from registro.entities.account.models import AreaNegocio, Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import rules
from registro.entities.registration.models import Documento

from .base import FAIL, NOT_APPLICABLE, OK, WARNING, Precheck
from .text import _has_text, number_in_text, pdf_text, person_name_in_text

logger = logging.getLogger(__name__)

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
    membresias = Membresia.objects.administradores(entidad).select_related("usuario").order_by("created_at", "pk")
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
