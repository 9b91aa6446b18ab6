"""Practice Performance's table rows (templates/mips/dashboard/performance.html)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.utils.safestring import SafeString

from practices.id_urls import escaped_id_url_filler

from ...models import DashboardRow
from ...templatetags.dashboard_charts import eligibility_cell
from .cells import OWN_BADGE, fill, two_places

ROW = (
    '<tr class="row-link{}" data-kind="{}">'
    '<td><a href="{}?year={}">{}</a>{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td class="num">{}</td><td class="num prior-score">{}</td></tr>'
)
OWN_ROW = SafeString(" own-row")
ENROLLED = '<span class="badge ok">{}</span>'
NOT_ENROLLED = SafeString('<span class="badge warn">Not enrolled</span>')
SCORE = '<span class="score-{}">{}</span>'
CALCULATING = SafeString(
    '<span class="badge calculating" title="The score is being calculated now">Calculating…</span>'
)
NO_SCORE = SafeString('<span class="muted">—</span>')
PRIOR = '<span class="score-{}" title="{}: {}">{}</span>'
NO_PRIOR = '<span class="muted" title="No {} score">—</span>'


def _cps(row: DashboardRow, calculating: set[int]) -> SafeString:
    if row.cps is not None:
        # score_css is one of SOURCE_CSS's class names and two_places writes digits:
        # nothing to escape.
        return SafeString(SCORE.format(row.score_css, two_places(row.cps)))
    if row.enrolled and row.medical_group_id in calculating:
        return CALCULATING
    return NO_SCORE


@lru_cache(maxsize=256)
def _enrolled(label: str) -> SafeString:
    """The enrollment badge (a page of rows shows a few distinct labels)."""
    return fill(ENROLLED, label)


def performance_rows(
    rows: Iterable[DashboardRow], *, year: int, calculating: set[int]
) -> SafeString:
    """The <tr>s of a page of DashboardRows; `calculating`: the TINs (medical group pks)
    whose scores are being calculated now."""
    card_url = {
        DashboardRow.CLINICIAN: escaped_id_url_filler("mips:report-card"),
        DashboardRow.GROUP: escaped_id_url_filler("mips:group-report-card"),
    }
    group_url = card_url[DashboardRow.GROUP]
    no_prior = fill(NO_PRIOR, year - 1)
    return SafeString("\n".join(
        fill(
            ROW,
            OWN_ROW if row.is_own else "",
            row.kind,
            card_url.get(row.kind, group_url)(row.public_id),
            year,
            row.name,
            OWN_BADGE if row.is_own else "",
            row.npi or "—",
            row.masked_tin,
            eligibility_cell(row.eligibility),
            _enrolled(row.enrollment_label) if row.enrolled else NOT_ENROLLED,
            _cps(row, calculating),
            fill(PRIOR, row.prior_css, year - 1, row.prior_label, two_places(row.prior_cps))
            if row.prior_cps is not None
            else no_prior,
        )
        for row in rows
    ))  # fmt: skip
