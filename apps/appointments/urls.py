from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("calls/", views.calls, name="calls"),
    path("kpis/", views.kpis, name="kpis"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
]
