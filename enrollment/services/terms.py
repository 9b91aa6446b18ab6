"""The clinician's answer to the P4P terms agreement: accept it, or ask (through a case)
that it be disabled."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from practices.performance_year import current_performance_year
from practices.services import record

from ..models import CaseKind, EnrollmentCase, TermsAgreement, TermsStatus
from .cases import new_case


@transaction.atomic
def accept_terms(*, agreement: TermsAgreement, user) -> TermsAgreement:
    """Record acceptance (user, time, version) and stop the prompt."""
    agreement.status = TermsStatus.ACCEPTED
    agreement.decided_at = timezone.now()
    agreement.decided_by = user
    agreement.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    record(
        practice=agreement.practice,
        actor=user,
        action="terms.accepted",
        obj=agreement,
        summary=f"{agreement.provider} accepted the P4P terms v{agreement.version}",
        version=agreement.version,
    )
    return agreement


@transaction.atomic
def request_terms_disabled(*, agreement: TermsAgreement, user) -> EnrollmentCase:
    """The clinician asks that the agreement be disabled: a case is opened for the
    operator and the prompt stops."""
    case = new_case(
        actor=user,
        practice=agreement.practice,
        kind=CaseKind.DISABLE_TERMS,
        year=current_performance_year(),
        provider=agreement.provider,
        details=f"{agreement.provider} asks that the P4P Terms and Conditions "
        f"(version {agreement.version}) be disabled.",
    )
    agreement.status = TermsStatus.DISABLE_REQUESTED
    agreement.decided_at = timezone.now()
    agreement.decided_by = user
    agreement.case = case
    agreement.save(update_fields=["status", "decided_at", "decided_by", "case", "updated_at"])
    record(
        practice=agreement.practice,
        actor=user,
        action="terms.disable_requested",
        obj=agreement,
        summary=f"{agreement.provider} asked to disable the P4P terms (case {case.number})",
        version=agreement.version,
    )
    return case
