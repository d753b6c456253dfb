"""The customers app's events on a customer's timeline (see apps/org/timeline.py)."""

from typing import Any

from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.org.roles import Role
from apps.org.scoping import visible
from apps.org.timeline import CustomerAction, EventSource, money, user_name

from .models import Customer, Opportunity, OwnershipChange, Source, Stage, StageChange


def _detail(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id])


def _stage_title(a: list[str | None]) -> str:
    stage = dict(Stage.choices).get(a[0] or "", a[0])
    text = _("Opportunity %(model)s: %(stage)s") % {"model": a[1] or "—", "stage": stage}
    return f"{text} ({a[2]})" if a[2] else text


def _ownership_title(a: list[str | None]) -> str:
    return _("Owner %(from)s → %(to)s: %(reason)s") % {
        "from": a[0] or _("Public pool"),
        "to": a[1] or _("Public pool"),
        "reason": a[2] or "",
    }


def _credit_title(a: list[str | None]) -> str:
    return _("Credit limit %(limit)s, rating %(rating)s") % {"limit": money(a[0]), "rating": a[1] or "—"}


def _history(user: Any) -> Any:
    model = Customer.history.model
    before = model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
        "-history_date"
    )
    return model.objects.annotate(
        prev_limit=Subquery(before.values("credit_limit")[:1]),
        prev_rating=Subquery(before.values("credit_rating")[:1]),
    )


SALES_ROLES = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)

SOURCES = [
    EventSource(
        kind="registered",
        icon="person-plus",
        label=gettext_lazy("Registered"),
        rows=lambda user: Customer.objects.all(),
        customer="pk",
        at="created_at",
        args=("source",),
        title=lambda a: (
            _("Registered (source: %(source)s)") % {"source": dict(Source.choices).get(a[0] or "", a[0])}
        ),
        url=lambda pk, a: _detail(pk),
    ),
    EventSource(
        kind="stage",
        icon="kanban",
        label=gettext_lazy("Opportunity stages"),
        rows=lambda user: StageChange.objects.filter(
            opportunity__in=visible(Opportunity.objects.all(), user).values("pk")
        ),
        customer="opportunity__customer_id",
        at="at",
        by="by",
        args=("stage", "opportunity__vehicle_model__name", "opportunity__lost_reason", "opportunity_id"),
        title=_stage_title,
        url=lambda pk, a: reverse("customers:opportunity_edit", args=[a[3]]),
        roles=SALES_ROLES,
    ),
    EventSource(
        kind="ownership",
        icon="person-gear",
        label=gettext_lazy("Ownership"),
        rows=lambda user: OwnershipChange.objects.all(),
        customer="customer_id",
        at="at",
        by="by",
        args=(user_name("from_owner"), user_name("to_owner"), "reason", "customer_id"),
        title=_ownership_title,
        url=lambda pk, a: _detail(int(a[3] or 0)),
    ),
    EventSource(
        kind="credit",
        icon="credit-card",
        label=gettext_lazy("Credit"),
        rows=_history,
        customer="id",
        at="history_date",
        by="history_user",
        object_id="history_id",
        args=("credit_limit", "credit_rating", "id"),
        where=(
            Q(history_type="~", prev_limit__isnull=False)
            & (~Q(credit_limit=F("prev_limit")) | ~Q(credit_rating=F("prev_rating")))
        )
        | Q(history_type="+", credit_limit__gt=0),
        title=_credit_title,
        url=lambda pk, a: _detail(int(a[2] or 0)),
    ),
]

ACTIONS = [
    CustomerAction(
        key="opportunity",
        label=gettext_lazy("New opportunity"),
        icon="plus-lg",
        roles=(Role.MANAGER, Role.CONSULTANT),
        url=lambda pk: reverse("customers:opportunity_create", args=[pk]),
        order=30,
    ),
]
