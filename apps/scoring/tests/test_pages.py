"""The scorecard pages: who sees what, rating, closing, export, drill-down."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.scoring.models import PeriodClose, Rating

from . import factories as f

pytestmark = pytest.mark.django_db
GOOD = {
    "cooperation": 5,
    "enthusiasm": 4,
    "loyalty": 4,
    "compliance": 3,
    "planning": 5,
    "progress": 3,
    "comment": "稳定",
}


def test_a_consultant_is_sent_to_his_own_scorecard(client_as, consultant):
    response = client_as(consultant).get("/scoring/")
    assert response.status_code == 302 and response.url == f"/scoring/consultant/{consultant.pk}/"
    assert client_as(consultant).get(response.url + "?period=2026-10").status_code == 200


def test_a_consultant_gets_404_for_a_colleagues_scorecard_and_403_for_manager_pages(
    client_as, consultant, consultant2
):
    client = client_as(consultant)
    for url in (
        f"/scoring/consultant/{consultant2.pk}/",
        f"/scoring/consultant/{consultant2.pk}/sales_revenue/",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/scoring/ranking/", "/scoring/compare/", f"/scoring/consultant/{consultant2.pk}/rate/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/scoring/close/", {"period": "2026-10"}).status_code == 403


def test_another_stores_manager_gets_404_for_every_page_of_this_store(
    client_as, other_manager, consultant, store
):
    client = client_as(other_manager)
    for url in (
        f"/scoring/consultant/{consultant.pk}/",
        f"/scoring/consultant/{consultant.pk}/units/",
        f"/scoring/consultant/{consultant.pk}/rate/",
        f"/scoring/ranking/?store={store.pk}",
        f"/scoring/export/?store={store.pk}&period=2026-10",
        f"/scoring/compare/?a={consultant.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/scoring/consultant/{consultant.pk}/rate/?period=2026-10", GOOD).status_code == 404
    assert client.post("/scoring/close/", {"store": store.pk, "period": "2026-10"}).status_code == 404
    assert not Rating.objects.exists() and not PeriodClose.objects.exists()


def test_the_ranking_lists_the_stores_consultants_by_score_and_sorts(
    client_as, manager, consultant, consultant2
):
    f.order(consultant2, date(2026, 10, 3), 300000, 250000)
    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    client = client_as(manager)
    html = client.get("/scoring/ranking/?period=2026-10").content.decode()
    assert html.index("李娜") < html.index("王伟")  # consultant2 sells more
    by_revenue = client.get("/scoring/ranking/?period=2026-10&sort=sales_revenue").content.decode()
    assert by_revenue.index("王伟") < by_revenue.index("李娜")
    assert client.get("/scoring/ranking/?period=nonsense").status_code == 200


def test_a_figure_links_to_the_records_it_came_from(client_as, consultant):
    f.order(consultant, date(2026, 10, 4), 123456, 100000)
    f.order(consultant, date(2026, 10, 5), 654321, 1, status="cancelled")
    client = client_as(consultant)
    card = client.get(f"/scoring/consultant/{consultant.pk}/?period=2026-10").content.decode()
    assert f"/scoring/consultant/{consultant.pk}/sales_revenue/?period=2026-10" in card
    assert "123,456.00" in card
    drill = client.get(f"/scoring/consultant/{consultant.pk}/sales_revenue/?period=2026-10").content.decode()
    assert "123,456.00" in drill and "654,321.00" not in drill
    assert client.get(f"/scoring/consultant/{consultant.pk}/no_such_measure/").status_code == 404


def test_a_zero_denominator_shows_a_dash(client_as, consultant):
    html = client_as(consultant).get(f"/scoring/consultant/{consultant.pk}/?period=2026-10").content.decode()
    assert 'data-measure="visits_per_day"' in html
    row = html.split('data-measure="visits_per_day"')[1].split("</tr>")[0]
    assert "—" in row and ">0<" not in row


def test_the_manager_rates_once_per_period_and_bad_scores_show_on_the_form(client_as, manager, consultant):
    client = client_as(manager)
    url = f"/scoring/consultant/{consultant.pk}/rate/?period=2026-10"
    bad = client.post(url, {**GOOD, "cooperation": 7, "progress": ""})
    assert bad.status_code == 200 and bad.context["form"].errors.keys() >= {"cooperation", "progress"}
    assert not Rating.objects.exists()
    assert client.post(url, GOOD).status_code == 302
    assert client.post(url, {**GOOD, "progress": 5}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.period, rating.progress, rating.rated_by) == ("2026-10", 5, manager)


def test_closing_freezes_the_month_lists_later_changes_and_exports_it(client_as, manager, consultant, store):
    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    client = client_as(manager)
    client.post(f"/scoring/consultant/{consultant.pk}/rate/?period=2026-10", GOOD)
    assert client.post("/scoring/close/", {"store": store.pk, "period": "2026-10"}).status_code == 302
    frozen = PeriodClose.objects.get(store=store, period="2026-10")
    assert frozen.snapshot["consultants"][str(consultant.pk)]["figures"]["sales_revenue"] == "100000.00"
    # A later record in the closed month does not change the scorecard, but is listed.
    f.order(consultant, date(2026, 10, 20), 50000, 40000)
    html = client.get("/scoring/ranking/?period=2026-10").content.decode()
    assert "100,000.00" in html and "150,000.00" not in html
    assert "sales_revenue" in html.split('data-testid="changed"')[1]
    # Closing twice and rating a closed month are refused with a message.
    client.post("/scoring/close/", {"store": store.pk, "period": "2026-10"})
    assert PeriodClose.objects.count() == 1
    again = client.post(f"/scoring/consultant/{consultant.pk}/rate/?period=2026-10", GOOD)
    assert again.status_code == 200 and "closed" in str(again.context["form"].non_field_errors())
    export = client.get(f"/scoring/export/?store={store.pk}&period=2026-10")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(export.getvalue())).active.values)
    assert rows[0][0] == "Consultant" and rows[1][0] == "王伟" and rows[1][2] == 100000


def test_an_open_period_exports_its_live_figures_and_an_unfinished_one_cannot_be_closed(
    client_as, manager, consultant, store
):
    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    client = client_as(manager)
    export = client.get(f"/scoring/export/?store={store.pk}&period=2026-10")
    assert export.status_code == 200 and "-open" in export["Content-Disposition"]
    rows = list(load_workbook(BytesIO(export.getvalue())).active.values)
    assert rows[1][0] == "王伟" and rows[1][2] == 100000
    assert 'data-testid="export-open"' in client.get("/scoring/ranking/?period=2026-10").content.decode()
    client.post("/scoring/close/", {"store": store.pk, "period": "2099-01"})
    assert not PeriodClose.objects.exists()


def test_the_comparison_shows_two_consultants_side_by_side(client_as, manager, consultant, consultant2):
    f.order(consultant, date(2026, 10, 4), 111111, 100000)
    f.order(consultant2, date(2026, 10, 4), 222222, 200000)
    html = (
        client_as(manager)
        .get(f"/scoring/compare/?period=2026-10&a={consultant.pk}&b={consultant2.pk}")
        .content.decode()
    )
    table = html.split('data-testid="comparison"')[1]
    assert table.index("王伟") < table.index("李娜")
    assert "111,111.00" in table and "222,222.00" in table


def test_the_manager_sets_weights_and_bad_ones_show_on_the_form(client_as, manager, store):
    client = client_as(manager)
    assert client.get("/scoring/template/").status_code == 200
    bad = client.post("/scoring/template/", {"cap": 90, "w_units": -1})
    assert bad.status_code == 200 and bad.context["form"].errors.keys() >= {"cap", "w_units"}
    good = client.post("/scoring/template/", {"cap": 150, "w_units": 60, "w_visits": 40, "s_visits": "80"})
    assert good.status_code == 302
    template = store.scorecard_template
    assert template.weights == {"units": 60, "visits": 40} and template.standards == {"visits": "80"}
    assert template.cap == 150


def test_the_period_is_picked_as_year_and_month_quarter_or_year_and_the_card_shows_targets_on_a_phone(
    client_as, manager, consultant, store
):
    client = client_as(manager)
    assert client.get("/scoring/ranking/", {"year": "2026", "part": "Q3"}).context["period"].key == "2026-Q3"
    assert client.get("/scoring/ranking/", {"year": "2026", "part": "07"}).context["period"].key == "2026-07"
    assert client.get("/scoring/ranking/", {"year": "2025", "part": ""}).context["period"].key == "2025"
    page = client.get("/scoring/ranking/", {"period": "2026-Q3"}).content.decode()
    assert 'name="year"' in page and '<option value="Q3" selected>' in page
    assert 'name="period" id="id_period"' not in page  # no typed period any more
    bad = client.get("/scoring/ranking/", {"year": "abcd", "part": "Q9"})
    assert bad.status_code == 200 and bad.context["period"].kind == "month"  # last month, with a message
    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    f.target(consultant, "revenue", date(2026, 10, 1), date(2026, 10, 31), 200000)
    card = client.get(f"/scoring/consultant/{consultant.pk}/", {"period": "2026-10"}).content.decode()
    phone_line = card.split('data-testid="target-phone">')[1].split("</div>")[0]
    assert "200,000" in phone_line and "50" in phone_line  # target and achievement beside the score
