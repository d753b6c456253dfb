"""Training pages: the list (a manager's stores; a consultant's own sessions with his
score), and the form that creates or edits a session with its attendees and scores."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.org.forms import add_service_error
from apps.org.listing import list_page
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible

from . import selectors, services
from .filters import SessionFilter
from .forms import SessionForm
from .models import Attendance, TrainingSession

READERS = (Role.MANAGER, Role.CONSULTANT)
EDITORS = (Role.MANAGER,)


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@role_required(*READERS)
def session_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    qs = selectors.sessions_for(me)
    if not (me.is_admin or me.is_store_wide):
        # His own attendance on each row (a consultant sees only the sessions he attended).
        qs = qs.prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.filter(attendee=me), to_attr="mine")
        )
    return list_page(
        request,
        queryset=qs,
        filterset_class=SessionFilter,
        template="training/session_list.html",
        fragment="training/_session_table.html",
        sort={"date": "date", "topic": "topic", "hours": "hours", "attendees": "attendee_count"},
        export=(
            "training",
            [
                _("Date"),
                _("Store"),
                _("Topic"),
                _("Title"),
                _("Trainer"),
                _("Hours"),
                _("Attendees"),
                _("Average score"),
            ],
            lambda s: [
                s.date,
                str(s.store),
                s.get_topic_display(),
                s.title,
                s.trainer_label,
                s.hours,
                s.attendee_count,
                s.average_score,
            ],
        ),
        extra={"can_edit": me.has_role(*EDITORS), "own": not (me.is_admin or me.is_store_wide)},
    )


def _staff(me: User) -> list[User]:
    return list(
        User.objects.filter(stores__in=store_ids(me), is_active=True)
        .distinct()
        .order_by("name", "username", "pk")
    )


@role_required(*EDITORS)
def session_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    me = _me(request)
    session = None
    if pk is not None:
        session = get_visible_or_404(TrainingSession.objects.select_related("store"), me, pk=pk)
    stores = visible(Store.objects.all(), me)
    staff = _staff(me)
    staff_qs = User.objects.filter(pk__in=[u.pk for u in staff])
    initial: dict[str, object] = {}
    if session is None and len(mine := list(stores[:2])) == 1:
        initial["store"] = mine[0]  # a manager of one store does not pick it
    scores: dict[int, str] = {}
    if session is not None:
        initial = {
            "store": session.store,
            "topic": session.topic,
            "title": session.title,
            "date": session.date,
            "hours": session.hours,
            "trainer": session.trainer,
            "trainer_name": session.trainer_name,
            "note": session.note,
        }
        scores = {a.attendee_id: ("" if a.score is None else str(a.score)) for a in session.attendances.all()}
    form = SessionForm(request.POST or None, initial=initial, stores=stores, staff=staff_qs)
    if request.method == "POST":
        scores = form.attendees()
        if form.is_valid():
            d = form.cleaned_data
            try:
                saved = services.training_session_save(
                    store=d["store"],
                    topic=d["topic"],
                    title=d["title"],
                    date=d["date"],
                    hours=d["hours"],
                    trainer=d["trainer"],
                    trainer_name=d["trainer_name"],
                    note=d["note"],
                    attendees=scores,
                    by=me,
                    instance=session,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Training session saved."))
                return redirect("training:edit", pk=saved.pk)
    rows = [(u, u.pk in scores, scores.get(u.pk, "")) for u in staff]
    return render(request, "training/session_form.html", {"form": form, "session": session, "rows": rows})
