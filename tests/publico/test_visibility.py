"""The visibility table holds for every public output: a walk through the page of each account, the
public search's page and API operation, the CSV and JSON downloads, the OCDS parties, the public
API and the snapshot, failing on any value of
a field the table does not make public for that account."""

import gzip

import pytest
from django.core.files.storage import storages
from django.test import Client

from registro.publico import busqueda, exports, ficha, snapshots
from registro.publico.visibility import CAMPOS, Nivel, no_publicos

pytestmark = pytest.mark.django_db


def _perfil(entidad):
    return entidad.perfil if hasattr(entidad, "perfil") else None


def _p(attr):
    return lambda e: getattr(_perfil(e), attr, "") if _perfil(e) else ""


# Where each field's value is stored, to look for it in what the public gets. Every field of the
# table that is not public for someone must be here (test below).
RAW = {
    "nit": lambda e: e.nit,
    "dv": lambda e: e.dv,
    "telefono": lambda e: e.telefono,
    "correo": lambda e: e.correo_notificaciones,
    "direccion": _p("direccion"),
    "n_mero_doc_representante_legal": _p("representante_numero_documento"),
    "telefono_representante_legal": _p("representante_telefono"),
    "correo_representante_legal": _p("representante_correo"),
    "documento_persona": _p("numero_documento"),
    "datos_financieros": lambda e: str(_perfil(e).activos).split(".")[0] if _perfil(e) and _perfil(e).activos else "",
    "motivo_estado": lambda e: " ".join(e.eventos.exclude(motivo="").values_list("motivo", flat=True)),
}
# Too short to look for in a page (one check digit, "CC"): their absence is checked on the data.
MIN_LENGTH = 5


def test_every_field_that_is_not_always_public_has_a_known_source():
    restricted = {c.nombre for c in CAMPOS.values() if not c.publico_siempre}
    assert restricted <= set(RAW), restricted - set(RAW)


def test_the_natural_persons_personal_data_is_never_public():
    for nombre in ("nit", "telefono", "correo", "direccion", "documento_persona", "n_mero_doc_representante_legal"):
        assert CAMPOS[nombre].persona_natural > Nivel.PUBLICO, nombre


def test_every_output_reads_the_table():
    assert set(exports.VALORES) <= set(CAMPOS)
    assert set(busqueda.CAMPOS_RESULTADO.values()) <= set(CAMPOS)
    for plan in (exports.proveedores_plan(), exports.entidades_plan(), exports.partes_plan()):
        for _name, campo in plan.columnas:
            assert campo in CAMPOS


def public_outputs(mundo) -> dict[str, str]:
    client = Client()
    outputs = {}
    for entidad in mundo.publicas:
        outputs[f"page {entidad.pk}"] = client.get(f"/publico/cuentas/{entidad.pk}/").content.decode()
        outputs[f"api {entidad.pk}"] = client.get(f"/api/v1/publico/cuentas/{entidad.pk}").content.decode()
        # A natural person's NIT, typed by the visitor, would be echoed back in the search box.
        for by in ("nombre",) if ficha.es_persona_natural(entidad) else ("nombre", "nit"):
            query = {"q": getattr(entidad, by)}
            outputs[f"search page {by} {entidad.pk}"] = client.get("/publico/", query).content.decode()
            outputs[f"search api {by} {entidad.pk}"] = client.get("/api/v1/publico/cuentas", query).content.decode()
    # Every active account in one page of results, in the page and in the API.
    outputs["search page"] = client.get("/publico/", {"q": ""}).content.decode()
    outputs["search api"] = client.get("/api/v1/publico/cuentas").content.decode()
    for path in (
        "/datos/proveedores.csv",
        "/datos/proveedores.json",
        "/datos/entidades.csv",
        "/datos/entidades.json",
        "/datos/ocds/parties.json",
    ):
        response = client.get(path)
        outputs[path] = b"".join(response.streaming_content).decode()
    storage = storages["open_data"]
    for instantanea in snapshots.snapshot_write():
        with storage.open(instantanea.nombre, "rb") as handle:
            outputs[f"snapshot {instantanea.archivo}"] = gzip.decompress(handle.read()).decode()
    outputs["/datos/"] = client.get("/datos/").content.decode()
    return outputs


def test_no_public_output_holds_a_value_the_table_keeps_private(mundo):
    outputs = public_outputs(mundo)
    checked = 0
    for entidad in mundo.publicas:
        natural = ficha.es_persona_natural(entidad)
        for campo in no_publicos(natural=natural):
            value = str(RAW[campo.nombre](entidad) or "")
            if len(value) < MIN_LENGTH:
                continue
            checked += 1
            for where, text in outputs.items():
                assert value not in text, f"{campo.nombre} of {entidad.nombre} ({value!r}) in {where}"
    # The world holds private values of every kind: the walk looked for them.
    assert checked >= 10
    # The search's outputs hold the accounts, so the walk read real results.
    for where in ("search page", "search api", f"search api nit {mundo.empresa.pk}"):
        assert mundo.empresa.nombre in outputs[where], where
    assert mundo.persona.nombre in outputs["search page"]


def test_the_walk_would_catch_a_leak(mundo, monkeypatch):
    """Making the representative's document public puts it in the outputs, and the walk sees it."""
    import dataclasses

    leaked = dataclasses.replace(
        CAMPOS["n_mero_doc_representante_legal"], organizacion=Nivel.PUBLICO, persona_natural=Nivel.PUBLICO
    )
    monkeypatch.setitem(CAMPOS, "n_mero_doc_representante_legal", leaked)
    outputs = public_outputs(mundo)
    assert "80123456" in outputs["/datos/proveedores.csv"]
    assert "80123456" in outputs[f"api {mundo.empresa.pk}"]


def test_the_short_private_values_are_empty_in_the_data(mundo):
    persona = {
        r["codigo"]: r
        for r in exports.proveedores_plan().dicts(mundo.persona.__class__.objects.filter(pk=mundo.persona.pk))
    }
    [row] = persona.values()
    assert row["nit"] == "" and row["tipo_doc_representante_legal"] == ""
    data = ficha.ficha(mundo.persona, Nivel.PUBLICO)
    assert "dv" not in data and "nit" not in data
