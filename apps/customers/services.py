"""Every write to customers and opportunities: one function per use case, atomic."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.services import notify
from apps.org.models import Store, User
from apps.org.roles import Role

from .counts import counts_refresh
from .models import (
    Campaign,
    Customer,
    CustomerSettings,
    EvaluationCard,
    Grade,
    Opportunity,
    OwnershipChange,
    PurchaseCycle,
    PurchaseTime,
    ReferralReward,
    Routing,
    Source,
    Stage,
    StageChange,
    Status,
    StrategyCard,
)
from .signals import customer_transferred

# ---------------------------------------------------------------- settings


def settings_for(store: Store | int) -> CustomerSettings:
    """The store's customer rules (created with the industry defaults on first use)."""
    store_id = store if isinstance(store, int) else store.pk
    found = CustomerSettings.objects.filter(store_id=store_id).first()
    if found is None:
        found, _created = CustomerSettings.objects.get_or_create(store_id=store_id)
    return found


# The grades followed up at a routine interval (follow_up_interval).
ROUTINE_GRADES = (Grade.H, Grade.A, Grade.B, Grade.C)


def follow_up_interval(settings: CustomerSettings, grade: str) -> int | None:
    """Days until the next follow-up for a grade; None for N, O and F (no routine follow-up)."""
    return {
        Grade.H: settings.interval_h,
        Grade.A: settings.interval_a,
        Grade.B: settings.interval_b,
        Grade.C: settings.interval_c,
    }.get(grade)  # type: ignore[call-overload]


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- customers


def _owner_conflict(store: Store, mobile: str, exclude: int | None = None) -> Customer | None:
    qs = Customer.objects.select_related("owner").filter(store=store, mobile=mobile)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


def _refuse_duplicate(existing: Customer) -> None:
    """撞单: the mobile is registered already; say who owns it."""
    owner = existing.owner.name or existing.owner.username if existing.owner else _("the public pool")
    raise ValidationError(
        {
            "mobile": _("This mobile is already registered to %(name)s, owned by %(owner)s.")
            % {"name": existing.name, "owner": owner}
        }
    )


def _check_owner(store: Store, owner: User | None) -> None:
    if owner is None:
        return
    if not owner.is_active or owner.role not in (Role.CONSULTANT, Role.MANAGER):
        raise ValidationError({"owner": _("The owner must be an active consultant or manager.")})
    if not owner.is_admin and not owner.stores.filter(pk=store.pk).exists():
        raise ValidationError({"owner": _("The owner does not work at this store.")})


@transaction.atomic
def customer_create(*, store: Store, owner: User | None, **fields: Any) -> Customer:
    """Register a customer file; a mobile already in the store is refused, naming its owner.

    Without `next_follow_up` the first follow-up is due after the grade's interval."""
    by = fields.pop("by", None)
    customer = Customer(store=store, owner=owner, **fields)
    if customer.next_follow_up is None:
        days = follow_up_interval(settings_for(store), customer.grade)
        if days is not None:
            customer.next_follow_up = _today() + timedelta(days=days)
    customer.full_clean(validate_unique=False, validate_constraints=False)
    _check_referrer(customer)
    if customer.campaign_id and customer.campaign.store_id != store.pk:  # type: ignore[union-attr]
        raise ValidationError({"campaign": _("The campaign belongs to another store.")})
    _check_owner(store, owner)
    existing = _owner_conflict(store, customer.mobile)
    if existing:
        _refuse_duplicate(existing)
    customer._history_user = by or owner  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # a concurrent registration of the same mobile won the race
        existing = _owner_conflict(store, customer.mobile)
        if existing:
            _refuse_duplicate(existing)
        raise
    OwnershipChange.objects.create(
        customer=customer, from_owner=None, to_owner=owner, reason=_("Registered"), by=by or owner
    )
    counts_refresh(customer_ids=[customer.pk])
    return customer


# Fields a customer update may change (ownership goes through transfer/claim/return).
CUSTOMER_EDITABLE = {
    "kind",
    "name",
    "mobile",
    "gender",
    "birthday",
    "occupation",
    "interests",
    "family",
    "address",
    "region",
    "lifestyle",
    "buying_behaviour",
    "source",
    "campaign",
    "grade",
    "status",
    "lost_reason",
    "lost_on",
    "credit_rating",
    "credit_limit",
    "sms_opt_out",
    "next_follow_up",
    "referred_by",
}


def _check_referrer(customer: Customer) -> None:
    """A referral comes from another customer of the same store; it makes the source 'referral'."""
    referrer = customer.referred_by
    if referrer is None:
        return
    if customer.pk is not None and customer.pk in (referrer.pk, referrer.referred_by_id):
        raise ValidationError({"referred_by": _("A customer cannot refer himself.")})
    if referrer.store_id != customer.store_id:
        raise ValidationError({"referred_by": _("The referrer must be a customer of the same store.")})
    customer.source = Source.REFERRAL


@transaction.atomic
def customer_update(*, customer: Customer, by: User, **fields: Any) -> Customer:
    """Edit a customer file. Credit terms are the manager's and finance's (audited)."""
    unknown = set(fields) - CUSTOMER_EDITABLE
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    credit_changes = {
        k for k in ("credit_limit", "credit_rating") if k in fields and fields[k] != getattr(customer, k)
    }
    if credit_changes and not by.has_role(Role.MANAGER, Role.FINANCE):
        raise ValidationError(
            {sorted(credit_changes)[0]: _("Only a manager or finance may change credit terms.")}
        )
    for key, value in fields.items():
        setattr(customer, key, value)
    if customer.grade == Grade.F or customer.status == Status.LOST:
        if not customer.lost_reason:
            raise ValidationError({"lost_reason": _("Say why the customer was lost.")})
        customer.status = Status.LOST
        customer.grade = Grade.F
        customer.lost_on = customer.lost_on or _today()
    customer.full_clean(validate_unique=False, validate_constraints=False)
    _check_referrer(customer)
    if customer.campaign_id and customer.campaign.store_id != customer.store_id:  # type: ignore[union-attr]
        raise ValidationError({"campaign": _("The campaign belongs to another store.")})
    existing = _owner_conflict(customer.store, customer.mobile, exclude=customer.pk)
    if existing:
        _refuse_duplicate(existing)
    customer._change_reason = _("Edited")  # type: ignore[attr-defined]
    customer._history_user = by  # type: ignore[attr-defined]
    customer.save()
    counts_refresh(customer_ids=[customer.pk])  # a status or lost date, and an audit row
    return customer


def customer_touch(
    *, customer: Customer, at: datetime, next_follow_up: date | None, grade: str | None = None
) -> None:
    """Record a contact with the customer (a visit, a call) and the next follow-up date.

    Without a date the next follow-up is due after the grade's interval from the contact.
    `grade`: the customer's grade when the caller has just read it (else it is read)."""
    fields: dict[str, Any] = {"last_contact_at": at}
    if next_follow_up is None:
        if grade is None:
            grade = Customer.objects.filter(pk=customer.pk).values_list("grade", flat=True).first()
        # N, O and F have no routine follow-up: no need to read the store's intervals.
        if grade in ROUTINE_GRADES:
            days = follow_up_interval(settings_for(customer.store_id), grade)
            if days is not None:
                next_follow_up = timezone.localtime(at).date() + timedelta(days=days)
    if next_follow_up is not None:
        fields["next_follow_up"] = next_follow_up
    # Only move forward: a visit entered late never rewinds a newer contact.
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lte=at)
    ).update(**fields)


def _store_manager_check(by: User, store_id: int) -> None:
    if not by.has_role(Role.MANAGER) or (not by.is_admin and not by.stores.filter(pk=store_id).exists()):
        raise ValidationError({"to_owner": _("Only a manager of the store may transfer customers.")})


@transaction.atomic
def customer_transfer(*, customer: Customer, to_owner: User, by: User, reason: str) -> Customer:
    """A manager hands one customer to another consultant of the store (logged)."""
    _store_manager_check(by, customer.store_id)
    if not reason:
        raise ValidationError({"reason": _("Say why the customer is transferred.")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_owner(customer.store, to_owner)
    if customer.owner_id == to_owner.pk:
        raise ValidationError({"to_owner": _("The customer already belongs to this consultant.")})
    OwnershipChange.objects.create(
        customer=customer, from_owner_id=customer.owner_id, to_owner=to_owner, reason=reason, by=by
    )
    customer.owner = to_owner
    customer._change_reason = reason  # type: ignore[attr-defined]
    customer._history_user = by  # type: ignore[attr-defined]
    customer.save(update_fields=["owner"])
    counts_refresh(customer_ids=[customer.pk])
    Opportunity.objects.filter(customer=customer, routed_to=Routing.SALES).exclude(
        stage__in=[Stage.DELIVERED, Stage.LOST]
    ).update(owner=to_owner)
    notify(
        users=[to_owner.pk],
        kind="customer_transferred",
        key=f"customer:{customer.pk}:to:{to_owner.pk}:{timezone.now():%Y%m%d%H%M%S}",
        params={"customer": customer.name, "by": str(by)},
        url=f"/customers/{customer.pk}/",
        store_id=customer.store_id,
    )
    customer_transferred.send(
        sender=Customer, customer_ids=[customer.pk], to_owner=to_owner, by=by, reason=reason
    )
    return customer


@transaction.atomic
def customer_transfer_all(*, from_owner: User, to_owner: User, store: Store, by: User, reason: str) -> int:
    """A manager hands every customer of a consultant (in one store) to another; returns how many."""
    _store_manager_check(by, store.pk)
    if not reason:
        raise ValidationError({"reason": _("Say why the customers are transferred.")})
    _check_owner(store, to_owner)
    if from_owner.pk == to_owner.pk:
        raise ValidationError({"to_owner": _("Choose another consultant.")})
    qs = Customer.objects.select_for_update().filter(store=store, owner=from_owner)
    ids = list(qs.values_list("pk", flat=True))
    OwnershipChange.objects.bulk_create(
        OwnershipChange(customer_id=pk, from_owner=from_owner, to_owner=to_owner, reason=reason, by=by)
        for pk in ids
    )
    Customer.objects.filter(pk__in=ids).update(owner=to_owner)
    counts_refresh(customer_ids=ids)
    Opportunity.objects.filter(customer_id__in=ids, owner=from_owner).update(owner=to_owner)
    customer_transferred.send(sender=Customer, customer_ids=ids, to_owner=to_owner, by=by, reason=reason)
    return len(ids)


@transaction.atomic
def customer_claim(*, customer: Customer, by: User) -> Customer:
    """A consultant takes a customer from the store's public pool (公海)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.owner_id is not None:
        raise ValidationError({"owner": _("Someone else has claimed this customer already.")})
    _check_owner(customer.store, by)
    OwnershipChange.objects.create(
        customer=customer, from_owner=None, to_owner=by, reason=_("Claimed from the public pool"), by=by
    )
    customer.owner = by
    days = follow_up_interval(settings_for(customer.store), customer.grade)
    customer.next_follow_up = _today() + timedelta(days=days or 1)
    customer._change_reason = _("Claimed from the public pool")  # type: ignore[attr-defined]
    customer._history_user = by  # type: ignore[attr-defined]
    customer.save(update_fields=["owner", "next_follow_up"])
    counts_refresh(customer_ids=[customer.pk])
    return customer


@transaction.atomic
def return_idle_prospects_to_pool(*, now: datetime | None = None) -> int:
    """Prospects with no contact for the store's `pool_after_days` go back to the public pool.

    Set-based: one select and two bulk writes per store (a handful of stores)."""
    now = now or timezone.now()
    returned = 0
    reason = _("No follow-up: returned to the public pool")
    stores = Store.objects.all()
    days_by_store = dict(CustomerSettings.objects.values_list("store_id", "pool_after_days"))
    for store in stores:
        days = days_by_store.get(store.pk, CustomerSettings._meta.get_field("pool_after_days").default)
        cutoff = now - timedelta(days=days)
        idle = (
            Customer.objects.select_for_update()
            .filter(store=store, status=Status.PROSPECT, owner__isnull=False)
            .annotate(contact=Coalesce("last_contact_at", "created_at"))
            .filter(contact__lt=cutoff)
        )
        rows = list(idle.values_list("pk", "owner_id"))
        if not rows:
            continue
        OwnershipChange.objects.bulk_create(
            OwnershipChange(customer_id=pk, from_owner_id=owner_id, to_owner=None, reason=reason)
            for pk, owner_id in rows
        )
        ids = [pk for pk, _o in rows]
        Customer.objects.filter(pk__in=ids).update(owner=None)
        counts_refresh(customer_ids=ids)
        Opportunity.objects.filter(customer_id__in=ids).exclude(
            stage__in=[Stage.ORDERED, Stage.DELIVERED, Stage.LOST]
        ).update(owner=None)
        returned += len(ids)
    return returned


# ---------------------------------------------------------------- opportunities

PURCHASE_TIME_FACTOR = {
    PurchaseTime.WEEK: Decimal("1"),
    PurchaseTime.MONTH: Decimal("0.67"),
    PurchaseTime.QUARTER: Decimal("0.33"),
    PurchaseTime.LATER: Decimal("0"),
}
PURCHASE_CYCLE_FACTOR = {
    PurchaseCycle.FIRST: Decimal("0.5"),
    PurchaseCycle.REPLACE: Decimal("1"),
    PurchaseCycle.ADD: Decimal("0.75"),
    PurchaseCycle.FLEET: Decimal("1"),
}


def opportunity_score(opportunity: Opportunity, settings: CustomerSettings) -> int:
    """The evaluation model (机会评估模型): a weighted 0–100 score of five factors."""
    weights = [
        (settings.weight_urgency, Decimal(opportunity.urgency - 1) / 4),
        (settings.weight_purchase_time, PURCHASE_TIME_FACTOR.get(opportunity.purchase_time, Decimal(0))),  # type: ignore[call-overload]
        (settings.weight_purchase_cycle, PURCHASE_CYCLE_FACTOR.get(opportunity.purchase_cycle, Decimal(0))),  # type: ignore[call-overload]
        (settings.weight_decision_maker, Decimal(int(opportunity.decision_maker_known))),
        (settings.weight_budget, Decimal(int(opportunity.budget_confirmed))),
    ]
    total = sum(w for w, _f in weights)
    if not total:
        return 0
    return int((100 * sum(w * f for w, f in weights) / total).quantize(Decimal(1)))


def _route(opportunity: Opportunity, settings: CustomerSettings) -> None:
    """At or above the threshold: a consultant (the customer's owner); below: marketing's pool."""
    opportunity.score = opportunity_score(opportunity, settings)
    if opportunity.score >= settings.threshold:
        opportunity.routed_to = Routing.SALES
        if opportunity.owner_id is None:
            opportunity.owner_id = opportunity.customer.owner_id
    else:
        opportunity.routed_to = Routing.NURTURE
        opportunity.owner = None


OPPORTUNITY_EDITABLE = {
    "vehicle_model",
    "expected_close",
    "budget",
    "urgency",
    "purchase_time",
    "purchase_cycle",
    "decision_maker_known",
    "budget_confirmed",
    "lost_reason",
    "owner",
}


@transaction.atomic
def opportunity_create(*, customer: Customer, by: User | None, **fields: Any) -> Opportunity:
    """Log an opportunity for a customer; the evaluation model scores and routes it."""
    stage = fields.pop("stage", Stage.NEW)
    fields.pop("stage_reason", None)  # a new opportunity has nothing to move back from
    unknown = set(fields) - OPPORTUNITY_EDITABLE
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be set here.")})
    fields.setdefault("owner", customer.owner)
    opportunity = Opportunity(store_id=customer.store_id, customer=customer, **fields)
    if opportunity.owner_id:
        _check_owner(customer.store, opportunity.owner)
    _route(opportunity, settings_for(customer.store))
    opportunity.full_clean(validate_constraints=False)
    opportunity.save()
    StageChange.objects.create(opportunity=opportunity, stage=Stage.NEW, by=by)
    if stage != Stage.NEW:
        opportunity_set_stage(
            opportunity=opportunity, stage=stage, by=by, lost_reason=fields.get("lost_reason", "")
        )
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, by: User | None, **fields: Any) -> Opportunity:
    """Edit an opportunity; it is scored and routed again. A stage goes through the history."""
    stage = fields.pop("stage", None)
    stage_reason = fields.pop("stage_reason", "")
    unknown = set(fields) - OPPORTUNITY_EDITABLE
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    for key, value in fields.items():
        setattr(opportunity, key, value)
    if "owner" in fields and opportunity.owner_id:
        _check_owner(opportunity.customer.store, opportunity.owner)
    _route(opportunity, settings_for(opportunity.customer.store))
    opportunity.full_clean(validate_constraints=False)
    opportunity.save()
    if stage and stage != opportunity.stage:
        opportunity_set_stage(
            opportunity=opportunity,
            stage=stage,
            by=by,
            lost_reason=fields.get("lost_reason", ""),
            reason=stage_reason or "",
        )
    return opportunity


# The pipeline in order; "lost" stands beside it.
FORWARD = [
    Stage.NEW,
    Stage.CONTACTED,
    Stage.SHOWROOM,
    Stage.TEST_DRIVE,
    Stage.NEGOTIATION,
    Stage.ORDERED,
    Stage.DELIVERED,
]


def _is_backward(old: str, new: str) -> bool:
    if old == Stage.LOST:
        return new != Stage.LOST  # reopening a lost opportunity
    if new == Stage.LOST:
        return False
    return FORWARD.index(Stage(new)) < FORWARD.index(Stage(old))


@transaction.atomic
def opportunity_set_stage(
    *, opportunity: Opportunity, stage: str, by: User | None, lost_reason: str = "", reason: str = ""
) -> Opportunity:
    """Move an opportunity to a stage and record the step in its history.

    Stages follow the deal, so the funnel counts real orders: "ordered" needs an order
    on the opportunity that is not cancelled and "delivered" a delivered one (the sales
    services set both); while an order stands the opportunity cannot be moved before
    it (cancel the order instead). A backward step, or reopening a lost one, needs a
    reason, kept on the history row."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if stage == Stage.LOST and not (lost_reason or opportunity.lost_reason):
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    if stage == opportunity.stage:
        return opportunity
    live = opportunity.orders.exclude(status="cancelled")
    if stage == Stage.ORDERED and not live.exists():
        raise ValidationError({"stage": _("An opportunity is ordered when an order is booked on it.")})
    if stage == Stage.DELIVERED and not live.filter(status="delivered").exists():
        raise ValidationError({"stage": _("An opportunity is delivered when its order is delivered.")})
    if stage not in (Stage.ORDERED, Stage.DELIVERED) and live.exists():
        raise ValidationError(
            {"stage": _("This opportunity has an order: cancel the order to move it back or lose it.")}
        )
    reason = (reason or "").strip()
    if _is_backward(opportunity.stage, stage) and not reason:
        raise ValidationError(
            {
                "stage_reason": _("Moving back from %(from)s to %(to)s needs a reason.")
                % {"from": Stage(opportunity.stage).label, "to": Stage(stage).label}
            }
        )
    opportunity.stage = stage
    if lost_reason:
        opportunity.lost_reason = lost_reason
    opportunity.save(update_fields=["stage", "lost_reason", "updated_at"])
    StageChange.objects.create(opportunity=opportunity, stage=stage, by=by, reason=reason[:200])
    return opportunity


# ---------------------------------------------------------------- campaigns and settings


@transaction.atomic
def campaign_save(*, store: Store, instance: Campaign | None = None, **fields: Any) -> Campaign:
    campaign = instance or Campaign(store=store)
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def customer_settings_save(*, store: Store, **fields: Any) -> CustomerSettings:
    settings = settings_for(store)
    for key, value in fields.items():
        setattr(settings, key, value)
    settings.full_clean()
    if not sum(
        getattr(settings, f"weight_{k}")
        for k in ("urgency", "purchase_time", "purchase_cycle", "decision_maker", "budget")
    ):
        raise ValidationError({"weight_urgency": _("At least one weight must be above zero.")})
    settings.save()
    return settings


# ---------------------------------------------------------------- key-account cards


@transaction.atomic
def strategy_card_save(*, customer: Customer, by: User, **fields: Any) -> StrategyCard:
    card = StrategyCard.objects.filter(customer=customer).first() or StrategyCard(customer=customer)
    for key, value in fields.items():
        setattr(card, key, value)
    card.updated_by = by
    card.full_clean()
    card.save()
    return card


@transaction.atomic
def evaluation_card_save(*, customer: Customer, by: User, month: date, **fields: Any) -> EvaluationCard:
    month = month.replace(day=1)
    card = EvaluationCard.objects.filter(customer=customer, month=month).first() or EvaluationCard(
        customer=customer, month=month
    )
    for key, value in fields.items():
        setattr(card, key, value)
    card.by = by
    card.full_clean(validate_constraints=False, validate_unique=False)
    card.save()
    return card


def customers_owned_count(user: User) -> int:
    return Customer.objects.filter(owner=user).count()


# ---------------------------------------------------------------- import from Excel

IMPORT_COLUMNS = ["name", "mobile", "grade", "source", "gender", "occupation", "region", "address"]


def customers_import(*, store: Store, owner: User, rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Register customers from spreadsheet rows; each row on its own (a duplicate or a bad
    mobile is reported with its row number and the others are still registered)."""
    created = 0
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        fields = {k: str(v).strip() for k, v in row.items() if k in IMPORT_COLUMNS and v not in (None, "")}
        if not fields:
            continue
        fields.setdefault("grade", Grade.C)
        try:
            with transaction.atomic():
                customer_create(store=store, owner=owner, by=owner, **fields)
        except ValidationError as exc:
            errors.append(_("Row %(n)d: %(error)s") % {"n": number, "error": " ".join(exc.messages)})
        else:
            created += 1
    return created, errors


@transaction.atomic
def referral_reward_record(
    *, referral: Customer, by: User, reward: str, value: Decimal | int | str = 0, given_on: date | None = None
) -> ReferralReward:
    """Record the referrer's reward for a referral that bought (once per referral)."""
    if referral.referred_by_id is None:
        raise ValidationError({"referral": _("This customer was not referred by anyone.")})
    if not referral.orders.exclude(status="cancelled").exists():
        raise ValidationError({"referral": _("A reward is for a referral who bought.")})
    if not (reward or "").strip():
        raise ValidationError({"reward": _("Say what the reward is.")})
    if ReferralReward.objects.filter(referral=referral).exists():
        raise ValidationError({"referral": _("This referral has been rewarded already.")})
    value = Decimal(str(value or 0))
    if value < 0:
        raise ValidationError({"value": _("The value cannot be below zero.")})
    return ReferralReward.objects.create(
        referral=referral,
        referrer_id=referral.referred_by_id,
        reward=reward.strip(),
        value=value,
        given_on=given_on or _today(),
        by=by,
    )
