"""appointments/ (API.md) with confirm/, cancel/ and reschedule/ actions, over the services."""

from typing import Any, cast

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.customers.models import Customer
from apps.org.api_base import ScopedViewSet
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import visible

from . import services
from .models import Appointment

ROLES = (Role.CONSULTANT, Role.MANAGER, Role.APPOINTMENT_SPECIALIST, Role.CUSTOMER_SERVICE)


class AppointmentSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    consultant = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.CONSULTANT), required=False
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "store",
            "customer",
            "consultant",
            "starts_at",
            "day",
            "kind",
            "purpose",
            "status",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
            "call_note",
            "visit",
            "created_at",
        ]
        read_only_fields = [
            "store",
            "day",
            "status",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
            "call_note",
            "visit",
            "created_at",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["customer"].queryset = visible(Customer.objects.all(), request.user)  # type: ignore[attr-defined]
            consultant = fields["consultant"]
            consultant.queryset = visible(consultant.queryset, request.user)  # type: ignore[attr-defined]
        return fields

    def create(self, validated: dict[str, Any]) -> Appointment:
        return services.appointment_create(by=self.context["request"].user, **validated)

    def update(self, instance: Appointment, validated: dict[str, Any]) -> Appointment:
        raise serializers.ValidationError({"detail": [_("Use confirm/, cancel/ or reschedule/.")]})


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AppointmentViewSet(ScopedViewSet):
    queryset = Appointment.objects.select_related("customer", "consultant").all()
    serializer_class = AppointmentSerializer
    read_roles = ROLES
    write_roles = ROLES
    filterset_fields = ["consultant", "customer", "day", "status", "kind", "store"]
    ordering_fields = ["starts_at", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def _done(self, item: Appointment) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.appointment_confirm(
            appointment=self.get_object(),
            by=cast(User, request.user),
            note=body.validated_data.get("note", ""),
        )
        return self._done(item)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.appointment_cancel(
            appointment=self.get_object(),
            by=cast(User, request.user),
            reason=body.validated_data["reason"],
        )
        return self._done(item)

    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.appointment_reschedule(
            appointment=self.get_object(),
            by=cast(User, request.user),
            **body.validated_data,
        )
        return self._done(item)
