"""Factories shared by every app's tests. Generated people only."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.cases.models import Case
from homecoming.registry.models import Person, Sex

TEST_PASSWORD = "test-password-123"


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    kind = AgencyKind.CHILD_PROTECTION
    country = "TJK"


class UserFactory(DjangoModelFactory[User]):
    """A user; pass ``role=`` and ``agency=`` to give them a membership."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.save()
        if extracted is None:
            return
        agency = kwargs.get("agency") or AgencyFactory()
        Membership.objects.get_or_create(user=self, agency=agency, role=Role(extracted))


def user_with_role(role: Role, agency: Agency, username: str | None = None) -> User:
    user = UserFactory(username=username or f"{role.value}-{agency.code}")
    Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return user


class PersonFactory(DjangoModelFactory[Person]):
    """A person with a primary name (its display name) and its search keys, as the registry's
    services would leave it; ``names=[...]`` adds other spellings. Not audited."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    owner_agency = factory.SubFactory(AgencyFactory)
    display_name = factory.Faker("name")
    sex = factory.Iterator([Sex.FEMALE, Sex.MALE])
    birth_date = None
    birth_date_min = factory.LazyAttribute(lambda o: o.birth_date)
    birth_date_max = factory.LazyAttribute(lambda o: o.birth_date)

    @factory.post_generation
    def names(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            from homecoming.registry.services import person_names_index_unchecked

            person_names_index_unchecked(person=self, aliases=list(extracted or []))


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    owner_agency = factory.LazyAttribute(lambda o: o.person.owner_agency)
