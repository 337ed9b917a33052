"""registro.core.forms.Select writes the same markup as Django's template-rendered select (the
attributes the bound field adds, optgroups, escaping, one option selected), and
ReferenceChoiceField reads its choices in one query."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registro.core.forms import ReferenceChoiceField, Select
from registro.core.models import Departamento

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
    assert form.is_valid()  # the choice's own lookup
    with CaptureQueriesContext(connection) as ctx:
        html = str(form["d"])
    assert len(ctx.captured_queries) == 1
    assert '<option value="05" selected>ANTIOQUIA</option>' in html
