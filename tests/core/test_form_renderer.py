"""registro.core.form_renderer writes what Django's widget templates write, byte for byte, for
every widget it takes over, bound and unbound, with errors, escaping and localisation; the others
go to Django's templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from registro.core.form_renderer import TEMPLATES, FormRenderer

CHOICES = [("a", "A <b>"), ("G", [("b", "B & C"), (3, 1500)]), ("", "Ninguno")]


class Everything(forms.Form):
    texto = forms.CharField(max_length=10, help_text="Ayuda", widget=forms.TextInput(attrs={"type": "search"}))
    correo = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": gettext_lazy("Correo")}))
    clave = forms.CharField(widget=forms.PasswordInput(render_value=True))
    numero = forms.DecimalField(required=False, localize=True)
    entero = forms.IntegerField(required=False)
    fecha = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hora = forms.TimeField(required=False)
    momento = forms.DateTimeField(required=False)
    web = forms.URLField(required=False, assume_scheme="https")
    oculto = forms.CharField(required=False, widget=forms.HiddenInput)
    casilla = forms.BooleanField(required=False)
    nota = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "a b"}))
    varias = forms.MultipleChoiceField(choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    una = forms.ChoiceField(choices=CHOICES, required=False, widget=forms.RadioSelect(attrs={"class": "r"}))
    archivo = forms.FileField(required=False)
    telefono = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "disabled": True, "data-x": False})
    )


DATA = [
    None,
    {
        "texto": 'dice "hola" <y> & más',
        "correo": "no es correo",
        "clave": "s3cr3t<",
        "numero": "1234,5",
        "entero": "x",
        "fecha": "2026-12-02",
        "hora": "10:30",
        "momento": "2026-12-02 10:30",
        "web": "https://example.com/?a=1&b=2",
        "oculto": "<oculto>",
        "casilla": "on",
        "nota": "línea 1\n<línea 2>",
        "varias": ["a", "3"],
        "una": "b",
        "telefono": "300",
    },
]
INITIAL = {
    "numero": Decimal("1234.5"),
    "fecha": datetime.date(2026, 12, 2),
    "momento": datetime.datetime(2026, 12, 2, 10, 30),
}


def _both(form_kwargs):
    django_form = Everything(renderer=DjangoTemplates(), **form_kwargs)
    our_form = Everything(renderer=FormRenderer(), **form_kwargs)
    return django_form, our_form


@pytest.mark.parametrize(
    "kwargs", [{"data": DATA[0]}, {"data": DATA[1]}, {"initial": INITIAL}], ids=["unbound", "bound", "initial"]
)
def test_every_widget_renders_as_django_renders_it(kwargs, settings):
    settings.LANGUAGE_CODE = "es-co"
    django_form, our_form = _both(kwargs)
    if kwargs.get("data"):
        assert django_form.is_valid() == our_form.is_valid() is False  # errors: aria-invalid on the fields
    for name in Everything.base_fields:
        assert str(our_form[name]) == str(django_form[name]), name
        for ours, theirs in zip(our_form[name], django_form[name], strict=True):  # the options' own tags
            assert str(ours.tag()) == str(theirs.tag()), name
            assert str(ours) == str(theirs), name


def test_it_writes_the_markup_itself(monkeypatch):
    def no_template(self, name):
        raise AssertionError(f"template {name} loaded")

    monkeypatch.setattr(FormRenderer, "get_template", no_template)
    form = Everything({"varias": ["a"], "nota": "x"}, renderer=FormRenderer())
    for name in ("varias", "una", "nota", "casilla", "oculto"):
        assert str(form[name])
    html = str(Everything(renderer=FormRenderer())["texto"])
    assert (
        html
        == '<input type="search" name="texto" maxlength="10" required aria-describedby="id_texto_helptext" id="id_texto">'
    )


def test_other_templates_go_to_django():
    class Other(forms.Form):
        cuando = forms.SplitDateTimeField(required=False)
        select = forms.ChoiceField(choices=CHOICES)

    ours, theirs = Other(renderer=FormRenderer()), Other(renderer=DjangoTemplates())
    for name in ("cuando", "select"):
        assert str(ours[name]) == str(theirs[name])
    # The form's own template (div.html) is Django's, with the project's field groups in it.
    whole = str(ours)
    assert whole.startswith("<div>") and str(ours["select"].as_field_group()) in whole
    assert '<label for="id_select">Select <span class="required" aria-hidden="true">*</span></label>' in whole


def test_no_installed_app_overrides_the_templates_it_writes():
    """An app's own version of one of these templates would be ignored: there is none."""
    engine = DjangoTemplates().engine
    for name in TEMPLATES:
        origin = engine.get_template(name).origin.name
        assert origin.replace("\\", "/").endswith(f"django/forms/templates/{name}"), origin
        assert "/django/forms/templates/" in origin.replace("\\", "/")


def test_it_is_the_projects_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "registro.core.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


# --- The field group: `{{ form.x.as_field_group }}` ---------------------------------------------


class Grupo(forms.Form):
    nombre = forms.CharField(label="Nombre <legal>", help_text="Como en el RUT & la cámara")
    alias = forms.CharField(required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    tipo = forms.ChoiceField(choices=[("a", "A & B"), ("c", "C")], widget=forms.RadioSelect, help_text="Uno")
    areas = forms.MultipleChoiceField(choices=[("x", "X")], required=False, widget=forms.CheckboxSelectMultiple)
    vacias = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple)
    acepto = forms.BooleanField(label="Acepto <los términos>")


def _group(form, name) -> str:
    return str(form[name].as_field_group())


def test_a_field_group_has_its_label_required_mark_help_and_control():
    html = _group(Grupo(), "nombre")
    assert html == (
        '\n<div class="field">\n  \n    <label for="id_nombre">Nombre &lt;legal&gt; '
        '<span class="required" aria-hidden="true">*</span></label>\n    '
        '<p class="help" id="id_nombre_helptext">Como en el RUT &amp; la cámara</p>\n    '
        '<input type="text" name="nombre" required aria-describedby="id_nombre_helptext" id="id_nombre">\n  \n  \n'
        "</div>\n\n"
    )
    assert "required" not in _group(Grupo(), "alias").split("<input")[0]


def test_a_field_group_with_errors_ties_them_to_the_control():
    form = Grupo({"nombre": "", "tipo": "zz"})
    assert not form.is_valid()
    nombre = _group(form, "nombre")
    assert '<div class="field field-error">' in nombre
    assert 'aria-invalid="true"' in nombre
    assert '<p class="error" id="id_nombre-error">Este campo es obligatorio.</p>' in nombre
    tipo = _group(form, "tipo")
    assert '<fieldset class="radio-group" aria-describedby="id_tipo-error">' in tipo
    assert 'id="id_tipo-error"' in tipo
    acepto = _group(form, "acepto")
    assert 'required aria-invalid="true" aria-describedby="id_acepto-error">' in acepto


def test_groups_of_options_are_fieldsets_with_a_legend_and_a_label_per_option():
    tipo = _group(Grupo(), "tipo")
    assert '<fieldset class="radio-group">' in tipo
    assert '<legend>Tipo <span class="required" aria-hidden="true">*</span></legend>' in tipo
    assert '<p class="help">Uno</p>' in tipo
    assert '<div class="radio"><input type="radio" name="tipo" value="a" id="id_tipo_0" required> ' in tipo
    assert '<label for="id_tipo_0">A &amp; B</label></div>' in tipo
    areas = _group(Grupo({"areas": ["x"]}), "areas")
    assert '<fieldset class="checkbox-group" id="id_areas" tabindex="-1">' in areas
    assert 'value="x" id="id_areas_0" checked>' in areas
    assert '<p class="help">No hay opciones todavía.</p>' in _group(Grupo(), "vacias")


def test_a_checkbox_group_writes_its_own_input_and_a_hidden_field_only_its_control():
    assert _group(Grupo({"acepto": "on"}), "acepto") == (
        '\n<div class="field">\n  \n    <div class="checkbox">\n      '
        '<input type="checkbox" name="acepto" id="id_acepto" checked required>\n      '
        '<label for="id_acepto">Acepto &lt;los términos&gt;</label>\n    </div>\n  \n  \n</div>\n\n'
    )
    assert _group(Grupo(initial={"token": "<t>"}), "token") == (
        '<input type="hidden" name="token" value="&lt;t&gt;" id="id_token">\n'
    )


def test_the_field_group_is_written_without_a_template(monkeypatch):
    from registro.core import form_renderer

    def no_template(self, name):
        raise AssertionError(f"template {name} loaded")

    monkeypatch.setattr(FormRenderer, "get_template", no_template)
    assert FormRenderer.field_template_name == form_renderer.FIELD_TEMPLATE
    form = Grupo({"tipo": "a"})
    for name in Grupo.base_fields:
        assert _group(form, name)
