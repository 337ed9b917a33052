"""Accounts as OCDS 1.1 parties (`Organization`, R10.2), with the partyScale extension's
`details.scale`. The schema files are vendored in schema/ (Apache-2.0) and read offline."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from django.db.models import QuerySet

from registro.entities.account.models import Entidad

from .exports import Plan, json_array_stream, partes_plan

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
CORE_SCHEMA = SCHEMA_DIR / "release-schema-1.1.5.json"
SCALE_EXTENSION = SCHEMA_DIR / "partyDetails_scale-release-schema.json"
SCALE_EXTENSION_URL = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/master/extension.json"
SCHEME = "CO-NIT"
# An account whose NIT is not public (a natural person's NIT is their cédula) or that has none
# (a foreign supplier) is named by its account number here instead.
LOCAL_PREFIX = "CO-RS"

SCALE = {"micro": "micro", "pequena": "sme", "mediana": "sme", "grande": "large"}
COUNTRY_NAMES = {"CO": "Colombia"}


def party(values: dict[str, str]) -> dict:
    """One OCDS Organization from a row of `partes_plan()` (public fields only: the others are
    empty there)."""
    nit, nombre = values["nit"], values["nombre"]
    result: dict = {"id": f"{SCHEME}-{nit}" if nit else f"{LOCAL_PREFIX}-{values['codigo']}", "name": nombre}
    result["identifier"] = {"scheme": SCHEME, "id": nit, "legalName": nombre} if nit else {"legalName": nombre}
    address = {
        "streetAddress": values["direccion"],
        "locality": values["municipio"],
        "region": values["departamento"],
        "countryName": COUNTRY_NAMES.get(values["pais"], values["pais"]),
    }
    if address := {k: v for k, v in address.items() if v}:
        result["address"] = address
    # The institutional notification contact only: never a person's own.
    contact = {"email": values["correo"], "telephone": values["telefono"], "url": values["sitio_web"]}
    if contact := {k: v for k, v in contact.items() if v}:
        result["contactPoint"] = {"name": "Notificaciones SECOP II", **contact}
    tipo = values["tipo_cuenta"]
    result["roles"] = {"entidad_estatal": ["buyer"], "proveedor": ["supplier"]}.get(tipo, ["buyer", "supplier"])
    scale = SCALE.get(values["tamano"]) or ("sme" if values["espyme"] == "Si" and tipo != "entidad_estatal" else None)
    if scale:
        result["details"] = {"scale": scale}
    return result


def parties(plan: Plan, qs: QuerySet[Entidad]) -> Iterator[dict]:
    for values in plan.dicts(qs):
        yield party(values)


def parties_stream(qs: QuerySet[Entidad], plan: Plan | None = None) -> Iterator[bytes]:
    plan = plan or partes_plan()
    head = json.dumps(
        {"version": "1.1", "extensions": [SCALE_EXTENSION_URL], "publisher": {"name": "Registro SECOP"}},
        ensure_ascii=False,
    )
    return json_array_stream(parties(plan, qs), head=head[:-1].encode() + b', "parties": [', tail=b"]}\n")


def _merge_patch(target, patch):
    """RFC 7386, as OCDS applies an extension's release-schema.json to the core schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict:
    core = json.loads(CORE_SCHEMA.read_text())
    return _merge_patch(core, json.loads(SCALE_EXTENSION.read_text()))


def organization_schema() -> dict:
    """The `Organization` definition, with every definition it refers to, as a schema of its own."""
    schema = release_schema()
    return {
        "$schema": schema["$schema"],
        "$ref": "#/definitions/Organization",
        "definitions": schema["definitions"],
    }
