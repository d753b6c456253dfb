from django.urls import path

from . import views

app_name = "aftersales"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("follow-ups/<int:pk>/", views.followup_detail, name="followup"),
    path("follow-ups/<int:pk>/claim/", views.followup_claim, name="followup_claim"),
    path("follow-ups/<int:pk>/release/", views.followup_release, name="followup_release"),
    path("my-day/", views.my_day, name="my_day"),
    path("vehicles/", views.vehicle_list, name="vehicle_list"),
    path("vehicles/<int:pk>/", views.vehicle_detail, name="vehicle"),
    path("vehicles/pick/", views.vehicle_pick, name="vehicle_pick"),
    path("service-visits/", views.visit_list, name="visit_list"),
    path("service-visits/new/", views.visit_create, name="visit_create"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/routing/", views.complaint_routing, name="complaint_routing"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("kpis/", views.kpis, name="kpis"),
    path("holidays/", views.holidays, name="holidays"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/generate-now/", views.generate_now, name="generate_now"),
]
