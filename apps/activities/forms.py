from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer, Opportunity, Stage
from apps.org.models import User
from apps.org.scoping import visible
from apps.org.widgets import RemotePicker

from .models import ActivitySettings, Channel, MarketReport
from .services import MARKET_FIELDS

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class VisitForm(forms.Form):
    """The phone form: one customer (or a new prospect), a channel, times defaulting to now."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    new_name = forms.CharField(label=_("New prospect's name"), max_length=100, required=False)
    new_mobile = forms.CharField(label=_("New prospect's mobile"), max_length=11, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect)
    started_at = forms.DateTimeField(
        label=_("Start"), input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"], widget=LocalDateTimeInput()
    )
    ended_at = forms.DateTimeField(
        label=_("End"), input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"], widget=LocalDateTimeInput()
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False, widget=DateInput())
    expense = forms.DecimalField(
        label=_("Expense (CNY)"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    opportunity = forms.ModelChoiceField(
        label=_("Opportunity"), queryset=Opportunity.objects.none(), required=False
    )
    stage = forms.ChoiceField(
        label=_("Move the opportunity to"), choices=[("", "—")] + list(Stage.choices), required=False
    )
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=200, required=False)

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["customer"].queryset = visible(Customer.objects.all(), user)  # type: ignore[attr-defined]
        self.fields["opportunity"].queryset = visible(Opportunity.objects.all(), user)  # type: ignore[attr-defined]
        if not self.is_bound and not self.initial.get("started_at"):
            now = timezone.localtime().replace(second=0, microsecond=0)
            # Half an hour ago, but today: a visit logged just after midnight is today's.
            start = max(now - timedelta(minutes=30), now.replace(hour=0, minute=0))
            self.initial.update({"channel": Channel.SHOWROOM, "ended_at": now, "started_at": start})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.editing:
            return data
        has_new = data.get("new_name") or data.get("new_mobile")
        if not data.get("customer") and not has_new:
            self.add_error("customer", _("Choose a customer or register a new prospect."))
        if has_new and not data.get("customer"):
            if not data.get("new_name"):
                self.add_error("new_name", _("Enter the prospect's name."))
            if not data.get("new_mobile"):
                self.add_error("new_mobile", _("Enter the prospect's mobile."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {
            k: d[k]
            for k in (
                "channel",
                "started_at",
                "ended_at",
                "purpose",
                "result",
                "next_step",
                "next_follow_up",
                "opportunity",
            )
        }
        kwargs["expense"] = d.get("expense") or 0
        if self.editing:
            kwargs["customer"] = d["customer"] or self.initial.get("customer")
            return kwargs
        kwargs["stage"] = d.get("stage") or ""
        kwargs["lost_reason"] = d.get("lost_reason") or ""
        if d.get("customer"):
            kwargs["customer"] = d["customer"]
        else:
            kwargs["new_customer"] = {"name": d["new_name"], "mobile": d["new_mobile"]}
        return kwargs


class DailyReportForm(forms.Form):
    problems = forms.CharField(label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    help_needed = forms.CharField(
        label=_("Help needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to your manager as an escalation when you submit."),
    )
    market_notes = forms.CharField(
        label=_("Market notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class PlannedVisitForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=DateInput())
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), widget=RemotePicker("customers:pick")
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (  # type: ignore[attr-defined]
            visible(Customer.objects.all(), user).filter(owner=user).order_by("name")
        )


class MonthlySummaryForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    summary = forms.CharField(label=_("Work summary"), widget=forms.Textarea(attrs={"rows": 5}))
    key_points = forms.CharField(label=_("Next month's key points"), widget=forms.Textarea(attrs={"rows": 4}))


class MarketReportForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate with commas or spaces, e.g. 降价 SUV 金融政策")
    )

    class Meta:
        model = MarketReport
        fields = list(MARKET_FIELDS)
        widgets = {
            "date": DateInput(),
            "quality_feedback": forms.Textarea(attrs={"rows": 2}),
            "trend": forms.Textarea(attrs={"rows": 2}),
            "customer_needs": forms.Textarea(attrs={"rows": 2}),
            "dealer_requirements": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = " ".join(self.instance.tag_list)
        else:
            self.initial.setdefault("date", timezone.localdate())
        for money in ("retail_price", "transaction_price", "discount"):
            self.fields[money].widget.attrs["min"] = "0"


class ActivitySettingsForm(forms.ModelForm):
    class Meta:
        model = ActivitySettings
        fields = ["late_entry_days", "report_cutoff", "lock_days"]
        widgets = {"report_cutoff": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
