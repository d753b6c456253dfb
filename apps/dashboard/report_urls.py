"""/reports/: the monthly store summary (4S店月度总结)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("store-month/", views.store_month_index, name="store_month_index"),
    path("store-month/<str:store>/<str:month>/", views.store_month_page, name="store_month"),
]
