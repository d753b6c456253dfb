"""orders/, payments/ (+ reverse), receivables/ (API.md) over the same services."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.models import VehicleModel
from apps.customers.api import NoDeleteMixin, ScopedFieldsMixin, _store_users, _stores
from apps.customers.models import Customer, Opportunity
from apps.org.api_base import ScopedReadOnlyViewSet, ScopedViewSet
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.org.scoping import visible
from apps.stock.api import CarSerializer, CarViewSet
from apps.stock.models import Car

from . import selectors, services
from .models import Allocation, Order, OrderStatus, Payment, Receivable


class InstalmentSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class OrderReceivableSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Receivable
        fields = ["id", "due_date", "amount", "paid", "balance", "cancelled"]


class OrderSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    instalments = InstalmentSerializer(many=True, write_only=True, required=False)
    gross_profit = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    receivables = OrderReceivableSerializer(many=True, read_only=True)
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none(), required=False)
    consultant = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False)
    credit_override = serializers.BooleanField(required=False, default=False)
    cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    car = serializers.PrimaryKeyRelatedField(queryset=Car.objects.none(), required=False, allow_null=True)

    scoped_fields = {
        "car": lambda u: visible(Car.objects.all(), u),
        "store": _stores,
        "customer": lambda u: visible(Customer.objects.all(), u),
        "consultant": _store_users,
        "opportunity": lambda u: visible(Opportunity.objects.all(), u),
        "vehicle_model": lambda u: VehicleModel.objects.all(),
    }

    class Meta:
        model = Order
        fields = [
            "id",
            "store",
            "customer",
            "consultant",
            "vehicle_model",
            "opportunity",
            "order_date",
            "amount",
            "discount",
            "cost",
            "settlement",
            "instalments",
            "delivered_on",
            "vin",
            "car",
            "awaiting_car",
            "cost_is_estimate",
            "status",
            "cancel_reason",
            "credit_override",
            "credit_override_reason",
            "gross_profit",
            "receivables",
            "created_at",
        ]
        read_only_fields = ["status", "created_at", "cost_is_estimate"]
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Order:
        user = self.context["request"].user
        customer = validated["customer"]
        store = validated.pop("store", None) or customer.store
        consultant = validated.pop("consultant", None)
        if user.role == Role.CONSULTANT:
            if consultant is not None and consultant != user:
                raise serializers.ValidationError({"consultant": [_("A consultant books his own orders.")]})
            consultant = user
        consultant = consultant or customer.owner
        if consultant is None:
            raise serializers.ValidationError({"consultant": [_("Choose the consultant.")]})
        override = validated.pop("credit_override", False)
        reason = validated.pop("credit_override_reason", "")
        if override and not reason:
            raise serializers.ValidationError(
                {"credit_override_reason": [_("Say why the credit limit is overridden.")]}
            )
        validated.pop("cancel_reason", None)
        instalments = validated.pop("instalments", None)
        return services.order_create(
            by=user,
            store=store,
            consultant=consultant,
            instalments=[dict(i) for i in instalments] if instalments else None,
            credit_override_reason=reason if override else "",
            **validated,
        )

    def update(self, instance: Order, validated: dict[str, Any]) -> Order:
        """Only two changes after booking: a delivery (date and VIN) or a cancellation."""
        user = self.context["request"].user
        delivered_on = validated.pop("delivered_on", None)
        vin = validated.pop("vin", None)
        cancel_reason = validated.pop("cancel_reason", None)
        validated.pop("credit_override", None)
        if validated.get("cost") is None:
            validated.pop("cost", None)
        changed = [k for k, v in validated.items() if getattr(instance, k, None) != v]
        if changed:
            raise serializers.ValidationError(
                {changed[0]: [_("A booked order cannot be changed: cancel it and book a new one.")]}
            )
        # `status` is read-only on the serializer, so read the request itself: a PATCH
        # status=cancelled cancels (with a reason) or is refused, never silently ignored.
        wanted = self.initial_data.get("status") if isinstance(self.initial_data, dict) else None
        if wanted not in (None, "", instance.status):
            if wanted == OrderStatus.DELIVERED and (delivered_on or vin):
                pass  # a delivery: checked below
            elif wanted != OrderStatus.CANCELLED:
                message = _("Only a cancellation changes the status here; deliver with a date and a VIN.")
                raise serializers.ValidationError({"status": [message]})
            elif not (cancel_reason or "").strip():
                raise serializers.ValidationError({"cancel_reason": [_("Say why the order is cancelled.")]})
        if cancel_reason:
            return services.order_cancel(order=instance, reason=cancel_reason, by=user)
        if delivered_on or vin:
            if not (delivered_on and (vin or instance.car_id)):
                field = "vin" if delivered_on else "delivered_on"
                raise serializers.ValidationError({field: [_("A delivery needs both a date and a VIN.")]})
            return services.order_deliver(order=instance, delivered_on=delivered_on, vin=vin, by=user)
        return instance


class DeliverSerializer(serializers.Serializer):
    delivered_on = serializers.DateField()
    vin = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class OrderViewSet(NoDeleteMixin, ScopedViewSet):
    queryset = Order.objects.select_related("customer", "consultant", "vehicle_model").prefetch_related(
        "receivables"
    )
    serializer_class = OrderSerializer
    read_roles = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
    write_roles = (Role.MANAGER, Role.CONSULTANT)
    filterset_fields = [
        "store",
        "customer",
        "consultant",
        "vehicle_model",
        "status",
        "settlement",
        "order_date",
    ]
    ordering_fields = ["id", "order_date", "amount"]

    def _fresh(self, order: Order) -> Order:
        return self.get_queryset().get(pk=order.pk)

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self._fresh(serializer.instance)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self._fresh(serializer.instance)

    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        data = DeliverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_deliver(order=order, by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(self.get_serializer(self._fresh(order)).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_cancel(order=order, reason=data.validated_data["reason"], by=request.user)  # type: ignore[arg-type]
        return Response(self.get_serializer(self._fresh(order)).data)


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = ["receivable", "amount"]


class PaymentSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)
    scoped_fields = {"customer": lambda u: visible(Customer.objects.all(), u)}

    class Meta:
        model = Payment
        fields = [
            "id",
            "customer",
            "amount",
            "received_on",
            "method",
            "note",
            "allocations",
            "reverses",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["reverses", "recorded_by", "recorded_at"]

    def create(self, validated: dict[str, Any]) -> Payment:
        return services.payment_record(recorded_by=self.context["request"].user, **validated)


class PaymentViewSet(NoDeleteMixin, ScopedViewSet):
    """Payments are never edited or deleted: a mistake is reversed (POST …/reverse/)."""

    queryset = Payment.objects.select_related("customer").prefetch_related("allocations")
    serializer_class = PaymentSerializer
    read_roles = (Role.MANAGER, Role.FINANCE, Role.CONSULTANT)
    write_roles = (Role.MANAGER, Role.FINANCE)
    filterset_fields = ["customer", "method", "received_on", "reverses"]
    ordering_fields = ["id", "received_on", "amount"]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object()
        raise MethodNotAllowed(request.method or "")

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        payment = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counter = services.payment_reverse(
            payment=payment,
            reason=data.validated_data["reason"],
            by=request.user,  # type: ignore[arg-type]
        )
        fresh = self.get_queryset().get(pk=counter.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class ReceivableSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    days_overdue = serializers.SerializerMethodField()
    bucket = serializers.SerializerMethodField()

    class Meta:
        model = Receivable
        fields = [
            "id",
            "order",
            "customer",
            "responsible",
            "due_date",
            "amount",
            "paid",
            "balance",
            "days_overdue",
            "bucket",
            "cancelled",
        ]

    def get_days_overdue(self, obj: Receivable) -> int:
        return selectors.days_overdue(obj)

    def get_bucket(self, obj: Receivable) -> str:
        return selectors.bucket_of(selectors.days_overdue(obj))


class ReceivableFilter(filters.FilterSet):
    bucket = filters.ChoiceFilter(choices=[(b, b) for b in selectors.BUCKETS], method="by_bucket")
    open = filters.BooleanFilter(method="by_open")

    class Meta:
        model = Receivable
        fields = ["order", "customer", "responsible", "due_date", "cancelled"]

    def by_bucket(self, qs: QuerySet[Receivable], name: str, value: str) -> QuerySet[Receivable]:
        return qs.filter(selectors.bucket_q(value))

    def by_open(self, qs: QuerySet[Receivable], name: str, value: bool) -> QuerySet[Receivable]:
        is_open = qs.filter(cancelled=False, paid__lt=F("amount"))
        return is_open if value else qs.exclude(pk__in=is_open.values("pk"))


class ReceivableViewSet(ScopedReadOnlyViewSet):
    queryset = Receivable.objects.all()
    serializer_class = ReceivableSerializer
    read_roles = (Role.MANAGER, Role.FINANCE, Role.CONSULTANT)
    filterset_class = ReceivableFilter
    ordering_fields = ["id", "due_date", "amount"]


class ReserveSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = visible(Order.objects.all(), self.context["request"].user)  # type: ignore[attr-defined]


class StockViewSet(CarViewSet):
    """stock/ with its one sales action: POST stock/{id}/reserve/ {order} reserves the
    car for an open order (409 when another order has it). Declared here because the
    reservation is an order's write and stock never imports sales."""

    def get_permissions(self) -> Any:
        if self.action == "reserve":  # consultants reserve for their own orders
            self.write_roles = (Role.MANAGER, Role.CONSULTANT)
        return super().get_permissions()

    @action(detail=True, methods=["post"], serializer_class=ReserveSerializer)
    def reserve(self, request: Request, pk: str | None = None) -> Response:
        car = self.get_object()
        data = ReserveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        order = data.validated_data["order"]
        if not request.user.has_role(Role.MANAGER) and order.consultant_id != request.user.pk:  # type: ignore[union-attr]
            raise serializers.ValidationError(
                {"order": [_("A consultant reserves cars for his own orders.")]}
            )
        try:
            services.order_reserve_car(order=order, car=car, by=request.user)  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            if "car" in getattr(exc, "message_dict", {}):
                return Response({"detail": exc.message_dict["car"][0]}, status=status.HTTP_409_CONFLICT)
            raise
        return Response(CarSerializer(self.get_queryset().get(pk=car.pk), context={"request": request}).data)
