from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.forms import INT_MAX
from apps.org.models import User
from apps.org.roles import Role
from apps.org.widgets import RemotePicker

from .models import (
    Category,
    ComplaintStatus,
    ConfirmationChannel,
    Department,
    FollowUpRule,
    Outcome,
    ServiceKind,
    Severity,
    Vehicle,
)

# Who handles complaints: the owner lists hold only them.
COMPLAINT_HANDLERS = (Role.MANAGER, Role.CUSTOMER_SERVICE, Role.SERVICE_ADVISOR)
BY_ROUTING = [("", _("By category (store setting)"))]
SATISFACTION = [
    (1, _("1 · Very dissatisfied")),
    (2, _("2 · Dissatisfied")),
    (3, _("3 · Neutral")),
    (4, _("4 · Satisfied")),
    (5, _("5 · Very satisfied")),
]


def complaint_handlers(store_id: int) -> Any:
    return User.objects.filter(stores=store_id, is_active=True, role__in=COMPLAINT_HANDLERS).order_by("name")


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—")] + [(str(i), label) for i, label in SATISFACTION],
        coerce=int,
        empty_value=None,
        required=False,
    )
    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=INT_MAX, required=False)
    booking_made = forms.BooleanField(label=_("Service booked"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    raise_complaint = forms.BooleanField(label=_("The customer has a complaint"), required=False)
    category = forms.ChoiceField(label=_("Complaint category"), choices=Category.choices, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM, required=False
    )
    department = forms.ChoiceField(
        label=_("Department"), choices=BY_ROUTING + Department.choices, required=False
    )
    description = forms.CharField(
        label=_("Complaint"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("raise_complaint"):
            if not (data.get("description") or "").strip():
                self.add_error("description", _("Describe the complaint."))
            if not data.get("category"):
                self.add_error("category", _("Choose a category."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        complaint = None
        if d.get("raise_complaint"):
            complaint = {k: d[k] for k in ("category", "severity", "department", "description")}
        return {
            "outcome": d["outcome"],
            "satisfaction": d.get("satisfaction"),
            "mileage": d.get("mileage"),
            "booking_made": d.get("booking_made", False),
            "note": d.get("note", ""),
            "complaint": complaint,
        }


class ServiceVisitForm(forms.Form):
    vin = forms.CharField(
        label=_("Vehicle (plate or VIN)"),
        max_length=17,
        widget=RemotePicker("aftersales:vehicle_pick", placeholder=_("Type the plate or the VIN")),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=INT_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices, initial=ServiceKind.MAINTENANCE)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )


class ComplaintStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ComplaintStatus.choices)
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # Closing: the customer's confirmation (the service refuses a close without "how").
    confirmed_via = forms.ChoiceField(
        label=_("Customer confirmed by"),
        choices=[("", "—"), *ConfirmationChannel.choices],
        required=False,
        help_text=_("Needed to close the complaint."),
    )
    confirmed_by = forms.CharField(
        label=_("Who confirmed"), max_length=100, required=False, help_text=_("Empty: the customer himself.")
    )
    confirmed_at = forms.DateTimeField(
        label=_("Confirmed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )


class ComplaintAssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)

    def __init__(self, *args: Any, store_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = complaint_handlers(store_id)  # type: ignore[attr-defined]


class RuleForm(forms.ModelForm):
    class Meta:
        model = FollowUpRule
        fields = ["enabled", "offset_days", "channel", "call_after_days", "priority", "template"]
        widgets = {"template": forms.Textarea(attrs={"rows": 3})}


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end is before the start."))
        return data


class ComplaintForm(forms.Form):
    """A complaint raised from the customer's file (customer service, manager)."""

    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    department = forms.ChoiceField(
        label=_("Department"), choices=BY_ROUTING + Department.choices, required=False
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = vehicles  # type: ignore[attr-defined]


class ComplaintRoutingForm(forms.Form):
    """One row per category: the owner and the department a new complaint gets."""

    def __init__(self, *args: Any, store_id: int, routes: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handlers = complaint_handlers(store_id)
        for code, label in Category.choices:
            route = routes.get(code)
            self.fields[f"{code}_owner"] = forms.ModelChoiceField(
                label=label, queryset=handlers, required=False, initial=route.owner_id if route else None
            )
            self.fields[f"{code}_department"] = forms.ChoiceField(
                label=_("Department"),
                choices=[("", "—"), *Department.choices],
                required=False,
                initial=route.department if route else "",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"{code}_owner"], self[f"{code}_department"]) for code, _label in Category.choices]


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    name = forms.CharField(label=_("Holiday"), max_length=30, help_text=_("e.g. 春节, 中秋节"))
