"""Measure Performance's table rows (templates/mips/dashboard/measures.html)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from practices.id_urls import id_url_filler

from ...models import DashboardMeasureRow, DashboardRow
from .cells import decimal_text, fill, points_text

ROW = (
    '<tr data-category="{}"><td class="measure-name"><span class="truncate" title="{}{}">{}{}'
    '</span></td><td><span class="truncate" title="{}">{}</span></td><td>{}</td>'
    '<td title="{}">{}</td><td class="num">{}</td><td class="num rate">{}</td>'
    '<td class="num"{}>{}</td><td class="num">{}</td></tr>'
)
GAPS_LINK = '<a href="{}?year={}&amp;measure={}" title="Care gaps: {}">{}</a>'
MEASURE_ID = ' <span class="muted">({})</span>'
DECILE = ' <span class="badge {}" title="CMS eCQM benchmark decile">{}</span>'
DIRECTION = (
    '<br><span class="direction" title="Inverse measure: fewer patients in the numerator is '
    'better">↓ {}</span>'
)
STATUS = '<span class="badge {}">{}</span>'
NONE = "—"


def _rate(row: DashboardMeasureRow) -> SafeString | str:
    if row.satisfied is not None:
        decile = fill(DECILE, row.status_css, row.status) if row.status[:7] == "Decile " else ""
        direction = fill(DIRECTION, row.direction_label) if row.direction_label else ""
        return fill("{}%{}{}", decimal_text(row.satisfied), decile, direction)
    if row.status:
        return fill(STATUS, row.status_css, row.status)
    return NONE


def measure_rows(
    rows: Iterable[DashboardMeasureRow], *, year: int, can_view_gaps: bool
) -> SafeString:
    """The <tr>s of a page of DashboardMeasureRows (their entity selected with them, their
    network average set: views.measures._with_network)."""
    gaps_url = {
        kind: id_url_filler("mips:care-gaps", before=(kind,))
        for kind in (DashboardRow.CLINICIAN, DashboardRow.GROUP)
    }
    html = []
    for row in rows:
        e, quality = row.entity, row.category == "quality"
        shown_id = quality and row.measure_id
        if can_view_gaps and quality and row.numerator is not None:
            url = gaps_url[e.kind](e.public_id) if e.kind in gaps_url else e.care_gaps_url
            title = fill(GAPS_LINK, url, year, row.measure_id, row.title, row.title)
        else:
            title = row.title
        network = row.network_label if quality else ""
        html.append(fill(
            ROW,
            row.category,
            row.title,
            f" ({row.measure_id})" if shown_id else "",
            title,
            fill(MEASURE_ID, row.measure_id) if shown_id else "",
            e.name,
            e.name,
            e.masked_tin,
            row.category_label,
            row.category_label,
            fill("{}/{}", row.numerator, row.denominator) if row.denominator is not None else NONE,
            _rate(row),
            fill(' title="{}"', network) if quality else "",
            network if quality else NONE,
            points_text(row.points) if row.points is not None else NONE,
        ))  # fmt: skip
    return SafeString("\n".join(html))


TIN_BOX = (
    '<div class="checkbox"><input type="checkbox" name="tin" value="{}" id="f-tin-{}" {}>'
    '<label for="f-tin-{}">{}</label></div>'
)
NO_TINS = SafeString('<p class="muted">No TINs.</p>')


def tin_boxes(choices: list[tuple[str, str]], chosen: set[str]) -> SafeString:
    """The TIN filter's checkboxes ((TIN, label) choices; `chosen` checked)."""
    if not choices:
        return NO_TINS
    return SafeString("\n".join(
        fill(TIN_BOX, value, n, "checked" if value in chosen else "", n, label)
        for n, (value, label) in enumerate(choices, start=1)
    ))  # fmt: skip
