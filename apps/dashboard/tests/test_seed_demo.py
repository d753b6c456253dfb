import pytest
from django.apps import apps
from django.core.management import call_command

from apps.customers.counts import counts_check
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.sales.services import first_orders_check

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label
        in ("org", "catalog", "customers", "sales", "activities", "plans", "scoring", "aftersales")
    }


def test_seed_demo_builds_the_group_and_running_it_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = counts()
    assert Store.objects.count() == 2
    assert User.objects.filter(role=Role.CONSULTANT).count() == 12
    assert User.objects.filter(role=Role.MANAGER).count() == 2
    assert first["catalog.VehicleModel"] >= 15
    assert "sales_bj01" in capsys.readouterr().out
    # What the services keep beside the records agrees with them, though the demo moved
    # registrations into the past behind the services.
    assert counts_check().ok and first_orders_check() == []
    assert first["customers.CustomerSpan"] > 0
    call_command("seed_demo")
    assert counts() == first


def test_seed_demo_refuses_a_production_database_with_debug_off(settings, monkeypatch):
    """Its logins share the README's password; an admin among them must not appear in production."""
    from django.core.management.base import CommandError
    from django.db import connection

    settings.DEBUG = False
    monkeypatch.setitem(connection.settings_dict, "NAME", "dealersales")
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()
