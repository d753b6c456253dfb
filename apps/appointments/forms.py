from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.activities.forms import LOCAL_INPUT, LocalDateTimeInput
from apps.customers.models import Customer, Status
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible

from .models import Kind

WHEN = {"input_formats": [LOCAL_INPUT, "%Y-%m-%d %H:%M"], "widget": LocalDateTimeInput()}


class AppointmentForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("When"), **WHEN)  # type: ignore[arg-type]
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (  # type: ignore[attr-defined]
            visible(Customer.objects.exclude(status=Status.LOST), user).order_by("name")
        )
        if user.role == Role.CONSULTANT:
            del self.fields["consultant"]
        else:
            self.fields["consultant"].queryset = (  # type: ignore[attr-defined]
                User.objects.filter(role=Role.CONSULTANT, is_active=True, stores__in=store_ids(user))
                .distinct()
                .order_by("name")
            )


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New time"), **WHEN)  # type: ignore[arg-type]
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
