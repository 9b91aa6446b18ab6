"""Import a CMS score-preview response (JSON) as a CMS preview or CMS submitted score."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from mips.models import ScoreSource
from mips.snapshots import import_cms_score
from practices.models import MedicalGroup, MedicareTinOverride, TinNpi

from ._common import get_practice


class Command(BaseCommand):
    help = (
        "Store a CMS score-preview response for a TIN/NPI (--tin and --npi) or a group "
        "(--tin only) as a cms_preview or cms_submitted snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="score-preview JSON ({'data': {'score': ...}}), - = stdin")
        parser.add_argument("--practice", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--tin", required=True)
        parser.add_argument("--npi", default="", help="omit for the group (TIN) score")
        parser.add_argument(
            "--source",
            choices=[ScoreSource.CMS_PREVIEW, ScoreSource.CMS_SUBMITTED],
            default=ScoreSource.CMS_PREVIEW,
        )
        parser.add_argument("--submission-id", default="")

    def handle(self, *args, **opts):
        try:
            raw = self.stdin.read() if opts["file"] == "-" else Path(opts["file"]).read_text()
            document = json.loads(raw)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc}") from exc
        practice = get_practice(opts["practice"])
        with scope(practice=practice):
            group = MedicalGroup.objects.filter(practice=practice, tin=opts["tin"]).first()
            if group is None:
                # The TIN CMS scored may be a Medicare TIN override of one of our groups.
                override = (
                    MedicareTinOverride.objects.filter(
                        medical_group__practice=practice, overriding_tin=opts["tin"]
                    )
                    .select_related("medical_group")
                    .order_by("-effective_from")
                    .first()
                )
                group = override.medical_group if override else None
            if group is None:
                raise CommandError(
                    f"no medical group with TIN {opts['tin']} (or a Medicare TIN override to it) "
                    f"in {practice.slug}"
                )
            tin_npi = None
            if opts["npi"]:
                tin_npi = (
                    TinNpi.objects.filter(medical_group=group, provider__npi=opts["npi"])
                    .select_related("provider", "medical_group")
                    .first()
                )
                if tin_npi is None:
                    raise CommandError(f"no TIN/NPI {opts['tin']}/{opts['npi']} in the practice")
            try:
                snapshot = import_cms_score(
                    document=document,
                    source=opts["source"],
                    year=opts["year"],
                    tin_npi=tin_npi,
                    medical_group=None if tin_npi else group,
                    submission_id=opts["submission_id"],
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Imported {snapshot.get_source_display()} {snapshot.year} for "
            f"{tin_npi or f'group {group.tin}'}: final score {snapshot.final_score}"
        )
