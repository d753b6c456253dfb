from django.urls import path

from . import views

app_name = "escalations"
urlpatterns = [
    path("", views.day, name="day"),
    path("settings/", views.settings_edit, name="settings"),
    path("breaches/", views.breaches, name="breaches"),
]
