"""API token authentication with an expiry (TOKEN_TTL_DAYS, default 30)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> Any:
    return token.created + timedelta(days=settings.TOKEN_TTL_DAYS)


def token_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """REST framework's token, refused once it is older than TOKEN_TTL_DAYS.

    An expired token is deleted, so the next POST to the token endpoint issues a
    new one; a password change or a deactivation deletes it at once (receivers).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        return user, token
