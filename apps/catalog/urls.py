from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.model_list, name="model_list"),
    path("new/", views.model_edit, name="model_create"),
    path("<int:pk>/", views.model_edit, name="model_edit"),
]
