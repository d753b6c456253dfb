from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers import services
from apps.customers.models import Customer, CustomerSettings, OwnershipChange, Routing, Stage
from apps.customers.tasks import return_idle_prospects_to_pool
from apps.org.services import user_update

from .factories import make_customer, make_opportunity

pytestmark = pytest.mark.django_db


def test_a_malformed_mobile_is_refused_on_the_mobile_field(store, consultant):
    with pytest.raises(ValidationError) as err:
        make_customer(store, consultant, mobile="12345")
    assert "mobile" in err.value.message_dict
    assert not Customer.objects.exists()


def test_registering_a_mobile_another_consultant_owns_names_the_owner(store, consultant, consultant2):
    make_customer(store, consultant, name="张三", mobile="13900000001")
    with pytest.raises(ValidationError) as err:
        make_customer(store, consultant2, name="张三丰", mobile="13900000001")
    assert "王伟" in err.value.message_dict["mobile"][0]
    assert Customer.objects.count() == 1


def test_the_same_mobile_may_be_registered_in_another_store(store, other_store, consultant, other_consultant):
    make_customer(store, consultant, mobile="13900000001")
    make_customer(other_store, other_consultant, mobile="13900000001")
    assert Customer.objects.count() == 2


def test_a_new_customer_is_due_for_follow_up_after_the_grade_interval(store, consultant):
    CustomerSettings.objects.create(store=store, interval_h=2)
    customer = make_customer(store, consultant, grade="H")
    assert customer.next_follow_up == timezone.localdate() + timedelta(days=2)


def test_a_transfer_changes_the_owner_and_is_logged_with_history(store, manager, consultant, consultant2):
    customer = make_customer(store, consultant)
    services.customer_transfer(customer=customer, to_owner=consultant2, by=manager, reason="离职交接")
    customer.refresh_from_db()
    assert customer.owner == consultant2
    change = OwnershipChange.objects.filter(customer=customer, reason="离职交接").get()
    assert (change.from_owner, change.to_owner, change.by) == (consultant, consultant2, manager)
    assert customer.history.first().owner_id == consultant2.pk


def test_a_consultant_cannot_transfer_customers(store, consultant, consultant2):
    customer = make_customer(store, consultant)
    with pytest.raises(ValidationError):
        services.customer_transfer(customer=customer, to_owner=consultant2, by=consultant, reason="x")


def test_a_manager_transfers_all_of_a_consultants_customers(store, manager, consultant, consultant2):
    for _ in range(3):
        make_customer(store, consultant)
    moved = services.customer_transfer_all(
        from_owner=consultant, to_owner=consultant2, store=store, by=manager, reason="调岗"
    )
    assert moved == 3
    assert Customer.objects.filter(owner=consultant2).count() == 3
    assert OwnershipChange.objects.filter(reason="调岗").count() == 3


def test_idle_prospects_return_to_the_pool_and_can_be_claimed(store, consultant, consultant2):
    CustomerSettings.objects.create(store=store, pool_after_days=10)
    idle = make_customer(store, consultant)
    fresh = make_customer(store, consultant)
    Customer.objects.filter(pk=idle.pk).update(last_contact_at=timezone.now() - timedelta(days=11))
    Customer.objects.filter(pk=fresh.pk).update(last_contact_at=timezone.now() - timedelta(days=9))
    assert return_idle_prospects_to_pool() == 1
    idle.refresh_from_db()
    fresh.refresh_from_db()
    assert idle.owner is None and fresh.owner == consultant
    assert OwnershipChange.objects.filter(customer=idle, from_owner=consultant, to_owner=None).exists()
    assert return_idle_prospects_to_pool() == 0  # running twice changes nothing
    services.customer_claim(customer=idle, by=consultant2)
    idle.refresh_from_db()
    assert idle.owner == consultant2
    with pytest.raises(ValidationError):
        services.customer_claim(customer=idle, by=consultant)


def test_a_consultant_who_owns_customers_cannot_be_deactivated(store, consultant):
    make_customer(store, consultant)
    make_customer(store, consultant)
    with pytest.raises(ValidationError) as err:
        user_update(user=consultant, is_active=False)
    assert "2 customers" in str(err.value)
    consultant.refresh_from_db()
    assert consultant.is_active


def test_the_evaluation_model_routes_by_the_store_threshold(store, consultant):
    CustomerSettings.objects.create(store=store, threshold=70)
    customer = make_customer(store, consultant)
    hot = make_opportunity(customer)
    # every factor full except a first car (15 × 0.5): 92.5, rounded half to even
    assert hot.score == 92 and hot.routed_to == Routing.SALES and hot.owner == consultant
    cold = services.opportunity_create(
        customer=customer, by=consultant, urgency=1, purchase_time="later", purchase_cycle="first"
    )
    assert cold.score < 70 and cold.routed_to == Routing.NURTURE and cold.owner is None


def test_the_score_is_the_weighted_share_of_the_factors(store, consultant):
    CustomerSettings.objects.create(
        store=store,
        weight_urgency=50,
        weight_purchase_time=0,
        weight_purchase_cycle=0,
        weight_decision_maker=50,
        weight_budget=0,
    )
    customer = make_customer(store, consultant)
    opp = services.opportunity_create(customer=customer, by=consultant, urgency=3, decision_maker_known=True)
    assert opp.score == 75  # 50 × 0.5 + 50 × 1


def test_a_stage_change_is_recorded_and_lost_needs_a_reason(store, consultant):
    opp = make_opportunity(make_customer(store, consultant))
    services.opportunity_set_stage(opportunity=opp, stage=Stage.TEST_DRIVE, by=consultant)
    with pytest.raises(ValidationError) as err:
        services.opportunity_set_stage(opportunity=opp, stage=Stage.LOST, by=consultant)
    assert "lost_reason" in err.value.message_dict
    assert list(opp.stage_history.values_list("stage", flat=True)) == ["new", "test_drive"]
