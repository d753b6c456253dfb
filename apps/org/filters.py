"""Filter pieces every app's lists share."""

from typing import Any

import django_filters
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
