from typing import Any

import factory

from apps.org import services
from apps.org.models import Region, Store, Team, User
from apps.org.roles import Role


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Region {n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Store {n}")
    code = factory.Sequence(lambda n: f"s{n}")
    region = factory.SubFactory(RegionFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """Users go through the service, so their role group is set as in production."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Faker("name", locale="zh_CN")
    role = Role.CONSULTANT
    password = "pw-for-tests-1"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, stores: Any = (), **kwargs: Any) -> User:
        return services.user_create(stores=stores, **kwargs)
