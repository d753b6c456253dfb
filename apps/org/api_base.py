"""What every API endpoint shares: pagination, error format, scoped viewsets and filters."""

import copy
import inspect
import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import RolePermission
from .scoping import visible

log = logging.getLogger(__name__)

# A record id in a URL is digits; anything else is a 404 before a view runs
# (otherwise `pk="abc"` reaches the ORM and fails with a 500).
ID_PATTERN = "[0-9]{1,18}"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A service's ValidationError becomes 400 {"field": ["message"]} or {"detail": …}."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                ("detail" if field == "__all__" else field): [str(m) for e in errors for m in e]
                for field, errors in exc.error_dict.items()
            }
        else:
            detail = {"detail": " ".join(str(m) for m in exc.messages)}
        exc = serializers.ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        exc = serializers.ValidationError(
            {"detail": _("Other records still use this one; it cannot be deleted.")}
        )
    elif isinstance(exc, DataError | IntegrityError | OverflowError):
        # Last line of defence: a value the forms should have refused reached the
        # database (a check constraint, a number out of the column's range). The
        # service's transaction has rolled back, so nothing is half-saved.
        log.warning("Bad input reached the database: %s", exc)
        exc = serializers.ValidationError({"detail": _("A value is out of the allowed range.")})
    return drf_exception_handler(exc, context)


class AutoSchema(SpectacularAutoSchema):
    """Descriptions from a view's or serializer's own docstring, never a base class's:
    "A viewset whose queryset always goes through visible()" documents nothing."""

    def get_description(self) -> str:  # type: ignore[override]
        action = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        action_doc = getattr(action, "__doc__", None) if action is not None else None
        if action_doc and not getattr(action, "__module__", "").startswith("rest_framework"):
            text = inspect.cleandoc(action_doc)
        else:
            text = inspect.cleandoc(type(self.view).__dict__.get("__doc__") or "")
        return f"{text} {self._roles()}".strip()

    def _roles(self) -> str:
        """Which roles pass RolePermission for this method (the admin role always does)."""
        if RolePermission not in getattr(self.view, "permission_classes", ()):
            return ""
        safe = self.method.upper() in ("GET", "HEAD", "OPTIONS")
        roles = getattr(self.view, "read_roles" if safe else "write_roles", None if safe else ())
        if roles is None:
            return "Roles: every signed-in user."
        return f"Roles: {', '.join(['admin', *[str(r) for r in roles if r != 'admin']])}."

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        own = type(serializer).__dict__.get("__doc__")
        if own:
            schema["description"] = inspect.cleandoc(own)
        else:
            schema.pop("description", None)
        return schema


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by id among those the caller may see (another store's: 400, as
    if it did not exist). The scope is applied when a value is read or the choices are
    listed, not when the serializer is built: a POST that names one customer scopes one
    queryset, not one per related field (issue 13)."""

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        user = getattr(self.context.get("request"), "user", None)
        if qs is None or user is None or not hasattr(qs.model, "scope"):
            return qs
        return visible(qs, user)


class FieldsBuiltOnce:
    """A ModelSerializer builds its fields from the model for every instance (about 1 ms
    for a visit's twenty); they depend on the class alone, so they are built once per
    class and each instance gets a copy, as REST framework copies declared fields. Not
    for a serializer whose get_fields() depends on the request."""

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


class ScopedViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset always goes through `visible()`."""

    permission_classes = [RolePermission]
    read_roles: tuple[str, ...] | None = None
    write_roles: tuple[str, ...] = ()
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermission]
    read_roles: tuple[str, ...] | None = None
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)
