"""Share a CPU-bound job with a forked child process (a second core).

The score recalculation is Python work (assembling inputs, scoring, the preview document,
its JSON) for tens of thousands of entities: one process uses one core.
``ForkedStream(work)`` forks; the child runs ``work(send)``, and each ``send(obj)`` hands
an object to the parent while both go on: pickled, framed by its length, appended to an
unnamed temporary file in batches, each batch announced by a byte on a pipe. The parent
takes them in order with ``receive()``, reading the file at its own offset (``pread``:
the child's writes share the file's offset), so the child never waits for the parent.
(Not a pipe carrying the data and read by a thread of the parent: that thread gets the
interpreter lock about once per switch interval while the parent computes, and the child
then waits on a full pipe.)

The child never touches the database connection it inherits (``work`` must not query, log
or import: another thread of the parent may have held those locks when it forked) and
leaves with ``os._exit``, so nothing it inherited is closed or flushed. ``receive`` raises
``EOFError`` once the child has ended (done, or died) and everything it sent was taken.
``finish()`` waits for the child's end; ``close()`` ends it if it still runs (the parent
gave up on it); both reap it and give its exit code.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import tempfile
from collections.abc import Callable

_LENGTH = struct.Struct("<I")
_BATCH = 1 << 18  # bytes the child gathers before writing them and telling the parent
NOTHING = object()  # receive(block=False): nothing sent since the last call


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class ForkedStream:
    def __init__(self, work: Callable[[Callable[..., None]], None]):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        ready, announce = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            self._file.close()
            os.close(ready)
            os.close(announce)
            raise
        if self.pid == 0:  # the child
            os.close(ready)
            _run_child(work, self._file.fileno(), announce)  # never returns
        os.close(announce)
        self._ready = ready
        self._offset = 0  # where the parent reads next in the file
        self._pending = bytearray()  # read from the file, not yet taken
        self._ended = False  # the child closed its end of the pipe: all it sent is written
        self.exit_code: int | None = None

    def receive(self, block: bool = True):
        """The next object the child sent; NOTHING when none is there yet and not
        `block`. EOFError when the child ended and sent nothing more."""
        while True:
            found = self._take()
            if found is not NOTHING:
                return found
            if self.exit_code is not None:  # closed: the file is gone
                raise EOFError("the child process was reaped")
            data = os.pread(self._file.fileno(), 1 << 20, self._offset)
            if data:
                self._offset += len(data)
                self._pending += data
                continue
            if self._ended:
                raise EOFError("the child process sent nothing more")
            if not block:
                return NOTHING
            # Wait for the child's next batch (or its end: the pipe closes).
            if not os.read(self._ready, 4096):
                self._ended = True

    def _take(self):
        if len(self._pending) < _LENGTH.size:
            return NOTHING
        (size,) = _LENGTH.unpack_from(self._pending)
        end = _LENGTH.size + size
        if len(self._pending) < end:
            return NOTHING
        found = pickle.loads(memoryview(self._pending)[_LENGTH.size : end])
        del self._pending[:end]
        return found

    def finish(self) -> int:
        """Wait for the child to end; its exit code (see close)."""
        while not self._ended:
            if not os.read(self._ready, 4096):
                self._ended = True
        return self.close()

    def close(self) -> int:
        """End the child if it still runs (the parent gave up on it), reap it; its exit
        code (-N: ended by signal N)."""
        if self.exit_code is None:
            if not self._ended:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            try:
                _, status = os.waitpid(self.pid, 0)
                self.exit_code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # reaped by a SIGCHLD handler (a worker's)
                self.exit_code = 0 if self._ended else -signal.SIGKILL
            os.close(self._ready)
            self._file.close()
        return self.exit_code


def _run_child(work: Callable, fd: int, announce: int) -> None:
    code = 1
    try:
        # The parent drains the pipe only when it waits: a full pipe skips the byte
        # (the parent finds the batch in the file anyway).
        os.set_blocking(announce, False)
        batch = bytearray()

        def flush() -> None:
            view = memoryview(batch)
            while view:
                view = view[os.write(fd, view) :]
            view.release()
            batch.clear()
            with contextlib.suppress(BlockingIOError):
                os.write(announce, b".")

        def send(obj, flush_now: bool = False) -> None:
            data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
            batch.extend(_LENGTH.pack(len(data)))
            batch.extend(data)
            if flush_now or len(batch) >= _BATCH:
                flush()

        work(send)
        flush()
        code = 0
    finally:
        os._exit(code)
