"""What the project's web forms share."""

import copy
import time

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .errors import ApplicationError
from .form_renderer import flat_attrs


def add_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Shows a service's refusal on the (bound) form: each field error beside the field it names
    (as a form-wide error when the form has no such field), once, next to the form's own errors;
    an error that names no field goes above the form."""
    form.is_valid()
    fields = exc.detail.get("fields") or {}
    for field, messages in fields.items():
        name = field if field in form.fields else None
        for message in messages:
            if message not in form.errors.get(name or NON_FIELD_ERRORS, []):
                form.add_error(name, message)
    if not fields:
        form.add_error(None, exc.message)


class Select(forms.Select):
    """Django's select with its options written here rather than by two templates each
    (`select_option.html` and `attrs.html`): the reference lists (33 departments, a department's
    municipalities, the types of organisation) then cost microseconds a page instead of
    milliseconds. The markup is Django's: the attributes the bound field adds (`required`,
    `aria-describedby`, `aria-invalid`), optgroups, and only the first matching option selected."""

    def render(self, name, value, attrs=None, renderer=None):
        values = set(self.format_value(value))
        attributes = mark_safe(flat_attrs(self.build_attrs(self.attrs, attrs)))  # noqa: S308 - escaped there
        written = getattr(self.choices, "written_options", None)
        options = written(values) if written is not None else None
        if options is not None:  # a reference list: its options' markup is kept with the list
            opening = format_html('<select name="{}"{}>', name, attributes)
            return mark_safe(f"{opening}{options}\n</select>")  # noqa: S308 - escaped when kept
        has_selected = False
        parts = [format_html('<select name="{}"{}>', name, attributes)]
        for option_value, option_label in self.choices:
            group = isinstance(option_label, list | tuple)
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
            for value_, label in option_label if group else [(option_value, option_label)]:
                value_ = "" if value_ is None else str(value_)
                selected = not has_selected and value_ in values
                has_selected |= selected
                parts.append(_option(value_, selected, label))
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def _option(value: str, selected: bool, label) -> str:
    return format_html('\n  <option value="{}"{}>{}</option>\n', value, " selected" if selected else "", label)


def _options(rows: list[tuple[str, str]], values: set[str]) -> str:
    """`rows` of (value, escaped label) as options, the first whose value is chosen selected."""
    parts, has_selected = [], False
    for value, label in rows:
        selected = not has_selected and value in values
        has_selected |= selected
        parts.append(f'\n  <option value="{value}"{" selected" if selected else ""}>{label}</option>\n')
    return "".join(parts)


def municipio_filtro(form) -> dict:
    """The context of a search's municipality filter (`includes/municipio_filtro.html`): the
    municipalities the form offers (`form.municipios()`, a department's, up to 125) and their
    options, written here rather than by a template loop."""
    municipios = list(form.municipios())
    selected = form["municipio"].value()
    selected = "" if selected is None else str(selected)
    opciones = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((m.codigo, " selected" if m.codigo == selected else "", m.nombre) for m in municipios),
    )
    return {"municipios": municipios, "municipio_opciones": opciones}


# How long a process keeps a reference list before reading it again. A change made through the ORM
# (Django's admin, the services) is seen at once by the process that made it, through the signals
# below; the other processes see it within this time. `reference_data_load` and the tests start
# every list afresh (`reference_lists_forget`).
REFERENCE_LIST_SECONDS = 60

_generation = 0


def reference_lists_forget(**_) -> None:
    """Every reference list of this process is read again at its next use."""
    global _generation
    _generation += 1


def _changed(**_) -> None:
    # Now, for what this transaction reads next, and again once it commits: another thread may
    # read the list in between, still without the change.
    reference_lists_forget()
    transaction.on_commit(reference_lists_forget)


class _ReferenceList:
    """One declared field's list, shared by every form built from its class: read once a
    minute rather than once a page (a query and its model instances, a millisecond or more)."""

    def __init__(self, model):
        # (rows, by key, expires, generation, what is derived from the rows), replaced whole:
        # safe across threads.
        self.state = None
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"reference-list-{model._meta.label}")

    def get(self, queryset, key: str):
        state = self.state
        if state is None or state[3] != _generation or time.monotonic() >= state[2]:
            rows = list(queryset.all())
            by_key = {str(row.serializable_value(key)): row for row in rows}
            state = self.state = (rows, by_key, time.monotonic() + REFERENCE_LIST_SECONDS, _generation, {})
        return state


class ModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a reference list read in one query: Django's own iterator reads them through
    a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips for 33 rows)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        reference = self.field._reference
        if reference is not None:
            rows = reference.get(self.queryset, self.field.to_field_name or "pk")[0]
        else:
            rows = self.queryset  # evaluated once, kept on the form's own copy of the queryset
        for obj in rows:
            yield self.choice(obj)

    def written_options(self, values: set[str]) -> str | None:
        """The options' markup, `Select`'s own, from the list's rows escaped once per list and way
        of labelling them; None without a reference list, or when the labels may depend on more
        than the rows (a form's own labelling function that captures values)."""
        field = self.field
        reference, labels = field._reference, _labelling(field)
        if reference is None or labels is None:
            return None
        state = reference.get(self.queryset, field.to_field_name or "pk")
        key = ("options", labels, field.to_field_name)
        rows = state[4].get(key)
        if rows is None:
            rows = state[4][key] = [
                (conditional_escape(str(field.prepare_value(obj))), conditional_escape(field.label_from_instance(obj)))
                for obj in state[0]
            ]
        empty = [("", conditional_escape(field.empty_label))] if field.empty_label is not None else []
        return _options(empty + rows, values)


def _labelling(field):
    """What a field's labels of rows depend on besides the rows: its class's `label_from_instance`,
    or the code of a function a form gave its own copy (each form builds it anew) when it captures
    nothing; None otherwise. A form's own `prepare_value` is not kept."""
    if "prepare_value" in vars(field):
        return None
    labeler = vars(field).get("label_from_instance")
    if labeler is None:
        return type(field).label_from_instance
    code = getattr(labeler, "__code__", None)
    if code is None or labeler.__closure__ or labeler.__defaults__ or labeler.__kwdefaults__:
        return None
    return code


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice among reference data (departments, municipalities, types of organisation): the
    select above, its options read in one query, and the list kept for `REFERENCE_LIST_SECONDS` by
    the field as declared. A queryset given to a form's own copy (a form that narrows the list for
    its instance) is read each time."""

    widget = Select
    iterator = ModelChoiceIterator

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, **kwargs)
        self._reference = _ReferenceList(queryset.model)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)  # sets the copy's queryset, which forgets the list
        result._reference = self._reference
        return result

    def _set_queryset(self, queryset):
        self._reference = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def rows_by(self, attribute: str) -> dict | None:
        """The list's rows by the value of one of their fields (`departamento_id`: a department's
        municipalities), each group in the list's order; kept with the list and read again with it.
        None without a reference list (a form's own queryset). The rows are shared: read them only."""
        if self._reference is None:
            return None
        state = self._reference.get(self.queryset, self.to_field_name or "pk")
        key = ("by", attribute)
        groups = state[4].get(key)
        if groups is None:
            groups = {}
            for row in state[0]:
                groups.setdefault(getattr(row, attribute), []).append(row)
            state[4][key] = groups
        return groups

    def to_python(self, value):
        """The value's row from the list when it is there (a copy: the list's rows are shared);
        Django's query otherwise, which also says why a value is not valid."""
        if self._reference is not None and isinstance(value, str | int) and value not in self.empty_values:
            row = self._reference.get(self.queryset, self.to_field_name or "pk")[1].get(str(value))
            if row is not None:
                return copy.copy(row)
        return super().to_python(value)
