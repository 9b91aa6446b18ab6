from __future__ import annotations

from django.core.management.base import BaseCommand

from enrollment.eligibility.fake_qpp import db_source, make_fake_server
from mips.submission.fake_api import fake_qpp_app


class Command(BaseCommand):
    help = (
        "Serve a fake QPP (Eligibility API v6 for this database's clinicians, and the "
        "Submissions API) for the demo and benchmarks. Point QPP_API_BASE_URL at it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, host: str, port: int, **options) -> None:
        server = make_fake_server(fake_qpp_app(db_source), host=host, port=port)
        self.stdout.write(f"Fake QPP Eligibility API at http://{host}:{server.server_port}")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
