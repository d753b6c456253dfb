from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel
from apps.org.models import Store

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CarForm(forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=17)
    vehicle_model = forms.ModelChoiceField(
        queryset=VehicleModel.objects.filter(is_active=True), label=_("Vehicle model")
    )
    colour = forms.CharField(label=_("Colour"), max_length=30)
    trim = forms.CharField(label=_("Trim"), max_length=60, required=False)
    cost = forms.DecimalField(label=_("Purchase cost (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("OEM delivery list (.xlsx)"),
        help_text=_(
            "First row: vin, model, colour, trim, cost, arrived_on "
            "(or 车架号, 车型, 颜色, 配置, 采购价, 到店日期)."
        ),
    )


class CostForm(forms.Form):
    cost = forms.DecimalField(label=_("Purchase cost (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=100)


class TransferRequestForm(forms.Form):
    from_store = forms.ModelChoiceField(queryset=Store.objects.none(), label=_("From store"))
    vehicle_model = forms.ModelChoiceField(queryset=VehicleModel.objects.all(), label=_("Vehicle model"))
    colour = forms.CharField(label=_("Colour"), max_length=30)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, others: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_store"].queryset = others  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SettingsForm(forms.Form):
    aging_limit_days = forms.IntegerField(label=_("Aging limit (days)"), min_value=1, max_value=999)
    floor_plan_rate = forms.DecimalField(
        label=_("Floor-plan rate (% a year)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
