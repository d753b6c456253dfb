from django.contrib import admin

from .models import Complaint, FollowUp, FollowUpRule, Message, MileageReading, ServiceVisit, Vehicle


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["vin", "plate", "customer", "vehicle_model", "store", "delivered_on", "next_service_due"]
    list_filter = ["store"]
    search_fields = ["vin", "plate", "customer__name", "customer__mobile"]
    raw_id_fields = ["customer", "order"]


@admin.register(ServiceVisit)
class ServiceVisitAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "date", "kind", "mileage", "amount", "advisor"]
    list_filter = ["kind", "store"]
    raw_id_fields = ["vehicle"]


@admin.register(MileageReading)
class MileageReadingAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "date", "mileage", "source"]
    raw_id_fields = ["vehicle"]


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ["store", "rule", "enabled", "offset_days", "channel", "priority"]
    list_filter = ["store", "rule"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "customer",
        "vehicle",
        "due_date",
        "channel",
        "status",
        "assignee",
        "attempts",
        "outcome",
    ]
    list_filter = ["status", "rule", "channel", "store"]
    raw_id_fields = ["vehicle", "customer", "about_complaint"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "category", "severity", "department", "owner", "status", "opened_at"]
    list_filter = ["status", "category", "severity", "store"]
    raw_id_fields = ["customer", "vehicle", "raised_on"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The SMS log: every message with its status, backend and error."""

    list_display = ["send_on", "mobile", "status", "backend", "attempts", "sent_at", "error"]
    list_filter = ["status", "backend", "store"]
    search_fields = ["mobile", "body"]
    raw_id_fields = ["customer", "followup"]
