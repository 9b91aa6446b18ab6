"""The report card's objective rows (templates/mips/dashboard/report_card.html)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from ...models.dashboard import MeasureDisplay
from .cells import decimal_text, fill, points_text
from .measures import DIRECTION, NONE

ROW = (
    '<tr data-category="{}" data-measure="{}"><td>{}</td><td>{}{}</td>'
    '<td><span class="badge {}">{}</span></td><td class="num">{}</td>'
    '<td class="num">{}</td><td>{}{}</td></tr>'
)
MEASURE_ID = ' <span class="muted">({})</span>'
RATE = '{}% <span class="muted">({}/{})</span>{}{}'
NETWORK = '<br><span class="helptext">Network: {}</span>'
GAPS_LINK = '{}<a href="{}&amp;measure={}">Care gaps</a>'


def _rate(row: MeasureDisplay) -> SafeString | str:
    if row.satisfied is None:
        return NONE
    quality = row.category == "quality"
    return fill(
        RATE,
        decimal_text(row.satisfied),
        row.numerator,
        row.denominator,
        fill(DIRECTION, row.direction_label) if row.direction_label else "",
        fill(NETWORK, row.network_label) if quality else "",
    )


def objective_rows(
    rows: Iterable[MeasureDisplay], *, can_view_gaps: bool, care_gaps_url: str
) -> SafeString:
    """The <tr>s of the card's measure rows (measure_rows.MeasureRow); `care_gaps_url`:
    the entity's care gaps with the year, each quality row adding its measure."""
    html = []
    for row in rows:
        quality = row.category == "quality"
        gaps = can_view_gaps and quality and row.numerator is not None
        html.append(fill(
            ROW,
            row.category,
            row.measure_id,
            row.category_label,
            row.title,
            fill(MEASURE_ID, row.measure_id) if quality else "",
            row.status_css,
            row.status or NONE,
            _rate(row),
            points_text(row.points) if row.points is not None else NONE,
            row.todo,
            fill(GAPS_LINK, SafeString("<br>") if row.todo else "", care_gaps_url, row.measure_id)
            if gaps
            else "",
        ))  # fmt: skip
    return SafeString("\n".join(html))
