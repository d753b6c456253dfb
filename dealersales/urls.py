"""URL map: each app's pages under its own prefix, every app's API routes in one router."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.dashboard import views as dashboard_views
from apps.org.api import SearchView, TokenView

# (app, URL prefix of its pages), in the order records flow (DESIGN.md).
APPS = [
    ("org", None),
    ("notifications", "notifications/"),
    ("catalog", "catalog/"),
    ("customers", "customers/"),
    ("stock", "stock/"),
    ("sales", "sales/"),
    ("activities", "activities/"),
    ("appointments", "appointments/"),
    ("training", "training/"),
    ("plans", "plans/"),
    ("scoring", "scoring/"),
    ("incentives", "incentives/"),
    ("aftersales", "aftersales/"),
    ("escalations", "escalations/"),
    ("dashboard", "dashboard/"),
]

router = DefaultRouter()
for app, _prefix in APPS:
    try:
        routes = import_module(f"apps.{app}.api_urls").routes
    except ModuleNotFoundError:
        continue
    for url_prefix, viewset in routes:
        router.register(url_prefix, viewset)

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("", include("apps.org.urls")),
    *[path(prefix, include(f"apps.{app}.urls")) for app, prefix in APPS if prefix],
    path("reports/", include("apps.dashboard.report_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/search/", SearchView.as_view(), name="api-search"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
