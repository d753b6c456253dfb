from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Region, Store, Team, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    autocomplete_fields = ["lead"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "phone"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "lead"]
    list_filter = ["store"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "role", "team", "is_active"]
    list_filter = ["role", "stores", "is_active"]
    search_fields = ["username", "name", "mobile"]
    filter_horizontal = ["stores"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "mobile", "email", "language")}),
        (_("Work"), {"fields": ("role", "stores", "team", "is_active")}),
        (_("Django admin"), {"fields": ("is_staff", "is_superuser"), "classes": ["collapse"]}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "name", "role")}),)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            try:
                services.user_deactivate_check(user=obj)
            except ValidationError as exc:
                obj.is_active = True
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services._apply_role(form.instance)
