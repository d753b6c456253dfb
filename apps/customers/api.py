"""customers/ and opportunities/ (API.md): the same services and scoping as the pages."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.models import VehicleModel
from apps.org.api_base import ScopedViewSet
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible

from . import selectors, services
from .models import Campaign, Customer, Opportunity, StageChange

READERS = (
    Role.MANAGER,
    Role.CONSULTANT,
    Role.CUSTOMER_SERVICE,
    Role.SERVICE_ADVISOR,
    Role.MARKETING,
    Role.FINANCE,
)


class ScopedFieldsMixin:
    """Related-record choices limited to what the caller may see (others: 'does not exist')."""

    scoped_fields: dict[str, Any] = {}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:  # e.g. the OpenAPI schema generator
            return fields
        for name, queryset_for in self.scoped_fields.items():
            if name in fields and not fields[name].read_only:
                fields[name].queryset = queryset_for(user)
        return fields


def _store_users(user: Any) -> QuerySet[User]:
    return User.objects.filter(stores__in=store_ids(user), is_active=True).distinct()


def _stores(user: Any) -> QuerySet[Store]:
    return Store.objects.filter(pk__in=store_ids(user))


class CustomerSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    overdue = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none(), required=False)

    scoped_fields = {
        "store": _stores,
        "owner": _store_users,
        "campaign": lambda u: Campaign.objects.filter(store__in=store_ids(u)),
    }

    class Meta:
        model = Customer
        fields = [
            "id",
            "store",
            "kind",
            "name",
            "mobile",
            "gender",
            "birthday",
            "occupation",
            "interests",
            "family",
            "address",
            "region",
            "lifestyle",
            "buying_behaviour",
            "source",
            "campaign",
            "owner",
            "grade",
            "status",
            "lost_reason",
            "credit_rating",
            "credit_limit",
            "sms_opt_out",
            "next_follow_up",
            "last_contact_at",
            "outstanding",
            "overdue",
            "created_at",
        ]
        read_only_fields = ["last_contact_at", "created_at"]
        # Uniqueness is the service's (it names the owner of a duplicate mobile).
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Customer:
        user = self.context["request"].user
        store = validated.pop("store", None)
        if store is None:
            stores = list(_stores(user)[:2])
            if len(stores) != 1:
                raise serializers.ValidationError({"store": [_("Choose the store.")]})
            store = stores[0]
        owner = validated.pop("owner", None)
        if user.role == Role.CONSULTANT:
            if owner is not None and owner != user:
                raise serializers.ValidationError(
                    {"owner": [_("A consultant registers customers for himself.")]}
                )
            owner = user
        if (validated.get("credit_limit") or validated.get("credit_rating")) and not user.has_role(
            Role.MANAGER, Role.FINANCE
        ):
            raise serializers.ValidationError(
                {"credit_limit": [_("Only a manager or finance may set credit terms.")]}
            )
        return services.customer_create(store=store, owner=owner, by=user, **validated)

    def update(self, instance: Customer, validated: dict[str, Any]) -> Customer:
        user = self.context["request"].user
        store = validated.pop("store", None)
        if store is not None and store.pk != instance.store_id:
            raise serializers.ValidationError({"store": [_("A customer cannot move to another store.")]})
        if user.role == Role.FINANCE and set(validated) - {"credit_limit", "credit_rating"}:
            raise serializers.ValidationError(
                {
                    sorted(set(validated) - {"credit_limit", "credit_rating"})[0]: [
                        _("Finance may change credit terms only.")
                    ]
                }
            )
        owner = validated.pop("owner", instance.owner)
        if owner != instance.owner:
            if owner is None:
                raise serializers.ValidationError({"owner": [_("Choose the consultant to transfer to.")]})
            try:
                services.customer_transfer(
                    customer=instance, to_owner=owner, by=user, reason=_("Transferred (API)")
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"owner": exc.messages}) from None
        return services.customer_update(customer=instance, by=user, **validated)


class NoDeleteMixin:
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object()  # type: ignore[attr-defined]  # 404 outside the caller's scope
        raise MethodNotAllowed(request.method or "")


class CustomerViewSet(NoDeleteMixin, ScopedViewSet):
    queryset = Customer.objects.select_related("owner", "store")
    serializer_class = CustomerSerializer
    read_roles = READERS
    write_roles = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
    filterset_fields = ["store", "owner", "grade", "status", "source", "kind", "mobile", "campaign"]
    ordering_fields = ["id", "name", "created_at", "next_follow_up", "grade"]

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.with_balances(super().get_queryset())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.user.role == Role.FINANCE:  # type: ignore[union-attr]
            raise MethodNotAllowed(request.method or "")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        # Re-read with the balance annotations for the response.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = selectors.with_balances(Customer.objects.all()).get(pk=serializer.instance.pk)

    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        """Claim a customer from the public pool (the pool is visible to the store's consultants)."""
        customer = (
            Customer.objects.filter(
                pk=pk or 0,
                store__in=store_ids(request.user),  # type: ignore[arg-type]
                owner__isnull=True,
            ).first()
            or self.get_object()
        )
        services.customer_claim(customer=customer, by=request.user)  # type: ignore[arg-type]
        fresh = selectors.with_balances(Customer.objects.all()).get(pk=customer.pk)
        return Response(self.get_serializer(fresh).data)


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["stage", "at", "by"]


class OpportunitySerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    stage_history = StageChangeSerializer(many=True, read_only=True)
    scoped_fields = {
        "customer": lambda u: visible(Customer.objects.all(), u),
        "owner": _store_users,
        "vehicle_model": lambda u: VehicleModel.objects.all(),
    }

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "customer",
            "owner",
            "vehicle_model",
            "stage",
            "expected_close",
            "budget",
            "urgency",
            "purchase_time",
            "purchase_cycle",
            "decision_maker_known",
            "budget_confirmed",
            "lost_reason",
            "score",
            "routed_to",
            "stage_history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["score", "routed_to", "created_at", "updated_at"]

    def validate_customer(self, customer: Customer) -> Customer:
        if self.instance is not None and customer != self.instance.customer:
            raise serializers.ValidationError(_("An opportunity cannot move to another customer."))
        return customer

    def create(self, validated: dict[str, Any]) -> Opportunity:
        user = self.context["request"].user
        customer = validated.pop("customer")
        if user.role == Role.CONSULTANT:
            validated.pop("owner", None)
        return services.opportunity_create(customer=customer, by=user, **validated)

    def update(self, instance: Opportunity, validated: dict[str, Any]) -> Opportunity:
        validated.pop("customer", None)
        return services.opportunity_update(opportunity=instance, by=self.context["request"].user, **validated)


class OpportunityViewSet(NoDeleteMixin, ScopedViewSet):
    queryset = Opportunity.objects.select_related("customer").prefetch_related("stage_history")
    serializer_class = OpportunitySerializer
    read_roles = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)
    write_roles = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)
    filterset_fields = ["customer", "owner", "stage", "routed_to", "vehicle_model"]
    ordering_fields = ["id", "score", "updated_at", "expected_close"]

    @action(detail=False, methods=["get"])
    def funnel(self, request: Request) -> Response:
        """Opportunities that reached each stage and the conversion between stages."""
        steps = selectors.funnel(self.filter_queryset(self.get_queryset()))
        return Response(
            [{"stage": s.stage, "reached": s.reached, "conversion": s.conversion} for s in steps],
            status=status.HTTP_200_OK,
        )
