"""customers/ and opportunities/ (API.md), campaigns/ (with campaigns/sources/),
strategy-cards/ and evaluation-cards/: the same services and scoping as the pages."""

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.models import VehicleModel
from apps.org import timeline
from apps.org.api_base import ScopedViewSet
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible

from . import selectors, services
from .models import (
    Campaign,
    Customer,
    EvaluationCard,
    Kind,
    Opportunity,
    Source,
    StageChange,
    StrategyCard,
)

READERS = (
    Role.MANAGER,
    Role.CONSULTANT,
    Role.CUSTOMER_SERVICE,
    Role.SERVICE_ADVISOR,
    Role.MARKETING,
    Role.FINANCE,
)


class ScopedFieldsMixin:
    """Related-record choices limited to what the caller may see (others: 'does not exist')."""

    scoped_fields: dict[str, Any] = {}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:  # e.g. the OpenAPI schema generator
            return fields
        for name, queryset_for in self.scoped_fields.items():
            if name in fields and not fields[name].read_only:
                fields[name].queryset = queryset_for(user)
        return fields


def _store_users(user: Any) -> QuerySet[User]:
    return User.objects.filter(stores__in=store_ids(user), is_active=True).distinct()


def _stores(user: Any) -> QuerySet[Store]:
    return Store.objects.filter(pk__in=store_ids(user))


class CustomerSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    overdue = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none(), required=False)

    scoped_fields = {
        "store": _stores,
        "owner": _store_users,
        "campaign": lambda u: Campaign.objects.filter(store__in=store_ids(u)),
        "referred_by": lambda u: visible(Customer.objects.all(), u),
    }

    class Meta:
        model = Customer
        fields = [
            "id",
            "store",
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
            "owner",
            "grade",
            "status",
            "lost_reason",
            "credit_rating",
            "credit_limit",
            "sms_opt_out",
            "next_follow_up",
            "referred_by",
            "last_contact_at",
            "outstanding",
            "overdue",
            "created_at",
        ]
        read_only_fields = ["last_contact_at", "created_at"]
        # The table refuses negative amounts (a check constraint): say so on the field.
        extra_kwargs = {"credit_limit": {"min_value": 0}}
        # Uniqueness is the service's (it names the owner of a duplicate mobile).
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Customer:
        user = self.context["request"].user
        store = validated.pop("store", None)
        if store is None:
            stores = list(_stores(user)[:2])
            if len(stores) != 1:
                raise serializers.ValidationError({"store": [_("Choose the store.")]})
            store = stores[0]
        owner = validated.pop("owner", None)
        if user.role == Role.CONSULTANT:
            if owner is not None and owner != user:
                raise serializers.ValidationError(
                    {"owner": [_("A consultant registers customers for himself.")]}
                )
            owner = user
        if (validated.get("credit_limit") or validated.get("credit_rating")) and not user.has_role(
            Role.MANAGER, Role.FINANCE
        ):
            raise serializers.ValidationError(
                {"credit_limit": [_("Only a manager or finance may set credit terms.")]}
            )
        return services.customer_create(store=store, owner=owner, by=user, **validated)

    def update(self, instance: Customer, validated: dict[str, Any]) -> Customer:
        user = self.context["request"].user
        store = validated.pop("store", None)
        if store is not None and store.pk != instance.store_id:
            raise serializers.ValidationError({"store": [_("A customer cannot move to another store.")]})
        if user.role == Role.FINANCE and set(validated) - {"credit_limit", "credit_rating"}:
            raise serializers.ValidationError(
                {
                    sorted(set(validated) - {"credit_limit", "credit_rating"})[0]: [
                        _("Finance may change credit terms only.")
                    ]
                }
            )
        owner = validated.pop("owner", instance.owner)
        if owner != instance.owner:
            if owner is None:
                raise serializers.ValidationError({"owner": [_("Choose the consultant to transfer to.")]})
            try:
                services.customer_transfer(
                    customer=instance, to_owner=owner, by=user, reason=_("Transferred (API)")
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"owner": exc.messages}) from None
        return services.customer_update(customer=instance, by=user, **validated)


class NoDeleteMixin:
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object()  # type: ignore[attr-defined]  # 404 outside the caller's scope
        raise MethodNotAllowed(request.method or "")


class CustomerViewSet(NoDeleteMixin, ScopedViewSet):
    queryset = Customer.objects.select_related("owner", "store")
    serializer_class = CustomerSerializer
    read_roles = READERS
    write_roles = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
    filterset_fields = ["store", "owner", "grade", "status", "source", "kind", "mobile", "campaign"]
    ordering_fields = ["id", "name", "created_at", "next_follow_up", "grade"]

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.with_balances(super().get_queryset())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.user.role == Role.FINANCE:  # type: ignore[union-attr]
            raise MethodNotAllowed(request.method or "")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        # Re-read with the balance annotations for the response.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = selectors.with_balances(Customer.objects.all()).get(pk=serializer.instance.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, description="one kind of event, e.g. visit, order, payment"),
            OpenApiParameter("cursor", str, description="the `next` link's cursor"),
        ],
        responses=inline_serializer(
            "CustomerTimeline",
            {
                "next": serializers.URLField(allow_null=True),
                "results": serializers.ListField(
                    child=inline_serializer(
                        "TimelineEvent",
                        {
                            "at": serializers.DateTimeField(),
                            "kind": serializers.CharField(),
                            "title": serializers.CharField(),
                            "object_id": serializers.IntegerField(),
                            "url": serializers.URLField(allow_null=True),
                            "by": serializers.CharField(allow_null=True),
                        },
                    )
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """Everything that happened to the customer, newest first, keyset-paged by `cursor`;
        `kind` narrows it to one kind of event. One query per page (apps/org/timeline.py)."""
        customer = self.get_object()
        kind = request.query_params.get("kind") or ""
        if kind and kind not in timeline.SOURCES:
            raise serializers.ValidationError({"kind": [_("Unknown kind of event.")]})
        try:
            events, cursor = timeline.page(
                customer_id=customer.pk,
                user=request.user,
                kinds=[kind] if kind else None,
                cursor=request.query_params.get("cursor") or None,
            )
        except ValueError:
            raise serializers.ValidationError({"cursor": [_("This page cursor is not valid.")]}) from None
        next_url = None
        if cursor:
            params = {"cursor": cursor, **({"kind": kind} if kind else {})}
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        return Response(
            {
                "next": next_url,
                "results": [
                    {
                        "at": timezone.localtime(e.at).isoformat(),
                        "kind": e.kind,
                        "title": e.title,
                        "object_id": e.object_id,
                        "url": request.build_absolute_uri(e.url) if e.url else None,
                        "by": e.by,
                    }
                    for e in events
                ],
            }
        )

    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        """Claim a customer from the public pool (the pool is visible to the store's consultants)."""
        customer = (
            Customer.objects.filter(
                pk=pk or 0,
                store__in=store_ids(request.user),  # type: ignore[arg-type]
                owner__isnull=True,
            ).first()
            or self.get_object()
        )
        services.customer_claim(customer=customer, by=request.user)  # type: ignore[arg-type]
        fresh = selectors.with_balances(Customer.objects.all()).get(pk=customer.pk)
        return Response(self.get_serializer(fresh).data)


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["stage", "at", "by", "reason"]


class OpportunitySerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    stage_history = StageChangeSerializer(many=True, read_only=True)
    stage_reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    scoped_fields = {
        "customer": lambda u: visible(Customer.objects.all(), u),
        "owner": _store_users,
        "vehicle_model": lambda u: VehicleModel.objects.all(),
    }

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "customer",
            "owner",
            "vehicle_model",
            "stage",
            "expected_close",
            "budget",
            "urgency",
            "purchase_time",
            "purchase_cycle",
            "decision_maker_known",
            "budget_confirmed",
            "lost_reason",
            "score",
            "routed_to",
            "stage_history",
            "stage_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["score", "routed_to", "created_at", "updated_at"]
        extra_kwargs = {"budget": {"min_value": 0}}  # a check constraint in the table

    def validate_customer(self, customer: Customer) -> Customer:
        if self.instance is not None and customer != self.instance.customer:
            raise serializers.ValidationError(_("An opportunity cannot move to another customer."))
        return customer

    def create(self, validated: dict[str, Any]) -> Opportunity:
        user = self.context["request"].user
        customer = validated.pop("customer")
        validated.pop("stage_reason", None)
        if user.role == Role.CONSULTANT:
            validated.pop("owner", None)
        return services.opportunity_create(customer=customer, by=user, **validated)

    def update(self, instance: Opportunity, validated: dict[str, Any]) -> Opportunity:
        validated.pop("customer", None)
        return services.opportunity_update(opportunity=instance, by=self.context["request"].user, **validated)


class OpportunityViewSet(NoDeleteMixin, ScopedViewSet):
    queryset = Opportunity.objects.select_related("customer").prefetch_related("stage_history")
    serializer_class = OpportunitySerializer
    read_roles = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)
    write_roles = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)
    filterset_fields = ["customer", "owner", "stage", "routed_to", "vehicle_model"]
    ordering_fields = ["id", "score", "updated_at", "expected_close"]

    @extend_schema(
        responses=inline_serializer(
            "FunnelStep",
            {
                "stage": serializers.CharField(),
                "reached": serializers.IntegerField(),
                "conversion": serializers.FloatField(allow_null=True),
            },
            many=True,
        )
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def funnel(self, request: Request) -> Response:
        """Opportunities that reached each stage and the conversion between stages."""
        steps = selectors.funnel(self.filter_queryset(self.get_queryset()))
        return Response(
            [{"stage": s.stage, "reached": s.reached, "conversion": s.conversion} for s in steps],
            status=status.HTTP_200_OK,
        )


# ---------------------------------------------------------------- campaigns and sources


class CampaignSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.none(), required=False, help_text="Default: the caller's first store."
    )
    leads = serializers.IntegerField(read_only=True)
    qualified = serializers.IntegerField(read_only=True)
    deals = serializers.IntegerField(read_only=True)
    qualified_rate = serializers.SerializerMethodField()
    conversion = serializers.SerializerMethodField()
    cost_per_lead = serializers.SerializerMethodField()
    cost_per_deal = serializers.SerializerMethodField()
    scoped_fields = {"store": _stores}

    class Meta:
        model = Campaign
        fields = [
            "id",
            "store",
            "name",
            "source",
            "starts_on",
            "ends_on",
            "cost",
            "leads",
            "qualified",
            "deals",
            "qualified_rate",
            "conversion",
            "cost_per_lead",
            "cost_per_deal",
        ]
        validators: list[Any] = []

    def _ratio(self, a: Any, b: Any) -> float | None:
        r = selectors.ratio(a, b)
        return None if r is None else float(r)

    def get_qualified_rate(self, c: Campaign) -> float | None:
        return self._ratio(getattr(c, "qualified", 0), getattr(c, "leads", 0))

    def get_conversion(self, c: Campaign) -> float | None:
        return self._ratio(getattr(c, "deals", 0), getattr(c, "leads", 0))

    def get_cost_per_lead(self, c: Campaign) -> str | None:
        r = selectors.ratio(c.cost, getattr(c, "leads", 0))
        return None if r is None else f"{r:.2f}"

    def get_cost_per_deal(self, c: Campaign) -> str | None:
        r = selectors.ratio(c.cost, getattr(c, "deals", 0))
        return None if r is None else f"{r:.2f}"

    def create(self, validated: dict[str, Any]) -> Campaign:
        store = validated.pop("store", None) or _stores(self.context["request"].user).order_by("pk").first()
        if store is None:
            raise serializers.ValidationError({"store": [_("You do not work at any store.")]})
        return services.campaign_save(store=store, **validated)

    def update(self, instance: Campaign, validated: dict[str, Any]) -> Campaign:
        if validated.pop("store", instance.store) != instance.store:
            raise serializers.ValidationError({"store": [_("A campaign cannot move to another store.")]})
        return services.campaign_save(store=instance.store, instance=instance, **validated)


class SourceSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    leads = serializers.IntegerField()
    qualified = serializers.IntegerField()
    deals = serializers.IntegerField()
    qualified_rate = serializers.FloatField(allow_null=True)
    conversion = serializers.FloatField(allow_null=True)
    cost_per_lead = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    cost_per_deal = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class CampaignViewSet(ScopedViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    read_roles = (Role.MANAGER, Role.MARKETING)
    write_roles = (Role.MANAGER, Role.MARKETING)
    filterset_fields = ["store", "source", "starts_on"]
    ordering_fields = ["starts_on", "cost", "id"]

    def get_queryset(self) -> QuerySet[Campaign]:
        # Meta.ordering is dropped by GROUP BY: order again for stable pages.
        return selectors.campaign_stats(super().get_queryset()).order_by("-starts_on", "-pk")

    def perform_create(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer: Any) -> None:
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(responses=SourceSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def sources(self, request: Request) -> Response:
        """Per source channel, as on the campaigns page: its campaigns' cost, leads,
        qualified rate, deals, conversion, cost per lead and per deal."""
        rows = selectors.source_stats(
            visible(Customer.objects.all(), request.user), visible(Campaign.objects.all(), request.user)
        )
        return Response(SourceSerializer(rows, many=True).data)


# ---------------------------------------------------------------- key-account cards

_COMPANIES = (Role.MANAGER, Role.CONSULTANT)


def _companies(user: Any) -> QuerySet[Customer]:
    return visible(Customer.objects.filter(kind=Kind.COMPANY), user)


class StrategyCardSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"customer": _companies}

    class Meta:
        model = StrategyCard
        fields = [
            "id",
            "customer",
            "decision_makers",
            "needs",
            "competitors",
            "objectives",
            "strategy",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["updated_by", "updated_at"]
        extra_kwargs: dict[str, Any] = {"customer": {"validators": []}}  # posting again rewrites the card
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> StrategyCard:
        """One card per company customer: posting for a customer again rewrites it."""
        customer = validated.pop("customer")
        return services.strategy_card_save(customer=customer, by=self.context["request"].user, **validated)

    def update(self, instance: StrategyCard, validated: dict[str, Any]) -> StrategyCard:
        if validated.pop("customer", instance.customer) != instance.customer:
            raise serializers.ValidationError({"customer": [_("A card cannot move to another customer.")]})
        return services.strategy_card_save(
            customer=instance.customer, by=self.context["request"].user, **validated
        )


class StrategyCardViewSet(ScopedViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = StrategyCard.objects.order_by("-updated_at", "-id")
    serializer_class = StrategyCardSerializer
    read_roles = _COMPANIES
    write_roles = _COMPANIES
    filterset_fields = ["customer"]
    ordering_fields = ["updated_at", "id"]


class EvaluationCardSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"customer": _companies}
    month = serializers.DateField(help_text="Any day of the month; its first day is stored.")

    class Meta:
        model = EvaluationCard
        fields = [
            "id",
            "customer",
            "month",
            "purchases",
            "satisfaction",
            "relationship",
            "payment_behaviour",
            "issues",
            "next_steps",
            "by",
            "created_at",
        ]
        read_only_fields = ["by", "created_at"]
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> EvaluationCard:
        """One card per customer and month: posting the month again rewrites it."""
        customer = validated.pop("customer")
        return services.evaluation_card_save(customer=customer, by=self.context["request"].user, **validated)

    def update(self, instance: EvaluationCard, validated: dict[str, Any]) -> EvaluationCard:
        if validated.pop("customer", instance.customer) != instance.customer or (
            validated.pop("month", instance.month).replace(day=1) != instance.month
        ):
            raise serializers.ValidationError({"month": [_("Post a card for another month instead.")]})
        return services.evaluation_card_save(
            customer=instance.customer, by=self.context["request"].user, month=instance.month, **validated
        )


class EvaluationCardViewSet(ScopedViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = EvaluationCard.objects.all()
    serializer_class = EvaluationCardSerializer
    read_roles = _COMPANIES
    write_roles = _COMPANIES
    filterset_fields = ["customer", "month"]
    ordering_fields = ["month", "id"]
