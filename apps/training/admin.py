from django.contrib import admin

from .models import Attendance, TrainingSession


class AttendanceInline(admin.TabularInline):
    model = Attendance
    raw_id_fields = ["attendee"]
    extra = 0


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "topic", "store", "hours"]
    list_filter = ["topic", "store"]
    raw_id_fields = ["trainer", "created_by"]
    inlines = [AttendanceInline]
