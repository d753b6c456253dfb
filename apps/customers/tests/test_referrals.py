"""Referrals (转介绍): who sent whom, what they bought, the reward, the source ROI."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.activities.tests.factories import order
from apps.customers import services
from apps.customers.models import ReferralReward, Source
from apps.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_a_referral_is_from_the_same_store_and_counts_as_source_referral(
    store, other_store, consultant, other_consultant
):
    referrer = make_customer(store, consultant, name="老车主")
    friend = make_customer(store, consultant, name="朋友", referred_by=referrer)
    assert friend.source == Source.REFERRAL and list(referrer.referrals.all()) == [friend]
    stranger = make_customer(other_store, other_consultant)
    with pytest.raises(ValidationError) as exc:
        make_customer(store, consultant, referred_by=stranger)
    assert "referred_by" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.customer_update(customer=referrer, by=consultant, referred_by=friend)  # a loop


def test_the_referrer_file_shows_whom_he_referred_and_what_they_bought_and_the_reward(
    client_as, store, consultant
):
    referrer = make_customer(store, consultant, name="老车主")
    bought = make_customer(store, consultant, name="买了车的朋友", referred_by=referrer)
    make_customer(store, consultant, name="还在看的朋友", referred_by=referrer)
    order(bought, consultant, date(2026, 11, 20))
    web = client_as(consultant)
    page = web.get(f"/customers/{referrer.pk}/").content.decode()
    assert "买了车的朋友" in page and "还在看的朋友" in page and "凯美瑞" in page
    r = web.post(f"/customers/{bought.pk}/referral-reward/", {"reward": "免费保养一次", "value": "300"})
    assert r.status_code == 302
    reward = ReferralReward.objects.get()
    assert (reward.referrer, reward.value) == (referrer, Decimal("300.00"))
    assert "免费保养一次" in web.get(f"/customers/{referrer.pk}/").content.decode()
    web.post(f"/customers/{bought.pk}/referral-reward/", {"reward": "again"})
    assert ReferralReward.objects.count() == 1  # once per referral


def test_no_reward_for_a_referral_who_has_not_bought(store, consultant):
    referrer = make_customer(store, consultant)
    friend = make_customer(store, consultant, referred_by=referrer)
    with pytest.raises(ValidationError):
        services.referral_reward_record(referral=friend, by=consultant, reward="礼品")


def test_the_api_takes_referred_by_as_an_optional_field(api_as, store, consultant, consultant2):
    referrer = make_customer(store, consultant)
    api = api_as(consultant)
    r = api.post(
        "/api/v1/customers/",
        {"name": "新朋友", "mobile": "13912345678", "referred_by": referrer.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["referred_by"] == referrer.pk and r.json()["source"] == "referral"
    theirs = make_customer(store, consultant2)
    r = api.post(
        "/api/v1/customers/", {"name": "x", "mobile": "13912345679", "referred_by": theirs.pk}, format="json"
    )
    assert r.status_code == 400  # another consultant's customer is not offered
