"""Receivers of other apps' signals."""

from typing import Any

from django.utils.translation import ngettext

from .models import Customer


def refuse_deactivation_while_owning_customers(sender: Any, user: Any, **kwargs: Any) -> str | None:
    """No customer is left without an owner: transfer them first."""
    count = Customer.objects.filter(owner=user).count()
    if not count:
        return None
    return ngettext(
        "%(name)s still owns %(count)d customer: transfer it first.",
        "%(name)s still owns %(count)d customers: transfer them first.",
        count,
    ) % {"name": str(user), "count": count}
