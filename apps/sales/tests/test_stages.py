"""Stages follow the deal (issue 12 item 2): ordered and delivered come from the order and
the delivery; a backward move needs a reason and is recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers import services as customers
from apps.customers.models import Stage
from apps.customers.tests.factories import make_customer, make_opportunity
from apps.sales import services

from .factories import make_order, make_vin

pytestmark = pytest.mark.django_db


def test_an_opportunity_cannot_jump_to_ordered_or_delivered_without_the_order(store, consultant):
    opp = make_opportunity(make_customer(store, consultant))
    for stage in (Stage.ORDERED, Stage.DELIVERED):
        with pytest.raises(ValidationError) as err:
            customers.opportunity_set_stage(opportunity=opp, stage=stage, by=consultant)
        assert "stage" in err.value.message_dict
    opp.refresh_from_db()
    assert opp.stage == Stage.NEW and list(opp.stage_history.values_list("stage", flat=True)) == ["new"]


def test_the_order_and_the_delivery_set_the_stages(store, consultant):
    customer = make_customer(store, consultant)
    opp = make_opportunity(customer)
    order = make_order(customer, opportunity=opp)
    opp.refresh_from_db()
    assert opp.stage == Stage.ORDERED
    with pytest.raises(ValidationError, match="delivered when its order is delivered"):
        customers.opportunity_set_stage(opportunity=opp, stage=Stage.DELIVERED, by=consultant)
    with pytest.raises(ValidationError, match="cancel the order"):
        customers.opportunity_set_stage(opportunity=opp, stage=Stage.NEGOTIATION, by=consultant, reason="x")
    services.order_deliver(order=order, delivered_on=timezone.localdate(), vin=make_vin(3), by=consultant)
    opp.refresh_from_db()
    assert opp.stage == Stage.DELIVERED


def test_a_backward_move_needs_a_reason_and_is_recorded(store, consultant):
    opp = make_opportunity(make_customer(store, consultant))
    customers.opportunity_set_stage(opportunity=opp, stage=Stage.NEGOTIATION, by=consultant)
    with pytest.raises(ValidationError) as err:
        customers.opportunity_set_stage(opportunity=opp, stage=Stage.SHOWROOM, by=consultant)
    assert "stage_reason" in err.value.message_dict
    customers.opportunity_set_stage(
        opportunity=opp, stage=Stage.SHOWROOM, by=consultant, reason="客户要再看车"
    )
    customers.opportunity_set_stage(opportunity=opp, stage=Stage.LOST, by=consultant, lost_reason="买了别家")
    with pytest.raises(ValidationError):  # reopening a lost opportunity is a step back too
        customers.opportunity_set_stage(opportunity=opp, stage=Stage.CONTACTED, by=consultant)
    history = list(opp.stage_history.values_list("stage", "reason"))
    assert history == [("new", ""), ("negotiation", ""), ("showroom", "客户要再看车"), ("lost", "")]


def test_a_backward_move_by_api_names_stage_reason(api_as, store, consultant):
    opp = make_opportunity(make_customer(store, consultant))
    customers.opportunity_set_stage(opportunity=opp, stage=Stage.TEST_DRIVE, by=consultant)
    api = api_as(consultant)
    r = api.patch(f"/api/v1/opportunities/{opp.pk}/", {"stage": "contacted"}, format="json")
    assert r.status_code == 400 and "stage_reason" in r.json()
    r = api.patch(f"/api/v1/opportunities/{opp.pk}/", {"stage": "ordered"}, format="json")
    assert r.status_code == 400 and "stage" in r.json()
    r = api.patch(
        f"/api/v1/opportunities/{opp.pk}/", {"stage": "contacted", "stage_reason": "预算未定"}, format="json"
    )
    assert r.status_code == 200 and r.json()["stage_history"][-1] == {
        **r.json()["stage_history"][-1],
        "stage": "contacted",
        "reason": "预算未定",
    }
