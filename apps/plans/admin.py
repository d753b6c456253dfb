from django.contrib import admin

from .models import ActionPlan, Capability, Forecast, Plan, PlanRevision, WeightSet


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["store", "year", "status", "expense_budget", "approved_by", "approved_at"]
    list_filter = ["status", "year", "store"]
    # Status changes go through the workflow (pages/API) so they are in the revision history.
    readonly_fields = ["status", "submitted_at", "approved_at", "approved_by", "created_by"]


@admin.register(WeightSet)
class WeightSetAdmin(admin.ModelAdmin):
    list_display = ["name", "into"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["consultant", "weight"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "kind", "subject", "from_value", "to_value", "by", "at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(ActionPlan)
admin.site.register(Forecast)
