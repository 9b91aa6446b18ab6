"""The attestation page's blank forms are rendered once per process (form_html), with
the HTML the _form_fields.html include prints; a bound form is rendered each time."""

from __future__ import annotations

from django.template.loader import get_template

from mips.dashboard.form_html import form_fields_html
from mips.dashboard.forms import IaForm, PiForm

MEASURES = [("PI_EP_1", "PI_EP_1 · e-Prescribing"), ("PI_X", "PI_X · <script>x</script>")]


def _include(form) -> str:
    return get_template("_form_fields.html").render({"form": form})


def test_a_blank_form_is_rendered_once_with_the_include_html():
    first = form_fields_html(PiForm(measures=MEASURES))
    assert first == _include(PiForm(measures=MEASURES))
    assert form_fields_html(PiForm(measures=MEASURES)) is first  # kept
    assert "&lt;script&gt;x&lt;/script&gt;" in first and "<script>" not in first
    other = form_fields_html(PiForm(measures=MEASURES[:1]))  # other choices: its own HTML
    assert other != first and "PI_X" not in other


def test_initial_values_are_part_of_the_key():
    activities = [("IA_BE_1", "IA_BE_1 · Activity")]
    attest = form_fields_html(IaForm(activities=activities, initial={"attested": "1"}))
    withdraw = form_fields_html(IaForm(activities=activities, initial={"attested": "0"}))
    assert 'value="1"' in attest and 'value="0"' in withdraw


def test_a_bound_form_is_rendered_with_its_errors():
    form = PiForm({"measure_id": "nope"}, measures=MEASURES)
    assert not form.is_valid()
    html = form_fields_html(form)
    assert html == _include(form) and "errorlist" in html
