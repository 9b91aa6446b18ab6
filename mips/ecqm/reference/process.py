"""One long-lived Node.js process running fqm-execution (mips/ecqm/fqm/server.js).

`engine()` returns this worker process's engine, started on first use. The engine sends
each measure bundle once per Node process, then patient bundles in batches; a batch that
takes longer than its timeout kills the process (the next call starts a fresh one) and
raises EngineTimeout; a crash raises EngineCrashed after one restart-and-retry. Never used
in a web request: callers are Celery tasks and management commands.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import threading
import time
from pathlib import Path

from django.conf import settings

from . import content

ENGINE_DIR = Path(__file__).resolve().parent.parent / "fqm"


class EngineError(RuntimeError):
    """The reference engine could not answer."""


class EngineUnavailable(EngineError):
    """Node or the engine's node_modules are missing (run `make engine`)."""


class EngineTimeout(EngineError):
    pass


class EngineCrashed(EngineError):
    pass


def node_binary() -> str:
    node = getattr(settings, "ECQM_NODE", "") or shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise EngineUnavailable("Node.js is not installed (apt-get install nodejs npm)")
    if not (ENGINE_DIR / "node_modules" / "fqm-execution").is_dir():
        raise EngineUnavailable(f"fqm-execution is not installed: run `npm ci` in {ENGINE_DIR}")
    return node


class ReferenceEngine:
    def __init__(self, *, batch_timeout: float | None = None) -> None:
        self.batch_timeout = batch_timeout or getattr(settings, "ECQM_BATCH_TIMEOUT", 300)
        self.proc: subprocess.Popen | None = None
        self.loaded: set[str] = set()
        self._buffer = b""
        self._next_id = 0
        self.restarts = 0

    # --- process lifecycle --------------------------------------------------------------
    def start(self) -> None:
        memory = getattr(settings, "ECQM_NODE_MAX_OLD_SPACE_MB", 4096)
        self.proc = subprocess.Popen(
            [node_binary(), f"--max-old-space-size={memory}", str(ENGINE_DIR / "server.js")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ENGINE_DIR,
        )
        self.loaded = set()
        self._buffer = b""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # --- protocol ------------------------------------------------------------------------
    def _request(self, payload: dict, timeout: float) -> dict:
        if not self.alive:
            self.start()
        self._next_id += 1
        payload = {"id": self._next_id, **payload}
        line = json.dumps(payload, separators=(",", ":")).encode() + b"\n"
        try:
            self._write(line, timeout)
            answer = self._read_line(timeout)
        except EngineTimeout:
            self.stop()
            raise
        except (BrokenPipeError, EngineCrashed) as exc:
            self.stop()
            raise EngineCrashed(str(exc) or "the engine process exited") from exc
        data = json.loads(answer)
        if data.get("id") != payload["id"]:
            self.stop()
            raise EngineCrashed("answer out of order")
        return data

    def _write(self, line: bytes, timeout: float) -> None:
        # A writer thread: a huge request must not block forever on a stuck process.
        error: list[BaseException] = []

        def write() -> None:
            try:
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
            except BaseException as exc:  # reported to the caller below
                error.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout)
        if writer.is_alive():
            raise EngineTimeout(f"the engine did not read a request within {timeout:.0f}s")
        if error:
            raise EngineCrashed(str(error[0]))

    def _read_line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EngineTimeout(f"no answer from the engine within {timeout:.0f}s")
                if not selector.select(left):
                    continue
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise EngineCrashed("the engine process exited")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def ping(self, timeout: float = 60) -> dict:
        return self._request({"op": "ping"}, timeout)

    def ensure_measure(self, cms_id: str, year: int) -> str:
        key = f"{cms_id.upper()}/{year}"
        if key not in self.loaded or not self.alive:
            if not self.alive:
                self.start()
            answer = self._request(
                {"op": "load", "key": key, "bundle": content.bundle(cms_id, year)},
                self.batch_timeout,
            )
            if not answer.get("ok"):
                raise EngineError(answer.get("error", "load failed"))
            self.loaded.add(key)
        return key

    def calculate(
        self, cms_id: str, year: int, patients: list[dict], *, statements: list[str] = ()
    ) -> list[dict]:
        """Population counts per patient and group: [{"patient": id, "groups": [...]}],
        plus {"statements": {"Library.Name": value}} for the `statements` named.
        Restarts once after a crash; a timeout is not retried (the batch hangs again)."""
        for attempt in (1, 2):
            try:
                key = self.ensure_measure(cms_id, year)
                answer = self._request(
                    {
                        "op": "calculate",
                        "key": key,
                        "start": f"{year}-01-01",
                        "end": f"{year}-12-31",
                        "patients": patients,
                        "statements": list(statements),
                    },
                    self.batch_timeout,
                )
            except EngineCrashed:
                self.restarts += 1
                if attempt == 2:
                    raise
                continue
            if answer.get("ok"):
                return answer["results"]
            if answer.get("unloaded") and attempt == 1:
                self.loaded.discard(f"{cms_id.upper()}/{year}")
                continue
            raise EngineError(answer.get("error", "calculation failed"))
        raise EngineError("unreachable")


_engine: ReferenceEngine | None = None
_engine_pid: int | None = None


def engine() -> ReferenceEngine:
    """This worker process's engine (a forked worker gets its own)."""
    global _engine, _engine_pid
    if _engine is None or _engine_pid != os.getpid():
        _engine, _engine_pid = ReferenceEngine(), os.getpid()
    return _engine
