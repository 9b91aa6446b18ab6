"""The main menu is rendered once per process per distinct menu (portal.menus_html), with
the HTML of its template, every label escaped."""

from __future__ import annotations

from django.template.loader import get_template

from practices.templatetags.portal import menus_html

MENUS = [
    ("Quality", [("", [("Program Enrollment", "/enrollment/")]),
                 ("MIPS", [("<b>Dashboard</b>", "/mips/?a=1&b=2")])]),
    ("Settings", [("Practice", [("Members", "/setup/members/")])]),
]  # fmt: skip


def test_menus_html_is_the_template_rendered_once():
    html = menus_html(MENUS)
    assert html == get_template("_menus.html").render({"nav_menus": MENUS})
    assert menus_html([(m, list(s)) for m, s in MENUS]) is html  # kept
    assert "&lt;b&gt;Dashboard&lt;/b&gt;" in html and 'href="/mips/?a=1&amp;b=2"' in html
    assert menus_html(MENUS[:1]) != html
    assert menus_html(None) == menus_html([]) == get_template("_menus.html").render({})
