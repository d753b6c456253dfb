from django import forms

from .models import VehicleModel


class VehicleModelForm(forms.ModelForm):
    class Meta:
        model = VehicleModel
        fields = [
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
