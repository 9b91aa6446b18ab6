"""The Quality Management Reporting page's rows, one per enrolled entity, measure and
population group of a practice's year, with every sort value computed (mips.qmr.store
builds them with the dashboard's rows, from the SQL of mips.qmr.query). A page reads the
rows it shows in the order of one index (10,000 TIN/NPIs make 200,000 rows: computing them
per request took seconds)."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django_scopes import ScopedManager

from practices.models import Practice
from practices.querysets import PracticeQuerySet, manager

# Column of each sort of the page (the sort links of templates/mips/qmr.html).
SORT_COLUMNS = {
    "program": "program_sort",
    "clinician": "sort_name",
    "tin": "tin",
    "npi": "npi",
    "measure": "mips_id",
    "numerator": "numerator",
    "denominator": "denominator",
    "exclusions": "exclusions",
    "exceptions": "exceptions",
    "rate": "rate",
    "decile": "decile",
    "prior": "prior_rate",
    "trend": "improvement",
}
# Ties: clinician, TIN, program, measure, population group (then the enrollment).
TIEBREAK = ("sort_name", "tin", "program_sort", "mips_id", "group_index", "enrollment_id")


class QmrListRow(models.Model):
    # Plain ids, no foreign keys: the rows are rebuilt whole from their sources (a
    # constraint per column would only slow the copy of 200,000 rows; nor on the practice,
    # whose rows Django's CASCADE deletes).
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField()
    enrollment_id = models.IntegerField()
    program_id = models.IntegerField()
    medical_group_id = models.IntegerField()
    provider_id = models.IntegerField(null=True)
    provider_user_id = models.IntegerField(null=True)
    sort_name = models.CharField(max_length=300)  # the clinician's or group's, lower case
    program_sort = models.CharField(max_length=200)  # the program's name, lower case
    tin = models.CharField(max_length=9)
    npi = models.CharField(max_length=10, blank=True)
    mips_id = models.CharField(max_length=40)
    group_index = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=500, blank=True)  # the catalogue's ("" if none)
    cms_id = models.CharField(max_length=10, blank=True)
    numerator = models.IntegerField(null=True)
    denominator = models.IntegerField(null=True)
    exclusions = models.IntegerField(null=True)
    exceptions = models.IntegerField(null=True)
    rate = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    decile = models.PositiveSmallIntegerField(null=True)
    prior_rate = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    improvement = models.DecimalField(max_digits=7, decimal_places=2, null=True)

    objects = ScopedManager(practice="practice", _manager_class=manager(PracticeQuerySet))

    class Meta:
        indexes = [
            models.Index(fields=["practice", "year", *TIEBREAK[:-1]], name="qmrrow_clinician"),
            models.Index(
                fields=["practice", "year", "program_sort", "sort_name"], name="qmrrow_program"
            ),  # fmt: skip
            models.Index(fields=["practice", "year", "tin", "sort_name"], name="qmrrow_tin"),
            models.Index(fields=["practice", "year", "npi", "sort_name"], name="qmrrow_npi"),
            models.Index(
                fields=["practice", "year", "mips_id", "sort_name"], name="qmrrow_measure"
            ),  # fmt: skip
            # Descending too where a value is shared by thousands of rows (ties then sort
            # by clinician ascending: a backward scan would sort a whole measure's rows).
            models.Index(
                "practice", "year", F("mips_id").desc(), "sort_name", name="qmrrow_measure_desc"
            ),  # fmt: skip
            models.Index(
                "practice",
                "year",
                F("program_sort").desc(),
                "sort_name",
                name="qmrrow_program_desc",
            ),  # fmt: skip
            models.Index(fields=["practice", "year", "provider_user_id"], name="qmrrow_user"),
            models.Index(fields=["practice", "year", "provider_id"], name="qmrrow_provider"),
            models.Index(
                fields=["practice", "year", "medical_group_id", "sort_name"], name="qmrrow_group"
            ),  # fmt: skip
            # The number sorts' indexes (NULLs last both ways) are created by migration 0026
            # on PostgreSQL only: SQLite's CREATE INDEX cannot say NULLS LAST.
        ]

    def __str__(self) -> str:
        return f"{self.sort_name} {self.tin} {self.mips_id}/{self.group_index} {self.year}"
