"""The form renderer (settings.FORM_RENDERER): Django's, with its most used widget templates written
in Python.

Every `<input>` Django renders goes through three templates (`text.html`, `input.html`,
`attrs.html`) and each option of a checkbox or radio group through four; a form page renders
dozens of them, a third of its template time. The functions below write the same markup, byte for
byte (`tests/core/test_form_renderer.py` renders every widget both ways), and any other template
(and any template an app overrides) goes to Django's renderer as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

# The context `render_value_in_context` expects: autoescaping on, as in the templates.
_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """`{{ value }}`: localised and escaped as a template would."""
    return render_value_in_context(value, _CONTEXT)


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return conditional_escape(str(value))  # a safe string stays safe, as the filter keeps it


def flat_attrs(attrs: dict) -> str:
    """As Django's `attrs.html`: in order, `True` as a bare name, `False` left out; escaped."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_s(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    value = f' value="{_s(w["value"])}"' if w["value"] is not None else ""
    return f'<input type="{_text(w["type"])}" name="{_text(w["name"])}"{value}{flat_attrs(w["attrs"])}>\n'


def _input_family(w: dict) -> str:
    return _input(w) + "\n"


def _input_option(w: dict) -> str:
    if not w.get("wrap_label"):
        return _input(w) + "\n"
    label_for = f' for="{_text(w["attrs"]["id"])}"' if w["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(w)} {_text(w['label'])}</label>\n"


def _option(w: dict) -> str:
    return _input_option(w) + "\n"


def _textarea(w: dict) -> str:
    value = _text(w["value"]) if w["value"] else ""
    return f'<textarea name="{_text(w["name"])}"{flat_attrs(w["attrs"])}>\n{value}</textarea>\n'


def _multiple_input(w: dict) -> str:
    id_, class_ = w["attrs"].get("id"), w["attrs"].get("class")
    parts = ["<div", f' id="{_text(id_)}"' if id_ else "", f' class="{_text(class_)}"' if class_ else "", ">"]
    for group, options, _index in w["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {_raw(option['template_name'], option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _multiple_input_family(w: dict) -> str:
    return _multiple_input(w) + "\n"


_WIDGETS = "django/forms/widgets/"
# template name -> what it renders, before the renderer strips it (an include does not strip:
# the trailing newlines of the nested templates are part of a group's markup).
TEMPLATES = {
    **{
        f"{_WIDGETS}{name}.html": _input_family
        for name in (
            "checkbox",
            "color",
            "date",
            "datetime",
            "email",
            "file",
            "hidden",
            "number",
            "password",
            "search",
            "tel",
            "text",
            "time",
            "url",
        )
    },
    f"{_WIDGETS}input.html": _input,
    f"{_WIDGETS}input_option.html": _input_option,
    f"{_WIDGETS}checkbox_option.html": _option,
    f"{_WIDGETS}radio_option.html": _option,
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}multiple_input.html": _multiple_input,
    f"{_WIDGETS}checkbox_select.html": _multiple_input_family,
    f"{_WIDGETS}radio.html": _multiple_input_family,
}


def _raw(template_name: str, widget: dict) -> str:
    render = TEMPLATES.get(template_name)
    if render is None:
        return _DJANGO.get_template(template_name).render({"widget": widget})
    return render(widget)


_DJANGO = DjangoTemplates()

# A field with its label, help, errors and the attributes that tie them together, as every form of
# the project shows it: `{{ form.x.as_field_group }}` in a template.
FIELD_TEMPLATE = "registro/field_group"
REQUIRED = ' <span class="required" aria-hidden="true">*</span>'


def field_group(field) -> str:
    if field.is_hidden:
        return f"{_text(field)}\n"
    errors, required = field.errors, field.field.required
    auto_id = _text(field.auto_id)
    error_id = f"{auto_id}-error"
    described = f' aria-describedby="{error_id}"' if errors else ""
    legend = f"<legend>{_text(field.label)}{REQUIRED if required else ''}</legend>"
    kind = field.widget_type
    if kind in ("radioselect", "checkboxselectmultiple"):
        help_text = f'<p class="help">{_text(field.help_text)}</p>' if field.help_text else ""
        css = "radio" if kind == "radioselect" else "checkbox"
        options = "".join(
            f'<div class="{css}">{_text(option.tag())} <label for="{_text(option.id_for_label)}">'
            f"{_text(option.choice_label)}</label></div>"
            for option in field
        )
        if kind == "radioselect":
            opening = f'<fieldset class="radio-group"{described}>'
        else:
            opening = f'<fieldset class="checkbox-group"{described} id="{auto_id}" tabindex="-1">'
            options = options or f'<p class="help">{_text(gettext("No hay opciones todavía."))}</p>'
        body = f"\n    {opening}\n      {legend}\n      {help_text}\n      {options}\n    </fieldset>\n  "
    elif kind == "checkbox":
        flags = (" checked" if field.value() else "") + (" required" if required else "")
        if errors:
            flags += f' aria-invalid="true" aria-describedby="{error_id}"'
        body = (
            f'\n    <div class="checkbox">\n      <input type="checkbox" name="{_text(field.html_name)}" '
            f'id="{auto_id}"{flags}>\n      <label for="{auto_id}">{_text(field.label)}</label>\n    </div>\n  '
        )
    else:
        help_text = f'<p class="help" id="{auto_id}_helptext">{_text(field.help_text)}</p>' if field.help_text else ""
        body = (
            f'\n    <label for="{auto_id}">{_text(field.label)}{REQUIRED if required else ""}</label>\n    '
            f"{help_text}\n    {_text(field)}\n  "
        )
    error_lines = "".join(f'<p class="error" id="{error_id}">{_text(error)}</p>' for error in errors)
    return f'\n<div class="field{" field-error" if errors else ""}">\n  {body}\n  {error_lines}\n</div>\n\n'


class FormRenderer(DjangoTemplates):
    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None):
        if template_name == FIELD_TEMPLATE and set(context) == {"field"}:
            return mark_safe(field_group(context["field"]))  # noqa: S308 - every value is escaped above
        render = TEMPLATES.get(template_name)
        if render is None or set(context) != {"widget"}:
            return super().render(template_name, context, request=request)
        return render(context["widget"]).strip()
