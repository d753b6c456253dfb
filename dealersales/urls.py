"""URL map: each app's pages under its own prefix, every app's API routes in one router."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.catalog import api_urls as catalog_api
from apps.dashboard import views as dashboard_views
from apps.org import api_urls as org_api
from apps.org.api import TokenView

router = DefaultRouter()
for module in (org_api, catalog_api):
    for prefix, viewset in module.routes:
        router.register(prefix, viewset)

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("", include("apps.org.urls")),
    path("catalog/", include("apps.catalog.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
