from django.contrib import admin

from .models import PeriodClose, Rating, ScorecardTemplate


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(admin.ModelAdmin):
    list_display = ["store", "cap", "updated_at"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["consultant", "period", "store", "rated_by", "rated_at"]
    list_filter = ["store", "period"]


@admin.register(PeriodClose)
class PeriodCloseAdmin(admin.ModelAdmin):
    list_display = ["store", "period", "closed_by", "closed_at"]
    readonly_fields = ["snapshot"]
