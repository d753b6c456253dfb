"""A team lead sees his team's records and scorecards (DESIGN.md scoping; issue 12 item 14)."""

from datetime import date

import pytest

from apps.org.models import Team
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"


@pytest.fixture
def lead(consultant, team):
    team.lead = consultant
    team.save()
    return consultant


@pytest.fixture
def outsider(store):
    """A consultant of the same store in another team."""
    other = Team.objects.create(store=store, name="销售二组")
    return UserFactory(username="outsider", role=Role.CONSULTANT, stores=[store], team=other, name="张磊")


def test_a_team_lead_opens_his_members_scorecards_and_their_records(
    client_as, api_as, lead, consultant2, store
):
    c = f.customer(store, consultant2)
    order = f.order(consultant2, date(2026, 10, 8), 150000, customer_=c)
    f.visit(consultant2, f.at(date(2026, 10, 8)), customer_=c)
    client = client_as(lead)
    card = client.get(f"/scoring/consultant/{consultant2.pk}/?period={PERIOD}")
    assert card.status_code == 200 and card.context["card"].figures["units"] == 1
    assert {x.consultant_id for x in card.context["team_cards"]} == {lead.pk, consultant2.pk}
    assert (
        client.get(f"/scoring/consultant/{consultant2.pk}/sales_revenue/?period={PERIOD}").status_code == 200
    )
    api = api_as(lead)
    body = api.get(f"/api/v1/scorecards/{consultant2.pk}/?period={PERIOD}")
    assert body.status_code == 200 and body.json()["units"] == 1
    listed = api.get(f"/api/v1/scorecards/?period={PERIOD}").json()["results"]
    assert {r["consultant"] for r in listed} == {lead.pk, consultant2.pk}
    assert api.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert api.get(f"/api/v1/customers/{c.pk}/").status_code == 200


def test_a_team_lead_sees_no_other_teams_cards_and_members_not_each_other(
    client_as, api_as, lead, consultant2, outsider
):
    lead_client = client_as(lead)
    assert lead_client.get(f"/scoring/consultant/{outsider.pk}/?period={PERIOD}").status_code == 404
    assert api_as(lead).get(f"/api/v1/scorecards/{outsider.pk}/?period={PERIOD}").status_code == 404
    member = client_as(consultant2)
    assert member.get(f"/scoring/consultant/{lead.pk}/?period={PERIOD}").status_code == 404
    assert member.get(f"/scoring/consultant/{consultant2.pk}/?period={PERIOD}").context["team_cards"] == []
    for url in ("/scoring/ranking/", "/scoring/compare/", f"/scoring/consultant/{consultant2.pk}/rate/"):
        assert lead_client.get(url).status_code == 403, url
