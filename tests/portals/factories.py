"""factory_boy factories for the hub's models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from portals.models import AccessIssue, CoveredPayer, PayerPortal, PortalTask, Unpostable
from tests.factories import ModelFactory, PracticeFactory

BASE = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)


class PayerPortalFactory(ModelFactory):
    class Meta:
        model = PayerPortal
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"portal-{n}")
    name = factory.Sequence(lambda n: f"Portal {n:03d}")
    url = factory.LazyAttribute(lambda o: f"https://{o.key}.example.test")


class CoveredPayerFactory(ModelFactory):
    class Meta:
        model = CoveredPayer

    portal = factory.SubFactory(PayerPortalFactory)
    name = factory.Sequence(lambda n: f"Payer {n}")
    irc = "Commercial"


class AccessIssueFactory(ModelFactory):
    class Meta:
        model = AccessIssue

    practice = factory.SubFactory(PracticeFactory)
    portal = factory.SubFactory(PayerPortalFactory)
    external_id = factory.Sequence(lambda n: f"ISSUE-{n}")
    summary = factory.Sequence(lambda n: f"Login failed {n}")
    blocks = "claims"
    impact = "Claims wait."
    label = "needs_your_attention"
    reported_at = factory.Sequence(lambda n: BASE + dt.timedelta(hours=n))


class PortalTaskFactory(ModelFactory):
    class Meta:
        model = PortalTask
        skip_postgeneration_save = True

    issue = factory.SubFactory(AccessIssueFactory)
    practice = factory.SelfAttribute("issue.practice")
    portal = factory.SelfAttribute("issue.portal")
    number = factory.Sequence(lambda n: f"{70000 + n}")
    kind = "claims_enrollment"
    description = "Set a new password."
    status = "practice"
    account_type = "practice"
    account_username = "billing.user"
    account_password = "Factory-Secret-1"
    opened_at = factory.Sequence(lambda n: BASE + dt.timedelta(hours=n))

    @factory.post_generation
    def medical_groups(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.medical_groups.set(extracted)


class UnpostableFactory(ModelFactory):
    class Meta:
        model = Unpostable

    task = factory.SubFactory(PortalTaskFactory, kind="unpostables")
    practice = factory.SelfAttribute("task.practice")
    number = factory.Sequence(lambda n: f"U{n}")
    deposit_kind = "check"
    blocked = True
    amount = Decimal("100.00")
