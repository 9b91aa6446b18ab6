"""{% form_fields form %}: _form_fields.html of a form, a blank one rendered once per
process (mips.dashboard.form_html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..dashboard.form_html import form_fields_html

register = template.Library()


@register.simple_tag
def form_fields(form) -> SafeString:
    return form_fields_html(form)
