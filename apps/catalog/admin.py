from django.contrib import admin

from .models import VehicleModel


@admin.register(VehicleModel)
class VehicleModelAdmin(admin.ModelAdmin):
    list_display = ["brand", "name", "body_type", "msrp", "cost", "is_active"]
    list_filter = ["brand", "body_type", "is_active"]
    search_fields = ["brand", "name"]
