"""Request input every endpoint shares: JSON bodies and scoped filters.

Kept apart from api_base.py because REST framework imports these classes from its
settings while its own views module is still loading.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .scoping import visible


class ObjectJSONParser(JSONParser):
    """Every body this API takes is a JSON object; a list or a bare value is a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("The request body must be a JSON object."))
        return data


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter, with every choice of a related record narrowed to the caller's scope.

    Without it a filter such as `?customer=` lists every store's customers in the
    HTML API's filter form, and answers an out-of-scope id differently (200, empty)
    from a missing one (400), which lets ids of other stores be probed.
    """

    def get_filterset(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for field in filterset.form.fields.values():
                choices = getattr(field, "queryset", None)
                if choices is not None and hasattr(choices.model, "scope"):
                    field.queryset = visible(choices, request.user)
        return filterset
