"""Errors the job runner understands. Other apps subclass TransientError for faults
worth retrying (a service that did not answer), so the runner never imports them."""

from __future__ import annotations


class TransientError(Exception):
    """A fault that may pass: the task is retried with backoff."""


class RunLocked(Exception):
    """Another run of the same job and scope holds the lock."""

    def __init__(self, holder=None) -> None:
        self.holder = holder
        if holder is None:
            text = "another run holds the lock"
        else:
            text = (
                f"run #{holder.pk} ({holder.trigger}, started {holder.started_at:%Y-%m-%d %H:%M}"
                f" UTC, last heartbeat {holder.heartbeat_at:%H:%M:%S}) holds the lock"
            )
        super().__init__(text)


class RunLost(Exception):
    """This run's lock was taken over (it was judged stale): stop without writing more."""
