"""What every API endpoint shares: pagination, error format, scoped viewsets."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import RolePermission
from .scoping import visible


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
    return drf_exception_handler(exc, context)


class ScopedViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset always goes through `visible()`."""

    permission_classes = [RolePermission]
    read_roles: tuple[str, ...] | None = None
    write_roles: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermission]
    read_roles: tuple[str, ...] | None = None

    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)
