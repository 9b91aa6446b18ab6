"""Submit eCQM measurement sets to the QPP Submissions API (settings.QPP_API_BASE_URL) and
record each attempt's status (Processing, Submitted, Submission Failed with the reason).

Without --tin every entity enrolled in MIPS for the year is submitted (each TIN/NPI and
each TIN enrolled as a group, as the dashboard lists them); --tin alone submits that TIN's
group; --tin --npi one clinician. An entity whose required sign-offs are missing is
refused with the reason.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.models import SubmissionStatus
from mips.recalculation import load_targets
from mips.submission.services import SubmissionSetupError, submit_entity

from ._common import get_practice


class Command(BaseCommand):
    help = "Submit a practice's eCQM results for a year to the QPP Submissions API."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--tin", default="")
        parser.add_argument("--npi", default="")
        parser.add_argument("--cehrt-id", default=None, help="CMS EHR certification id")

    def handle(self, *args, **opts):
        practice = get_practice(opts["practice"])
        tin, npi, year = opts["tin"].strip(), opts["npi"].strip(), opts["year"]
        if npi and not tin:
            raise CommandError("--npi needs --tin")
        failed = 0
        with scope(practice=practice):
            if tin:
                entities = [(tin, npi)]
            else:
                targets, _ = load_targets(practice, year)
                entities = sorted({(t.tin, t.npi) for t in targets.values()})
                if not entities:
                    raise CommandError(f"nobody is enrolled in MIPS for {year}: nothing to submit")
            for entity_tin, entity_npi in entities:
                try:
                    sub = submit_entity(
                        practice=practice, year=year, tin=entity_tin, npi=entity_npi,
                        cehrt_id=opts["cehrt_id"],
                    )  # fmt: skip
                except SubmissionSetupError as exc:
                    failed += 1
                    self.stderr.write(f"{entity_tin}/{entity_npi or 'group'}: {exc}")
                    continue
                if sub.status == SubmissionStatus.SUBMITTED:
                    self.stdout.write(
                        f"{sub}: CMS submission id {sub.submission_id}, "
                        f"score preview {sub.score_preview}"
                    )
                else:
                    failed += 1
                    self.stderr.write(f"{sub}: {sub.failure_reason}")
        if failed:
            raise CommandError(f"{failed} submission(s) failed")
