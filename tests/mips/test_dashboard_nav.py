"""{% dashboard_nav %} prints the dashboard header (_nav.html) of the page's values,
rendered once per process per distinct header."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import engines
from django.template.loader import get_template

from practices.permissions import ATTEST_MIPS, MANAGE_MEMBERS, VIEW_ECQM_DATA

TAG = "{% load dashboard_nav %}{% dashboard_nav %}"


def _page(**values) -> dict:
    request = SimpleNamespace(practice=SimpleNamespace(name="Seven <Hills>"))
    return {
        "request": request, "year": 2025, "page": "measures", "years": [2026, 2025],
        "practice_perms": frozenset({ATTEST_MIPS, MANAGE_MEMBERS}), "can_administer": False,
        "keep_params": [("category", "quality"), ("tin", '1"2')], "has_dashboard": True,
        **values,
    }  # fmt: skip


def _tag(context: dict) -> str:
    return engines["django"].from_string(TAG).render(context)


def _template(context: dict) -> str:
    practice_name = context["request"].practice.name
    return get_template("mips/dashboard/_nav.html").render(
        {**context, "practice_name": practice_name}
    )


def test_the_header_is_the_template_of_the_page_values():
    for values in (
        {},
        {"has_dashboard": False, "updating": True, "keep_params": []},
        {"practice_perms": frozenset({VIEW_ECQM_DATA}), "can_administer": True},
    ):
        context = _page(**values)
        assert _tag(context) == _template(context)
    html = _tag(_page())
    assert "Program Attestations" in html and "eCQM Data" not in html
    assert 'value="1&quot;2"' in html and 'value="2025" selected' in html
    assert "Seven &lt;Hills&gt;" in _tag(_page(has_dashboard=False))


def test_another_year_or_view_is_its_own_header():
    assert _tag(_page(year=2026)) != _tag(_page())
    assert 'aria-current="page">Dashboard' in _tag(_page(page="performance"))
