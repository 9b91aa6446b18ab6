"""Program Attestations' table rows (templates/mips/dashboard/attestations.html)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from practices.id_urls import escaped_id_url_filler

from ...models import DashboardRow
from .cells import OWN_BADGE, fill

ROW = '<tr><td><a href="{}?year={}">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
NOT_ENROLLED = SafeString('<span class="muted">Not enrolled</span>')
SIGNED_OFF = SafeString('<span class="badge ok">Signed off</span>')
PENDING = SafeString('<span class="badge warn">Pending</span>')


def _quality(signed: bool | None) -> SafeString:
    if signed is None:
        return NOT_ENROLLED
    return SIGNED_OFF if signed else PENDING


def _pi(done: int | None, total: int) -> SafeString:
    if done is None:
        return NOT_ENROLLED
    # Two counts (ints): nothing to escape.
    return SafeString(
        f'<span class="badge {"ok" if done == total else "warn"}">{done:d} of {total:d}</span>'
    )


def attestation_list_rows(rows: Iterable[dict], *, year: int) -> SafeString:
    """The <tr>s of the page's rows: {"entity": DashboardRow, "quality": signed off (None:
    not enrolled), "pi_done"/"pi_total": required PI attestations, "ia": activities}."""
    attest_url = {
        DashboardRow.CLINICIAN: escaped_id_url_filler("mips:attest-clinician"),
        DashboardRow.GROUP: escaped_id_url_filler("mips:attest-group"),
    }
    html = []
    for row in rows:
        e = row["entity"]
        html.append(fill(
            ROW,
            attest_url.get(e.kind, attest_url[DashboardRow.GROUP])(e.public_id),
            year,
            e.name,
            OWN_BADGE if e.is_own else "",
            e.masked_tin,
            _quality(row["quality"]),
            _pi(row["pi_done"], row["pi_total"]),
            NOT_ENROLLED if row["ia"] is None else row["ia"],
        ))  # fmt: skip
    return SafeString("\n".join(html))
