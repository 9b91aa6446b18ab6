"""The attestation page's blank forms (_form_fields.html), rendered once per process.

On every GET the PI and IA forms are unbound, and their HTML is a function of their
fields: labels, widgets and attributes, choices (the year's catalogue) and initial values.
Django renders each field through its label, widget and attribute templates (~30 a form,
5-6 ms a page, more than the page's queries), so each distinct blank form is rendered once
and kept, as CatalogSelect keeps its options. A bound form (a POST with errors) is
rendered each time."""

from __future__ import annotations

from django import forms
from django.template.loader import get_template
from django.utils.safestring import SafeString

# Distinct blank forms kept per process (two forms a year: bounded anyway).
RENDERED_FORMS = 64
_rendered: dict = {}


def _field_key(form: forms.Form, name: str, field: forms.Field) -> tuple:
    widget = field.widget
    return (
        name, type(field), type(widget), tuple(sorted(widget.attrs.items())),
        tuple(getattr(field, "choices", None) or ()), field.required, field.disabled,
        str(field.label), str(field.help_text), form.get_initial_for_field(field, name),
    )  # fmt: skip


def _form_key(form: forms.Form) -> tuple:
    fields = tuple(_field_key(form, name, field) for name, field in form.fields.items())
    return (type(form), form.prefix, form.auto_id, form.label_suffix,
            form.use_required_attribute, type(form.renderer), fields)  # fmt: skip


def form_fields_html(form: forms.Form) -> SafeString:
    """_form_fields.html of `form` (what `{% include "_form_fields.html" %}` prints)."""
    template = get_template("_form_fields.html")
    if form.is_bound:
        return template.render({"form": form})
    try:
        key = _form_key(form)
        html = _rendered.get(key)
    except TypeError:  # an unhashable attribute, choice or initial value: render it
        return template.render({"form": form})
    if html is None:
        html = template.render({"form": form})
        if len(_rendered) >= RENDERED_FORMS:
            _rendered.clear()
        _rendered[key] = html
    return html
