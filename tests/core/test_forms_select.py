"""registro.core.forms.Select writes the same markup as Django's template-rendered select (the
attributes the bound field adds, optgroups, escaping, one option selected), and
ReferenceChoiceField reads its choices in one query and keeps them (REFERENCE_LIST_SECONDS, a change
through the ORM or a reload of the reference data seen at once)."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registro.core.forms import ReferenceChoiceField, Select, reference_lists_forget
from registro.core.models import Departamento, Municipio

pytestmark = pytest.mark.django_db


CHOICES = [("a", "A <b>"), ("G", [("b", "B"), ("c", "C & D")]), ("b", "B otra vez")]


class Django(forms.Form):
    d = forms.ModelChoiceField(Departamento.objects.all(), help_text="Ayuda")
    o = forms.ChoiceField(choices=CHOICES, required=False)


class Ours(forms.Form):
    d = ReferenceChoiceField(Departamento.objects.all(), help_text="Ayuda")
    o = forms.ChoiceField(choices=CHOICES, required=False, widget=Select)


@pytest.mark.parametrize("data", [None, {"d": "05", "o": "b"}, {"d": "no-existe", "o": "zz"}])
def test_the_markup_is_djangos(reference_data, data):
    theirs, ours = Django(data), Ours(data)
    if data:
        assert theirs.is_valid() == ours.is_valid()
    for name in ("d", "o"):
        assert str(ours[name]) == str(theirs[name])


def test_escaping_groups_and_a_single_selected_option():
    html = str(Ours({"o": "b"})["o"])
    assert "A &lt;b&gt;" in html and "C &amp; D" in html
    assert '<optgroup label="G">' in html
    assert html.count(" selected") == 1 and '<option value="b" selected>B</option>' in html


def test_reference_choices_are_read_in_one_query(reference_data):
    form = Ours({"d": "05"})
    with CaptureQueriesContext(connection) as ctx:
        assert form.is_valid()  # the choice's own lookup reads the list
        html = str(form["d"])
    assert len(ctx.captured_queries) == 1
    assert '<option value="05" selected>ANTIOQUIA</option>' in html


def test_the_list_is_kept_for_the_next_forms(reference_data):
    str(Ours()["d"])
    with CaptureQueriesContext(connection) as ctx:
        form = Ours({"d": "05"})
        assert form.is_valid()
        html = str(form["d"])
    assert ctx.captured_queries == []
    assert '<option value="05" selected>ANTIOQUIA</option>' in html
    # The row in cleaned_data is the form's own: changing it leaves the list alone.
    form.cleaned_data["d"].nombre = "CAMBIADO"
    assert "CAMBIADO" not in str(Ours()["d"])


def test_a_value_not_in_the_list_is_refused_as_django_refuses_it(reference_data):
    str(Ours()["d"])
    form = Ours({"d": "00"})
    assert not form.is_valid()
    assert form.errors["d"] == [forms.ModelChoiceField.default_error_messages["invalid_choice"]]


def test_a_change_through_the_orm_is_seen_at_once(reference_data, django_capture_on_commit_callbacks):
    str(Ours()["d"])
    with django_capture_on_commit_callbacks(execute=True):
        Departamento.objects.create(codigo="98", nombre="NUEVO DEPARTAMENTO")
    assert '<option value="98">NUEVO DEPARTAMENTO</option>' in str(Ours()["d"])
    assert Ours({"d": "98"}).is_valid()
    with django_capture_on_commit_callbacks(execute=True):
        Departamento.objects.filter(pk="98").delete()
    assert "NUEVO DEPARTAMENTO" not in str(Ours()["d"])


def test_a_bulk_change_is_seen_after_the_lists_time(reference_data, monkeypatch):
    """`update()` sends no signal: other processes, and this one, read the list again once
    REFERENCE_LIST_SECONDS have passed."""
    from registro.core import forms as core_forms

    str(Ours()["d"])
    Departamento.objects.filter(pk="05").update(nombre="ANTIOQUIA CAMBIADO")
    assert "ANTIOQUIA CAMBIADO" not in str(Ours()["d"])
    now = core_forms.time.monotonic()
    monkeypatch.setattr(core_forms.time, "monotonic", lambda: now + core_forms.REFERENCE_LIST_SECONDS + 1)
    assert '<option value="05">ANTIOQUIA CAMBIADO</option>' in str(Ours()["d"])


def test_loading_the_reference_data_reads_the_lists_again(reference_data, django_capture_on_commit_callbacks):
    from registro.core.services import reference_data_load

    str(Ours()["d"])
    Departamento.objects.filter(pk="05").update(nombre="OTRO NOMBRE")
    with django_capture_on_commit_callbacks(execute=True):
        reference_data_load()  # puts the official name back, in bulk
    assert '<option value="05">ANTIOQUIA</option>' in str(Ours()["d"])


def test_a_queryset_given_to_a_forms_own_field_is_read_each_time(reference_data):
    class Narrowed(Ours):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["d"].queryset = Departamento.objects.filter(pk__in=["05", "08"])

    str(Ours()["d"])
    html = str(Narrowed()["d"])
    assert '<option value="08">' in html and '<option value="11">' not in html
    assert not Narrowed({"d": "11"}).is_valid()
    with CaptureQueriesContext(connection) as ctx:
        str(Narrowed()["d"])
    assert len(ctx.captured_queries) == 1


def test_the_options_markup_is_kept_with_the_list_and_follows_its_changes(reference_data, monkeypatch):
    """The options are escaped once per list (`written_options`); a change to a row is a new list,
    and so new options."""
    reference_lists_forget()
    calls = []
    label = ReferenceChoiceField.label_from_instance
    monkeypatch.setattr(
        ReferenceChoiceField, "label_from_instance", lambda self, obj: calls.append(1) or label(self, obj)
    )
    html = str(Ours({"d": "05"})["d"])
    assert '<option value="05" selected>ANTIOQUIA</option>' in html
    first = len(calls)
    assert first == Departamento.objects.count()
    assert str(Ours({"d": "05"})["d"]) == html and len(calls) == first  # kept
    departamento = Departamento.objects.get(pk="88")
    departamento.nombre = "SAN ANDRÉS & <PROVIDENCIA>"
    departamento.save()
    html = str(Ours({"d": "88"})["d"])
    assert '<option value="88" selected>SAN ANDRÉS &amp; &lt;PROVIDENCIA&gt;</option>' in html
    assert len(calls) == 2 * first
    assert html == str(Django({"d": "88"})["d"])


def test_a_forms_own_labels_are_used_and_kept_only_when_they_depend_on_the_rows_alone(reference_data):
    class Codes(Ours):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["d"].label_from_instance = lambda d: f"{d.codigo} {d.nombre}"

    def prefixed(prefix):
        class Prefixed(Ours):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["d"].label_from_instance = lambda d: f"{prefix}{d.nombre}"

        return Prefixed

    str(Ours()["d"])  # the class's labels are kept first
    assert '<option value="05">05 ANTIOQUIA</option>' in str(Codes()["d"])
    assert '<option value="05">ANTIOQUIA</option>' in str(Ours()["d"])
    assert '<option value="05">05 ANTIOQUIA</option>' in str(Codes()["d"])
    assert '<option value="05">A: ANTIOQUIA</option>' in str(prefixed("A: ")()["d"])
    assert '<option value="05">B: ANTIOQUIA</option>' in str(prefixed("B: ")()["d"])


class WithMunicipio(forms.Form):
    m = ReferenceChoiceField(Municipio.objects.all(), required=False)


def test_rows_by_groups_the_kept_list_in_its_order_without_a_query(reference_data):
    field = WithMunicipio().fields["m"]
    field.rows_by("departamento_id")  # reads the list
    with CaptureQueriesContext(connection) as ctx:
        antioquia = WithMunicipio().fields["m"].rows_by("departamento_id")["05"]
    assert ctx.captured_queries == []
    expected = list(Municipio.objects.filter(departamento_id="05").order_by("nombre"))
    assert [m.pk for m in antioquia] == [m.pk for m in expected] and len(expected) > 100


def test_rows_by_sees_a_change_with_the_list(reference_data):
    WithMunicipio().fields["m"].rows_by("departamento_id")
    m = Municipio.objects.filter(departamento_id="05").order_by("nombre").first()
    m.departamento_id = "08"
    m.save()
    groups = WithMunicipio().fields["m"].rows_by("departamento_id")
    assert m.pk in [x.pk for x in groups["08"]] and m.pk not in [x.pk for x in groups["05"]]


def test_rows_by_without_a_reference_list_is_none(reference_data):
    form = WithMunicipio()
    form.fields["m"].queryset = Municipio.objects.filter(departamento_id="05")
    assert form.fields["m"].rows_by("departamento_id") is None
