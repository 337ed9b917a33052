"""What the project's web forms share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

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
