"""Filter pieces every app's lists share."""

from typing import Any

import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _descending(label: Any) -> str:
    return gettext("%(field)s (descending)") % {"field": label}


descending = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """Sort options translated when the page is drawn: django-filter formats its
    "(descending)" labels when the filter class is defined, i.e. in English for good."""

    def build_choices(self, fields: dict[str, str], labels: dict[str, Any]) -> list[tuple[str, Any]]:
        ascending = [
            (param, labels.get(field, _(param.replace("_", " ").capitalize())))
            for field, param in fields.items()
        ]
        pairs = [((p, label), (f"-{p}", labels.get(f"-{p}", descending(label)))) for p, label in ascending]
        return [choice for pair in pairs for choice in pair]


def visible_stores(request: Any) -> Any:
    """A filter's store choices: the stores the requesting user may see."""
    from apps.org.models import Store
    from apps.org.scoping import visible

    return visible(Store.objects.all(), request.user) if request else Store.objects.none()


class DateFilter(django_filters.DateFilter):
    """A date filter drawn as the browser's date picker (ISO value in every language)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
        super().__init__(*args, **kwargs)


class MonthFilter(django_filters.DateFilter):
    """A filter on a first-of-month date, picked as a month."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        super().__init__(*args, **kwargs)
