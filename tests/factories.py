"""factory_boy factories for the set-up models; other apps add theirs in tests/<app>/."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from practices.models import (
    MedicalGroup,
    Membership,
    NumberKind,
    Practice,
    Provider,
    ProviderNumber,
    Role,
    TinNpi,
)
from practices.validators import npi_with_check_digit

PASSWORD = "demo-pass-2025"


class ModelFactory(factory.django.DjangoModelFactory):
    """Building test data is fixture set-up: it may touch any practice's rows, so scopes
    are off while a factory runs (and only then; see tests/conftest.py)."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        with scopes_disabled():
            return super()._generate(strategy, params)


class PracticeFactory(ModelFactory):
    class Meta:
        model = Practice
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    region = "Ohio"


class UserFactory(ModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.SelfAttribute("username")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


class MembershipFactory(ModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = Role.QUALITY_MANAGER


class MedicalGroupFactory(ModelFactory):
    class Meta:
        model = MedicalGroup

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    # 12- prefix is an assigned EIN campus code; the sequence keeps TINs unique.
    tin = factory.Sequence(lambda n: f"12{n + 1000000:07d}")
    tin_kind = "EIN"
    address_line1 = factory.Sequence(lambda n: f"{n + 1} Main Street")
    city = "Columbus"
    state = "OH"
    zip_code = "43215"


class ProviderFactory(ModelFactory):
    """A provider with a valid NPI (pass npi="" for one without)."""

    class Meta:
        model = Provider
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    credentials = "MD"
    specialty = "Family Medicine"
    can_create_encounters = True

    @factory.post_generation
    def npi(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if not create or extracted == "":
            return
        value = extracted or npi_with_check_digit(f"1{obj.pk:08d}")
        ProviderNumber.objects.create(
            practice=obj.practice, provider=obj, kind=NumberKind.NPI, value=value
        )
        obj.npi = value


class TinNpiFactory(ModelFactory):
    class Meta:
        model = TinNpi

    practice = factory.SelfAttribute("provider.practice")
    provider = factory.SubFactory(ProviderFactory)
    medical_group = factory.SubFactory(
        MedicalGroupFactory, practice=factory.SelfAttribute("..provider.practice")
    )
