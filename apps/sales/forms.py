from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import User
from apps.org.roles import Role
from apps.org.widgets import RemotePicker
from apps.stock.models import Car

from .models import PaymentMethod, Settlement

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _customer_picker(**kwargs: Any) -> RemotePicker:
    return RemotePicker("customers:pick", placeholder=_("Type a name or mobile"), **kwargs)


class OrderForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), label=_("Customer"), widget=_customer_picker()
    )
    vehicle_model = forms.ModelChoiceField(
        queryset=VehicleModel.objects.filter(is_active=True), label=_("Vehicle model")
    )
    order_date = forms.DateField(label=_("Order date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2)
    discount = forms.DecimalField(label=_("Discount (CNY)"), max_digits=12, decimal_places=2, initial=0)
    cost = forms.DecimalField(
        label=_("Cost (CNY)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the reserved car's purchase cost (else the catalogue cost, as an estimate)."),
    )
    car = forms.ModelChoiceField(
        queryset=Car.objects.none(),
        label=_("Car in stock"),
        required=False,
        help_text=_("Reserves the car for this order; its VIN is delivered."),
    )
    awaiting_car = forms.BooleanField(
        label=_("No car chosen: allocate the next one of this model (配车)"), required=False
    )
    settlement = forms.ChoiceField(label=_("Settlement"), choices=Settlement.choices)
    instalments = forms.CharField(
        label=_("Instalments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-01 50000\n2027-01-01 50000"}),
        help_text=_("One per line: due date and amount. Empty: the whole amount due on the order date."),
    )
    credit_override_reason = forms.CharField(
        label=_("Credit override reason (manager)"), max_length=200, required=False
    )

    def __init__(self, *args: Any, customers: Any = None, cars: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        if cars is not None:
            self.fields["car"].queryset = cars  # type: ignore[attr-defined]

    def clean_instalments(self) -> list[dict[str, str]] | None:
        text = self.cleaned_data.get("instalments") or ""
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace(",", " ").split()
            if len(parts) != 2:
                raise forms.ValidationError(_("Line %(n)d: write a due date and an amount.") % {"n": n})
            rows.append({"due_date": parts[0], "amount": parts[1]})
        return rows or None


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    vin = forms.CharField(
        label=_("VIN"), max_length=17, required=False, help_text=_("Empty: the reserved car's VIN.")
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Cancel reason"), max_length=200)


class PaymentForm(forms.Form):
    # Finance sees each payer's open balance while choosing (duplicate names tell apart).
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), label=_("Customer"), widget=_customer_picker(query="balance=1")
    )
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, customers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=150)


class HandOverForm(forms.Form):
    """A manager hands a consultant's open receivables to another (e.g. before he leaves)."""

    from_user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("From"))
    to_user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("To"))
    reason = forms.CharField(label=_("Reason"), max_length=100)

    def __init__(self, *args: Any, store: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(stores=store, role__in=[Role.CONSULTANT, Role.MANAGER]).order_by("name")
        self.fields["from_user"].queryset = staff  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = staff.filter(is_active=True)  # type: ignore[attr-defined]
