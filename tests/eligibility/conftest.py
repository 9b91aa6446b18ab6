"""Fixtures of the eligibility tests: recorded QPP bodies and a fake QPP server thread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrollment.eligibility.fake_qpp import FakeQppApp, StaticSource, clinicians_from_db, serve
from enrollment.eligibility.qpp_client import QppEligibilityClient

FIXTURES = Path(__file__).parent / "fixtures" / "qpp"


def qpp_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def sleeps():
    """Records the client's sleeps instead of sleeping."""
    return []


@pytest.fixture
def client_factory(sleeps):
    def make(base_url: str = "https://qpp.test", **kwargs) -> QppEligibilityClient:
        kwargs.setdefault("requests_per_second", 0)
        kwargs.setdefault("max_retries", 3)
        kwargs.setdefault("backoff", 0.5)
        return QppEligibilityClient(base_url, sleep=sleeps.append, **kwargs)

    return make


@pytest.fixture
def fake_qpp():
    """start() serves this database's clinicians (as of the call) on a free port."""
    servers = []

    def start(clinicians=None):
        app = FakeQppApp(StaticSource(clinicians_from_db() if clinicians is None else clinicians))
        server, url = serve(app)
        servers.append(server)
        return app, url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
