from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "activities"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="activities:visit_list"), name="index"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_edit, name="visit_edit"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("customers/opportunities/", views.customer_opportunities, name="customer_opportunities"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/day/", views.report_day, name="report_today"),
    path("reports/day/<str:day>/", views.report_day, name="report_day"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/reply/", views.report_reply, name="report_reply"),
    path("team/", views.team, name="team"),
    path("routes/", views.route_plan, name="route_plan"),
    path("routes/stops/<int:pk>/remove/", views.route_stop_remove, name="route_stop_remove"),
    path("summaries/", views.summaries, name="summaries"),
    path("summaries/<int:pk>/comment/", views.summary_comment, name="summary_comment"),
    path("market/", views.market_feed, name="market_feed"),
    path("market/new/", views.market_edit, name="market_new"),
    path("market/<int:pk>/", views.market_edit, name="market_edit"),
    path("market/prices/", views.market_prices, name="market_prices"),
    path("escalations/", views.escalations, name="escalations"),
    path("settings/", views.activity_settings, name="settings"),
    path("escalations/<int:pk>/answer/", views.escalation_answer, name="escalation_answer"),
]
