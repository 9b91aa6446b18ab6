"""Issue 21: with the demo data, every menu page of every role fits a 1366 px laptop
screen (and, for the two largest menus, a 400 px phone): document.documentElement.scrollWidth
<= innerWidth, and each
menu item opens (no 403 behind a menu). Operator staff land in Django admin and its
worklists fit too.

One seeded database serves every role (seeding takes most of the time); each role gets
its own browser context and its own failures are named."""

from __future__ import annotations

from importlib import import_module

import pytest

from practices import demo

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROLES = [
    "quality@sevenhills.test",
    "clinician@sevenhills.test",
    "billing@sevenhills.test",
    "admin@sevenhills.test",
    "quality@lakeside.test",
]
WIDTHS = (1366, 400)
# The narrow check for the two largest menus keeps the test quick; the others share pages.
NARROW_ROLES = {"quality@sevenhills.test", "clinician@sevenhills.test"}


@pytest.fixture
def demo_data():
    ctx = demo.seed()
    for app in ("enrollment", "exceptions", "mips", "portals", "incentives"):
        import_module(f"{app}.demo").seed(ctx)
    return ctx


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, innerWidth]")


def _sign_in(browser, live_server, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.locator("button:has-text('I accept')").count():
        # The demo clinician has not accepted the P4P terms yet: every page asks first.
        page.click("button:has-text('I accept')")
        page.wait_for_load_state()
    return context, page


def test_every_menu_page_fits_the_screen_for_every_role(browser, live_server, demo_data):
    problems, opened = [], {}
    for username in ROLES:
        for width in WIDTHS:
            if width < 1366 and username not in NARROW_ROLES:
                continue
            context, page = _sign_in(browser, live_server, username, width)
            links = page.eval_on_selector_all(
                "nav.menus a", "els => els.map(e => e.getAttribute('href'))"
            )
            assert links, f"{username}: no menu"
            opened[username] = len(links)
            for href in ["/", *links]:
                response = page.goto(f"{live_server.url}{href}")
                page.wait_for_load_state()
                if response.status != 200:
                    problems.append(f"{username} {href}: HTTP {response.status}")
                scroll, inner = _overflow(page)
                if scroll > inner:
                    problems.append(f"{username} at {width} px: {href} is {scroll} px wide")
            context.close()
    # Operator staff: the portal's home sends them to admin, where the worklists are.
    for width in (1366,):
        context, page = _sign_in(browser, live_server, demo.DEMO_STAFF, width)
        page.goto(f"{live_server.url}/")
        assert page.url.endswith("/admin/"), page.url
        for href in page.eval_on_selector_all(
            "#operator-worklists a", "els => els.map(e => e.getAttribute('href'))"
        ):
            response = page.goto(f"{live_server.url}{href}")
            if response.status != 200:
                problems.append(f"staff {href}: HTTP {response.status}")
            scroll, inner = _overflow(page)
            if href.endswith("/worklist/") and scroll > inner:
                problems.append(f"staff at {width} px: {href} is {scroll} px wide")
        context.close()
    assert not problems, "\n".join(problems)
    # Each role has its own menu: the clinician sees less than the quality manager.
    assert opened["clinician@sevenhills.test"] < opened["quality@sevenhills.test"]
