"""The daily MIPS score preview as a job (recalculation.py does the work): one run row
and lock per practice and year, for the whole practice or some of its TINs."""

from __future__ import annotations

from jobs.models import Job, JobRun, RunState
from jobs.runner import add_error, finish_run, job_run
from practices.models import Practice
from practices.performance_year import supported_year

from .recalculation import recalculate_practice
from .scoring import RULES
from .subgroups import recalculate_subgroups


def recalculate_scores_job(
    practice: Practice,
    year: int | None = None,
    *,
    medical_group_ids: list[int] | None = None,
    trigger: str = "command",
    **run_options,
) -> JobRun:
    """Score every enrolled TIN/NPI, group and MVP subgroup of `practice` (or of some TINs);
    the run is "partial" when some entities could not be scored. Raises RunLocked while another
    recalculation of the practice and year runs."""
    year = supported_year(year, RULES)
    with job_run(
        job=Job.RECALCULATE_SCORES, practice=practice, year=year, trigger=trigger, **run_options
    ) as run:
        stats = recalculate_practice(practice, year, medical_group_ids=medical_group_ids)
        run.counts.update({k: v for k, v in stats.as_dict().items() if k != "seconds"})
        # MVP subgroups are scored over their clinicians' data (mips.subgroups).
        sub = recalculate_subgroups(practice, year, medical_group_ids=medical_group_ids)
        run.counts.update(sub)
        run.detail = {"seconds": stats.seconds, "medical_groups": medical_group_ids or "all"}
        if sub["subgroups_failed"]:
            add_error(
                run,
                f"{sub['subgroups_failed']} of {sub['subgroups']} subgroups could not be scored",
            )
        if stats.failed:
            add_error(run, f"{stats.failed} of {stats.entities} entities could not be scored")
            finish_run(run, state=RunState.PARTIAL if stats.failed < stats.entities else "failed")
    return run
