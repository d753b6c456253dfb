from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "key", "created_at", "read_at", "sms_status"]
    list_filter = ["kind", "sms_status"]
    raw_id_fields = ["user"]


admin.site.register(Preference)
