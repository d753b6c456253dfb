from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Scheme, Statement


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "store", "valid_from", "unit_commission", "gross_profit_percent"]
    list_filter = ["store"]


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ["consultant", "period", "store", "status", "total"]
    list_filter = ["store", "status", "period"]
    readonly_fields = ["total", "status", "approved_by", "approved_at"]
