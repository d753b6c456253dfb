from django.contrib import admin

from .models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["customer", "consultant", "starts_at", "kind", "status"]
    list_filter = ["status", "kind", "store"]
    raw_id_fields = ["customer", "consultant", "visit", "planned_visit", "created_by", "confirmed_by"]
