"""Every list filter that takes a date is drawn as the browser's date (or month) picker."""

import importlib

import django_filters
import pytest
from django import forms
from django.apps import apps as django_apps
from django.test import RequestFactory


def _filtersets() -> list[type[django_filters.FilterSet]]:
    found = []
    for config in django_apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError:
            continue
        found += [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, django_filters.FilterSet)
            and obj.__module__ == module.__name__
        ]
    return found


@pytest.mark.django_db
def test_date_filters_are_date_pickers(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    checked = 0
    for filterset in _filtersets():
        form = filterset(data={}, queryset=filterset._meta.model.objects.none(), request=request).form
        for name, field in form.fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                checked += 1
                assert field.widget.input_type in ("date", "month"), (
                    f"{filterset.__name__}.{name} is a text box"
                )
    assert checked >= 15


@pytest.mark.django_db
def test_a_month_filter_takes_the_month_a_picker_sends(admin_user, client):
    from apps.activities.filters import MonthlySummaryFilter

    request = RequestFactory().get("/")
    request.user = admin_user
    form = MonthlySummaryFilter(data={"month_from": "2026-11"}, queryset=None, request=request).form
    assert form.is_valid(), form.errors
    assert form.cleaned_data["month_from"].isoformat() == "2026-11-01"
