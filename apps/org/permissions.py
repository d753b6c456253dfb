"""Role checks for pages and the API. Scoping (which records) is in scoping.py."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission


def role_required(*roles: str) -> Callable[..., Any]:
    """A page for these roles (an admin may use every page); 403 for the others."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RolePermission(BasePermission):
    """Reads for `read_roles` (None: every signed-in user), writes for `write_roles`.

    The view sets `read_roles` / `write_roles`; an admin passes both.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_admin:
            return True
        if request.method in SAFE_METHODS:
            roles = getattr(view, "read_roles", None)
        else:
            roles = getattr(view, "write_roles", ())
        return roles is None or user.role in roles
