from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/history/", views.plan_history, name="history"),
    path("<int:pk>/step/<slug:step>/", views.plan_step, name="step"),
    path("<int:pk>/expenses/", views.allocation_add, name="allocation_add"),
    path("<int:pk>/nodes/<int:node>/break-down/", views.break_down, name="break_down"),
    path("<int:pk>/nodes/<int:node>/edit/", views.edit_children, name="edit_children"),
    path("weight-sets/", views.weight_sets, name="weight_sets"),
    path("my-targets/", views.my_targets, name="my_targets"),
    path("my-today/", views.my_today, name="my_today"),
    path("calendar/", views.work_calendar, name="calendar"),
    path("action-plans/", views.action_plans, name="action_plans"),
    path("action-plans/<int:pk>/comment/", views.action_plan_comment, name="action_plan_comment"),
    path("forecasts/", views.forecasts, name="forecasts"),
]
