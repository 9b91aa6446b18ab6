"""Share a CPU-bound loop with a forked child process (a second core).

The score recalculation is Python work (scoring, the preview document, its JSON) for
tens of thousands of entities: one process uses one core. ``ForkedMap(func, items)``
forks; the child runs ``func`` over `items` and sends each result back through a pipe
(pickled, as it goes, read by a thread of the parent), while the parent does its own
share. The child never touches the database connection it inherits (``func`` must not
query, log or import: another thread of the parent may have held those locks when it
forked) and leaves with ``os._exit``, so nothing it inherited is closed or flushed.

``results()`` waits and gives the results in order, each ``(True, value)`` or ``(False,
traceback text)`` when ``func`` raised; None when the child did not deliver them all (it
died, or could not pickle a result): the caller then does that share itself.
"""

from __future__ import annotations

import os
import pickle
import threading
import traceback
from collections.abc import Callable, Sequence


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class ForkedMap:
    def __init__(self, func: Callable, items: Sequence):
        self.expected = len(items)
        self._results: list[tuple[bool, object]] = []
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(read)
            _run_child(func, items, write)  # never returns
        os.close(write)
        self._reader = threading.Thread(target=self._read, args=(read,), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as pipe:
            while True:
                try:
                    self._results.append(pickle.load(pipe))
                except EOFError:
                    return
                except Exception:  # a truncated stream (the child died mid-result)
                    return

    def results(self) -> list[tuple[bool, object]] | None:
        self._reader.join()
        try:
            _, status = os.waitpid(self.pid, 0)
            exited = os.waitstatus_to_exitcode(status) == 0
        except ChildProcessError:  # reaped by a SIGCHLD handler (a worker's): count them
            exited = True
        if not exited or len(self._results) != self.expected:
            return None
        return self._results


def _run_child(func: Callable, items: Sequence, fd: int) -> None:
    code = 1
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as pipe:
            for item in items:
                try:
                    result = (True, func(item))
                except Exception as exc:  # one bad item must not stop the others
                    result = (False, "".join(traceback.format_exception(exc)))
                pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)
