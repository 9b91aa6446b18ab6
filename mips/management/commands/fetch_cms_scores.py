"""Read scores back from CMS (QPP Submissions API) for a practice's year and store them
for the report card: the score of every submitted attempt (green, `GET /submissions/{id}/
score`: CMS rescored it) and, with --preview, CMS's preview of the data the portal would
submit now (purple, `POST /submissions/score-preview`) for every enrolled entity. Where QPP
publishes no preview the entity keeps "not yet published"."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.entity_inputs import load_targets
from mips.models import QppSubmission, SubmissionStatus
from mips.submission.client import QppSubmissionError, QppSubmissionsClient
from mips.submission.scores_back import fetch_cms_preview, refresh_submitted_score
from mips.submission.services import DEFAULT_CEHRT_ID, build_document, entity_of

from ._common import get_practice


class Command(BaseCommand):
    help = "Store the scores CMS returns (submitted: green; --preview: CMS preview, purple)."

    def add_arguments(self, parser):
        parser.add_argument("--practice", required=True, help="practice slug")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--preview", action="store_true", help="also CMS's score preview")

    def handle(self, *args, **opts):
        practice, year = get_practice(opts["practice"]), opts["year"]
        client = QppSubmissionsClient()
        stored = failed = 0
        with scope(practice=practice):
            latest: dict[tuple, QppSubmission] = {}
            # A subgroup's attempts carry its TIN with no NPI: not the group's score.
            subs = QppSubmission.objects.filter(practice=practice, year=year, subgroup=None)
            for sub in subs.order_by("-created_at", "-pk"):
                latest.setdefault((sub.tin, sub.npi), sub)
            for sub in latest.values():
                if sub.status != SubmissionStatus.SUBMITTED:
                    continue
                try:
                    snapshot = refresh_submitted_score(sub, client=client)
                except QppSubmissionError as exc:
                    failed += 1
                    self.stderr.write(f"{sub}: {exc}")
                    continue
                stored += snapshot is not None
                self.stdout.write(
                    f"{sub}: CMS submitted score {getattr(snapshot, 'final_score', None)}"
                )
            if opts["preview"]:
                cehrt_id = getattr(settings, "MIPS_CEHRT_ID", "") or DEFAULT_CEHRT_ID
                targets, _ = load_targets(practice, year)
                for tin, npi in sorted({(t.tin, t.npi) for t in targets.values()}):
                    group, tin_npi = entity_of(practice, tin, npi)
                    _, document = build_document(practice, year, tin, npi, group, tin_npi, cehrt_id)
                    who = f"{tin}/{npi}" if npi else f"TIN {tin} (group)"
                    try:
                        snapshot = fetch_cms_preview(
                            practice=practice, year=year, tin_npi=tin_npi, group=group,
                            document=document or {}, client=client,
                        )  # fmt: skip
                    except QppSubmissionError as exc:
                        failed += 1
                        self.stderr.write(f"{who}: {exc}")
                        continue
                    if snapshot is None:
                        self.stdout.write(f"{who}: CMS preview not yet published")
                    else:
                        stored += 1
                        self.stdout.write(f"{who}: CMS preview {snapshot.final_score}")
        self.stdout.write(f"stored {stored} CMS score(s)")
        if failed:
            raise CommandError(f"{failed} score request(s) failed")
