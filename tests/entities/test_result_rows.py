"""The results tables' rows, written in Python (registro/entities/directory/rows.py)."""

from django.urls import set_script_prefix

from registro.entities.directory.rows import result_rows
from registro.entities.directory.search import Resultado


def resultado(**kw) -> Resultado:
    base = dict(
        pk=17682,
        nombre="Ferretería Andina S.A.S.",
        nit="900123456-7",
        tipo="Proveedor",
        municipio="Medellín",
        departamento="Antioquia",
        categoria_codigo="72101500",
        categoria_nombre="Servicios de apoyo",
        mipyme=False,
        proveedor=True,
    )
    return Resultado(**{**base, **kw})


def test_a_row_shows_the_name_linked_to_its_profile_and_every_column():
    html = result_rows([resultado()], "directorio:perfil")
    assert html == (
        "<tr>\n"
        '      <td><a href="/directorio/17682/">Ferretería Andina S.A.S.</a></td>\n'
        '      <td class="nowrap">900123456-7</td>\n'
        "      <td>Proveedor</td>\n"
        "      <td>Medellín, Antioquia</td>\n"
        '      <td><span class="nowrap">72101500</span> Servicios de apoyo</td>\n'
        "    </tr>"
    )


def test_every_value_is_escaped():
    html = result_rows(
        [
            resultado(
                nombre='A & B <S.A.S.> "x"', categoria_nombre="<b>", municipio="<m>", departamento="&d", tipo="<t>"
            )
        ],
        "directorio:perfil",
        invitar=True,
    )
    assert "<S.A.S.>" not in html and "<b>" not in html and "<m>" not in html and "<t>" not in html
    assert "A &amp; B &lt;S.A.S.&gt; &quot;x&quot;" in html
    assert "Invitar a A &amp; B &lt;S.A.S.&gt; &quot;x&quot;</label>" in html
    assert "&lt;m&gt;, &amp;d" in html


def test_a_natural_person_a_mipyme_and_missing_place_and_category():
    html = result_rows(
        [resultado(nit="", mipyme=True, municipio="", departamento="", categoria_codigo="")], "directorio:perfil"
    )
    assert '<span class="muted">Persona natural</span>' in html
    assert '</a> <span class="badge">MiPyme</span></td>' in html
    assert "<td></td>\n      <td></td>\n    </tr>" in html


def test_the_invitation_checkbox_only_for_accounts_that_supply_and_only_when_asked():
    rows = [resultado(pk=1, proveedor=True), resultado(pk=2, proveedor=False)]
    assert "checkbox" not in result_rows(rows, "directorio:perfil")
    html = result_rows(rows, "directorio:perfil", invitar=True)
    assert html.count("<tr>") == 2 and html.count("<td></td>") == 1
    assert (
        '<td><input type="checkbox" name="cuentas" value="1" id="invitar-1" form="invitar-resultados">'
        '<label for="invitar-1" class="visually-hidden">Invitar a Ferretería Andina S.A.S.</label></td>'
    ) in html
    assert 'value="2"' not in html


def test_public_rows_are_dicts_linked_by_their_id():
    row = {k: v for k, v in vars(resultado()).items() if k not in ("pk", "proveedor")} | {"id": 42}
    html = result_rows([row], "publico:cuenta", key="id")
    assert '<a href="/publico/cuentas/42/">' in html


def test_the_link_keeps_the_sites_prefix():
    set_script_prefix("/registro/")
    try:
        assert '<a href="/registro/directorio/17682/">' in result_rows([resultado()], "directorio:perfil")
    finally:
        set_script_prefix("/")


def test_no_rows_no_markup():
    assert result_rows([], "directorio:perfil") == ""
