"""Labels, task kinds and statuses of the hub: plain choices the models and querysets
share (the querysets must not import the models)."""

from __future__ import annotations

from django.db import models


class Label(models.TextChoices):
    """Who must act on an access issue; the dashboard lists them in this order."""

    NEEDS_YOUR_ATTENTION = "needs_your_attention", "NEEDS YOUR ATTENTION"
    WITH_US = "with_us", "WITH US"
    WITH_PAYER = "with_payer", "WITH PAYER"


LABEL_ORDER = [Label.NEEDS_YOUR_ATTENTION, Label.WITH_US, Label.WITH_PAYER]


class TaskKind(models.TextChoices):
    CLAIMS_ENROLLMENT = "claims_enrollment", "Claims enrollment"
    UNPOSTABLES = "unpostables", "Unpostables"


class TaskStatus(models.TextChoices):
    PRACTICE = "practice", "Assigned to practice"
    WITH_US = "with_us", "With our team"
    CLOSED = "closed", "Closed"
