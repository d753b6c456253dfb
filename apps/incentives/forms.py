from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import BodyType, VehicleModel

from .models import BonusMeasure

MONTH = forms.TextInput(attrs={"type": "month"})


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    valid_from = forms.CharField(label=_("Applies from (month)"), widget=MONTH)
    unit_commission = forms.DecimalField(
        label=_("Commission per unit (CNY)"), max_digits=10, decimal_places=2, min_value=0
    )
    gross_profit_percent = forms.DecimalField(
        label=_("Share of gross profit (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    bonus_measure = forms.ChoiceField(label=_("Bonus on achievement of"), choices=BonusMeasure.choices)
    tiers = forms.CharField(
        label=_("Bonus tiers"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "100 2000\n120 5000"}),
        required=False,
        help_text=_("One per line: achievement from (%) and bonus (CNY)."),
    )
    unit_rates = forms.CharField(
        label=_("Commission per unit by model or body type"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "suv 800\n丰田 凯美瑞 1000"}),
        required=False,
        help_text=_("One per line: a body type code (sedan, suv, mpv …) or a model's name, then the amount."),
    )
    late_entry_threshold = forms.DecimalField(
        label=_("Late-entry threshold (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    late_entry_cut = forms.DecimalField(
        label=_("Bonus reduction (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )

    def clean_tiers(self) -> list[dict[str, str]]:
        rows = []
        for n, line in enumerate((self.cleaned_data.get("tiers") or "").splitlines(), start=1):
            parts = line.replace(",", " ").replace("%", " ").split()
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(_("Line %(n)d: write an achievement and an amount.") % {"n": n})
            rows.append({"min_achievement": parts[0], "amount": parts[1]})
        return rows

    def clean_unit_rates(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        models = list(VehicleModel.objects.all())
        for n, line in enumerate((self.cleaned_data.get("unit_rates") or "").splitlines(), start=1):
            parts = line.replace(",", " ").split()
            if not parts:
                continue
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("Line %(n)d: write a model or body type and an amount.") % {"n": n}
                )
            name, amount = " ".join(parts[:-1]), parts[-1]
            if name.lower() in BodyType.values:
                rows.append({"body_type": name.lower(), "amount": amount})
                continue
            model = next(
                (m for m in models if name in (m.name, f"{m.brand} {m.name}", f"{m.brand}{m.name}")), None
            )
            if model is None:
                raise forms.ValidationError(
                    _("Line %(n)d: no model or body type %(name)s.") % {"n": n, "name": name}
                )
            rows.append({"vehicle_model": model, "amount": amount})
        return rows


class CorrectionForm(forms.Form):
    corrects_period = forms.CharField(label=_("Corrects month"), widget=MONTH)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200)
