"""Every write to rep activity: one function per use case, atomic, with readable refusals.

Times are judged in the store's time zone (settings.TIME_ZONE, Asia/Shanghai): a visit
"happened on" the local date of its start, a report is on time when submitted before
the cut-off on the evening of its date.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.customers.models import Customer, Opportunity
from apps.customers.services import customer_create, customer_touch, opportunity_set_stage
from apps.notifications.services import notify
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.org.scoping import store_ids
from apps.sales.models import Order

from .models import (
    ActivitySettings,
    Channel,
    DailyReport,
    Escalation,
    MarketReport,
    MonthlySummary,
    PlannedVisit,
    ReportComment,
    RoutePlan,
    Visit,
)

# A phone's clock may run a little ahead of the server's: tolerated for "not in the future".
CLOCK_SKEW = timedelta(minutes=5)


def settings_for(store: Store | int) -> ActivitySettings:
    """The store's activity rules; the defaults (2 days, 21:00, 7 days) until someone saves them."""
    store_id = store if isinstance(store, int) else store.pk
    found = ActivitySettings.objects.filter(store_id=store_id).first()
    return found or ActivitySettings(store_id=store_id)


@transaction.atomic
def activity_settings_save(*, store: Store, **fields: Any) -> ActivitySettings:
    obj = ActivitySettings.objects.filter(store=store).first() or ActivitySettings(store=store)
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.full_clean()
    obj.save()
    return obj


def _local(dt: datetime) -> date:
    return timezone.localdate(dt)


def is_late(*, started_at: datetime, entered_at: datetime, allowance_days: int) -> bool:
    """Entered more than `allowance_days` calendar days (local dates) after it happened."""
    return (_local(entered_at) - _local(started_at)).days > allowance_days


def default_store(user: User) -> Store:
    store = user.stores.order_by("pk").first()
    if store is None:
        raise ValidationError(_("You do not work at any store."))
    return store


def _check_consultant(user: User) -> None:
    if not user.is_active or user.role != Role.CONSULTANT:
        raise ValidationError({"consultant": _("Only an active sales consultant keeps these records.")})


# ---------------------------------------------------------------- visits


def _check_visit(
    *,
    consultant: User,
    customer: Customer,
    started_at: datetime,
    ended_at: datetime,
    expense: Decimal,
    opportunity: Opportunity | None,
    order: Order | None,
    next_follow_up: date | None,
    now: datetime,
) -> None:
    errors: dict[str, str] = {}
    if customer.store_id not in store_ids(consultant):
        errors["customer"] = _("This customer belongs to a store you do not work at.")
    elif customer.owner_id not in (None, consultant.pk):
        errors["customer"] = _("This customer is owned by another consultant.")
    if started_at > now + CLOCK_SKEW:
        errors["started_at"] = _("A visit cannot start in the future.")
    if ended_at < started_at:
        errors["ended_at"] = _("The end must not be before the start.")
    elif ended_at > now + CLOCK_SKEW:
        errors["ended_at"] = _("A visit cannot end in the future.")
    if expense is None or expense < 0:
        errors["expense"] = _("The expense cannot be below zero.")
    if opportunity is not None and opportunity.customer_id != customer.pk:
        errors["opportunity"] = _("This opportunity belongs to another customer.")
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = _("This order belongs to another customer.")
    if next_follow_up is not None and next_follow_up < _local(started_at):
        errors["next_follow_up"] = _("The next follow-up cannot be before the visit.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_log(
    *,
    consultant: User,
    channel: str,
    started_at: datetime,
    ended_at: datetime,
    customer: Customer | None = None,
    new_customer: dict[str, Any] | None = None,
    purpose: str = "",
    result: str = "",
    next_step: str = "",
    next_follow_up: date | None = None,
    expense: Decimal | int | str = Decimal(0),
    opportunity: Opportunity | None = None,
    stage: str = "",
    lost_reason: str = "",
    order: Order | None = None,
    store: Store | None = None,
    now: datetime | None = None,
) -> Visit:
    """Log a visit as it happens. A new prospect may be registered in the same step
    (`new_customer` = fields for customers.customer_create); the visit may move an
    opportunity to `stage` and sets the customer's last contact and next follow-up."""
    now = now or timezone.now()
    _check_consultant(consultant)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    if customer is None and not new_customer:
        raise ValidationError({"customer": _("Choose a customer or register a new prospect.")})
    if customer is None:
        assert new_customer is not None
        try:
            customer = customer_create(
                store=store or default_store(consultant), owner=consultant, **new_customer
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {f"new_{field}": errs for field, errs in exc.error_dict.items()}
                ) from exc
            raise
    expense = Decimal(str(expense)) if expense not in (None, "") else Decimal(0)
    _check_visit(
        consultant=consultant,
        customer=customer,
        started_at=started_at,
        ended_at=ended_at,
        expense=expense,
        opportunity=opportunity,
        order=order,
        next_follow_up=next_follow_up,
        now=now,
    )
    if stage and opportunity is None:
        raise ValidationError({"stage": _("Choose the opportunity this visit moved.")})
    rules = settings_for(customer.store_id)
    visit = Visit(
        store_id=customer.store_id,
        consultant=consultant,
        customer=customer,
        channel=channel,
        started_at=started_at,
        ended_at=ended_at,
        purpose=purpose,
        result=result,
        next_step=next_step,
        next_follow_up=next_follow_up,
        expense=expense,
        opportunity=opportunity,
        stage_after=stage,
        order=order,
        entered_at=now,
        late=is_late(started_at=started_at, entered_at=now, allowance_days=rules.late_entry_days),
    )
    visit._history_user = consultant  # type: ignore[attr-defined]
    visit.save()
    if opportunity is not None and stage:
        opportunity_set_stage(opportunity=opportunity, stage=stage, by=consultant, lost_reason=lost_reason)
    last = customer.last_contact_at
    if last is None or last < ended_at:
        # The customer was read by this call; a stage change may have regraded him.
        grade = None if stage else customer.grade
        customer_touch(customer=customer, at=ended_at, next_follow_up=next_follow_up, grade=grade)
    return visit


def visit_locked(visit: Visit, *, now: datetime | None = None) -> bool:
    """A consultant may change a visit only within the store's lock window."""
    rules = settings_for(visit.store_id)
    return (_local(now or timezone.now()) - _local(visit.started_at)).days > rules.lock_days


def _check_may_change(visit: Visit, by: User, now: datetime) -> None:
    if not by.is_admin and by.pk != visit.consultant_id:
        raise ValidationError(_("Only the consultant who logged a visit may change it."))
    if not by.is_admin and visit_locked(visit, now=now):
        raise ValidationError(
            _("This visit is older than %(days)s days and is locked.")
            % {"days": settings_for(visit.store_id).lock_days}
        )


EDITABLE = {
    "customer",
    "channel",
    "started_at",
    "ended_at",
    "purpose",
    "result",
    "next_step",
    "next_follow_up",
    "expense",
    "opportunity",
    "order",
}


@transaction.atomic
def visit_update(*, visit: Visit, by: User, now: datetime | None = None, **fields: Any) -> Visit:
    """Change a visit within the lock window; every edit is kept in its history.

    Late stays late: an edit may make a visit late (its start moved to long before
    the entry, or the start itself re-entered more than the allowance after it
    happened), never un-late it, so the late-entry rate cannot be edited down."""
    now = now or timezone.now()
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _check_may_change(visit, by, now)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in sorted(unknown)})
    was_late, old_start = visit.late, visit.started_at
    for key, value in fields.items():
        setattr(visit, key, value)
    visit.expense = Decimal(str(visit.expense)) if visit.expense not in (None, "") else Decimal(0)
    _check_visit(
        consultant=visit.consultant,
        customer=visit.customer,
        started_at=visit.started_at,
        ended_at=visit.ended_at,
        expense=visit.expense,
        opportunity=visit.opportunity,
        order=visit.order,
        next_follow_up=visit.next_follow_up,
        now=now,
    )
    allowance = settings_for(visit.store_id).late_entry_days
    visit.late = (
        was_late
        or is_late(started_at=visit.started_at, entered_at=visit.entered_at, allowance_days=allowance)
        or (
            visit.started_at != old_start
            and is_late(started_at=visit.started_at, entered_at=now, allowance_days=allowance)
        )
    )
    visit._history_user = by  # type: ignore[attr-defined]
    visit.save()
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, by: User, now: datetime | None = None) -> None:
    """Withdraw a visit logged by mistake, within the lock window (the history keeps it)."""
    _check_may_change(visit, by, now or timezone.now())
    visit._history_user = by  # type: ignore[attr-defined]
    visit.delete()


# ---------------------------------------------------------------- daily reports


def report_deadline(store_id: int, day: date) -> datetime:
    cutoff = settings_for(store_id).report_cutoff
    return timezone.make_aware(datetime.combine(day, cutoff))


def _get_or_create_locked(model: Any, key: dict[str, Any], defaults: dict[str, Any]) -> Any:
    """The row for `key`, locked for update; created if missing. Two requests creating
    it at once (a double tap on Submit) both end up with the one row: the loser of the
    unique-key race reads the winner's."""
    found = model.objects.select_for_update().filter(**key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return model.objects.create(**key, **defaults)
    except IntegrityError:
        return model.objects.select_for_update().get(**key)


def _store_manager(store_id: int) -> User | None:
    return User.objects.filter(role=Role.MANAGER, is_active=True, stores=store_id).order_by("pk").first()


@transaction.atomic
def daily_report_save(
    *,
    consultant: User,
    date: date,
    problems: str = "",
    help_needed: str = "",
    market_notes: str = "",
    submit: bool = False,
    store: Store | None = None,
    now: datetime | None = None,
) -> DailyReport:
    """Write (and optionally submit) the consultant's report for a day. The first
    submission fixes `submitted_at` and `on_time`; help needed becomes an escalation
    to the store's manager."""
    now = now or timezone.now()
    _check_consultant(consultant)
    if date > _local(now):
        raise ValidationError({"date": _("A report cannot be written for a day that has not come.")})
    report = DailyReport.objects.select_for_update().filter(consultant=consultant, date=date).first()
    is_new = report is None
    if report is None:
        report = DailyReport(
            consultant=consultant, date=date, store=store or default_store(consultant), created_at=now
        )
    report.problems = problems
    report.help_needed = help_needed
    report.market_notes = market_notes
    if submit and report.submitted_at is None:
        report.submitted_at = now
        report.on_time = now <= report_deadline(report.store_id, date)
    report._history_user = consultant  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        if not is_new:
            raise
        # A second request created the day's report meanwhile (a double tap on Submit):
        # write into that one instead.
        return daily_report_save(
            consultant=consultant,
            date=date,
            problems=problems,
            help_needed=help_needed,
            market_notes=market_notes,
            submit=submit,
            store=store,
            now=now,
        )
    if report.submitted_at and help_needed.strip():
        _escalate(report, now)
    return report


def _escalate(report: DailyReport, now: datetime) -> None:
    found = Escalation.objects.filter(report=report).first()
    if found is None:
        Escalation.objects.create(
            store_id=report.store_id,
            raised_by_id=report.consultant_id,
            assigned_to=_store_manager(report.store_id),
            report=report,
            question=report.help_needed.strip(),
            raised_at=now,
        )
    elif found.answered_at is None and found.question != report.help_needed.strip():
        found.question = report.help_needed.strip()
        found.save(update_fields=["question"])


def _check_manager_of(by: User, store_id: int) -> None:
    if by.is_admin:
        return
    if by.role != Role.MANAGER or not by.stores.filter(pk=store_id).exists():
        raise ValidationError(_("Only a manager of this store may do this."))


@transaction.atomic
def daily_report_comment(
    *, report: DailyReport, by: User, comment: str, now: datetime | None = None
) -> DailyReport:
    """The manager's feedback on a submitted report; the consultant sees it as unread."""
    _check_manager_of(by, report.store_id)
    if report.submitted_at is None:
        raise ValidationError(_("The report has not been submitted yet."))
    if not comment.strip():
        raise ValidationError({"manager_comment": _("Write a comment.")})
    at = now or timezone.now()
    note = ReportComment.objects.create(report=report, author=by, body=comment.strip(), created_at=at)
    report.manager_comment = note.body
    report.commented_by = by
    report.commented_at = at
    report.comment_read_at = None
    report._history_user = by  # type: ignore[attr-defined]
    report.save(update_fields=["manager_comment", "commented_by", "commented_at", "comment_read_at"])
    notify(
        users=[report.consultant_id],
        kind="report_commented",
        key=f"report:{report.pk}:comment:{note.pk}",
        params={"by": str(by), "date": report.date.isoformat()},
        url=f"/activities/reports/{report.pk}/",
        store_id=report.store_id,
    )
    return report


@transaction.atomic
def daily_report_reply(
    *, report: DailyReport, by: User, comment: str, now: datetime | None = None
) -> ReportComment:
    """The consultant answers the feedback on his report; the managers who commented hear of it."""
    if by.pk != report.consultant_id:
        raise ValidationError(_("Only the report's consultant may reply."))
    if not report.comments.exists():
        raise ValidationError(_("There is no comment to reply to."))
    if not comment.strip():
        raise ValidationError({"comment": _("Write a comment.")})
    note = ReportComment.objects.create(
        report=report, author=by, body=comment.strip(), created_at=now or timezone.now()
    )
    managers = set(
        report.comments.exclude(author=by).exclude(author=None).values_list("author_id", flat=True)
    )
    notify(
        users=sorted(managers),
        kind="report_replied",
        key=f"report:{report.pk}:comment:{note.pk}",
        params={"by": str(by), "date": report.date.isoformat()},
        url=f"/activities/reports/{report.pk}/",
        store_id=report.store_id,
    )
    return note


def daily_report_mark_read(*, report: DailyReport, by: User, now: datetime | None = None) -> None:
    """The consultant opened his report: the manager's comment is read."""
    if by.pk != report.consultant_id or not report.comment_unread:
        return
    report.comment_read_at = now or timezone.now()
    DailyReport.objects.filter(pk=report.pk).update(comment_read_at=report.comment_read_at)


# ---------------------------------------------------------------- escalations


@transaction.atomic
def escalation_answer(
    *, escalation: Escalation, by: User, answer: str, now: datetime | None = None
) -> Escalation:
    _check_manager_of(by, escalation.store_id)
    if not answer.strip():
        raise ValidationError({"answer": _("Write an answer.")})
    escalation.answer = answer.strip()
    if escalation.answered_at is None:
        escalation.answered_at = now or timezone.now()
        escalation.answered_by = by
    escalation.save(update_fields=["answer", "answered_at", "answered_by"])
    notify(
        users=[escalation.raised_by_id],
        kind="escalation_answered",
        key=f"escalation-answer:{escalation.pk}",
        params={"by": str(by), "question": escalation.question[:60]},
        url="/activities/escalations/",
        store_id=escalation.store_id,
    )
    return escalation


# ---------------------------------------------------------------- route plans


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def route_plan_get_or_create(*, consultant: User, week_start: date, store: Store | None = None) -> RoutePlan:
    _check_consultant(consultant)
    monday = week_start_of(week_start)
    return _get_or_create_locked(
        RoutePlan,
        {"consultant": consultant, "week_start": monday},
        {"store": store or default_store(consultant)},
    )


@transaction.atomic
def planned_visit_add(
    *, plan: RoutePlan, by: User, date: date, customer: Customer, purpose: str = ""
) -> PlannedVisit:
    if by.pk != plan.consultant_id and not by.is_admin:
        raise ValidationError(_("Only the consultant may change his route plan."))
    errors = {}
    if not plan.week_start <= date <= plan.week_start + timedelta(days=6):
        errors["date"] = _("Pick a day of the plan's week.")
    if customer.store_id != plan.store_id or customer.owner_id not in (None, plan.consultant_id):
        errors["customer"] = _("Pick one of your customers in this store.")
    if not errors and PlannedVisit.objects.filter(plan=plan, date=date, customer=customer).exists():
        errors["customer"] = _("This customer is already planned for that day.")
    if errors:
        raise ValidationError(errors)
    return PlannedVisit.objects.create(plan=plan, date=date, customer=customer, purpose=purpose)


@transaction.atomic
def planned_visit_remove(*, stop: PlannedVisit, by: User) -> None:
    if by.pk != stop.plan.consultant_id and not by.is_admin:
        raise ValidationError(_("Only the consultant may change his route plan."))
    stop.delete()


# ---------------------------------------------------------------- monthly summaries


@transaction.atomic
def monthly_summary_save(
    *, consultant: User, month: date, summary: str, key_points: str, now: datetime | None = None
) -> MonthlySummary:
    _check_consultant(consultant)
    first = month.replace(day=1)
    errors = {}
    if first > _local(now or timezone.now()).replace(day=1):
        errors["month"] = _("A summary cannot be written for a month that has not begun.")
    if not summary.strip():
        errors["summary"] = _("Write the month's summary.")
    if not key_points.strip():
        errors["key_points"] = _("Write next month's key points.")
    if errors:
        raise ValidationError(errors)
    obj = MonthlySummary.objects.select_for_update().filter(consultant=consultant, month=first).first()
    if obj is None:
        obj = MonthlySummary(consultant=consultant, month=first, store=default_store(consultant))
    obj.summary = summary.strip()
    obj.key_points = key_points.strip()
    obj.save()
    return obj


@transaction.atomic
def monthly_summary_comment(*, summary: MonthlySummary, by: User, comment: str) -> MonthlySummary:
    _check_manager_of(by, summary.store_id)
    if not comment.strip():
        raise ValidationError({"manager_comment": _("Write a comment.")})
    summary.manager_comment = comment.strip()
    summary.save(update_fields=["manager_comment", "updated_at"])
    return summary


# ---------------------------------------------------------------- market reports


def normalise_tags(tags: Any) -> str:
    """Tags from a list or a comma/space separated string → ",a,b," (deduplicated, ordered)."""
    if isinstance(tags, str):
        items = tags.replace("，", ",").replace(" ", ",").split(",")
    else:
        items = list(tags or [])
    seen: list[str] = []
    for item in items:
        tag = str(item).strip().lstrip("#").lower()
        if tag and "," not in tag and tag not in seen:
            seen.append(tag)
    return f",{','.join(seen)}," if seen else ""


# The fields a consultant writes on a market report, in form order (form and API use it too).
MARKET_FIELDS = (
    "date",
    "competitor_brand",
    "competitor_model",
    "retail_price",
    "transaction_price",
    "discount",
    "quality_feedback",
    "trend",
    "customer_needs",
    "dealer_requirements",
    "tags",
)


@transaction.atomic
def market_report_save(
    *,
    consultant: User,
    instance: MarketReport | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> MarketReport:
    """Record what a competitor sells and for how much. The discount defaults to
    retail − transaction when both prices are given."""
    if instance is not None and instance.consultant_id != consultant.pk and not consultant.is_admin:
        raise ValidationError(_("Only the consultant who wrote a report may change it."))
    if instance is None:
        _check_consultant(consultant)
    unknown = set(fields) - set(MARKET_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    report = instance or MarketReport(consultant=consultant, store=default_store(consultant))
    if "tags" in fields:
        fields["tags"] = normalise_tags(fields["tags"])
    for key, value in fields.items():
        setattr(report, key, value)
    errors = {}
    for money in ("retail_price", "transaction_price", "discount"):
        value = getattr(report, money)
        if value is not None and Decimal(str(value)) < 0:
            errors[money] = _("A price or discount cannot be below zero.")
    if report.date and report.date > _local(now or timezone.now()):
        errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    if report.discount is None and report.retail_price is not None and report.transaction_price is not None:
        gap = Decimal(str(report.retail_price)) - Decimal(str(report.transaction_price))
        report.discount = max(gap, Decimal(0))
    report.full_clean()
    report.save()
    return report
