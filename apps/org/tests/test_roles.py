"""Roles are carried as Django groups with permissions (SPEC Users)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from apps.org import services
from apps.org.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_its_permissions():
    for role in Role.values:
        group = Group.objects.get(name=role)
        assert group.permissions.exists(), role
    manager = Group.objects.get(name=Role.MANAGER)
    assert manager.permissions.filter(codename="change_vehiclemodel").exists()
    consultant = Group.objects.get(name=Role.CONSULTANT)
    assert not consultant.permissions.filter(codename="change_vehiclemodel").exists()
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_changing_a_role_moves_the_user_to_that_group(consultant):
    assert consultant.has_perm("catalog.view_vehiclemodel")
    assert not consultant.has_perm("catalog.change_vehiclemodel")
    services.user_update(user=consultant, role=Role.MANAGER)
    from apps.org.models import User

    fresh = User.objects.get(pk=consultant.pk)  # permission cache is per instance
    assert [g.name for g in fresh.groups.all()] == [Role.MANAGER]
    assert fresh.has_perm("catalog.change_vehiclemodel")


def test_a_refusal_from_another_app_blocks_deactivation(consultant):
    def holds_customers(sender, user, **kwargs):
        return f"{user} still owns 3 customers."

    services.user_deactivating.connect(holds_customers)
    try:
        with pytest.raises(ValidationError) as err:
            services.user_update(user=consultant, is_active=False)
        assert "still owns 3 customers" in str(err.value)
        consultant.refresh_from_db()
        assert consultant.is_active
    finally:
        services.user_deactivating.disconnect(holds_customers)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValidationError):
        services.user_create(username="x", password="p-long-enough-1", role="pilot")
