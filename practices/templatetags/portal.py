"""Template helpers shared by every app's list pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import render_value_in_context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from practices.models import Role
from practices.tins import mask_tin

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str):
    """A column header link that sorts by `key`, toggling the direction when already sorted."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    descending = current == key
    params["sort"] = f"-{key}" if descending else key
    arrow = " ▲" if current == key else (" ▼" if current == f"-{key}" else "")
    aria = "ascending" if current == key else ("descending" if current == f"-{key}" else "none")
    return format_html(
        '<a href="?{}" aria-sort="{}">{}{}</a>', params.urlencode(), aria, label, arrow
    )


@lru_cache(maxsize=64)
def _menus_html(menus: tuple) -> SafeString:
    return get_template("_menus.html").render({"nav_menus": menus})


@register.simple_tag
def menus_html(nav_menus) -> SafeString:
    """The main menu (_menus.html) of `nav_menus` (practice_navigation): a role's menu is
    the same on every page, so each distinct menu is rendered once per process instead
    of ~40 template variables and loops a page."""
    return _menus_html(
        tuple(
            (str(menu), tuple((str(section), tuple((str(label), url) for label, url in items))
                              for section, items in sections))
            for menu, sections in nav_menus or ()
        )
    )  # fmt: skip


# Where the page's CSRF field goes in a kept account block: a NUL, which no stored text
# (PostgreSQL text) can hold, so only the field is replaced.
_CSRF_SLOT = "\x00"
ROLE_LABELS = {value: str(label) for value, label in Role.choices}
_CSRF_SLOT_FIELD = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_SLOT}">'


@lru_cache(maxsize=256)
def _account_html(values: tuple, script_prefix: str, urlconf) -> str:
    html = get_template("_account.html").render({**dict(values), "csrf_token": _CSRF_SLOT})
    return html.removesuffix("\n")


@register.simple_tag(takes_context=True)
def account_html(context) -> SafeString:
    """The header's account block (_account.html): the practice switcher or practice, the
    role, the user and the sign-out form. It is the same on every page of a member but
    for the CSRF field, so each distinct block is rendered once per process (its three
    URL reversals, loops and filters) and the page's CSRF field put in."""
    request, user = context.get("request"), context["user"]
    practice = getattr(request, "practice", None)
    membership = getattr(request, "membership", None)
    values = (
        ("memberships", tuple(
            (str(m.practice.public_id), m.practice.name, m.practice == practice)
            for m in getattr(request, "memberships", ())
        )),
        ("has_practice", bool(practice)),
        ("practice_name", practice.name if practice else ""),
        # get_role_display() without its per-call hashing of the field's choices.
        ("role", ROLE_LABELS.get(membership.role, membership.role) if membership else None),
        ("is_staff", bool(user.is_staff)),
        ("user_name", user.get_full_name() or user.username),
    )  # fmt: skip
    html = _account_html(values, get_script_prefix(), get_urlconf())
    return SafeString(html.replace(_CSRF_SLOT_FIELD, CsrfTokenNode().render(context)))


# A static file's URL does not change while a process runs (the storage, and a manifest
# storage's manifest, are set up once), so each is looked up once per process: a lookup
# costs ~10-40 us, four a page. Keyed by STATIC_URL (with the script prefix) and DEBUG
# (htmx_script adds its debug script), the settings the URLs and tags are made of.


@lru_cache(maxsize=128)
def _static_url(path: str, static_url: str) -> str:
    return static(path)


@register.simple_tag
def static_url(path: str) -> str:
    """{% static path %}, looked up once per process."""
    return _static_url(path, settings.STATIC_URL)


@lru_cache(maxsize=16)
def _head_assets(static_url: str, debug: bool) -> SafeString:
    return SafeString(get_template("_head_assets.html").render({}).removesuffix("\n"))


@register.simple_tag
def head_assets() -> SafeString:
    """base.html's stylesheet, htmx configuration and scripts (_head_assets.html: the same
    on every page), rendered once per process."""
    return _head_assets(settings.STATIC_URL, settings.DEBUG)


@lru_cache(maxsize=256)
def _fixed_url(name: str, script_prefix: str, urlconf, current_app) -> str:
    return reverse(name, urlconf=urlconf, current_app=current_app)


@register.simple_tag(takes_context=True)
def fixed_url(context, name: str) -> str:
    """{% url name %} of a URL without arguments, reversed once per process per script
    prefix, URLconf and current app (what the reversal depends on; ~60 us each on this
    machine, several a page). The current app as {% url %} finds it."""
    try:
        current_app = context.request.current_app
    except AttributeError:
        try:
            current_app = context.request.resolver_match.namespace
        except AttributeError:
            current_app = None
    return _fixed_url(name, get_script_prefix(), get_urlconf(), current_app)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL's query string with another page number: what a copy of
    request.GET with its "page" set writes (QueryDict.urlencode), without the copy's deep
    copy of every value list (two links a page)."""
    params = context["request"].GET
    pairs = [
        (key, value)
        for key, values in params.lists()
        for value in (values if key != "page" else (number,))
    ]
    if "page" not in params:
        pairs.append(("page", number))
    return "?" + urlencode(pairs, encoding=params.encoding)


@register.filter
def money(value) -> str:
    """US dollars with thousands separators and cents: 10000 -> "$10,000.00"."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def tin_masked(tin) -> str:
    """A TIN shown where nobody must type or check it: only its last four digits."""
    return mask_tin(str(tin or ""))


# _pagination.html's markup (the include's line breaks kept).
PAGES = (
    '\n<nav class="pagination" aria-label="Pages">\n  {}\n'
    '  <span class="muted">Page {} of {} · {} in all</span>\n  {}\n</nav>\n\n'
)
ALL_IN_ONE = '<p class="muted">{} in all</p>\n'
PREVIOUS = '<a href="{}">‹ Previous</a>'
NEXT = '<a href="{}">Next ›</a>'


def _number(value, context) -> str:
    """{{ value }}: an int's digits as localize writes them without thousands separators
    (without asking for the language), anything else as the template writes it."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return render_value_in_context(value, context)


@register.simple_tag(takes_context=True)
def pagination(context, page) -> SafeString:
    """{% include "_pagination.html" with page=page %} written in Python: the same
    markup without the include's template lookup, context and nodes (a list page's
    ~0.1 ms)."""
    paginator = page.paginator
    count = _number(paginator.count, context)
    if paginator.num_pages <= 1:
        return SafeString(ALL_IN_ONE.format(count) if paginator.count else "\n")

    def link(template: str, number: int) -> str:
        url = page_url(context, number)
        return template.format(conditional_escape(url) if context.autoescape else url)

    return SafeString(PAGES.format(
        link(PREVIOUS, page.previous_page_number()) if page.has_previous() else "",
        _number(page.number, context),
        _number(paginator.num_pages, context),
        count,
        link(NEXT, page.next_page_number()) if page.has_next() else "",
    ))  # fmt: skip


# What the markup kept per process above is made of: settings that change only when a
# test overrides them (a manifest storage's hashed static URLs must not outlive it).
_KEPT_FROM = {"STORAGES", "STATIC_URL", "STATIC_ROOT", "DEBUG", "ROOT_URLCONF", "TEMPLATES"}


@receiver(setting_changed)
def _forget_kept_markup(*, setting: str, **kwargs) -> None:
    if setting in _KEPT_FROM:
        for kept in (_static_url, _head_assets, _fixed_url, _account_html, _menus_html):
            kept.cache_clear()
