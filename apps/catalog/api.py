from typing import Any

from rest_framework import serializers

from apps.org.api_base import ScopedViewSet
from apps.org.roles import Role

from . import services
from .models import VehicleModel


class VehicleModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = VehicleModel
        fields = [
            "id",
            "brand",
            "name",
            "body_type",
            "msrp",
            "cost",
            "first_service_km",
            "first_service_months",
            "service_interval_km",
            "service_interval_months",
            "is_active",
        ]

    def create(self, validated: dict[str, Any]) -> VehicleModel:
        return services.vehicle_model_save(**validated)

    def update(self, instance: VehicleModel, validated: dict[str, Any]) -> VehicleModel:
        return services.vehicle_model_save(instance=instance, **validated)


class VehicleModelViewSet(ScopedViewSet):
    queryset = VehicleModel.objects.all()
    serializer_class = VehicleModelSerializer
    write_roles = (Role.MANAGER,)
    filterset_fields = ["brand", "body_type", "is_active"]
    ordering_fields = ["brand", "name", "msrp", "id"]
