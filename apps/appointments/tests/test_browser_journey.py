"""The journey of issue 15 in Chromium: the specialist confirms tomorrow's appointments,
the consultant finds them in his route plan, one customer does not come and is a no-show
the next day, and the manager reads the arrival rate. Screenshots in SHOTS."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apps.activities.models import Visit
from apps.activities.tests.factories import aware, customer
from apps.appointments import services
from apps.appointments.models import Appointment, Status
from apps.org.roles import Role
from conftest import PASSWORD, _persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the screenshots go: $SHOTS if set (to look at them), else the test's tmp_path.
SHOTS = os.environ.get("SHOTS", "")


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]", state="attached")


def shot(page, where: Path, name: str) -> None:
    page.screenshot(path=str(where / f"{name}.png"), full_page=True)


def test_confirm_route_no_show_and_arrival_rate(page, phone, store, consultant, manager, tmp_path):
    where = Path(SHOTS) if SHOTS else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    specialist = _persona("specialist", Role.APPOINTMENT_SPECIALIST, [store], name="孙约访")
    tomorrow = timezone.localdate() + timedelta(days=1)
    came = customer(store, consultant, name="周建国")
    stayed = customer(store, consultant, name="吴丽")
    services.appointment_create(
        by=specialist,
        consultant=consultant,
        customer=came,
        starts_at=aware(tomorrow, 10),
        kind="test_drive",
        purpose="试驾汉兰达",
    )
    services.appointment_create(
        by=specialist,
        consultant=consultant,
        customer=stayed,
        starts_at=aware(tomorrow, 15),
        kind="outside",
        purpose="上门送资料",
    )

    # 1. The specialist's call list for tomorrow: confirm both by phone.
    log_in(page, "specialist")
    page.goto("/appointments/calls/")
    assert "2" in page.inner_text("[data-testid=to-confirm]")
    shot(page, where, "1-specialist-call-list")
    for a in Appointment.objects.order_by("starts_at"):
        page.click(f"[data-testid=confirm-{a.pk}]")
        page.wait_for_selector(f"[data-testid=status-{a.pk}].text-bg-success")
    shot(page, where, "2-specialist-confirmed")
    assert "0" in page.inner_text("[data-testid=to-confirm]")

    # The specialist on a phone, in Chinese, sees the same list.
    specialist.language = "zh-hans"
    specialist.save(update_fields=["language"])
    log_in(phone, "specialist")
    phone.goto("/appointments/calls/")
    assert "约访确认" in phone.inner_text("main")
    shot(phone, where, "3-specialist-phone-zh")

    # 2. The consultant finds them in his route plan (and a notification for each).
    log_in(phone, "consultant")
    phone.goto(f"/activities/routes/?week={tomorrow.isoformat()}")
    route = phone.inner_text("main")
    assert "周建国" in route and "吴丽" in route and "10:00" in route and "15:00" in route
    assert phone.inner_text("[data-testid=bell-count]") == "2"
    shot(phone, where, "4-consultant-route")
    phone.goto("/notifications/")
    shot(phone, where, "5-consultant-notifications")

    # 3. Tomorrow: the consultant meets 周建国 (his visit logged that day); 吴丽 is not at
    # home. The day-end job decides: one attended, one no-show.
    Visit.objects.create(
        store=store,
        consultant=consultant,
        customer=came,
        channel="test_drive",
        started_at=aware(tomorrow, 10, 5),
        ended_at=aware(tomorrow, 11),
    )
    assert services.appointments_close_day(day=tomorrow) == {"attended": 0, "no_show": 1}
    assert Appointment.objects.get(customer=stayed).status == Status.NO_SHOW
    assert Appointment.objects.get(customer=came).status == Status.ATTENDED

    # 4. The manager reads the arrival rate.
    log_in(page, "manager")
    page.goto(f"/appointments/kpis/?month={tomorrow:%Y-%m}")
    assert page.inner_text("[data-testid=arrival-rate]").strip() == "50%"
    assert page.inner_text("[data-testid=no-show-rate]").strip() == "50%"
    shot(page, where, "6-manager-arrival-rate")
    page.goto(f"/appointments/?day={tomorrow.isoformat()}")
    shot(page, where, "7-manager-appointments-decided")
