"""The dashboard tables' rows rendered in Python (mips.dashboard.row_html) produce the
markup of the template rows they replaced, every value escaped."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path

from django.template import engines
from django.template.defaultfilters import floatformat
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from mips.dashboard.measure_rows import MeasureRow
from mips.dashboard.row_html.attestations import attestation_list_rows
from mips.dashboard.row_html.cells import decimal_text, fill, points_text, two_places
from mips.dashboard.row_html.measures import measure_rows, tin_boxes
from mips.dashboard.row_html.performance import performance_rows
from mips.dashboard.row_html.report_card import objective_rows
from mips.models import DashboardMeasureRow, DashboardRow
from practices.id_urls import escaped_id_url_filler, url_for_id

YEAR = 2025
SCRIPT = "<script>alert(1)</script>"

# The template rows each renderer replaced, as they were (the reference markup).
REFERENCE = Path(__file__).parent / "row_html_reference"


def _same_markup(html: str) -> str:
    """Markup without the whitespace between tags (indentation only, no text)."""
    return re.sub(r">\s+<", "><", str(html)).strip()


def _reference(name: str, **context) -> str:
    source = (REFERENCE / name).read_text()
    return engines["django"].from_string(source).render(context)


def _dashboard_row(name: str, **fields) -> DashboardRow:
    values = {
        "kind": "clinician", "medical_group_id": 7, "public_id": uuid.uuid4(),
        "name": name, "npi": "1234567893", "tin": "123456789", "enrolled": True,
        "enrollment_label": "Enrolled: Quality, PI, IA", "eligibility": None,
        "cps": None, "score_source": "", "prior_cps": None, "prior_source": "",
    }  # fmt: skip
    return DashboardRow(**{**values, **fields})


def _performance_rows() -> list[DashboardRow]:
    alert = {
        "status": "eligible_individual", "status_label": "Eligible", "reasons": ["a <b>"],
        "has_alert": True,
        "mismatch": {"label": "Address differs", "detail": "QPP has <i>1 St</i>",
                     "fix": "Fix & go"},
    }  # fmt: skip
    own = _dashboard_row(SCRIPT, cps=Decimal("81.1250"), score_source="portal_preview",
                         prior_cps=Decimal("70.005"), prior_source="cms_submitted",
                         eligibility=alert)  # fmt: skip
    own.is_own = True
    return [
        own,
        _dashboard_row("Calculating, Pat", medical_group_id=8),
        _dashboard_row("Waiting, Lee", medical_group_id=9, enrollment_label=SCRIPT),
        _dashboard_row(
            "Unenrolled, Kim",
            enrolled=False,
            npi="",
            prior_cps=Decimal("0"),
            prior_source="portal_preview",
            eligibility={**alert, "status": "not_eligible", "has_alert": False, "mismatch": None},
        ),  # fmt: skip
        _dashboard_row(
            "North <Group>",
            kind="group",
            npi="",
            cps=Decimal("99.9999"),
            score_source="cms_preview",
        ),  # fmt: skip
    ]


def test_performance_rows_match_the_template_rows():
    rows = _performance_rows()
    expected = _reference("performance.html", page_obj=rows, year=YEAR, calculating={8})
    html = performance_rows(rows, year=YEAR, calculating={8})
    assert _same_markup(html) == _same_markup(expected)
    assert "Calculating…" in html and html.count("<tr ") == len(rows)


def test_performance_rows_escape_every_value():
    html = performance_rows(_performance_rows(), year=YEAR, calculating=set())
    assert "<script>" not in html and "<Group>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "North &lt;Group&gt;" in html


def test_two_places_is_floatformat_2():
    values = [Decimal(v) for v in ("0", "-0.004", "0.005", "1.125", "1.135", "70.005", "81.1250",
                                   "99.9999", "100", "-3.14159", "12.3", "1234.5678")]  # fmt: skip
    for value in values:
        assert two_places(value) == floatformat(value, 2), value


class _Text(str):
    """A str that is not a SafeString (fill's fast paths are for exact types)."""


def test_fill_escapes_as_format_html():
    values = (SCRIPT, 'a "quoted" & \'single\'', mark_safe("<b>safe</b>"), 3, None,
              Decimal("1.50"), -7, True, _Text("<i>"), uuid.UUID(int=5), mark_safe(""))  # fmt: skip
    template = "<p>" + "|".join(["{}"] * len(values)) + "</p>"
    assert fill(template, *values) == format_html(template, *values)


def test_escaped_id_urls_are_the_escaped_urls():
    public_id = uuid.uuid4()
    for name in ("mips:attest-clinician", "mips:attest-group", "mips:report-card"):
        url = escaped_id_url_filler(name)(public_id)
        assert url == escape(url_for_id(name, public_id)) and isinstance(url, SafeString)
    # Not a UUID: escaped like any other text.
    assert escaped_id_url_filler("mips:attest-group")('"><b>').count("&quot;&gt;&lt;b&gt;") == 1


def _attestation_rows() -> list[dict]:
    own = _dashboard_row(SCRIPT)
    own.is_own = True
    group = _dashboard_row("North <Group>", kind="group", npi="")
    other = _dashboard_row("Whitfield, Ann")
    return [
        {"entity": own, "quality": True, "pi_done": 3, "pi_total": 3, "ia": 2},
        {"entity": group, "quality": False, "pi_done": 1, "pi_total": 3, "ia": 0},
        {"entity": other, "quality": None, "pi_done": None, "pi_total": 3, "ia": None},
    ]


def test_attestation_rows_match_the_template_rows():
    rows = _attestation_rows()
    expected = _reference("attestations.html", rows=rows, year=YEAR)
    html = attestation_list_rows(rows, year=YEAR)
    assert _same_markup(html) == _same_markup(expected)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "North &lt;Group&gt;" in html


# (entity, category, measure id, title, numerator, denominator, satisfied, status, points)
MEASURES = [
    ("own", "quality", "001", "Diabetes <A1c> & more", 5, 30, "16.67", "Decile 3", "4.2500"),
    ("group", "quality", "236", "Blood pressure", 40, 50, "80.00", "Decile 8", "10.0000"),
    ("own", "quality", "<x>", "A measure", None, None, None, "Data completeness not met", None),
    ("own", "quality", "", "No id", 0, 0, "0.00", "Case minimum met", "0"),
    ("group", "pi", "PI_EP_1", "e-Prescribing", 3, 9, "33.33", "Satisfied", None),
    ("own", "pi", "PI_SRA", "Security <risk> analysis", None, None, None, "Attested", "0.5"),
    ("own", "ia", "IA_BE_1", "Activity", None, None, None, "", None),
]


def _measure_rows() -> list[DashboardMeasureRow]:
    entities = {"own": _dashboard_row(SCRIPT),
                "group": _dashboard_row("North <Group>", kind="group", npi="")}  # fmt: skip
    rows = []
    for who, category, mid, title, num, den, satisfied, status, points in MEASURES:
        row = DashboardMeasureRow(
            category=category, measure_id=mid, title=title, numerator=num, denominator=den,
            satisfied=None if satisfied is None else Decimal(satisfied), status=status,
            points=None if points is None else Decimal(points),
        )  # fmt: skip
        row.entity = entities[who]
        rows.append(row)
    rows[0].inverse = True  # "lower is better"
    rows[1].network_average, rows[1].network_known = Decimal("71.456"), True
    return rows


def test_measure_rows_match_the_template_rows():
    rows = _measure_rows()
    for can_view_gaps in (True, False):
        expected = _reference(
            "measures.html", page_obj=rows, year=YEAR, can_view_gaps=can_view_gaps
        )
        html = measure_rows(rows, year=YEAR, can_view_gaps=can_view_gaps)
        assert _same_markup(html) == _same_markup(expected)
        assert ("Care gaps: " in html) is can_view_gaps
    assert "<script>" not in html and "<A1c>" not in html and "<x>" not in html
    assert "Diabetes &lt;A1c&gt; &amp; more" in html


def test_number_texts_are_the_template_filters():
    for text in ("0", "0.5", "4.2500", "10.0000", "-0.004", "99.995", "12", "80.00", "0.00"):
        value = Decimal(text)
        assert points_text(value) == floatformat(value, "-2"), text
        assert decimal_text(value) == _reference_value(value), text


def _reference_value(value) -> str:
    return engines["django"].from_string("{{ value }}").render({"value": value})


def _objective_rows() -> list[MeasureRow]:
    rows = []
    for _, category, mid, title, num, den, _, status, points in MEASURES:
        rows.append(MeasureRow(
            entity=None, category=category, measure_id=mid, title=title, numerator=num,
            denominator=den, exclusions=1 if num else None, status=status,
            points=None if points is None else Decimal(points), todo="Record <it>" if num else "",
        ))  # fmt: skip
    rows[0].inverse = True
    rows[1].network_average, rows[1].network_known = Decimal("71.456"), True
    return rows


def test_objective_rows_match_the_template_rows():
    rows = _objective_rows()
    url = "/mips/care-gaps/clinician/x/?year=2025"
    for can_view_gaps in (True, False):
        expected = _reference("report_card.html", card={"rows": rows}, can_view_gaps=can_view_gaps,
                              care_gaps_url=url)  # fmt: skip
        html = objective_rows(rows, can_view_gaps=can_view_gaps, care_gaps_url=url)
        assert _same_markup(html) == _same_markup(expected)
        assert ("Care gaps</a>" in html) is can_view_gaps
    assert "<A1c>" not in html and "<it>" not in html and "Record &lt;it&gt;" in html


def test_tin_boxes_match_the_template_loop():
    choices = [("123456789", "North (XXXXX6789)"), ("987654321", SCRIPT), ('1"2', "a & b")]
    for chosen in (set(), {"987654321"}, {"123456789", '1"2'}):
        expected = _reference("tin_choices.html", tin_choices=choices, chosen_tins=chosen)
        assert _same_markup(tin_boxes(choices, chosen)) == _same_markup(expected)
    assert _same_markup(tin_boxes([], set())) == _same_markup(
        _reference("tin_choices.html", tin_choices=[], chosen_tins=set())
    )
