"""Share a CPU-bound loop with a forked child process (a second core).

The score recalculation is Python work (scoring, the preview document, its JSON) for
tens of thousands of entities: one process uses one core. ``ForkedMap(func, items)``
forks; the child runs ``func`` over `items` and writes each result (pickled) to an
unnamed temporary file while the parent does its own share. (Not a pipe read by a thread
of the parent: that thread gets the interpreter lock about once per switch interval while
the parent computes, and the child then waits on a full pipe.) The child never touches the
database connection it inherits (``func`` must not query, log or import: another thread
of the parent may have held those locks when it forked) and leaves with ``os._exit``, so
nothing it inherited is closed or flushed.

``results()`` waits for the child and gives the results in order, each ``(True, value)``
or ``(False, traceback text)`` when ``func`` raised; None when the child did not deliver
them all (it died, or could not pickle a result): the caller then does that share itself.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import traceback
from collections.abc import Callable, Sequence


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class ForkedMap:
    def __init__(self, func: Callable, items: Sequence):
        self.expected = len(items)
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by results()
        try:
            self.pid = os.fork()
        except OSError:
            self._file.close()
            raise
        if self.pid == 0:  # the child
            _run_child(func, items, self._file.fileno())  # never returns

    def results(self) -> list[tuple[bool, object]] | None:
        try:
            _, status = os.waitpid(self.pid, 0)
            exited = os.waitstatus_to_exitcode(status) == 0
        except ChildProcessError:  # reaped by a SIGCHLD handler (a worker's): count them
            exited = True
        found: list[tuple[bool, object]] = []
        with self._file as written:
            written.seek(0)
            while len(found) < self.expected:
                try:
                    found.append(pickle.load(written))
                except Exception:  # the end, or a result cut short (the child died)
                    break
        return found if exited and len(found) == self.expected else None


def _run_child(func: Callable, items: Sequence, fd: int) -> None:
    code = 1
    try:
        with os.fdopen(os.dup(fd), "wb", buffering=1 << 20) as out:
            for item in items:
                try:
                    result = (True, func(item))
                except Exception as exc:  # one bad item must not stop the others
                    result = (False, "".join(traceback.format_exception(exc)))
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)
