"""Whether a practice's dashboard rows are current: a write bumps the practice's counter
inside its own transaction (so a rolled-back write leaves the rows current, and a rebuild
running meanwhile sees the bump only once the write is visible), once per practice and
transaction; a rebuild records the counter it started from."""

from __future__ import annotations

from django.db import connection, transaction

from ..models import DashboardChange, DashboardState


def _noop() -> None:
    """Marks the transaction: Django replaces its list of commit hooks after a commit or
    a rollback, which ends the once-per-transaction memory below."""


def _pending() -> set[int]:
    hooks = connection.run_on_commit
    pending = getattr(connection, "_dashboard_pending", None)
    if pending is None or pending[0] is not hooks:
        transaction.on_commit(_noop)
        pending = (connection.run_on_commit, set())
        connection._dashboard_pending = pending
    return pending[1]


def mark_changed(practice_id: int | None, medical_group_id: int | None = None) -> None:
    """The practice's rows are out of date (when the current transaction commits): those
    of `medical_group_id`'s TIN, or any row when None."""
    if practice_id is None:
        return
    if connection.in_atomic_block:
        pending = _pending()
        if (practice_id, None) in pending or (practice_id, medical_group_id) in pending:
            return
        first = not any(p == practice_id for p, _ in pending)
        pending.add((practice_id, medical_group_id))
    else:
        first = True
    # One bump per practice and transaction; one change row per TIN named in it.
    if first:
        DashboardState.objects.bump(practice_id)
    # Only once a build exists (the first build rebuilds everything anyway).
    table = DashboardChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (practice_id, medical_group_id) SELECT %s, %s WHERE EXISTS "
            f"(SELECT 1 FROM {DashboardState._meta.db_table} WHERE practice_id = %s)",
            [practice_id, medical_group_id, practice_id],
        )


def forget_pending(practice_id: int) -> None:
    """A rebuild in this transaction has seen every write so far: bump again on the next."""
    pending = getattr(connection, "_dashboard_pending", None)
    if pending is not None:
        for key in [k for k in pending[1] if k[0] == practice_id]:
            pending[1].discard(key)
