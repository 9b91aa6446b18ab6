#!/usr/bin/env python3
"""Chaos test of the background jobs (issue 16, faults 1, 3 and 4), against a private
PostgreSQL and Redis this script starts itself in a temporary directory and removes at
the end. Nothing of the developer's own databases is touched.

    .venv/bin/python scripts/chaos.py [--tin-npis 500] [--qrda-files 300] [--only 1,3,4]

1. QPP answers 500 to every batch request and to the single lookups of ~4% of the NPIs:
   every other NPI must be stored, the run must end "partial", the command exit 1, and
   the dashboard's stale-eligibility list must name exactly the failed ones.
3. A real Celery worker imports a QRDA I batch: (a) its pool process is SIGKILLed
   mid-import, (b) the whole worker is SIGKILLed mid-import and restarted, (c) Redis is
   down when the upload is made. Every batch must end finished ("done"), or failed with
   a message the page shows; nothing stays queued or importing.
4. (a) PostgreSQL is stopped for 10 s during an eligibility sync: the run must not stay
   "running" and the next sync must start at once. (b) A run whose heartbeat looks stale
   is taken over while it is alive: the old run must stop as "abandoned" and write
   nothing after the takeover; exactly one run succeeds.

Prints figures per fault and exits 1 if any expectation fails.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FAILURES: list[str] = []


def say(text: str) -> None:
    print(text, flush=True)


def check(ok: bool, what: str) -> None:
    say(f"   [{'ok' if ok else 'FAIL'}] {what}")
    if not ok:
        FAILURES.append(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        time.sleep(interval)
    say(f"   (timed out after {timeout:.0f} s waiting for {what})")
    return False


# --------------------------------------------------------------------------- services


class Postgres:
    """A throwaway cluster (initdb) on a free port; run as `postgres` when we are root."""

    def __init__(self, base: Path, port: int) -> None:
        self.data = base / "pg"
        self.port = port
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.bin = Path(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
            or "/usr/lib/postgresql/15/bin"
        )

    def _run(self, *args: str, check_rc: bool = True) -> None:
        subprocess.run([*self.as_user, *args], check=check_rc, capture_output=True)

    def init(self) -> None:
        self.data.mkdir()
        if self.as_user:
            shutil.chown(self.data, "postgres")
            shutil.chown(self.data.parent, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8")  # fmt: skip

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w",
                  "-l", str(self.data / "log"), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check_rc=False)  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/chaos"


class Redis:
    def __init__(self, base: Path, port: int) -> None:
        self.dir, self.port, self.proc = base, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        wait_for(lambda: redis.Redis(port=self.port).ping(), 10, "redis")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Worker:
    """`celery worker` (prefork, one process) in its own process group."""

    def __init__(self, env: dict, log: Path) -> None:
        self.env, self.log, self.proc = env, log, None

    def start(self) -> None:
        cmd = [PYTHON, "-m", "celery", "-A", "p4p_portal", "worker", "-P", "prefork", "-c", "1",
               "--without-mingle", "--without-gossip", "-l", "info"]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill_pool_process(self) -> int:
        pid = self.children()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill_all()


# --------------------------------------------------------------------------- fake QPP


class FlakyQpp:
    """The fake QPP API, except: batch requests answer 500 when `batch_500`, the single
    lookups of `failing` NPIs answer 500, and every request waits `delay` seconds."""

    def __init__(self, app, failing=frozenset(), *, batch_500=False, delay=0.0) -> None:
        self.app, self.failing, self.batch_500, self.delay = app, set(failing), batch_500, delay
        self.requests = 0

    def __call__(self, environ, start_response):
        self.requests += 1
        if self.delay:
            time.sleep(self.delay)
        path = environ.get("PATH_INFO", "")
        npi = path.rstrip("/").rsplit("/", 1)[-1]
        if (self.batch_500 and "/npis/" in path) or ("/npi/" in path and npi in self.failing):
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"upstream error"]
        return self.app(environ, start_response)


def serve_qpp(flaky) -> tuple[object, str]:
    from enrollment.eligibility.fake_qpp import serve

    return serve(flaky)


# --------------------------------------------------------------------------- faults


def run_command(env: dict, *args: str, timeout: float = 600) -> tuple[int, str, float]:
    began = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - began


def fault_1(env: dict, tin_npis: int) -> None:
    from django_scopes import scopes_disabled

    from enrollment.eligibility.benchmark import build_practice
    from enrollment.eligibility.fake_qpp import FakeQppApp, StaticSource, clinicians_from_db
    from enrollment.eligibility.models import EligibilitySnapshot
    from enrollment.eligibility.stale import stale_eligibility
    from jobs.models import JobRun

    say(f"\n== Fault 1: QPP fails 4% of single lookups and every batch request "
        f"({tin_npis} TIN/NPIs)")  # fmt: skip
    practice = build_practice(tin_npis)
    year = 2026
    with scopes_disabled():
        clinicians = clinicians_from_db()
    npis = sorted({c.npi for c in clinicians})
    failing = set(random.Random(16).sample(npis, max(1, len(npis) * 4 // 100)))
    flaky = FlakyQpp(FakeQppApp(StaticSource(clinicians)), failing, batch_500=True)
    server, url = serve_qpp(flaky)
    cmd_env = {**env, "QPP_API_BASE_URL": url, "QPP_API_MAX_RETRIES": "1",
               "QPP_API_BACKOFF": "0", "QPP_API_REQUESTS_PER_SECOND": "0"}  # fmt: skip
    try:
        rc, out, seconds = run_command(cmd_env, "sync_qpp_eligibility", "--year", str(year),
                                       "--practice", practice.slug)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    with scopes_disabled():
        run = JobRun.objects.filter(job="sync_qpp_eligibility", practice=practice).latest("pk")
        stored = EligibilitySnapshot.objects.filter(practice=practice, year=year).count()
        failed_tin_npis = {e["npi"] for e in run.errors if e.get("npi")}
        stale = stale_eligibility(practice, year)
    from practices.models import TinNpi

    with scopes_disabled():
        expected_failed = TinNpi.objects.filter(
            practice=practice, provider__npi__in=failing
        ).count()  # an NPI in two groups is two TIN/NPIs
    say(f"   {len(npis)} NPIs, {len(failing)} failing; {flaky.requests} requests in "
        f"{seconds:.1f} s; run {run.state}, exit {rc}; counts found={run.counts.get('found')}"
        f" not_found={run.counts.get('not_found', 0)} failed={run.counts.get('failed')}; "
        f"{stored} snapshots stored")  # fmt: skip
    check(rc == 1, "the command exits 1")
    check(run.state == "partial", 'the run ends "partial" (not "succeeded")')
    check(run.counts.get("failed") == expected_failed, "only the failing NPIs failed")
    check(failed_tin_npis == failing, "the run's errors name exactly the failing NPIs")
    check(stored == tin_npis - expected_failed, "every other TIN/NPI was stored")
    check(stale is not None and stale.total == expected_failed,
          f"the dashboard banner names {stale.total if stale else 0} stale clinicians")  # fmt: skip


def _qrda_zip(files: int) -> tuple[str, str, bytes]:
    """A source practice with `files` synthetic patients of one clinician, exported as
    QRDA I documents in one zip. Returns (tin, npi, zip bytes)."""
    from django_scopes import scope

    from mips.ecqm.synthetic import Clinician, generate
    from mips.qrda.qrda1_data import export_patients, patients_for
    from mips.qrda.qrda1_write import qrda1_bytes
    from practices.models import MedicalGroup, Practice, Provider, TinNpi
    from practices.validators import npi_with_check_digit

    tin, npi, year = "555000111", npi_with_check_digit("177000001"), 2025
    src = Practice.objects.create(name="Chaos source", slug="chaos-source")
    with scope(practice=src):
        group = MedicalGroup.objects.create(practice=src, name="Chaos Group", tin=tin,
                                            address_line1="1 Main St", city="Columbus",
                                            state="OH", zip_code="43215")  # fmt: skip
        provider = Provider.objects.create(practice=src, first_name="Kay", last_name="Chaos",
                                           npi=npi)  # fmt: skip
        TinNpi.objects.create(practice=src, provider=provider, medical_group=group)
        generate(src.pk, [Clinician(tin, npi, 0.7, files)], year=year, seed=16)
        patients = patients_for(src, year=year, tin=tin, npi=npi)
        exports = export_patients(src, patients, year=year, tin=tin, npi=npi,
                                  cehrt_id="0015C0000000000")  # fmt: skip
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for patient, export in exports:
                archive.writestr(f"{patient.public_id}.xml", qrda1_bytes(export))
    return tin, npi, buffer.getvalue()


def _target_practice(slug: str, tin: str, npi: str):
    from django_scopes import scope

    from practices.models import MedicalGroup, Practice, Provider, TinNpi

    practice = Practice.objects.create(name=f"Chaos {slug}", slug=slug)
    with scope(practice=practice):
        group = MedicalGroup.objects.create(practice=practice, name="Chaos Group", tin=tin,
                                            address_line1="1 Main St", city="Columbus",
                                            state="OH", zip_code="43215")  # fmt: skip
        provider = Provider.objects.create(practice=practice, first_name="Kay",
                                           last_name="Chaos", npi=npi)  # fmt: skip
        TinNpi.objects.create(practice=practice, provider=provider, medical_group=group)
    return practice


class Upload(io.BytesIO):
    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name, self.size = name, len(data)


def _upload(practice, data: bytes):
    from django_scopes import scope

    from mips.qrda.batches import create_batch

    with scope(practice=practice):
        return create_batch(practice=practice, uploads=[Upload("chaos.zip", data)], year=2025)


def _batch(pk):
    from django_scopes import scopes_disabled

    from mips.models import QrdaImportBatch

    with scopes_disabled():
        return QrdaImportBatch.objects.get(pk=pk)


def fault_3(env: dict, files: int, workdir: Path, redis: Redis) -> None:
    from django.db import connections
    from django_scopes import scopes_disabled

    from jobs.models import JobRun
    from jobs.sweeper import sweep

    say(f"\n== Fault 3: worker killed during a {files}-file QRDA I import; Redis down at upload")
    began = time.perf_counter()
    tin, npi, data = _qrda_zip(files)
    say(f"   built {files} QRDA I documents ({len(data) // 1024} KiB zip) in "
        f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    worker = Worker(env, workdir / "worker.log")
    try:
        # (a) the pool process dies: the task is rejected and requeued at once.
        practice = _target_practice("chaos-a", tin, npi)
        worker.start()
        batch = _upload(practice, data)
        killed_at = None
        if wait_for(lambda: _batch(batch.pk).processed >= 40, 300, "40 documents imported"):
            killed_at = _batch(batch.pk).processed
            pid = worker.kill_pool_process()
            say(f"   (a) SIGKILL pool process {pid} at {killed_at} of {files} documents")
        began = time.perf_counter()
        wait_for(lambda: _batch(batch.pk).is_finished, 600, "batch (a) to finish")
        b = _batch(batch.pk)
        say(f"   (a) batch {b.status}: {b.imported} imported, {b.rejected} rejected, "
            f"{time.perf_counter() - began:.1f} s after the kill")  # fmt: skip
        check(killed_at is not None and b.status == "done" and b.imported == files,
              "(a) the killed import was redelivered and completed")  # fmt: skip

        # (b) the whole worker dies: the sweeper finds the run's stale heartbeat and
        # queues the task again; a restarted worker completes the batch.
        practice = _target_practice("chaos-b", tin, npi)
        batch = _upload(practice, data)
        killed_at = None
        if wait_for(lambda: _batch(batch.pk).processed >= 40, 300, "40 documents imported"):
            killed_at = _batch(batch.pk).processed
            worker.kill_all()
            say(f"   (b) SIGKILL the whole worker at {killed_at} of {files} documents")
        worker.start()
        stale = int(env["JOB_RUN_STALE_MINUTES"]) * 60
        time.sleep(stale + 5)
        connections.close_all()
        with scopes_disabled():
            swept = sweep()
        say(f"   (b) worker restarted; after {stale + 5} s the sweeper: {swept}")
        began = time.perf_counter()
        wait_for(lambda: _batch(batch.pk).is_finished, 600, "batch (b) to finish")
        b = _batch(batch.pk)
        with scopes_disabled():
            runs = list(JobRun.objects.filter(key=f"batch:{batch.pk}").values_list("state",
                                                                                   flat=True))
        say(f"   (b) batch {b.status}: {b.imported} imported, {b.rejected} rejected "
            f"{time.perf_counter() - began:.1f} s after the sweep; runs {runs}")  # fmt: skip
        check(killed_at is not None and b.status == "done" and b.imported == files,
              "(b) the lost import was requeued by the sweeper and completed")  # fmt: skip
        check("abandoned" in runs and runs.count("succeeded") == 1,
              "(b) the dead run is 'abandoned', exactly one run succeeded")  # fmt: skip
    finally:
        worker.stop()

    # (c) Redis is down when the upload is made.
    redis.stop()
    practice = _target_practice("chaos-c", tin, npi)
    began = time.perf_counter()
    try:
        batch = _upload(practice, data)
        error = None
    except Exception as exc:  # what used to be a 500
        batch, error = None, exc
    seconds = time.perf_counter() - began
    redis.start()
    b = _batch(batch.pk) if batch else None
    say(f"   (c) upload with Redis down: {'exception ' + repr(error) if error else b.status}"
        f" in {seconds:.1f} s; message: {b.error if b else ''}")  # fmt: skip
    check(error is None and b.status == "failed" and "could not be queued" in b.error,
          "(c) the upload fails at once with a message the page shows, no 500")  # fmt: skip


def _spawn(env: dict, cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", *cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def fault_4(env: dict, tin_npis: int, pg: Postgres) -> None:
    from django.db import connections
    from django_scopes import scopes_disabled

    from enrollment.eligibility.benchmark import build_practice
    from enrollment.eligibility.fake_qpp import FakeQppApp, StaticSource, clinicians_from_db
    from enrollment.eligibility.models import EligibilitySnapshot
    from jobs.models import JobRun

    say("\n== Fault 4: PostgreSQL down 10 s during a sync; a live run taken for dead")
    practice = build_practice(tin_npis)
    with scopes_disabled():
        clinicians = clinicians_from_db()
    year = 2026
    flaky = FlakyQpp(FakeQppApp(StaticSource(clinicians)), batch_500=True, delay=0.03)
    server, url = serve_qpp(flaky)
    cmd = ["sync_qpp_eligibility", "--year", str(year), "--practice", practice.slug]
    cmd_env = {**env, "QPP_API_BASE_URL": url, "QPP_API_MAX_RETRIES": "1",
               "QPP_API_BACKOFF": "0", "QPP_API_REQUESTS_PER_SECOND": "0"}  # fmt: skip
    try:
        # (a) outage mid-run
        connections.close_all()
        sync = _spawn(cmd_env, cmd)
        with scopes_disabled():
            wait_for(lambda: JobRun.objects.filter(practice=practice, state="running").exists(),
                     120, "the sync to start")  # fmt: skip
        connections.close_all()
        time.sleep(2)
        pg.stop("immediate")
        down = time.perf_counter()
        time.sleep(10)
        pg.start()
        say(f"   (a) PostgreSQL down {time.perf_counter() - down:.1f} s mid-run")
        out, _ = sync.communicate(timeout=600)
        connections.close_all()
        with scopes_disabled():
            first = JobRun.objects.filter(job="sync_qpp_eligibility", practice=practice).first()
        if first is None:
            say(out[-2000:])
            check(False, "(a) the sync started")
            return
        say(f"   (a) the run ended {first.state} (exit {sync.returncode}); "
            f"{out.strip().splitlines()[-1][:150] if out.strip() else ''}")  # fmt: skip
        check(first.state != "running", "(a) the run is not left 'running'")
        rc, out, seconds = run_command(cmd_env, *cmd)
        with scopes_disabled():
            second = JobRun.objects.filter(job="sync_qpp_eligibility",
                                           practice=practice).latest("pk")  # fmt: skip
        say(f"   (a) next sync at once: {second.state}, exit {rc}, {seconds:.1f} s")
        check(second.pk != first.pk and second.state == "succeeded" and rc == 0,
              "(a) the next sync runs at once and succeeds (no 15-minute block)")  # fmt: skip

        # (b) takeover of a live run: it must stop and write nothing more.
        flaky.delay = 0.15
        connections.close_all()
        old = _spawn(cmd_env, cmd)
        with scopes_disabled():
            wait_for(lambda: JobRun.objects.filter(practice=practice, state="running").exists(),
                     120, "the first run to start")  # fmt: skip
            live = JobRun.objects.get(practice=practice, state="running")
        # Its heartbeat keeps looking a year old (a clock jump, writes that do not land)
        # until a second run has started and taken the lock over.
        stop = threading.Event()

        def age_heartbeat() -> None:
            with scopes_disabled():
                while not stop.is_set():
                    JobRun.objects.filter(pk=live.pk, state="running").update(
                        heartbeat_at=live.heartbeat_at.replace(year=live.heartbeat_at.year - 1)
                    )
                    if JobRun.objects.filter(practice=practice, pk__gt=live.pk).exists():
                        break
                    time.sleep(0.05)
            connections.close_all()

        ager = threading.Thread(target=age_heartbeat)
        ager.start()
        rc_new, out_new, _ = run_command(cmd_env, *cmd)
        stop.set()
        ager.join()
        took_over = time.perf_counter()
        out_old, _ = old.communicate(timeout=600)
        connections.close_all()
        with scopes_disabled():
            live.refresh_from_db()
            new = JobRun.objects.filter(practice=practice).latest("pk")
            late = EligibilitySnapshot.objects.filter(run=live, fetched_at__gt=new.started_at)
            late_writes = late.count()
        stopped = time.perf_counter() - took_over
        say(f"   (b) old run {live.state} (exit {old.returncode}), new run {new.state} "
            f"(exit {rc_new}); old run's writes after the takeover: {late_writes}; old run "
            f"stopped {stopped:.1f} s after the new one finished")  # fmt: skip
        check(live.state == "abandoned", "(b) the taken-over run stays 'abandoned'")
        check(new.state == "succeeded" and new.resumed_from_id == live.pk,
              "(b) the new run succeeded, resuming after the old one")  # fmt: skip
        check(late_writes == 0, "(b) no write of the old run after the takeover")
        check(old.returncode != 0, "(b) the old run's command exits non-zero")
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tin-npis", type=int, default=500)
    parser.add_argument("--qrda-files", type=int, default=300)
    parser.add_argument("--only", default="1,3,4", help="faults to run, e.g. 1,4")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    faults = {int(f) for f in opts.only.split(",") if f.strip()}

    base = Path(tempfile.mkdtemp(prefix="p4p-chaos-"))
    pg, redis = Postgres(base, free_port()), Redis(base, free_port())
    say(f"chaos: private PostgreSQL :{pg.port} and Redis :{redis.port} in {base}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "p4p_portal.settings",
        "DEBUG": "True",
        "SECRET_KEY": "chaos-test-only",
        "DATABASE_URL": pg.url,
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "JOB_RUN_STALE_MINUTES": "1",
        "JOB_RUN_DB_RETRY_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    try:
        pg.init()
        pg.start()
        subprocess.run(
            [*pg.as_user, str(pg.bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg.port),
             "-U", "postgres", "chaos"], check=True,
        )  # fmt: skip
        redis.start()
        os.environ.update(env)
        rc, out, seconds = run_command(env, "migrate", "--noinput")
        if rc:
            say(out)
            return 1
        say(f"migrated in {seconds:.1f} s")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        if 1 in faults:
            fault_1(env, opts.tin_npis)
        if 3 in faults:
            fault_3(env, opts.qrda_files, base, redis)
        if 4 in faults:
            fault_4(env, opts.tin_npis, pg)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        redis.stop()
        pg.stop()
        if opts.keep:
            say(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    say(f"\nchaos: {len(FAILURES)} failed expectation(s) in {time.perf_counter() - started:.0f} s")
    for what in FAILURES:
        say(f"  FAIL {what}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    threading.excepthook = lambda args: None  # the fake QPP's threads during the outage
    sys.exit(main())
