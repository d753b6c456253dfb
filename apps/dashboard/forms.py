from django import forms

from .models import StoreMonth


class StoreMonthTextForm(forms.ModelForm):
    class Meta:
        model = StoreMonth
        fields = ["problems", "measures", "next_month"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}
