from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.models import User
from apps.org.roles import Role

from .models import Campaign, Customer, CustomerSettings, EvaluationCard, Opportunity, Stage, StrategyCard

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "mobile",
            "kind",
            "grade",
            "gender",
            "birthday",
            "source",
            "campaign",
            "occupation",
            "region",
            "address",
            "interests",
            "family",
            "lifestyle",
            "buying_behaviour",
            "next_follow_up",
            "status",
            "lost_reason",
            "sms_opt_out",
            "referred_by",
        ]
        widgets = {
            "birthday": DATE,
            "next_follow_up": DATE,
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        labels = {"campaign": _("Campaign")}  # the model field has no verbose name

    def __init__(self, *args: Any, campaigns: Any = None, referrers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns if campaigns is not None else Campaign.objects.none()  # type: ignore[attr-defined]
        # Referrers: the customers the user may see (a consultant's own), not the whole store.
        referrers = referrers if referrers is not None else Customer.objects.none()
        if self.instance.pk:
            referrers = referrers.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = referrers.order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk is None:
            del self.fields["status"]
            del self.fields["lost_reason"]

    def validate_unique(self) -> None:
        """The service checks the mobile and names its owner (撞单)."""


class CreditForm(forms.Form):
    credit_rating = forms.CharField(label=_("Credit rating"), max_length=10, required=False)
    credit_limit = forms.DecimalField(
        label=_("Credit limit (CNY)"), max_digits=12, decimal_places=2, min_value=0
    )


class TransferForm(forms.Form):
    to_owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, store: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            stores=store, role__in=[Role.CONSULTANT, Role.MANAGER], is_active=True
        ).order_by("name")


class TransferAllForm(TransferForm):
    from_owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("From consultant"))
    field_order = ["from_owner", "to_owner", "reason"]

    def __init__(self, *args: Any, store: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, store=store, **kwargs)
        self.fields["from_owner"].queryset = User.objects.filter(stores=store).order_by("name")  # type: ignore[attr-defined]


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "vehicle_model",
            "stage",
            "expected_close",
            "budget",
            "urgency",
            "purchase_time",
            "purchase_cycle",
            "decision_maker_known",
            "budget_confirmed",
            "lost_reason",
        ]
        widgets = {"expected_close": DATE, "urgency": forms.NumberInput(attrs={"min": 1, "max": 5})}

    stage_reason = forms.CharField(
        label=_("Reason for moving back"),
        max_length=200,
        required=False,
        help_text=_("Needed when the stage moves back."),
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage"))
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason for moving back"), max_length=200, required=False)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "source", "starts_on", "ends_on", "cost"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CustomerSettings
        fields = [
            "pool_after_days",
            "interval_h",
            "interval_a",
            "interval_b",
            "interval_c",
            "weight_urgency",
            "weight_purchase_time",
            "weight_purchase_cycle",
            "weight_decision_maker",
            "weight_budget",
            "threshold",
        ]


class StrategyCardForm(forms.ModelForm):
    class Meta:
        model = StrategyCard
        fields = ["decision_makers", "needs", "competitors", "objectives", "strategy"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in fields}


class EvaluationCardForm(forms.ModelForm):
    month = forms.DateField(
        label=_("Month"),
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )

    class Meta:
        model = EvaluationCard
        fields = [
            "month",
            "purchases",
            "satisfaction",
            "relationship",
            "payment_behaviour",
            "issues",
            "next_steps",
        ]
        widgets = {
            "issues": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def validate_unique(self) -> None:
        """One card a month: the service updates the month's card."""


class ImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("First row: name, mobile, grade, source, gender, occupation, region, address."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it into several files."))
        return upload
