"""Factories for customers; creation goes through the services where rules apply."""

from decimal import Decimal
from itertools import count
from typing import Any

from apps.catalog.models import VehicleModel
from apps.customers import services
from apps.customers.models import Campaign, Customer, Opportunity
from apps.org.models import Store, User

_mobiles = count(1)


def next_mobile() -> str:
    return f"139{next(_mobiles):08d}"


def make_customer(store: Store, owner: User | None, **fields: Any) -> Customer:
    fields.setdefault("name", f"客户{next(_mobiles)}")
    fields.setdefault("mobile", next_mobile())
    return services.customer_create(store=store, owner=owner, **fields)


def make_vehicle_model(**fields: Any) -> VehicleModel:
    fields.setdefault("brand", "丰田")
    fields.setdefault("name", f"凯美瑞{next(_mobiles)}")
    fields.setdefault("body_type", "sedan")
    fields.setdefault("msrp", Decimal("200000"))
    fields.setdefault("cost", Decimal("180000"))
    return VehicleModel.objects.create(**fields)


def make_opportunity(customer: Customer, by: User | None = None, **fields: Any) -> Opportunity:
    # High urgency, this week, budget and decision maker known: above the default threshold.
    fields.setdefault("urgency", 5)
    fields.setdefault("purchase_time", "week")
    fields.setdefault("decision_maker_known", True)
    fields.setdefault("budget_confirmed", True)
    return services.opportunity_create(customer=customer, by=by or customer.owner, **fields)


def make_campaign(store: Store, **fields: Any) -> Campaign:
    from datetime import date

    fields.setdefault("name", "车展")
    fields.setdefault("starts_on", date(2026, 9, 1))
    fields.setdefault("ends_on", date(2026, 9, 3))
    fields.setdefault("cost", Decimal("30000"))
    return Campaign.objects.create(store=store, **fields)
