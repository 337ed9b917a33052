"""What the project's web forms share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .errors import ApplicationError


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
        has_selected = False
        parts = [format_html('<select name="{}"{}>', name, _attrs(self.build_attrs(self.attrs, attrs)))]
        for option_value, option_label in self.choices:
            group = isinstance(option_label, list | tuple)
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
            for value_, label in option_label if group else [(option_value, option_label)]:
                value_ = "" if value_ is None else str(value_)
                selected = not has_selected and value_ in values
                has_selected |= selected
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n', value_, " selected" if selected else "", label
                    )
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def _attrs(attrs: dict) -> str:
    """As Django's `attrs.html`: in order, `True` as a bare name, `False` left out."""
    return mark_safe(  # noqa: S308 - every part is escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class ModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a reference list read in one query: Django's own iterator reads them through
    a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips for 33 rows)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # evaluated once, kept on the form's own copy of the queryset
            yield self.choice(obj)


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice among reference data (departments, municipalities, types of organisation): the
    select above, its options read in one query."""

    widget = Select
    iterator = ModelChoiceIterator
