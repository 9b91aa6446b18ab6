"""Benchmark the score recalculation on a synthetic registry.

Builds a throw-away practice with N enrolled TIN/NPIs (plus their groups) with eCQM results,
eligibility and attestations, then times ``recalculate_practice`` and reports entities
scored per second and the number of SQL queries (the foreign-key checks PostgreSQL defers to
the commit included), then the detail-rows job the recalculation leaves behind (the
measure and QMR rows), then an unchanged re-run. Everything is rolled back unless --keep.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from mips.dashboard.rows import refresh_measure_rows, refresh_qmr_rows
from mips.recalculation import recalculate_practice
from mips.score_benchmark import build_registry, drop_practice
from practices.models import Practice


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Build a synthetic registry and report MIPS entities scored per second."

    def add_arguments(self, parser):
        parser.add_argument("--entities", type=int, default=20_000)
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="commit the synthetic practice")

    def handle(self, *args, **opts):
        n, year = opts["entities"], opts["year"]
        try:
            with transaction.atomic():
                self._run(n, year)
                if not opts["keep"]:
                    raise _Rollback
        except _Rollback:
            self.stdout.write("Synthetic registry rolled back.")

    def _run(self, n: int, year: int) -> None:
        slug = f"score-benchmark-{n}"
        with scopes_disabled():
            for kept in Practice.objects.filter(slug=slug):  # an earlier run's --keep
                drop_practice(kept)
            practice = Practice.objects.create(name=f"Score benchmark {n}", slug=slug)
            began = time.perf_counter()
            total = build_registry(practice, year, n)
            self.stdout.write(
                f"Built {n} TIN/NPIs + {total - n} groups in {time.perf_counter() - began:.1f}s"
            )
        if connection.vendor == "postgresql":
            # Steady state: autovacuum analyses a table within a minute of a bulk load, but
            # it cannot see this uncommitted registry; planned on empty-table statistics,
            # the run's reads (the QMR rows' INSERT ... SELECT above all) take minutes.
            _pay_deferred_checks()  # the build's own, paid now: not the recalculation's
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            _checkpoint()
        with scope(practice=practice), CaptureQueriesContext(connection) as queries:
            stats, checks = _recalculate(practice, year)
        seconds = stats.seconds + checks
        self.stdout.write(
            f"Scored {stats.entities} entities ({stats.individuals} TIN/NPIs, {stats.groups} "
            f"groups) in {seconds:.1f}s ({checks:.1f}s of it the commit's deferred checks): "
            f"{stats.entities / seconds if seconds else 0:,.0f} entities/s, "
            f"{len(queries.captured_queries)} SQL queries, {stats.created} snapshots written, "
            f"{stats.failed} failed"
        )
        # The measure rows and the QMR rows are rebuilt by the detail-rows job after the
        # recalculation commits (another worker), timed apart.
        with scope(practice=practice):
            began = time.perf_counter()
            measures = refresh_measure_rows(practice, year)
            middle = time.perf_counter()
            qmr = refresh_qmr_rows(practice, year)
        self.stdout.write(
            f"Detail-rows job (its own task): {measures.get('all', 0)} measure rows in "
            f"{middle - began:.1f}s, {qmr.get('rows', 0)} QMR rows in "
            f"{time.perf_counter() - middle:.1f}s"
        )
        with scope(practice=practice):
            again, checks = _recalculate(practice, year)
        seconds = again.seconds + checks
        self.stdout.write(
            f"Unchanged rerun: {again.entities} entities in {seconds:.1f}s "
            f"({again.entities / seconds if seconds else 0:,.0f} entities/s), "
            f"{again.created} new snapshots"
        )


def _recalculate(practice, year: int):
    """The recalculation and the foreign-key checks PostgreSQL defers to its commit (the
    benchmark rolls back, so without this they would never be paid): (stats, seconds)."""
    stats = recalculate_practice(practice, year)
    began = time.perf_counter()
    _pay_deferred_checks()
    return stats, time.perf_counter() - began


def _checkpoint() -> None:
    """Write the build's dirty pages now (a few GB of them): left to the background
    writer and the next checkpoint, they take a core from the timed recalculation. Skipped
    when the database role may not (PostgreSQL: superuser or pg_checkpoint)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def _pay_deferred_checks() -> None:
    """Run the checks PostgreSQL has deferred to the commit now (the transaction goes on)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
