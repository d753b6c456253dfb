"""Receivers of other apps' signals."""

from typing import Any

from django.db.models import F
from django.utils.translation import ngettext

from .models import Receivable


def refuse_deactivation_while_responsible(sender: Any, user: Any, **kwargs: Any) -> str | None:
    """No receivable is ever ownerless (无主应收款)."""
    count = Receivable.objects.filter(responsible=user, cancelled=False, paid__lt=F("amount")).count()
    if not count:
        return None
    return ngettext(
        "%(name)s is responsible for %(count)d open receivable: hand it over first.",
        "%(name)s is responsible for %(count)d open receivables: hand them over first.",
        count,
    ) % {"name": str(user), "count": count}


def allocate_arrived_car(sender: Any, car: Any, by: Any = None, **kwargs: Any) -> None:
    """A car became free in a store (arrival, transfer, cancelled order): 配车 to the
    oldest order waiting for its model, in the same transaction."""
    from .services import allocate_to_waiting_order

    allocate_to_waiting_order(car=car, by=by)


def receivables_follow_customer(
    sender: Any, customer_ids: list[int], to_owner: Any, by: Any, reason: str, **kwargs: Any
) -> None:
    """A transferred customer's open receivables go to his new owner (same transaction)."""
    from .services import receivables_hand_over

    receivables_hand_over(
        receivables=Receivable.objects.filter(customer_id__in=customer_ids),
        to_user=to_owner,
        by=by,
        reason=reason,
    )
