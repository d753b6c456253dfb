"""The after-sales API (API.md): vehicles, service visits, follow-ups with claim and
complete, complaints; follow-up-rules/ and the message log messages/ (ro). Writes go
through the same services as the pages."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.org.api_base import ScopedReadOnlyViewSet, ScopedViewSet
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible
from apps.sales.services import vin_validate

from . import services
from .models import (
    Category,
    Complaint,
    ComplaintStatus,
    Department,
    FollowUp,
    FollowUpRule,
    Message,
    Outcome,
    ServiceVisit,
    Severity,
    Vehicle,
)

CS = (Role.CUSTOMER_SERVICE, Role.MANAGER)
WORKSHOP = (Role.SERVICE_ADVISOR, Role.MANAGER)


class ScopedRelations(serializers.ModelSerializer):
    """Related-record fields accept only records the caller may see."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        user = self.context["request"].user if "request" in self.context else None
        for field in fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and user is not None:
                field.queryset = visible(qs, user)  # type: ignore[attr-defined]
        return fields


class VehicleSerializer(ScopedRelations):
    class Meta:
        model = Vehicle
        fields = [
            "id",
            "vin",
            "customer",
            "vehicle_model",
            "plate",
            "delivered_on",
            "last_mileage",
            "daily_km",
            "next_service_due",
            "next_service_km",
            "store",
        ]
        read_only_fields = ["daily_km", "next_service_due", "next_service_km", "store"]

    def validate_vin(self, value: str) -> str:
        return vin_validate(value) if value else value

    def create(self, validated: dict[str, Any]) -> Vehicle:
        return services.vehicle_create(**validated)

    def update(self, instance: Vehicle, validated: dict[str, Any]) -> Vehicle:
        return services.vehicle_update(vehicle=instance, **validated)


class VehicleViewSet(ScopedViewSet):
    queryset = Vehicle.objects.all()
    serializer_class = VehicleSerializer
    read_roles = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR, Role.CONSULTANT)
    write_roles = WORKSHOP
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["customer", "vehicle_model", "vin", "plate", "delivered_on"]
    ordering_fields = ["delivered_on", "next_service_due", "id"]


class ServiceVisitSerializer(ScopedRelations):
    advisor: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ServiceVisit
        fields = ["id", "vehicle", "date", "mileage", "kind", "advisor", "amount"]

    def create(self, validated: dict[str, Any]) -> ServiceVisit:
        return services.service_visit_record(advisor=self.context["request"].user, **validated)


class ServiceVisitViewSet(ScopedViewSet):
    """Visits are readings the prediction rests on: recorded, never edited."""

    queryset = ServiceVisit.objects.all()
    serializer_class = ServiceVisitSerializer
    read_roles = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR, Role.CONSULTANT)
    write_roles = WORKSHOP
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["vehicle", "kind", "date", "advisor"]
    ordering_fields = ["date", "id"]


class FollowUpSerializer(serializers.ModelSerializer):
    call_on = serializers.DateField(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "vehicle",
            "customer",
            "rule",
            "due_date",
            "channel",
            "status",
            "assignee",
            "attempts",
            "outcome",
            "satisfaction",
            "mileage",
            "booking_made",
            "next_attempt_on",
            "call_on",
            "priority",
            "note",
            "completed_at",
        ]
        read_only_fields = fields


class ComplaintInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    # Left out: the store's routing for the category decides (else the service workshop).
    department = serializers.ChoiceField(choices=Department.choices, required=False)
    description = serializers.CharField()


class CompleteInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    mileage = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    booking_made = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    complaint = ComplaintInput(required=False, allow_null=True)


class FollowUpViewSet(ScopedViewSet):
    """The callback queue. Tasks are made by the daily job; agents claim and complete."""

    queryset = FollowUp.objects.all()
    serializer_class = FollowUpSerializer
    read_roles = CS
    write_roles = CS
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "rule", "channel", "assignee", "due_date", "vehicle", "customer"]
    ordering_fields = ["due_date", "priority", "id"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(
            {"detail": _("Follow-ups are made by the daily job, not by hand.")},
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
        )

    @extend_schema(request=None, responses={200: FollowUpSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: Any = None) -> Response:
        task = self.get_object()
        try:
            task = services.followup_claim(followup=task, user=request.user)  # type: ignore[arg-type]
        except services.FollowUpTaken as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(FollowUpSerializer(task).data)

    @extend_schema(request=CompleteInput, responses={200: FollowUpSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        task = self.get_object()
        data = CompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = services.followup_complete(
                followup=task,
                by=request.user,  # type: ignore[arg-type]
                **data.validated_data,
            )
        except services.FollowUpTaken as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(FollowUpSerializer(task).data)


class ComplaintSerializer(ScopedRelations):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "customer",
            "vehicle",
            "category",
            "severity",
            "department",
            "owner",
            "status",
            "description",
            "resolution",
            "opened_at",
            "in_progress_at",
            "resolved_at",
            "closed_at",
            "raised_on",
            "store",
            "confirmed_by",
            "confirmed_at",
            "confirmed_via",
            "confirmation_recorded_by",
        ]
        read_only_fields = [
            "opened_at",
            "in_progress_at",
            "resolved_at",
            "closed_at",
            "raised_on",
            "store",
            "confirmation_recorded_by",
        ]
        extra_kwargs = {"confirmed_via": {"required": False}, "confirmed_by": {"required": False}}

    def create(self, validated: dict[str, Any]) -> Complaint:
        customer = validated["customer"]
        wanted = validated.pop("status", None)
        resolution = validated.pop("resolution", "")
        confirmation = {
            k: validated.pop(k) for k in ("confirmed_by", "confirmed_at", "confirmed_via") if k in validated
        }
        item = services.complaint_open(store=customer.store, by=self.context["request"].user, **validated)
        if resolution or (wanted and wanted != ComplaintStatus.OPEN):
            item = services.complaint_update(
                complaint=item,
                by=self.context["request"].user,
                status=wanted,
                resolution=resolution,
                via_optional=True,
                **confirmation,
            )
        return item

    def update(self, instance: Complaint, validated: dict[str, Any]) -> Complaint:
        if "customer" in validated and validated["customer"] != instance.customer:
            raise serializers.ValidationError(
                {"customer": [_("A complaint cannot move to another customer.")]}
            )
        validated.pop("customer", None)
        return services.complaint_update(
            complaint=instance, by=self.context["request"].user, via_optional=True, **validated
        )


class ComplaintViewSet(ScopedViewSet):
    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    read_roles = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR)
    write_roles = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["status", "category", "severity", "department", "owner", "customer", "vehicle"]
    ordering_fields = ["opened_at", "id"]


class FollowUpRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpRule
        fields = [
            "id",
            "store",
            "rule",
            "enabled",
            "offset_days",
            "channel",
            "call_after_days",
            "priority",
            "template",
        ]
        read_only_fields = ["store", "rule"]
        validators: list[Any] = []

    def update(self, instance: FollowUpRule, validated: dict[str, Any]) -> FollowUpRule:
        return services.rule_save(rule=instance, **validated)


class FollowUpRuleViewSet(ScopedViewSet):
    """Each store has one of every rule (made with the defaults): read and edit, no create."""

    queryset = FollowUpRule.objects.all()
    serializer_class = FollowUpRuleSerializer
    read_roles = (Role.MANAGER,)
    write_roles = (Role.MANAGER,)
    http_method_names = ["get", "put", "patch", "head", "options"]
    filterset_fields = ["store", "rule", "enabled", "channel"]
    ordering_fields = ["store", "rule", "id"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # As on the rules page: a store that has none yet gets the defaults first.
        services.rules_ensure(store_ids=store_ids(request.user))  # type: ignore[arg-type]
        return super().list(request, *args, **kwargs)


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "store",
            "customer",
            "followup",
            "send_on",
            "mobile",
            "body",
            "status",
            "attempts",
            "sent_at",
            "backend",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class MessageViewSet(ScopedReadOnlyViewSet):
    """The SMS log: queued by the generation job, sent by `messages_send`."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    read_roles = CS
    filterset_fields = ["status", "customer", "followup", "send_on"]
    ordering_fields = ["send_on", "sent_at", "id"]
