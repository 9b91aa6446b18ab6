"""Load-test the dashboard pages over HTTP: N concurrent signed-in users, bounded in
requests and time, against a server on this machine only (loopback).

    python manage.py load_test_dashboard --url http://127.0.0.1:8000 \\
        --username quality@sevenhills.test --password demo-pass-2025 \\
        [--users 20] [--requests 2000] [--duration 60] [--json out.json]

Reports requests/s and p50/p95/p99 latency per page and overall. Each user signs in
once (not measured) and then requests the pages round-robin until the request budget or
the time limit is spent. Exits 1 when any request failed (non-200 or no answer).
Run it against gunicorn for production-like figures (README: "Load test")."""

from __future__ import annotations

import ipaddress
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django_scopes import scopes_disabled

from practices.models import Membership, TinNpi

MAX_USERS = 50
MAX_REQUESTS = 20_000
MAX_DURATION = 600  # seconds
TIMEOUT = 30  # seconds per request
PAGES = [
    ("Practice Performance", "mips:dashboard"),
    ("Measure Performance", "mips:measure-performance"),
    ("Program Attestations", "mips:attestations"),
    ("Pay for Performance", "incentives:dashboard"),
]


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def require_loopback(url: str) -> None:
    """Refuse any target that is not this machine: a load test is no attack tool."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"{url!r} is not an http(s) URL.")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise CommandError(f"Cannot resolve {parts.hostname}: {exc}") from exc
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise CommandError(
            f"{parts.hostname} resolves to {', '.join(sorted(addresses))}: "
            "the load test runs against loopback addresses only."
        )


@dataclass
class Budget:
    requests: int
    deadline: float
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.requests <= 0 or time.monotonic() >= self.deadline:
                return False
            self.requests -= 1
            return True


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    login = urljoin(base, reverse("login"))
    session.get(login, timeout=TIMEOUT).raise_for_status()
    response = session.post(
        login,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": login},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise CommandError(
            f"Sign-in as {username} failed (HTTP {response.status_code}); check the "
            "credentials, and that the server accepts cookies over http "
            "(SESSION_COOKIE_SECURE/CSRF_COOKIE_SECURE=False for a plain-http loopback run)."
        )
    return session


class Command(BaseCommand):
    help = "Load-test the dashboard pages with concurrent users (loopback only, bounded)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--username", default="quality@sevenhills.test")
        parser.add_argument("--password", default="demo-pass-2025")
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--requests", type=int, default=2000)
        parser.add_argument("--duration", type=float, default=60.0, help="seconds")
        parser.add_argument("--json", help="Also write the figures to this file.")

    def handle(self, *args, **opts):
        users, total, duration = opts["users"], opts["requests"], opts["duration"]
        if not 1 <= users <= MAX_USERS:
            raise CommandError(f"--users must be between 1 and {MAX_USERS}.")
        if not 1 <= total <= MAX_REQUESTS:
            raise CommandError(f"--requests must be between 1 and {MAX_REQUESTS}.")
        if not 0 < duration <= MAX_DURATION:
            raise CommandError(f"--duration must be above 0 and at most {MAX_DURATION} s.")
        base = opts["url"].rstrip("/") + "/"
        require_loopback(base)
        pages = self._pages(opts["username"])
        sessions = [sign_in(base, opts["username"], opts["password"]) for _ in range(users)]
        samples: list[tuple[str, float, bool]] = []
        samples_lock = threading.Lock()
        start = time.monotonic()
        budget = Budget(requests=total, deadline=start + duration)

        def run(worker: int, session: requests.Session) -> None:
            n = worker  # users start on different pages
            while budget.take():
                label, path = pages[n % len(pages)]
                n += 1
                began = time.perf_counter()
                try:
                    ok = session.get(urljoin(base, path), timeout=TIMEOUT).status_code == 200
                except requests.RequestException:
                    ok = False
                elapsed = (time.perf_counter() - began) * 1000
                with samples_lock:
                    samples.append((label, elapsed, ok))

        threads = [
            threading.Thread(target=run, args=(i, s), daemon=True) for i, s in enumerate(sessions)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
        report = self._report(samples, wall, pages, users, base)
        self._print(report)
        if opts["json"]:
            with open(opts["json"], "w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2)
        if report["all"]["errors"]:
            raise CommandError(f"{report['all']['errors']} request(s) failed.")

    def _pages(self, username: str) -> list[tuple[str, str]]:
        pages = [(label, reverse(name)) for label, name in PAGES]
        with scopes_disabled():
            membership = (
                Membership.objects.filter(user__username=username)
                .select_related("practice")
                .first()
            )
            tin_npi = (
                TinNpi.objects.filter(practice=membership.practice, is_active=True)
                .order_by("pk")
                .first()
                if membership
                else None
            )
        if tin_npi is not None:
            pages.append(("Report card", reverse("mips:report-card", args=[tin_npi.public_id])))
        return pages

    @staticmethod
    def _figures(times: list[float], errors: int, wall: float) -> dict:
        times = sorted(times)
        return {
            "requests": len(times),
            "errors": errors,
            "requests_per_second": round(len(times) / wall, 1) if wall else 0.0,
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "max_ms": round(times[-1], 1) if times else 0.0,
        }

    def _report(self, samples, wall, pages, users, base) -> dict:
        per_page = {}
        for label, _path in pages:
            rows = [s for s in samples if s[0] == label]
            per_page[label] = self._figures(
                [s[1] for s in rows], sum(1 for s in rows if not s[2]), wall
            )
        everything = self._figures(
            [s[1] for s in samples], sum(1 for s in samples if not s[2]), wall
        )
        return {
            "url": base,
            "users": users,
            "seconds": round(wall, 1),
            "pages": per_page,
            "all": everything,
        }

    def _print(self, report: dict) -> None:
        self.stdout.write(
            f"{report['users']} users, {report['all']['requests']} requests in "
            f"{report['seconds']} s against {report['url']}"
        )
        head = f"{'page':<24}{'requests':>9}{'errors':>7}{'req/s':>8}"
        head += f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        self.stdout.write(head)
        rows = [*report["pages"].items(), ("all pages", report["all"])]
        for label, f in rows:
            self.stdout.write(
                f"{label:<24}{f['requests']:>9}{f['errors']:>7}{f['requests_per_second']:>8}"
                f"{f['p50_ms']:>9}{f['p95_ms']:>9}{f['p99_ms']:>9}{f['max_ms']:>9}"
            )
