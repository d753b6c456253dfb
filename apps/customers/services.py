"""Every write to customers and opportunities: one function per use case, atomic."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.org.models import Store, User

from .models import Customer, Opportunity, Stage, StageChange


def _owner_conflict(store: Store, mobile: str, exclude: int | None = None) -> Customer | None:
    qs = Customer.objects.select_related("owner").filter(store=store, mobile=mobile)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


def _refuse_duplicate(existing: Customer) -> None:
    """撞单: the mobile is registered already; say who owns it."""
    owner = existing.owner.name or existing.owner.username if existing.owner else _("the public pool")
    raise ValidationError(
        {
            "mobile": _("This mobile is already registered to %(name)s, owned by %(owner)s.")
            % {"name": existing.name, "owner": owner}
        }
    )


@transaction.atomic
def customer_create(*, store: Store, owner: User | None, **fields: Any) -> Customer:
    """Register a customer file; a mobile already in the store is refused, naming its owner."""
    customer = Customer(store=store, owner=owner, **fields)
    customer.full_clean(validate_unique=False, validate_constraints=False)
    existing = _owner_conflict(store, customer.mobile)
    if existing:
        _refuse_duplicate(existing)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # a concurrent registration of the same mobile won the race
        existing = _owner_conflict(store, customer.mobile)
        if existing:
            _refuse_duplicate(existing)
        raise
    return customer


def customer_touch(*, customer: Customer, at: datetime, next_follow_up: date | None) -> None:
    """Record a contact with the customer (a visit, a call) and the next follow-up date."""
    fields = {"next_follow_up": next_follow_up} if next_follow_up else {}
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=at, **fields)


@transaction.atomic
def opportunity_set_stage(
    *, opportunity: Opportunity, stage: str, by: User | None, lost_reason: str = ""
) -> Opportunity:
    """Move an opportunity to a stage and record the step in its history."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if stage == Stage.LOST and not (lost_reason or opportunity.lost_reason):
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    if stage == opportunity.stage:
        return opportunity
    opportunity.stage = stage
    if lost_reason:
        opportunity.lost_reason = lost_reason
    opportunity.save(update_fields=["stage", "lost_reason", "updated_at"])
    StageChange.objects.create(opportunity=opportunity, stage=stage, by=by)
    return opportunity
