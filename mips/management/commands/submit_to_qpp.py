"""Submit a practice's MIPS data for a year to the QPP Submissions API
(settings.QPP_API_BASE_URL) and record each attempt's status (Processing, Submitted,
Submission Failed with QPP's cause).

Without --tin every entity enrolled in MIPS for the year is submitted (each TIN/NPI and
each TIN enrolled as a group, as the dashboard lists them); --tin alone submits that TIN's
group; --tin --npi one clinician. Outside CMS's submission period nothing is sent; an
entity whose required sign-offs are missing is refused with the reason.

--dry-run sends nothing and records nothing: per entity it prints the window, the missing
sign-offs, the categories sent and left out (EUC), the problems the Submissions API's
validation finds in each measurement set, and the JSON that would be sent.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.entity_inputs import load_targets
from mips.models import SubmissionStatus
from mips.submission.fake_api import validate_measurement_set
from mips.submission.services import (
    DEFAULT_CEHRT_ID,
    SubmissionSetupError,
    build_document,
    entity_of,
    submit_entity,
)
from mips.submission.window import submission_window

from ._common import get_practice


class Command(BaseCommand):
    help = "Submit a practice's MIPS data for a year to the QPP Submissions API."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--tin", default="")
        parser.add_argument("--npi", default="")
        parser.add_argument("--cehrt-id", default=None, help="CMS EHR certification id")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show what would be sent"
        )

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
            if opts["dry_run"]:
                failed = sum(
                    not self._dry_run(practice, year, t, n, opts["cehrt_id"]) for t, n in entities
                )
                if failed:
                    raise CommandError(f"{failed} of {len(entities)} entities would not be sent")
                return
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
                        f"{sub}: CMS submission id {sub.submission_id}, score {sub.score_preview}"
                    )
                else:
                    failed += 1
                    self.stderr.write(f"{sub}: {sub.failure_reason}")
        if failed:
            raise CommandError(f"{failed} submission(s) failed")

    def _dry_run(self, practice, year, tin, npi, cehrt_id) -> bool:
        """Print what would be sent for one entity; True when it could be sent as is."""
        who = f"{tin}/{npi}" if npi else f"TIN {tin} (group)"
        try:
            group, tin_npi = entity_of(practice, tin, npi)
        except SubmissionSetupError as exc:
            self.stderr.write(f"{who}: {exc}")
            return False
        cehrt_id = cehrt_id or getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID
        content, document = build_document(practice, year, tin, npi, group, tin_npi, cehrt_id)
        window = submission_window(year)
        ok = window.is_open
        self.stdout.write(f"== {who} {year} (dry run: nothing is sent)")
        self.stdout.write(f"window: {'open' if window.is_open else 'closed'}: {window.message}")
        if content.missing_signoffs:
            ok = False
            labels = "; ".join(a.label for a in content.missing_signoffs)
            self.stdout.write(f"missing sign-offs: {labels}")
        if content.exempted:
            self.stdout.write(f"left out (EUC): {', '.join(sorted(content.exempted))}")
        for note in content.notes:
            self.stdout.write(f"note: {note}")
        sets = (document or {}).get("measurementSets") or []
        if not sets:
            self.stdout.write("nothing to send: no enrolled category has data")
            return False
        stub = {k: v for k, v in document.items() if k != "measurementSets"}
        for measurement_set in sets:
            problems = validate_measurement_set({**measurement_set, "submission": stub})
            count = len(measurement_set.get("measurements") or [])
            state = "valid" if not problems else f"{len(problems)} problem(s)"
            self.stdout.write(f"set {measurement_set['category']}: {count} measurement(s), {state}")
            for problem in problems:
                ok = False
                self.stdout.write(f"  {problem['path']}: {problem['message']}")
        self.stdout.write(json.dumps(document, indent=2))
        return ok
