from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.manager, name="manager"),
    path("status/", views.status, name="status"),
]
