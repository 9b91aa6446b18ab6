"""The eligibility jobs' runs move to the one job runner (jobs.JobRun): rows are copied
with their ids, so snapshots keep pointing at the run that fetched them."""

from django.db import migrations, models
import django.db.models.deletion


def copy_runs(apps, schema_editor):
    EligibilityRun = apps.get_model("eligibility", "EligibilityRun")
    JobRun = apps.get_model("jobs", "JobRun")
    rows = [
        JobRun(
            id=run.id,
            job=run.kind,
            practice_id=run.practice_id,
            year=run.year,
            lock_key=f"{run.kind}:{run.practice_id}:{run.year}:",
            state=run.status,
            trigger=run.trigger,
            started_at=run.started_at,
            heartbeat_at=run.heartbeat_at,
            finished_at=run.finished_at,
            resumed_from_id=run.resumed_from_id,
            counts=run.counts,
            errors=run.errors,
            detail=run.detail,
        )
        for run in EligibilityRun.objects.order_by("id")
    ]
    # resumed_from points at earlier rows: insert without it, then set it.
    links = {r.id: r.resumed_from_id for r in rows if r.resumed_from_id}
    for r in rows:
        r.resumed_from_id = None
    JobRun.objects.bulk_create(rows)
    for pk, prior in links.items():
        JobRun.objects.filter(pk=pk).update(resumed_from_id=prior)
    if rows and schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('jobs_jobrun', 'id'), "
                "(SELECT MAX(id) FROM jobs_jobrun))"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_runs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eligibilitysnapshot",
            name="run",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="jobs.jobrun",
            ),
        ),
        migrations.DeleteModel(name="EligibilityRun"),
    ]
