from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .measures import CRITERIA, MEASURES, RATING

SCALE = [(i, str(i)) for i in range(1, 6)]


class RatingForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
            )
        self.order_fields([c for c, _l in CRITERIA] + ["comment"])


class TemplateForm(forms.Form):
    """One weight and one optional standard per scoreable measure, and the cap."""

    cap = forms.IntegerField(label=_("Cap (%)"), min_value=100, max_value=200, initial=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for m in [*MEASURES, RATING]:
            self.fields[f"w_{m.name}"] = forms.IntegerField(
                label=m.label,
                min_value=0,
                max_value=100,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
            if m.name != "rating":
                self.fields[f"s_{m.name}"] = forms.DecimalField(
                    label=_("Standard"),
                    min_value=0,
                    max_digits=14,
                    decimal_places=4,
                    required=False,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )

    def rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"w_{m.name}"], self[f"s_{m.name}"] if m.name != "rating" else None)
            for m in [*MEASURES, RATING]
        ]
