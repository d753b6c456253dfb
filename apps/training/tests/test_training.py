"""Training sessions: the service's rules, the pages, the API and its scoping, and the
figures the scorecards and the store month read."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.scoring.periods import parse
from apps.scoring.selectors import scorecards
from apps.training import selectors, services
from apps.training.models import Attendance, TrainingSession


def _session(store, manager, people, *, day=date(2026, 3, 10), hours="2.5", **kw):
    return services.training_session_save(
        store=store,
        topic=kw.pop("topic", "sales_skills"),
        title=kw.pop("title", "异议处理"),
        date=day,
        hours=Decimal(hours),
        trainer=kw.pop("trainer", manager),
        attendees=kw.pop("attendees", None) or {u.pk: Decimal(80) for u in people},
        by=manager,
        **kw,
    )


def test_a_manager_records_a_session_with_attendees_and_scores(store, manager, consultant, consultant2):
    s = _session(store, manager, [], attendees={consultant.pk: "92.5", consultant2.pk: ""})
    got = dict(s.attendances.values_list("attendee_id", "score"))
    assert got == {consultant.pk: Decimal("92.5"), consultant2.pk: None}
    # Saving again replaces the attendee list.
    _session(store, manager, [], attendees={consultant2.pk: 70}, instance=s)
    assert list(s.attendances.values_list("attendee_id", "score")) == [(consultant2.pk, Decimal(70))]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"title": "  "}, "title"),
        ({"topic": "nope"}, "topic"),
        ({"attendees": {0: 90}}, "attendees"),
        ({"trainer": None}, "trainer"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(store, manager, consultant, change, field):
    kw = {"title": "产品知识", "hours": "2", "topic": "product_knowledge"} | change
    attendees = kw.pop("attendees", {consultant.pk: 80})
    with pytest.raises(ValidationError) as err:
        services.training_session_save(
            store=store,
            topic=kw["topic"],
            title=kw["title"],
            date=date(2026, 3, 1),
            hours=kw["hours"],
            trainer=kw.get("trainer", manager),
            attendees=attendees,
            by=manager,
        )
    assert field in err.value.message_dict
    assert not TrainingSession.objects.exists()


def test_scores_out_of_range_and_other_stores_staff_are_refused(
    store, manager, consultant, other_consultant, other_manager
):
    with pytest.raises(ValidationError, match="0 to 100"):
        _session(store, manager, [], attendees={consultant.pk: 101})
    with pytest.raises(ValidationError, match="staff"):
        _session(store, manager, [], attendees={other_consultant.pk: 80})
    with pytest.raises(ValidationError):
        _session(store, other_manager, [consultant], trainer=None, trainer_name="外聘讲师")
    assert not TrainingSession.objects.exists()


def test_an_outside_trainer_is_named_when_no_colleague_trains(store, manager, consultant):
    s = _session(store, manager, [consultant], trainer=None, trainer_name="厂家培训师 刘老师")
    assert s.trainer_label == "厂家培训师 刘老师"


def test_training_hours_are_in_the_consultants_scorecard(store, manager, consultant, consultant2):
    _session(store, manager, [consultant, consultant2], day=date(2026, 3, 3), hours="2.5")
    _session(store, manager, [consultant], day=date(2026, 3, 20), hours="1.5", title="交车流程")
    _session(store, manager, [consultant], day=date(2026, 4, 2), hours="3")
    cards = scorecards(stores=[store], periods=[parse("2026-03"), parse("2026-Q2")])
    assert cards[consultant.pk, "2026-03"].figures["training_hours"] == Decimal("4.0")
    assert cards[consultant2.pk, "2026-03"].figures["training_hours"] == Decimal("2.5")
    assert cards[consultant.pk, "2026-Q2"].figures["training_hours"] == Decimal("3.0")
    assert cards[consultant2.pk, "2026-Q2"].figures["training_hours"] == 0


def test_store_months_counts_sessions_hours_people_and_scores(store, manager, consultant, consultant2):
    _session(
        store, manager, [], day=date(2026, 3, 3), hours="2", attendees={consultant.pk: 90, consultant2.pk: 70}
    )
    _session(store, manager, [], day=date(2026, 3, 9), hours="1.5", attendees={consultant.pk: None})
    got = selectors.store_months([store.pk], date(2026, 3, 1), date(2026, 3, 31))
    march = got[date(2026, 3, 1)]
    assert march["sessions"] == 2 and march["hours"] == Decimal("3.5")
    assert march["attendances"] == 3 and march["person_hours"] == Decimal("5.5")
    assert march["average_score"] == 80


def test_the_list_runs_a_fixed_number_of_queries(
    client_as, store, manager, consultant, django_assert_num_queries
):
    for i in range(3):
        _session(store, manager, [consultant], day=date(2026, 3, 1 + i))
    c = client_as(manager)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("training:list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        _session(store, manager, [consultant], day=date(2026, 4, 1 + i))
    assert count() == few
    # session + user (2), the user's store ids (1), the bell's unread count (1), the
    # filter's store choices (1), count (1), the page with attendee counts and scores (1).
    assert few == 7


def test_a_consultant_sees_only_the_sessions_he_attended_with_his_score(
    client_as, store, manager, consultant, consultant2
):
    _session(store, manager, [], attendees={consultant.pk: 88}, title="我参加的")
    _session(store, manager, [], attendees={consultant2.pk: 70}, title="别人的")
    html = client_as(consultant).get(reverse("training:list")).content.decode()
    assert "我参加的" in html and "别人的" not in html and "88" in html
    assert client_as(consultant).get(reverse("training:new")).status_code in (302, 403)


def test_the_manager_creates_and_edits_a_session_on_the_page(
    client_as, store, manager, consultant, consultant2
):
    c = client_as(manager)
    assert c.get(reverse("training:new")).status_code == 200
    form = {
        "store": store.pk,
        "topic": "product_knowledge",
        "title": "新能源车型讲解",
        "date": "2026-03-05",
        "hours": "2.0",
        "trainer": manager.pk,
        "attend": [consultant.pk, consultant2.pk],
        f"score_{consultant.pk}": "95",
        f"score_{consultant2.pk}": "",
    }
    res = c.post(reverse("training:new"), form)
    assert res.status_code == 302
    s = TrainingSession.objects.get()
    assert s.attendances.count() == 2
    bad = c.post(reverse("training:edit", args=[s.pk]), form | {f"score_{consultant.pk}": "abc"})
    assert bad.status_code == 200 and "Enter a number" in bad.content.decode()
    assert Attendance.objects.get(attendee=consultant).score == 95  # untouched
    c.post(reverse("training:edit", args=[s.pk]), form | {"attend": [consultant.pk], "hours": "3"})
    s.refresh_from_db()
    assert s.hours == 3 and s.attendances.count() == 1


def test_another_stores_manager_gets_404(
    client_as, store, manager, consultant, consultant2, other_manager, api_as
):
    s = _session(store, manager, [consultant])
    assert client_as(other_manager).get(reverse("training:edit", args=[s.pk])).status_code == 404
    api = api_as(other_manager)
    assert api.get(f"/api/v1/trainings/{s.pk}/").status_code == 404
    assert api.get("/api/v1/trainings/").json()["count"] == 0
    assert api.patch(f"/api/v1/trainings/{s.pk}/", {"hours": "1"}, format="json").status_code == 404
    # A consultant who did not attend: 404 as well (never reveal it exists).
    assert api_as(consultant2).get(f"/api/v1/trainings/{s.pk}/").status_code == 404
    assert api_as(consultant).get(f"/api/v1/trainings/{s.pk}/").status_code == 200


def test_the_api_lists_creates_and_patches_sessions(api_as, store, manager, consultant, consultant2):
    api = api_as(manager)
    res = api.post(
        "/api/v1/trainings/",
        {
            "store": store.pk,
            "topic": "service_process",
            "title": "服务流程",
            "date": "2026-03-12",
            "hours": "1.5",
            "trainer_name": "厂家培训师",
            "attendees": [{"attendee": consultant.pk, "score": "90"}, {"attendee": consultant2.pk}],
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["hours"] == "1.5" and len(body["attendees"]) == 2 and body["average_score"] == "90.0"
    pk = body["id"]
    res = api.patch(f"/api/v1/trainings/{pk}/", {"hours": "2"}, format="json")
    assert res.status_code == 200 and res.json()["hours"] == "2.0" and len(res.json()["attendees"]) == 2
    bad = api.post("/api/v1/trainings/", {"store": store.pk, "topic": "x"}, format="json")
    assert bad.status_code == 400
    over = api.patch(f"/api/v1/trainings/{pk}/", {"hours": "30"}, format="json")
    assert over.status_code == 400
    assert TrainingSession.objects.get().hours == 2
    # A consultant reads the sessions he attended and may not write.
    mine = api_as(consultant).get("/api/v1/trainings/")
    assert mine.status_code == 200 and mine.json()["count"] == 1
    assert (
        api_as(consultant).patch(f"/api/v1/trainings/{pk}/", {"hours": "1"}, format="json").status_code == 403
    )


def test_the_api_list_runs_a_fixed_number_of_queries(
    api_as, store, manager, consultant, django_assert_num_queries
):
    for i in range(3):
        _session(store, manager, [consultant], day=date(2026, 3, 1 + i))
    api = api_as(manager)
    # the user's store ids (1, read once per request), count (1), page (1), attendances (1).
    with django_assert_num_queries(4):
        assert api.get("/api/v1/trainings/").status_code == 200
    for i in range(10):
        _session(store, manager, [consultant], day=date(2026, 4, 1 + i))
    with django_assert_num_queries(4):
        assert api.get("/api/v1/trainings/").json()["count"] == 13


def test_the_form_fills_its_date_in_chinese_too(client_as, store, manager, consultant):
    """A date input takes only ISO dates: 2026年3月10日 would leave it blank."""
    s = _session(store, manager, [consultant], day=date(2026, 3, 10))
    c = client_as(manager)
    c.cookies["django_language"] = "zh-hans"
    html = c.get(reverse("training:edit", args=[s.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "参训人" in html and 'name="date" value="2026-03-10"' in html
