from django.urls import path

from . import views

app_name = "incentives"
urlpatterns = [
    path("", views.statements, name="statements"),
    path("generate/", views.generate, name="generate"),
    path("approve/", views.approve_all, name="approve_all"),
    path("schemes/", views.schemes, name="schemes"),
    path("<int:pk>/", views.statement_detail, name="statement"),
    path("<int:pk>/approve/", views.statement_approve, name="statement_approve"),
    path("<int:pk>/correct/", views.statement_correct, name="statement_correct"),
]
