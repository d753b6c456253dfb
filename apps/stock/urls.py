from django.urls import path

from . import views

app_name = "stock"
urlpatterns = [
    path("", views.car_list, name="cars"),
    path("new/", views.car_create, name="car_create"),
    path("import/", views.car_import, name="import"),
    path("overview/", views.overview, name="overview"),
    path("settings/", views.settings_save, name="settings"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/<slug:step>/", views.transfer_step, name="transfer_step"),
    path("<int:pk>/", views.car_detail, name="car_detail"),
    path("<int:pk>/cost/", views.car_cost, name="car_cost"),
    path("<int:pk>/arrive/", views.car_arrive, name="car_arrive"),
]
