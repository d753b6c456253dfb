from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("ranking/", views.ranking, name="ranking"),
    path("compare/", views.compare, name="compare"),
    path("close/", views.close, name="close"),
    path("export/", views.export, name="export"),
    path("template/", views.template_edit, name="template"),
    path("consultant/<int:pk>/", views.card, name="card"),
    path("consultant/<int:pk>/rate/", views.rate, name="rate"),
    path("consultant/<int:pk>/<slug:measure>/", views.drill, name="drill"),
]
