from typing import Any

from django import forms

from apps.aftersales.models import Department
from apps.org.models import Store, User

from .models import EscalationSettings


class SettingsForm(forms.ModelForm):
    class Meta:
        model = EscalationSettings
        fields = [
            "enabled",
            "lead_consultant_days",
            "lead_manager_days",
            "lead_high_risk_days",
            "receivable_first_days",
            "receivable_second_days",
            "receivable_manager_days",
            "complaint_ack_hours",
            "complaint_answer_hours",
            "complaint_resolve_hours",
            "callback_release_minutes",
        ]

    def __init__(self, *args: Any, store: Store, heads: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(stores=store, is_active=True).order_by("name")
        for code, label in Department.choices:
            self.fields[f"head_{code}"] = forms.ModelChoiceField(
                label=label, queryset=staff, required=False, initial=heads.get(code)
            )
