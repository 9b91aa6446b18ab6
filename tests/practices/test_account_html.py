"""The header's account block is rendered once per process per account
(practices.templatetags.portal.account_html) and writes what base.html's template wrote,
with each page's own CSRF field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import RequestContext, engines
from django.template.loader import get_template
from django.urls import reverse

from practices.models import Role
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

# base.html's account block as it was before it was kept (the reference markup).
BEFORE = Path(__file__).parent / "reference" / "account.html"
TAG_LINE = "        {% account_html %}"
TOKEN = re.compile(r'(value="|"x-csrftoken": ")([A-Za-z0-9]{64})')


def _base_before() -> str:
    """base.html with its account block's former lines in place of the tag's line."""
    base = Path(get_template("base.html").origin.name).read_text()
    line = next(x for x in base.splitlines(keepends=True) if x.startswith(TAG_LINE))
    block = BEFORE.read_text().split("\n", 1)[1]  # without the reference's comment line
    return base.replace(line, block)


def _signed_in(client, case: str):
    named = case != "no-name"
    user = UserFactory(
        username="ann@sevenhills.test", first_name="Ann" if named else "",
        last_name="O'Hara <MD>" if named else "", is_staff=case == "staff",
    )  # fmt: skip
    MembershipFactory(user=user, practice=PracticeFactory(name="Seven & Hills", slug="seven"),
                      role=Role.QUALITY_MANAGER)  # fmt: skip
    if case == "two practices":
        MembershipFactory(user=user, practice=PracticeFactory(name="<Lakeside>", slug="lake"),
                          role=Role.CLINICIAN)  # fmt: skip
    client.force_login(user)
    return client.get(reverse("home"), follow=True).wsgi_request


@pytest.mark.parametrize("case", ["one practice", "two practices", "staff", "no-name"])
def test_the_account_block_writes_what_the_template_wrote(client, case):
    request, before = _signed_in(client, case), _base_before()
    for _ in range(2):  # rendered, then kept
        new = get_template("base.html").template.render(RequestContext(request))
        old = engines["django"].from_string(before).template.render(RequestContext(request))
        assert TOKEN.sub(r"\1T", new) == TOKEN.sub(r"\1T", old)
        # One token a page, in the htmx header and every form.
        assert len({m[1] for m in TOKEN.findall(new)}) == 1 and 'class="account"' in new
    assert ("<Lakeside>" in new) is False
    if case == "two practices":
        assert "&lt;Lakeside&gt;" in new and 'id="practice-switch"' in new


def test_each_page_has_its_own_csrf_field(client):
    request = _signed_in(client, "one practice")
    tokens = [
        TOKEN.findall(get_template("base.html").template.render(RequestContext(request)))
        for _ in range(2)
    ]
    assert tokens[0][0][1] != tokens[1][0][1]  # a new mask per page, as Django's tag
    assert {t[1] for t in tokens[1]} == {tokens[1][0][1]}
