from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel
from apps.org.forms import INT_MAX
from apps.org.models import Store

from .models import ActionPlan, Into, Measure, Method, WeightSet

# A target is numeric(14, 2): twelve digits before the point.
TARGET_MAX = 10**12 - 1


class PlanForm(forms.Form):
    store = forms.ModelChoiceField(Store.objects.none(), label=_("Store"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    units = forms.IntegerField(label=Measure.UNITS.label, min_value=0, max_value=TARGET_MAX)
    revenue = forms.DecimalField(label=_("Sales revenue (CNY)"), min_value=0, decimal_places=2, max_digits=14)
    collections = forms.DecimalField(
        label=_("Collections (CNY)"), min_value=0, decimal_places=2, max_digits=14
    )
    gross_profit = forms.DecimalField(
        label=_("Gross profit (CNY)"), min_value=0, decimal_places=2, max_digits=14
    )
    new_customers = forms.IntegerField(label=Measure.NEW_CUSTOMERS.label, min_value=0, max_value=TARGET_MAX)
    visits = forms.IntegerField(label=Measure.VISITS.label, min_value=0, max_value=TARGET_MAX)
    expense_budget = forms.DecimalField(
        label=_("Sales expense budget (CNY)"),
        min_value=0,
        decimal_places=2,
        max_digits=14,
        initial=Decimal(0),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores if stores is not None else Store.objects.none()  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class BreakDownForm(forms.Form):
    into = forms.ChoiceField(label=_("Break down into"), choices=Into.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    weight_set = forms.ModelChoiceField(
        WeightSet.objects.all(),
        label=_("Weight set"),
        required=False,
        help_text=_("For the “by weights” method."),
    )
    weights = forms.CharField(
        label=_("Or weights by key"),
        required=False,
        help_text=_(
            "key=weight, comma separated, e.g. 1=8, 2=6, 3=9 (months), or consultant ids; days by "
            "weekday 1 (Monday) … 7, or leave empty for the store's weekday weights."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = (data.get("weights") or "").strip()
        parsed: dict[str, str] | None = None
        if raw:
            parsed = {}
            for part in raw.replace("，", ",").split(","):
                if not part.strip():
                    continue
                key, sep, value = part.partition("=")
                if not sep:
                    self.add_error("weights", _("Write each weight as key=weight."))
                    break
                parsed[key.strip()] = value.strip()
        data["weights_map"] = parsed
        # Days without weights follow the store's weekday weights (its working calendar).
        if (
            data.get("method") == Method.WEIGHTS
            and not parsed
            and not data.get("weight_set")
            and data.get("into") != Into.DAY
        ):
            self.add_error("weight_set", _("Choose a weight set or type the weights."))
        return data


class WeightSetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    into = forms.ChoiceField(label=_("For"), choices=Into.choices, initial=Into.MONTH)
    weights = forms.CharField(
        label=_("Weights"),
        help_text=_(
            "key=weight, comma separated, e.g. 1=6, 2=4, 3=8 … 12=11 for a seasonal monthly split in %."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_weights(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in self.cleaned_data["weights"].replace("，", ",").replace("\n", ",").split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise forms.ValidationError(_("Write each weight as key=weight."))
            out[key.strip()] = value.strip()
        return out


class ActionPlanForm(forms.ModelForm):
    day = forms.DateField(
        label=_("Period containing"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
    )

    class Meta:
        model = ActionPlan
        fields = ["kind", "what", "whom", "when"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "whom": forms.Textarea(attrs={"rows": 2}),
            "when": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = ActionPlan.Kind.WEEK


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Manager's comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ForecastForm(forms.Form):
    """One units field per active vehicle model, for next month."""

    def __init__(
        self, *args: Any, models: list[VehicleModel], initial_units: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for m in models:
            self.fields[f"m{m.pk}"] = forms.IntegerField(
                label=str(m),
                min_value=0,
                max_value=INT_MAX,
                required=False,
                initial=initial_units.get(m.pk, 0),
            )

    def units(self) -> dict[int, int]:
        return {int(k[1:]): (v or 0) for k, v in self.cleaned_data.items()}


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=60, required=False)
