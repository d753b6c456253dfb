"""Customer files, ownership and the public pool, opportunities and their scoring
model, sources and campaigns, key-account cards (SPEC §3)."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.models import VehicleModel
from apps.org.models import Store
from apps.org.scoping import ScopeRule

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a mainland China mobile number: 11 digits starting with 13–19.")
)


class Grade(models.TextChoices):
    """Lead grade (意向级别). H/A/B/C carry follow-up intervals (CustomerSettings)."""

    H = "H", _("H — buys within 7 days")
    A = "A", _("A — buys within 15 days")
    B = "B", _("B — buys within 30 days")
    C = "C", _("C — buys within 3 months")
    N = "N", _("N — no intention")
    O = "O", _("O — ordered")  # noqa: E741
    F = "F", _("F — lost")


class Status(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    LOST = "lost", _("Lost")


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company (key account / fleet)")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "", _("Not given")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone enquiry")
    ONLINE = "online", _("Online lead")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event / test-drive day")
    AUTO_SHOW = "auto_show", _("Auto show")
    FLEET = "fleet", _("Fleet / key account")
    OTHER = "other", _("Other")


class CustomerSettings(models.Model):
    """A store's customer rules: pool return, follow-up intervals, opportunity scoring."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="customer_settings")
    pool_after_days = models.PositiveSmallIntegerField(
        _("return prospects to the public pool after (days without follow-up)"), default=30
    )
    interval_h = models.PositiveSmallIntegerField(_("follow-up interval for H (days)"), default=1)
    interval_a = models.PositiveSmallIntegerField(_("follow-up interval for A (days)"), default=3)
    interval_b = models.PositiveSmallIntegerField(_("follow-up interval for B (days)"), default=7)
    interval_c = models.PositiveSmallIntegerField(_("follow-up interval for C (days)"), default=15)
    weight_urgency = models.PositiveSmallIntegerField(_("weight: need urgency"), default=30)
    weight_purchase_time = models.PositiveSmallIntegerField(_("weight: purchase time"), default=25)
    weight_purchase_cycle = models.PositiveSmallIntegerField(_("weight: purchase cycle"), default=15)
    weight_decision_maker = models.PositiveSmallIntegerField(_("weight: decision maker known"), default=15)
    weight_budget = models.PositiveSmallIntegerField(_("weight: budget confirmed"), default=15)
    threshold = models.PositiveSmallIntegerField(
        _("score threshold for sales (0–100)"), default=60, validators=[MaxValueValidator(100)]
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        verbose_name = _("customer settings")
        verbose_name_plural = _("customer settings")

    def __str__(self) -> str:
        return str(self.store)


class Campaign(models.Model):
    """A marketing activity (车展, 试驾会 …) that brings leads; its cost makes the input ratio."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("channel"), max_length=20, choices=Source.choices, default=Source.EVENT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    cost = models.DecimalField(_("cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal(0))

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="campaign_cost_ge_0"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_ordered"
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A customer file (客户资料卡). `owner` empty means the store's public pool (公海)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="customers")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[mobile_validator])
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    interests = models.CharField(_("interests"), max_length=200, blank=True)
    family = models.CharField(_("family"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.CharField(_("district"), max_length=50, blank=True)
    # Segmentation (geographic is region/address; demographic is the fields above).
    lifestyle = models.CharField(_("lifestyle / values"), max_length=200, blank=True)
    buying_behaviour = models.CharField(_("buying behaviour"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WALK_IN)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("owner"),
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.C)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    lost_on = models.DateField(_("lost on"), null=True, blank=True)
    credit_rating = models.CharField(_("credit rating"), max_length=10, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit (CNY)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    sms_opt_out = models.BooleanField(_("no SMS"), default=False)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    referred_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
        help_text=_("The customer who sent him (转介绍)."),
    )
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The date of his first order that is not cancelled (any consultant), kept by the
    # sales services in the order's transaction (`manage.py first_orders_check` checks it):
    # scoring's new and lost customers and the customer counts read it instead of the orders.
    first_order_on = models.DateField(_("first order"), null=True, blank=True, editable=False)

    # Audit trail (who, when, before and after) of credit limit, ownership and the rest.
    # Derived columns stay out of it: a write of one is no edit of the file.
    history = HistoricalRecords(excluded_fields=["last_contact_at", "first_order_on"])

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="owner")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["store", "mobile"], name="customer_mobile_unique_in_store"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="customer_credit_limit_ge_0"),
        ]
        indexes = [
            models.Index(fields=["store", "owner", "next_follow_up"]),
            models.Index(fields=["store", "status"]),
            # The lists' default order (newest first) and "new customers in a window".
            models.Index(fields=["store", "created_at"]),
            # The birthday greetings read the customers born on the day's dates.
            models.Index(fields=["store", "birthday"]),
            # Scoring's new customers of a period: an owner's first orders in it.
            models.Index(
                fields=["owner", "first_order_on"],
                condition=Q(first_order_on__isnull=False),
                name="customer_first_order",
            ),
            # Scoring's lost customers of a period.
            models.Index(fields=["lost_on"], condition=Q(lost_on__isnull=False), name="customer_lost_on"),
            # The list's default order, who to call first (customers.views.customer_list):
            # its first page is read from here instead of sorting every customer of the store.
            # next_follow_up ascending: PostgreSQL puts NULLs last, as the list's order asks
            # (an explicit NULLS LAST would serve no better, and SQLite refuses it in an index).
            models.Index(
                F("store"),
                Case(When(status="prospect", then=0), default=1),
                F("next_follow_up"),
                F("name"),
                F("id"),
                name="customer_call_first",
            ),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    SHOWROOM = "showroom", _("Showroom visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    NEGOTIATION = "negotiation", _("Quotation / negotiation")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    LOST = "lost", _("Lost")


class PurchaseTime(models.TextChoices):
    WEEK = "week", _("Within a week")
    MONTH = "month", _("Within a month")
    QUARTER = "quarter", _("Within three months")
    LATER = "later", _("Later / unknown")


class PurchaseCycle(models.TextChoices):
    FIRST = "first", _("First car")
    REPLACE = "replace", _("Replacement")
    ADD = "add", _("Additional car")
    FLEET = "fleet", _("Fleet renewal")


class Routing(models.TextChoices):
    SALES = "sales", _("Sales consultant")
    NURTURE = "nurture", _("Marketing nurture pool")


class Opportunity(models.Model):
    """A sales opportunity (销售机会), scored by the store's evaluation model."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="opportunities")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("vehicle model")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NEW)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("need urgency (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    purchase_time = models.CharField(
        _("purchase time"), max_length=10, choices=PurchaseTime.choices, default=PurchaseTime.MONTH
    )
    purchase_cycle = models.CharField(
        _("purchase cycle"), max_length=10, choices=PurchaseCycle.choices, default=PurchaseCycle.FIRST
    )
    decision_maker_known = models.BooleanField(_("decision maker identified"), default=False)
    budget_confirmed = models.BooleanField(_("budget confirmed"), default=False)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    routed_to = models.CharField(
        _("routed to"), max_length=10, choices=Routing.choices, default=Routing.SALES
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="owner")

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) | Q(budget__isnull=True), name="opportunity_budget_ge_0"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="opportunity_score_le_100"),
        ]
        indexes = [
            models.Index(fields=["store", "stage"]),
            # The dashboard's funnel counts the opportunities of a window, not all of them.
            models.Index(fields=["store", "created_at"]),
            # The API list's order (newest change first): a cursor page is a range read.
            models.Index(fields=["store", "updated_at"], name="opportunity_store_updated"),
        ]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return f"{self.customer} · {self.vehicle_model or '—'}"


class StageChange(models.Model):
    """One step of an opportunity through the pipeline, with when and who."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Why the opportunity moved back (or out of "lost"): a backward step needs one.
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.opportunity_id} → {self.stage}"


class OwnershipChange(models.Model):
    """A customer's change of owner: transfer, claim from the pool, return to the pool."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_changes")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_owner_id} → {self.to_owner_id}"


class StrategyCard(models.Model):
    """Key-account strategy card (客户策略卡): one per company customer, kept up to date."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="strategy_card")
    decision_makers = models.TextField(_("decision makers and influencers"), blank=True)
    needs = models.TextField(_("needs and buying criteria"), blank=True)
    competitors = models.TextField(_("competitors at this account"), blank=True)
    objectives = models.TextField(_("our objectives"), blank=True)
    strategy = models.TextField(_("strategy and actions"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="customer__store", owner="customer__owner")

    class Meta:
        verbose_name = _("strategy card")
        verbose_name_plural = _("strategy cards")

    def __str__(self) -> str:
        return str(self.customer)


class EvaluationCard(models.Model):
    """Monthly evaluation card (客户月评卡) of a key account: one per customer and month."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="evaluation_cards")
    month = models.DateField(_("month (first day)"))
    purchases = models.DecimalField(
        _("purchases this month (CNY)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    relationship = models.PositiveSmallIntegerField(
        _("relationship (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    payment_behaviour = models.PositiveSmallIntegerField(
        _("payment behaviour (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    issues = models.TextField(_("issues"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="customer__store", owner="customer__owner")

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="evaluation_card_once_a_month"),
            models.CheckConstraint(condition=Q(purchases__gte=0), name="evaluation_card_purchases_ge_0"),
            models.CheckConstraint(condition=Q(month__day=1), name="evaluation_card_month_first_day"),
        ]
        verbose_name = _("monthly evaluation card")
        verbose_name_plural = _("monthly evaluation cards")

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m}"


class ReferralReward(models.Model):
    """The thanks a referrer got for a referral that bought (an optional record, one per referral)."""

    referral = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        related_name="referral_reward",
        verbose_name=_("referred customer"),
    )
    referrer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="referral_rewards", verbose_name=_("referrer")
    )
    reward = models.CharField(_("reward"), max_length=200)
    value = models.DecimalField(_("value (CNY)"), max_digits=10, decimal_places=2, default=Decimal(0))
    given_on = models.DateField(_("given on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    scope: ClassVar[ScopeRule] = ScopeRule(store="referrer__store", owner="referrer__owner")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="referral_reward_value_ge_0")]
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referral_id}: {self.reward}"


class CustomerSpan(models.Model):
    """A stretch of days over which a customer file counts as a customer (SPEC §5 客户数)
    of one owner: from `start` to the day before `end` (open when `end` is empty).

    Derived from the records (the file, its audit history and ownership changes, its
    first order) by `apps.customers.counts`, in the same transaction as the write that
    changes them; `CustomerCountChange` adds them up per owner and day."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="count_spans")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True)

    class Meta:
        indexes = [
            # The records behind a consultant's count at a date (scoring's drill).
            models.Index(fields=["owner", "start"], name="span_owner_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")), name="span_ordered"
            ),
        ]
        verbose_name = _("customer span")
        verbose_name_plural = _("customer spans")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.owner_id} {self.start} – {self.end or ''}"


class CustomerCountChange(models.Model):
    """The rollup of `CustomerSpan`: how an owner's count of customers in a store changes
    on a day (+1 a span starts, −1 one ends). His customers at the end of a day E are the
    sum of the changes up to E: one indexed sum instead of every file's history."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    change = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "owner", "day"], name="count_change_once_a_day"),
        ]
        verbose_name = _("customer count change")
        verbose_name_plural = _("customer count changes")

    def __str__(self) -> str:
        return f"{self.store_id}/{self.owner_id} {self.day}: {self.change:+d}"
