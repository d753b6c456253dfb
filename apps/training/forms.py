from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.models import Store, User

from .models import Topic


class SessionForm(forms.Form):
    """The session's own fields; attendees and scores are the rows of the page's table
    (`attend` checkboxes, `score_<user id>` inputs), read by `attendees()`."""

    store = forms.ModelChoiceField(Store.objects.none(), label=_("Store"))
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_value=24, decimal_places=1, max_digits=4)
    trainer = forms.ModelChoiceField(User.objects.none(), label=_("Trainer"), required=False)
    trainer_name = forms.CharField(
        label=_("Or an outside trainer"),
        max_length=100,
        required=False,
        help_text=_("e.g. the brand's trainer"),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, stores: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]
        self.fields["trainer"].queryset = staff  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate

    def attendees(self) -> dict[int, str]:
        """User id → the score typed ("" when not assessed), for the ticked rows."""
        data = self.data
        ids = [v for v in data.getlist("attend") if v.isdigit()] if hasattr(data, "getlist") else []
        return {int(uid): (data.get(f"score_{uid}") or "").strip() for uid in ids}
