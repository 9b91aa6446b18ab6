"""Every job shows in the runs admin (with filters), and the start page shows the last run
of each daily job and its state; clinicians do not see the operations table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import DAILY_JOBS, Job, JobRun, RunState
from jobs.runner import add_error, finish_run, start_run
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _finished(practice, job, state=None, error=None, **kw):
    run = start_run(job=job, practice=practice, year=2026, **kw)
    if error:
        add_error(run, error)
    return finish_run(run, state=state)


def test_the_runs_admin_lists_every_job_with_filters(practice, client):
    for job in Job:
        _finished(practice, job, key=f"{job}:1")
    staff = UserFactory(username="ops@operator.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:jobs_jobrun_changelist")
    page = client.get(url).content.decode()
    for job in Job:
        assert job.label in page
    filtered = client.get(url, {"job__exact": Job.IMPORT_QRDA_BATCH, "state__exact": "succeeded"})
    assert filtered.status_code == 200 and "1 job run" in filtered.content.decode()


def test_the_start_page_shows_the_last_run_of_each_daily_job(
    practice, other_practice, qm_client, clinician_client
):
    _finished(practice, Job.SYNC_QPP_ELIGIBILITY)
    _finished(practice, Job.SYNC_QPP_ELIGIBILITY, error="HTTP 500 for NPI 1234567893")
    _finished(other_practice, Job.AUTO_ENROLL_MIPS)  # another practice's run: not shown
    _finished(None, Job.RECALCULATE_P4P, key="period:1")  # over all practices: shown
    page = qm_client.get(reverse("home")).content.decode()
    table = page.split('id="daily-jobs"')[1].split("</section>")[0]
    assert table.count("<tr>") == len(DAILY_JOBS) + 1
    sync_row = table.split("QPP eligibility sync")[1].split("</tr>")[0]
    assert RunState.PARTIAL.label in sync_row and "HTTP 500 for NPI" in sync_row
    assert "Not run yet" in table.split("MIPS auto-enrollment")[1].split("</tr>")[0]
    assert "Succeeded" in table.split("Regional P4P projections")[1].split("</tr>")[0]
    assert 'id="daily-jobs"' not in clinician_client.get(reverse("home")).content.decode()


def _daily_row(client, label: str) -> str:
    page = client.get(reverse("home")).content.decode()
    return page.split('id="daily-jobs"')[1].split(label)[1].split("</tr>")[0]


def test_the_start_page_shows_the_practice_ecqm_run_not_a_reference_batch(practice, qm_client):
    """The eCQM job's run rows: key "" for the practice and year (the six measures), one
    per reference batch after it (mips/ecqm/tasks.py). The start page shows the practice's
    run, "Partly failed" when a batch of it failed, until a retry of that batch succeeds."""
    label = Job.RECALCULATE_ECQM.label
    start = timezone.now()

    def ecqm_run(minute: int, key: str = "", **kw):
        run = _finished(practice, Job.RECALCULATE_ECQM, key=key, **kw)
        JobRun.objects.filter(pk=run.pk).update(started_at=start + dt.timedelta(minutes=minute))

    ecqm_run(0)
    ecqm_run(1, "reference:CMS131+CMS143")
    row = _daily_row(qm_client, label)
    assert RunState.SUCCEEDED.label in row and "reference-engine" not in row
    ecqm_run(2, "reference:CMS2+CMS69", error="Node crashed")
    row = _daily_row(qm_client, label)
    assert RunState.PARTIAL.label in row and "reference-engine measures" in row
    ecqm_run(3, "reference:CMS2+CMS69")  # the failed batch retried and succeeded
    assert RunState.SUCCEEDED.label in _daily_row(qm_client, label)
    ecqm_run(4, "reference:CMS22", state=RunState.FAILED)
    assert RunState.PARTIAL.label in _daily_row(qm_client, label)
    ecqm_run(5)  # a newer practice run: the older run's failed batch is not its own
    row = _daily_row(qm_client, label)
    assert RunState.SUCCEEDED.label in row and "reference-engine" not in row
