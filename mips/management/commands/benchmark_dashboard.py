"""Seed a practice with many TIN/NPIs (default 1,000 then 10,000, each enrolled in MIPS
Quality, PI and IA with 20 quality measures), score them with the real recalculation, and
report per MIPS Dashboard view: server time, queries, HTML size, and the time of the
view's own SQL re-run alone (the floor a page can reach), so growth is visible.

    python manage.py benchmark_dashboard [--sizes 1000,10000] [--measures 20] [--runs 3]
        [--views "Quality Management"] [--skip CSV]  (views whose label has / has not the text)

The benchmark practice ("bench-dashboard") is rebuilt on every run and removed afterwards
unless --keep is given. Never run against a production database."""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enrollment.catalog import ensure_standard_programs
from enrollment.eligibility.models import EligibilitySnapshot
from enrollment.kinds import TRADITIONAL_MIPS_KINDS, ProgramKind
from enrollment.models import Enrollment, EnrollmentMeasure, Measure, Program
from practices.models import MedicalGroup, Membership, Practice, Provider, Role, TinNpi
from practices.performance_year import current_performance_year

from ...dashboard.rows import refresh_measure_rows, refresh_qmr_rows
from ...models import EcqmRun, MeasureResult
from ...recalculation import recalculate_practice
from ...score_benchmark import drop_practice

SLUG = "bench-dashboard"
PER_GROUP = 100


def _npi(n: int) -> str:
    """A valid NPI (Luhn over the 80840 prefix) from a running number."""
    base = f"1{n:08d}"
    digits = [int(d) for d in "80840" + base]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return base + str((10 - total % 10) % 10)


class Command(BaseCommand):
    help = "Benchmark the MIPS Dashboard views on a practice with many TIN/NPIs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default="1000,10000",
            help="TIN/NPI counts, comma-separated (each seeded afresh).",
        )
        parser.add_argument("--tin-npis", type=int, default=None, help="One size only.")
        parser.add_argument("--measures", type=int, default=20)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark practice.")
        parser.add_argument(
            "--views",
            default="",
            help="Only the views whose label contains one of these words (comma-separated, "
            "e.g. 'Performance,Attestations,Report'); default every view.",
        )
        parser.add_argument("--skip", default="", help="Not the views whose label contains this.")

    def handle(self, *args, **opts):
        sizes = [opts["tin_npis"]] if opts["tin_npis"] else [
            int(n) for n in opts["sizes"].split(",") if n.strip()
        ]  # fmt: skip
        self.stdout.write(_settings_line())
        for size in sizes:
            self.stdout.write(f"\n=== {size:,} TIN/NPIs ===")
            self._one_size({**opts, "tin_npis": size})

    def _one_size(self, opts):
        year = opts["year"] or current_performance_year()
        with scopes_disabled():
            ensure_standard_programs(year)
            # eCQM results carry three-digit MIPS ids (QCDR ids are longer).
            measures = [
                m
                for m in Measure.objects.filter(year=year, category="quality").order_by(
                    "measure_id"
                )
                if len(m.measure_id) == 3 and m.measure_id.isdigit()
            ][: opts["measures"]]
            if len(measures) < opts["measures"]:
                raise CommandError(f"Only {len(measures)} quality measures in the {year} catalog.")
            started = time.perf_counter()
            practice, user, sample = self._seed(year, opts["tin_npis"], measures)
            self.stdout.write(f"Seeded {opts['tin_npis']} TIN/NPIs x {len(measures)} measures "
                              f"in {time.perf_counter() - started:.1f}s")  # fmt: skip
        if connection.vendor == "postgresql":
            # Steady state: autovacuum analyses a table within a minute of a bulk load; a
            # page planned on the empty table's statistics measures that minute instead.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        with scope(practice=practice):
            started = time.perf_counter()
            stats = recalculate_practice(practice, year)
            took = time.perf_counter() - started
            rate = stats.entities / took
            self.stdout.write(
                f"Score recalculation: {took:.1f}s, {rate:,.0f} entities/s ({stats.as_dict()})"
            )
            # The detail-rows job, as a worker would run it after the recalculation.
            started = time.perf_counter()
            measures = refresh_measure_rows(practice, year)
            qmr = refresh_qmr_rows(practice, year)
            self.stdout.write(
                f"Detail-rows job: {measures.get('all', 0)} measure rows, {qmr.get('rows', 0)} "
                f"QMR rows in {time.perf_counter() - started:.1f}s"
            )
        if connection.vendor == "postgresql":
            # Again after the recalculation wrote the scores: the pages' reads are planned
            # on the statistics autovacuum would have by then, not on the empty tables'
            # (one clinician's scores were read by scanning the practice's at 10,000).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        try:
            words = [w.strip().lower() for w in opts["views"].split(",") if w.strip()]
            self._measure(practice, user, sample, year, opts["runs"], words, opts["skip"].lower())
        finally:
            if not opts["keep"]:
                with scopes_disabled():
                    self._drop()

    def _drop(self) -> None:
        practice = Practice.objects.filter(slug=SLUG).first()
        if practice is None:
            return
        with transaction.atomic():
            drop_practice(practice)
        get_user_model().objects.filter(username="bench@dashboard.test").delete()

    @transaction.atomic
    def _seed(self, year: int, count: int, measures: list[Measure]):
        self._drop()
        practice = Practice.objects.create(name="Benchmark Dashboard Practice", slug=SLUG)
        user = get_user_model().objects.create_user("bench@dashboard.test", password=None)
        Membership.objects.create(user=user, practice=practice, role=Role.QUALITY_MANAGER)
        groups = MedicalGroup.objects.bulk_create(
            MedicalGroup(
                practice=practice,
                name=f"Bench Group {g}",
                tin=f"99{g:07d}",
                public_id=uuid.uuid4(),
                address_line1="1 Bench St",
                city="Columbus",
                state="OH",
                zip_code="43215",
            )  # fmt: skip
            for g in range((count + PER_GROUP - 1) // PER_GROUP)
        )
        providers = Provider.objects.bulk_create(
            Provider(
                practice=practice,
                first_name="Pat",
                last_name=f"Bench{i:04d}",
                npi=_npi(i),
                public_id=uuid.uuid4(),
                can_create_encounters=True,
            )  # fmt: skip
            for i in range(count)
        )
        tin_npis = TinNpi.objects.bulk_create(
            TinNpi(
                practice=practice,
                provider=p,
                medical_group=groups[i // PER_GROUP],
                public_id=uuid.uuid4(),
            )  # fmt: skip
            for i, p in enumerate(providers)
        )
        programs = {
            p.kind: p for p in Program.objects.filter(year=year, kind__in=TRADITIONAL_MIPS_KINDS)
        }
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                practice=practice,
                program=programs[kind],
                year=year,
                tin_npi=tn,
                medical_group_id=tn.medical_group_id,
                source="operator",
                period_start=start,
                period_end=end,
                public_id=uuid.uuid4(),
            )  # fmt: skip
            for tn in tin_npis
            for kind in TRADITIONAL_MIPS_KINDS
        )
        EnrollmentMeasure.objects.bulk_create(
            EnrollmentMeasure(enrollment=e, measure=m)
            for e in enrollments
            if e.program.kind == ProgramKind.MIPS_QUALITY
            for m in measures
        )
        now = timezone.now()
        EligibilitySnapshot.objects.bulk_create(
            EligibilitySnapshot(
                practice=practice,
                tin_npi=tn,
                year=year,
                npi=tn.provider.npi,
                status="eligible_individual",
                fetched_at=now,
                first_seen_at=now,
                content_hash=str(tn.pk),
            )  # fmt: skip
            for tn in tin_npis
        )
        run = EcqmRun.objects.create(practice=practice, year=year, started_at=now, trigger="bench")
        MeasureResult.objects.bulk_create(
            (
                MeasureResult(
                    practice=practice,
                    run=run,
                    year=year,
                    cms_id=f"B{m.measure_id}",
                    mips_id=m.measure_id,
                    tin=groups[i // PER_GROUP].tin,
                    npi=tn.provider.npi,
                    tin_npi=tn,
                    medical_group_id=tn.medical_group_id,
                    ipp=60,
                    denom=50 + i % 10,
                    denex=i % 3,
                    numer=(i * 7 + j * 3) % 45,
                    denexcep=0,
                )  # fmt: skip
                for i, tn in enumerate(tin_npis)
                for j, m in enumerate(measures)
            ),
            batch_size=5000,
        )
        return practice, user, tin_npis[count // 2]

    def _measure(self, practice, user, sample, year: int, runs: int, words=(), skip="") -> None:
        client = Client()
        client.force_login(user)
        q = f"?year={year}"
        views = [
            ("Practice Performance", reverse("mips:dashboard") + q),
            ("Practice Performance, page 20", reverse("mips:dashboard") + q + "&page=20"),
            ("Measure Performance", reverse("mips:measure-performance") + q),
            ("Measure Performance, quality by satisfied desc (htmx)",
             reverse("mips:measure-performance") + q + "&category=quality&sort=-satisfied"),
            ("Measure Performance, one TIN filter",
             reverse("mips:measure-performance") + q + f"&tin={sample.medical_group.tin}"),
            ("Clinician Report Card", reverse("mips:report-card", args=[sample.public_id]) + q),
            ("Quality Management Reporting", reverse("mips:qmr") + q),
            ("Quality Management Reporting, one measure by rate",
             reverse("mips:qmr") + q + "&measure=001&sort=-rate"),
            ("Quality Management Reporting, trend desc, page 100",
             reverse("mips:qmr") + q + "&sort=-trend&page=100"),
            ("Quality Management Reporting, clinician search",
             reverse("mips:qmr") + q + f"&search={sample.provider.last_name}"),
            ("Quality Management Reporting CSV", reverse("mips:qmr-csv") + q),
            ("Program Attestations", reverse("mips:attestations") + q),
            ("Program Attestations (entity)",
             reverse("mips:attest-clinician", args=[sample.public_id]) + q),
        ]  # fmt: skip
        if words:
            views = [(label, url) for label, url in views if any(w in label.lower() for w in words)]
        if skip:
            views = [(label, url) for label, url in views if skip not in label.lower()]
        self.stdout.write(f"\n{'view':58} {'median ms':>10} {'max ms':>8} {'queries':>8} "
                          f"{'KB':>6} {'SQL ms':>7} {'ratio':>6}")  # fmt: skip
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            for label, url in views:
                headers = {"HX-Request": "true"} if "htmx" in label else {}
                client.get(url, headers=headers)  # warm-up (catalog caches)
                times, sql_times, queries = [], [], 0
                for _ in range(runs):
                    # Timed as production serves it (no query log), then once more with
                    # the queries captured for the count and the bare SQL.
                    began = time.perf_counter()
                    body = _body(client.get(url, headers=headers), label)
                    times.append((time.perf_counter() - began) * 1000)
                    with CaptureQueriesContext(connection) as ctx:
                        _body(client.get(url, headers=headers), label)
                    queries = len(ctx)
                    sql_times.append(_bare_sql_ms([q["sql"] for q in ctx.captured_queries]))
                page, bare = statistics.median(times), statistics.median(sql_times)
                self.stdout.write(
                    f"{label:58} {page:10.1f} {max(times):8.1f} {queries:8d} "
                    f"{len(body) / 1024:6.0f} {bare:7.1f} {page / bare:6.1f}"
                )


def _body(response, label: str) -> bytes:
    if response.status_code != 200:
        raise CommandError(f"{label}: HTTP {response.status_code}")
    # A streamed response (the QMR CSV) reads its rows as it is sent.
    return b"".join(response.streaming_content) if response.streaming else response.content


def _settings_line() -> str:
    """What the pages are measured with: production runs with DEBUG off (the template
    engine's debug mode and the other DEBUG defaults are fixed at start-up, so the
    override below cannot turn them off), the cached template loader, the shared cache and
    cache-backed sessions. Start the command with the server's environment to match."""
    engine = engines["django"].engine
    loaders = repr(engine.loaders)
    note = "" if not settings.DEBUG else "  (DEBUG on at start-up: not production's settings)"
    return (
        f"Settings: DEBUG={settings.DEBUG}, template debug={engine.debug}, "
        f"cached loader={'cached.Loader' in loaders}, "
        f"cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
        f"sessions={settings.SESSION_ENGINE.rsplit('.', 1)[-1]}{note}"
    )


def _bare_sql_ms(statements: list[str]) -> float:
    """The page's captured SQL re-run alone, rows fetched (the floor of the page's time)."""
    with connection.cursor() as cursor:
        began = time.perf_counter()
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue  # a session or state write: not part of reading the page
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
        return (time.perf_counter() - began) * 1000
