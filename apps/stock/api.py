"""stock/ (the cars; its reserve action is added by sales), stock-transfers/ and
stock-counts/ (the group's in-stock counts by model and colour, no costs)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.models import VehicleModel
from apps.org.api_base import ScopedViewSet
from apps.org.models import Store
from apps.org.permissions import RolePermission
from apps.org.roles import Role
from apps.org.scoping import store_ids

from . import selectors, services
from .models import Car, CarStatus, Transfer


def _stores(user: Any) -> QuerySet[Store]:
    return Store.objects.filter(pk__in=store_ids(user))


class CarSerializer(serializers.ModelSerializer):
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none(), required=False)
    days_in_stock = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="live_order", read_only=True, allow_null=True, default=None)
    arrived_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=CarStatus.choices, required=False)

    class Meta:
        model = Car
        fields = [
            "id",
            "store",
            "vin",
            "vehicle_model",
            "colour",
            "trim",
            "cost",
            "arrived_on",
            "status",
            "sold_on",
            "days_in_stock",
            "order",
            "note",
        ]
        read_only_fields = ["sold_on"]
        validators: list[Any] = []
        extra_kwargs: dict[str, Any] = {"vin": {"validators": []}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["store"].queryset = _stores(user)  # type: ignore[attr-defined]
        return fields

    def get_days_in_stock(self, car: Car) -> int | None:
        return car.days_in_stock()

    def create(self, validated: dict[str, Any]) -> Car:
        user = self.context["request"].user
        store = validated.pop("store", None) or _stores(user).order_by("pk").first()
        if store is None:
            raise serializers.ValidationError({"store": [_("Choose the store.")]})
        return services.car_receive(store=store, by=user, **validated)

    def update(self, instance: Car, validated: dict[str, Any]) -> Car:
        """Corrections (colour, trim, note, cost), or the arrival of a car in transit."""
        user = self.context["request"].user
        new_status = validated.pop("status", instance.status)
        arrived_on = validated.pop("arrived_on", None)
        for name in ("store", "vin", "vehicle_model"):
            if name in validated and validated.pop(name) != getattr(instance, name):
                raise serializers.ValidationError(
                    {name: [_("This cannot be changed: it is what the car is.")]}
                )
        if new_status != instance.status:
            if not (instance.status == CarStatus.IN_TRANSIT and new_status == CarStatus.IN_STOCK):
                raise serializers.ValidationError(
                    {"status": [_("Reserve through stock/{id}/reserve/, sell by delivering the order.")]}
                )
            instance = services.car_arrive(car=instance, by=user, arrived_on=arrived_on)
        changes = {k: v for k, v in validated.items() if getattr(instance, k) != v}
        if changes:
            instance = services.car_update(car=instance, by=user, **changes)
        return instance


class CountSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    store_name = serializers.CharField(source="store__name")
    vehicle_model = serializers.IntegerField()
    colour = serializers.CharField()
    count = serializers.IntegerField()


class CarViewSet(ScopedViewSet):
    serializer_class = CarSerializer
    queryset = Car.objects.all()
    read_roles: tuple[str, ...] | None = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
    write_roles: tuple[str, ...] = (Role.MANAGER,)
    filterset_fields = ["store", "vehicle_model", "colour", "status", "vin"]
    ordering_fields = ["id", "arrived_on", "cost"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[Car]:
        return selectors.cars_for(self.request.user, timezone.localdate())  # type: ignore[arg-type]

    def _fresh(self, car: Car) -> Car:
        return self.get_queryset().get(pk=car.pk)

    @extend_schema(responses=CountSerializer(many=True))
    @action(detail=False, methods=["get"], serializer_class=CountSerializer, pagination_class=None)
    def counts(self, request: Request) -> Response:
        """stock/counts/: every store's in-stock cars by model and colour, counts only
        (whom to ask for a transfer), never another store's costs or VINs."""
        return Response(CountSerializer(selectors.group_counts(request.user), many=True).data)  # type: ignore[arg-type]

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self._fresh(serializer.instance)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self._fresh(serializer.instance)


class TransferSerializer(serializers.ModelSerializer):
    from_store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all())
    to_store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none(), required=False)
    vehicle_model = serializers.PrimaryKeyRelatedField(queryset=VehicleModel.objects.all())
    vin = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "from_store",
            "to_store",
            "vehicle_model",
            "colour",
            "car",
            "vin",
            "status",
            "note",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reject_reason",
            "arrived_by",
            "arrived_at",
        ]
        read_only_fields = [
            "car",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reject_reason",
            "arrived_by",
            "arrived_at",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["to_store"].queryset = _stores(user)  # type: ignore[attr-defined]
        return fields

    def get_vin(self, transfer: Transfer) -> str | None:
        return transfer.car.vin if transfer.car_id else None  # type: ignore[union-attr]

    def create(self, validated: dict[str, Any]) -> Transfer:
        user = self.context["request"].user
        to_store = validated.pop("to_store", None) or _stores(user).order_by("pk").first()
        if to_store is None:
            raise serializers.ValidationError({"to_store": [_("Choose the store.")]})
        return services.transfer_request(to_store=to_store, by=user, **validated)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """stock-transfers/: request (POST), then …/approve/, …/reject/ {reason},
    …/cancel/ and …/arrive/. Both stores see a transfer."""

    serializer_class = TransferSerializer
    queryset = Transfer.objects.all()
    permission_classes = [RolePermission]
    read_roles = (Role.MANAGER, Role.FINANCE)
    write_roles = (Role.MANAGER,)
    filterset_fields = ["from_store", "to_store", "vehicle_model", "status"]
    ordering_fields = ["id", "requested_at"]

    def get_queryset(self) -> QuerySet[Transfer]:
        return selectors.transfers_for(self.request.user)  # type: ignore[arg-type]

    def _step(self, request: Request, step: Any, **extra: Any) -> Response:
        transfer = self.get_object()
        step(transfer=transfer, by=request.user, **extra)
        fresh = self.get_queryset().get(pk=transfer.pk)
        return Response(TransferSerializer(fresh, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.transfer_approve)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.transfer_reject, reason=str(request.data.get("reason", "")))

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.transfer_cancel)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def arrive(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.transfer_arrive)
