from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActivitySettings,
    DailyReport,
    Escalation,
    MarketReport,
    MonthlySummary,
    PlannedVisit,
    RoutePlan,
    Visit,
)


@admin.register(ActivitySettings)
class ActivitySettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "late_entry_days", "report_cutoff", "lock_days"]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = [
        "started_at",
        "consultant",
        "customer",
        "channel",
        "minutes",
        "expense",
        "entered_at",
        "late",
    ]
    list_filter = ["store", "channel", "late"]
    search_fields = ["customer__name", "customer__mobile", "consultant__name"]
    raw_id_fields = ["customer", "opportunity", "order"]
    date_hierarchy = "started_at"


@admin.register(DailyReport)
class DailyReportAdmin(SimpleHistoryAdmin):
    list_display = ["date", "consultant", "submitted_at", "on_time", "commented_at"]
    list_filter = ["store", "on_time"]
    date_hierarchy = "date"


class PlannedVisitInline(admin.TabularInline):
    model = PlannedVisit
    raw_id_fields = ["customer"]
    extra = 0


@admin.register(RoutePlan)
class RoutePlanAdmin(admin.ModelAdmin):
    list_display = ["week_start", "consultant", "store"]
    list_filter = ["store"]
    inlines = [PlannedVisitInline]


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(admin.ModelAdmin):
    list_display = ["month", "consultant", "store"]
    list_filter = ["store"]


@admin.register(MarketReport)
class MarketReportAdmin(admin.ModelAdmin):
    list_display = ["date", "competitor_brand", "competitor_model", "transaction_price", "consultant"]
    list_filter = ["store", "competitor_brand"]
    search_fields = ["competitor_model", "tags"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "raised_by", "assigned_to", "answered_at"]
    list_filter = ["store"]
