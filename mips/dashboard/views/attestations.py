"""Program Attestations: CQM data sign-off, PI attestations and measures, IA activities
with their dates, per TIN/NPI or group. Every change is a new record (mips.attestations
services: who, when, what, audit event, score recalculation)."""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from practices.permissions import ATTEST_MIPS, practice_permission_required

from ... import attestations as services
from ...attestations import EntityKey
from ...models import DataSignOff, IaAttestation, PiAttestation
from ...scoring import load_catalog, rules_for
from ..entities import CLINICIAN, GROUP, load_entities
from ..euc_warnings import attestation_data, euc_warnings, pi_counts_after, voided_by
from ..forms import ChoicePairs, IaForm, PiForm, SignOffForm
from ..freshness import fresh_state
from ..measure_rows import attestation_rows, entity_attestation_key
from ..row_html.attestations import attestation_list_rows
from ..rows import ATTESTATION_ORDER, OwnFirst, entity_rows
from .common import get_entity_object, page_context

HISTORY_LIMIT = 50
PER_PAGE = 50


@practice_permission_required(ATTEST_MIPS)
@require_GET
def attestation_list(request: HttpRequest) -> HttpResponse:
    """Every entity enrolled for attestation with where its sign-offs stand, a page at a
    time (the page's entities' attestations only)."""
    ctx = page_context(request, "attestations")
    year = ctx["year"]
    entities = OwnFirst([], None)
    if ctx["has_dashboard"]:
        fresh, counts, _ = fresh_state(request.practice, year)
        ctx["updating"] = not fresh
        entities = entity_rows(request.practice, year, user=request.user,
                               own_only=ctx["own_only"], order=ATTESTATION_ORDER,
                               enrolled=True)  # fmt: skip
        entities.own = [e for e in entities.own if e.enrolled]
        if not ctx["own_only"]:
            entities.total = counts.get("enrolled")
    page = Paginator(entities, PER_PAGE).get_page(request.GET.get("page"))
    keys = [EntityKey(e.tin_npi_id, e.medical_group_id) for e in page]
    # The counts only (sign-offs, PI "yes" answers, attested activities): values, not
    # model objects.
    found = (
        services.practice_attestations(request.practice, year, keys, values=True) if keys else {}
    )
    required = services.required_pi_attestations(year)
    rows = []
    for e, key in zip(page, keys, strict=True):
        att = found.get(key)
        if att is None:  # no records (most entities early in the year): nothing to count
            signed, answered, activities = False, 0, 0
        else:
            signed = att.signed_off("quality")
            answered = att.answered(required)
            activities = len(att.attested_activities())
        categories = e.categories
        rows.append(
            {
                "entity": e,
                "quality": signed if "quality" in categories else None,
                "pi_done": answered if "pi" in categories else None,
                "pi_total": len(required),
                "ia": activities if "ia" in categories else None,
            }
        )
    ctx.update(rows=rows, page_obj=page, rows_html=attestation_list_rows(rows, year=year))
    return render(request, "mips/dashboard/attestations.html", ctx)


@lru_cache(maxsize=8)  # as load_catalog: the year's catalogue is read once per process
def _choices(year: int) -> tuple[ChoicePairs, ChoicePairs]:
    catalog = load_catalog(year)
    pi = [(mid, f"{mid} · {m.title}") for mid, m in sorted(catalog.pi.items())]
    ia = [(aid, f"{aid} · {a.title}") for aid, a in sorted(catalog.ia.items())]
    return ChoicePairs(pi), ChoicePairs(ia)


def _entity_kwargs(obj, kind: str) -> dict:
    return {"tin_npi": obj} if kind == CLINICIAN else {"medical_group": obj}


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@practice_permission_required(ATTEST_MIPS)
@require_http_methods(["GET", "POST"])
def _entity_attestations(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    obj = get_entity_object(request, kind, public_id)
    ctx = page_context(request, "attestations")
    year = ctx["year"]
    pi_choices, ia_choices = _choices(year)
    entity_kwargs = _entity_kwargs(obj, kind)
    forms = {
        "signoff": SignOffForm(initial={"signed": "1"}),
        "pi": PiForm(measures=pi_choices),
        "ia": IaForm(activities=ia_choices, initial={"attested": "1"}),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        data = request.POST
        if action == "signoff":
            form = forms["signoff"] = SignOffForm(data)
        elif action == "pi":
            form = forms["pi"] = PiForm(data, measures=pi_choices)
        elif action == "ia":
            form = forms["ia"] = IaForm(data, activities=ia_choices)
        else:
            form = None
            messages.error(request, "Unknown action.")
        confirm = None
        if form is not None and form.is_valid():
            confirm = _needs_confirmation(request, kind, obj, year, action, form)
        if confirm:
            # Issue 14: an action that voids an EUC exception waits for the user's explicit
            # confirmation (this page without JS); nothing is recorded until then.
            ctx["confirm_void"] = confirm
        elif form is not None and form.is_valid():
            try:
                if action == "signoff":
                    services.sign_off(
                        year=year, category="quality", user=request.user,
                        signed=form.cleaned_data["signed"], note=form.cleaned_data["note"],
                        **entity_kwargs,
                    )  # fmt: skip
                    done = (
                        "CQM data signed off."
                        if form.cleaned_data["signed"]
                        else ("CQM data sign-off withdrawn.")
                    )
                elif action == "pi":
                    row = services.attest_pi(
                        year=year, user=request.user, **form.service_kwargs(), **entity_kwargs
                    )
                    done = f"Recorded {row}."
                else:
                    d = form.cleaned_data
                    services.attest_ia(
                        year=year, activity_id=d["activity_id"], user=request.user,
                        attested=d["attested"], start_date=d["start_date"],
                        end_date=d["end_date"], note=d["note"], **entity_kwargs,
                    )  # fmt: skip
                    verb = "attested" if d["attested"] else "withdrawn"
                    done = f"Improvement activity {d['activity_id']} {verb}."
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, done + " Scores are being recalculated.")
                url = reverse(
                    "mips:attest-clinician" if kind == CLINICIAN else "mips:attest-group",
                    args=[public_id],
                )
                return redirect(f"{url}?year={year}#{'quality' if action == 'signoff' else action}")
    entity = load_entities(
        request.practice, year, user=request.user, with_scores=False, only=(kind, obj.pk),
        only_object=obj,
    )[0]  # fmt: skip
    key = entity_attestation_key(entity)
    everything = services.practice_attestations(request.practice, year, [key])
    att = everything.get(key) or services.EntityAttestations()
    rows = attestation_rows(request.practice, year, [entity], everything)
    history = []
    for model, what in ((DataSignOff, "Sign-off"), (PiAttestation, "PI"), (IaAttestation, "IA")):
        for rec in services.history(model, year=year, limit=HISTORY_LIMIT, **entity_kwargs):
            history.append({"what": what, "record": rec})
    history.sort(key=lambda h: h["record"].created_at, reverse=True)
    _with_recorders(att, history)
    signoff = att.sign_offs.get("quality")
    with_data = attestation_data(att, year)
    ctx.update(
        euc_warnings=euc_warnings(entity, year, with_data),
        entity=entity,
        att=att,
        forms=forms,
        signoff=signoff,
        quality_counts=(signoff.snapshot.get("measures") if signoff else None) or {},
        required=[
            (mid, label, att.pi_yes(mid)) for mid, label in rules_for(year).pi_required_attestations
        ],
        pi_rows=[r for r in rows if r.category == "pi"],
        ia_rows=[(att.ia[a], dict(ia_choices).get(a, a)) for a in att.attested_activities()],
        history=history[:HISTORY_LIMIT],
        keep_params=[],
        status=200 if ctx.get("confirm_void") or request.method != "POST" else 400,
    )
    return render(request, "mips/dashboard/attestation_entity.html", ctx, status=ctx["status"])


def _with_recorders(att, history: list[dict]) -> None:
    """The page names who recorded the current sign-off and each activity: take those
    records from the history just read (with their users), and read the users of any
    older than the history's limit in one query, not one per record."""
    read = {(type(h["record"]), h["record"].pk): h["record"] for h in history}
    for rows in (att.sign_offs, att.ia):
        for key, row in rows.items():
            rows[key] = read.get((type(row), row.pk), row)
    prefetch_related_objects([*att.sign_offs.values(), *att.ia.values()], "recorded_by")


CATEGORY_OF_ACTION = {"signoff": "quality", "pi": "pi", "ia": "ia"}


def _adds_data(action: str, form) -> bool:
    d = form.cleaned_data
    if action == "signoff":
        return bool(d["signed"])
    if action == "ia":
        return bool(d["attested"])
    return True


def _needs_confirmation(request, kind: str, obj, year: int, action: str, form) -> dict | None:
    """The confirmation to ask for when this action would void an EUC exception and the
    POST does not carry the user's confirmation yet; None when it may go ahead."""
    if request.POST.get("confirm_void") == "1" or not _adds_data(action, form):
        return None
    entity = load_entities(
        request.practice, year, user=request.user, with_scores=False, only=(kind, obj.pk),
        only_object=obj,
    )[0]  # fmt: skip
    key = entity_attestation_key(entity)  # this entity's records, not the practice's
    att = (
        services.practice_attestations(request.practice, year, [key]).get(key)
        or services.EntityAttestations()
    )
    with_data = attestation_data(att, year)
    if action == "pi" and "pi" not in with_data:
        d = form.service_kwargs()
        args = (d["measure_id"], d["value"], d["numerator"], d["denominator"])
        if not pi_counts_after(att, year, *args):
            return None  # PI stays incomplete: no PI data for the EUC rule, nothing voided
    warnings = voided_by(entity, year, with_data, CATEGORY_OF_ACTION[action])
    if not warnings:
        return None
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirm_void")
        for value in request.POST.getlist(name)
    ]
    return {"warnings": warnings, "fields": fields, "action": action}


def clinician_attestations(request: HttpRequest, public_id) -> HttpResponse:
    return _entity_attestations(request, CLINICIAN, public_id)


def group_attestations(request: HttpRequest, public_id) -> HttpResponse:
    return _entity_attestations(request, GROUP, public_id)
