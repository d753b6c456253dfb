from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_edit, name="create"),
    path("import/", views.customer_import, name="import"),
    path("pick/", views.customer_pick, name="pick"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/transfer/", views.customer_transfer, name="transfer"),
    path("<int:pk>/referral-reward/", views.referral_reward, name="referral_reward"),
    path("<int:pk>/credit/", views.customer_credit, name="credit"),
    path("<int:pk>/strategy/", views.strategy_card, name="strategy_card"),
    path("<int:pk>/evaluation/", views.evaluation_card, name="evaluation_card"),
    path("<int:customer_pk>/opportunities/new/", views.opportunity_edit, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/stage/", views.opportunity_stage, name="opportunity_stage"),
    path("transfer/", views.customer_transfer_all, name="transfer_all"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/claim/", views.pool_claim, name="claim"),
    path("my-day/", views.my_day, name="my_day"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("funnel/", views.funnel, name="funnel"),
    path("nurture/", views.nurture, name="nurture"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("settings/", views.settings_edit, name="settings"),
]
