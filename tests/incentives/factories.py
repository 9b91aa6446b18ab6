"""Builders for P4P tests: a regional program with enrolled TIN/NPIs and eCQM results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enrollment.models import Enrollment, Program
from incentives.models import (
    GapAnalysis,
    P4PProgram,
    PaymentModel,
    Phase,
    ProgramMeasure,
)
from mips.models import EcqmRun, MeasureResult


def regional_program(*, year=2025, region="Ohio", slug="ohio-p4p", code="ohio-p4p", **kw):
    program = Program.objects.create(
        year=year,
        kind="regional",
        code=code,
        name=kw.pop("name", "Ohio Quality P4P"),
        region=region,
    )
    return P4PProgram.objects.create(
        slug=slug, program=program, baseline_year=kw.pop("baseline_year", year - 1), **kw
    )


def measure(p4p, code="BP", cms_id="CMS165", **kw):
    values = {
        "title": "Controlling High Blood Pressure",
        "benchmark_target": Decimal("80"),
        "min_denominator": 10,
    }
    values.update(kw)
    m = ProgramMeasure.objects.create(program=p4p, code=code, cms_id=cms_id, **values)
    GapAnalysis.objects.create(
        measure=m,
        data_source="ecqm",
        data_available=True,
        collection_method="eCQM from the EHR",
        provider_readiness="ready",
        payer_readiness="ready",
    )
    return m


def phases(p4p, year=2025):
    return [
        Phase.objects.create(
            program=p4p,
            kind="reporting",
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 6, 30),
        ),
        Phase.objects.create(
            program=p4p,
            kind="performance",
            starts_on=dt.date(year, 7, 1),
            ends_on=dt.date(year, 12, 31),
        ),
    ]


def payment_model(p4p, **kw):
    values = {
        "annual_pool": Decimal("4000.00"),
        "frequency": "quarterly",
        "algorithm": "improvement_or_benchmark",
        "improvement_target": Decimal("5"),
        "participation_amount": Decimal("100.00"),
    }
    values.update(kw)
    return PaymentModel.objects.create(program=p4p, **values)


def enroll(p4p, tin_npi):
    program = p4p.program
    return Enrollment.objects.create(
        program=program,
        tin_npi=tin_npi,
        medical_group=tin_npi.medical_group,
        source="operator",
        period_start=program.year_start,
        period_end=program.year_end,
    )


def result(tin_npi, *, year, numer, denom, cms_id="CMS165", denex=0, denexcep=0, group=0):
    run = EcqmRun.objects.filter(practice=tin_npi.practice, year=year).first()
    if run is None:
        run = EcqmRun.objects.create(
            practice=tin_npi.practice, year=year, trigger="test", started_at=timezone.now()
        )
    return MeasureResult.objects.create(
        practice=tin_npi.practice,
        run=run,
        year=year,
        cms_id=cms_id,
        mips_id="236",
        group_index=group,
        tin=tin_npi.medical_group.tin,
        npi=tin_npi.provider.npi,
        tin_npi=tin_npi,
        ipp=denom + denex + denexcep,
        denom=denom + denex + denexcep,
        denex=denex,
        denexcep=denexcep,
        numer=numer,
    )
