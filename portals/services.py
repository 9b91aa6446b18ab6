"""Writes of the hub: task responses, password reveals and staff label moves.

Passwords travel as `Secret`s and are never put in history text, audit details or logs;
the functions that hold one are marked sensitive so error reports hide their locals.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from practices.services import record

from .crypto import Secret
from .errors import AccountNotEditable, TaskNotAssigned
from .models import Label, NoteKind, PortalTask, TaskNote, TaskStatus

OPERATOR_TEAM = "our team"


def _author(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "System"


def add_note(
    *, task: PortalTask, kind: str, text: str, user=None, author_name: str = ""
) -> TaskNote:
    """Append one entry to the task's history."""
    return TaskNote.objects.create(
        task=task,
        kind=kind,
        author=user,
        author_name=author_name or _author(user),
        text=text,
        noted_at=timezone.now(),
    )


@sensitive_variables("username", "password")
@transaction.atomic
def submit_response(
    *,
    task: PortalTask,
    user,
    comment: str = "",
    need_assistance: bool = False,
    username: str | None = None,
    password: Secret | None = None,
) -> PortalTask:
    """Save the practice's response and hand the task to our team (label WITH US).

    `username`/`password` are None when the practice did not change them. The issue
    moves to WITH US once none of its tasks is left with the practice.
    """
    task = PortalTask.objects.select_for_update().get(pk=task.pk)
    if not task.assigned_to_practice:
        raise TaskNotAssigned(
            f"Task {task.number} is already {task.get_status_display().lower()}; "
            "there is nothing to submit."
        )
    changed = []
    if username is not None or password is not None:
        if not task.account_editable:
            raise AccountNotEditable(
                "This account is managed by our team: its user name and password cannot be "
                "changed here. Add a comment instead."
            )
        if username is not None and username != task.account_username:
            task.account_username = username
            changed.append("user name")
        if password:
            task.account_password = password
            changed.append("password")
    if changed:
        add_note(
            task=task,
            kind=NoteKind.ACCOUNT_CHANGED,
            user=user,
            text="Changed account " + " and ".join(changed) + ".",
        )
    if comment.strip():
        add_note(task=task, kind=NoteKind.COMMENT, user=user, text=comment.strip())
    if need_assistance and not task.need_assistance:
        add_note(
            task=task,
            kind=NoteKind.ASSISTANCE,
            user=user,
            text=f"Asked {OPERATOR_TEAM} for assistance.",
        )
    task.need_assistance = need_assistance
    task.status = TaskStatus.WITH_US
    task.save()
    add_note(
        task=task,
        kind=NoteKind.SUBMITTED,
        user=user,
        text=f"Response submitted; task handed to {OPERATOR_TEAM}.",
    )
    issue = task.issue
    still_with_practice = issue.tasks.assigned_to_practice().exists()
    if not still_with_practice and issue.label == Label.NEEDS_YOUR_ATTENTION:
        issue.label = Label.WITH_US
        issue.save(update_fields=["label", "updated_at"])
    record(
        practice=task.practice,
        actor=user,
        action="portal_task.submitted",
        obj=task,
        summary=f"Task {task.number} ({task.portal}) submitted to {OPERATOR_TEAM}",
        changed=changed,
        need_assistance=need_assistance,
    )
    return task


@transaction.atomic
def reveal_password(*, task: PortalTask, user, role: str = "") -> Secret | None:
    """Return the task's password for display, recording who (and in which role) looked.
    A password no configured key opens raises DecryptionError before anything is recorded."""
    if task.account_password:
        task.account_password.reveal()
    add_note(task=task, kind=NoteKind.PASSWORD_REVEALED, user=user, text="Password shown.")
    as_role = f" as {role}" if role else ""
    record(
        practice=task.practice,
        actor=user,
        action="portal_task.password_revealed",
        obj=task,
        summary=f"Password of task {task.number} ({task.portal}) shown to {user}{as_role}",
    )
    return task.account_password


@transaction.atomic
def set_password_by_staff(*, task: PortalTask, user, password: Secret) -> None:
    """Operator staff set the account password (admin); recorded in the history."""
    task.account_password = password
    task.save(update_fields=["account_password", "updated_at"])
    add_note(task=task, kind=NoteKind.ACCOUNT_CHANGED, user=user, text="Changed account password.")
    record(
        practice=task.practice,
        actor=user,
        action="portal_task.password_set",
        obj=task,
        summary=f"Password of task {task.number} set by staff",
    )


@transaction.atomic
def move_issues(*, issues, label: str, user) -> int:
    """Staff move access issues to another label; each move is audited."""
    moved = 0
    for issue in issues:
        if issue.label == label:
            continue
        old = issue.get_label_display()
        issue.label = label
        issue.save(update_fields=["label", "updated_at"])
        record(
            practice=issue.practice,
            actor=user,
            action="portal_issue.label_changed",
            obj=issue,
            summary=f"{issue.portal}: {old} -> {issue.get_label_display()}",
        )
        moved += 1
    return moved
