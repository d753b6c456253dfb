from django.contrib import admin

from .models import DepartmentHead, EscalationSettings, Step

admin.site.register(EscalationSettings)
admin.site.register(DepartmentHead)


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["ladder", "object_id", "level", "basis", "fired_at", "notified_at"]
    list_filter = ["ladder", "level", "store"]
