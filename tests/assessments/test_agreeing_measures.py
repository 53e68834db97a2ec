"""While agreeing, the team sees where the ward's measures disagree with its last signed
assessment, as context that never changes a rating (issue 13)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import AgreedRating
from reports.models import MeasureMonth
from tests.assessments.builders import agree_all, rate_all, scoring_round, signed_round
from tests.measure_builders import load_measures, restraint_months

FLAG = (
    "&quot;Avoiding harm&quot; is agreed at a mean of 3.0 out of 4 "
    "(Established or Embedded) while restrictive "
    "interventions shows special cause concern in the same months."
)
CONTEXT = "This is context from the ward's figures and its last signed assessment"


@pytest.fixture
def next_round(people):
    """Willow Ward's first round signed (agreed at 3), its next round in agreeing."""
    load_measures()
    ward, manager, staff, partner = (people[k] for k in ("ward", "manager", "staff", "partner"))
    signed_round(ward=ward, manager=manager, staff=staff, partner=partner, leader=people["leader"])
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner], label="2027 Q1")
    rate_all(round=round, user=staff)
    rate_all(round=round, user=partner)
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    round.refresh_from_db()
    return round


def _overview(client, user, round) -> str:
    client.force_login(user)
    response = client.get(reverse("assessments:agree_overview", args=[round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_agreeing_page_shows_the_flag_as_context(client, people, next_round):
    restraint_months(people["ward"])
    page = _overview(client, people["manager"], next_round)
    assert CONTEXT in page and "2026 Q4" in page
    assert FLAG in page
    dashboard = reverse("reports:ward_dashboard", args=[people["ward"].pk])
    assert f'href="{dashboard}#commitment-6"' in page
    assert f'href="{dashboard}#ward-measure-restrictive-interventions"' in page
    assert not AgreedRating.objects.filter(round=next_round).exists()  # nothing agreed for them


def test_steady_figures_show_nothing_while_agreeing(client, people, next_round):
    restraint_months(people["ward"], rise_last=0)
    page = _overview(client, people["manager"], next_round)
    assert CONTEXT not in page and "special cause" not in page


def test_the_flag_is_gone_once_agreeing_has_finished(client, people, next_round):
    restraint_months(people["ward"])
    agree_all(round=next_round, manager=people["manager"])
    services.finish_agreeing(round=next_round, by=people["manager"])
    page = _overview(client, people["manager"], next_round)
    assert CONTEXT not in page and FLAG not in page


def test_a_first_round_has_no_last_assessment_to_compare(client, people, catalogue):
    load_measures()
    ward, manager, staff, partner = (people[k] for k in ("ward", "manager", "staff", "partner"))
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner])
    rate_all(round=round, user=staff)
    rate_all(round=round, user=partner)
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    restraint_months(ward)
    assert CONTEXT not in _overview(client, manager, round)


def test_the_agreeing_page_reads_the_same_queries_for_more_months(client, people, next_round):
    client.force_login(people["manager"])
    url = reverse("assessments:agree_overview", args=[next_round.pk])
    restraint_months(people["ward"], months=13)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    MeasureMonth.objects.all().delete()
    restraint_months(people["ward"], months=36, rise_last=3)
    client.get(url)  # the header's kept task count is counted again after a change (0026)
    with CaptureQueriesContext(connection) as many:
        assert FLAG in client.get(url).content.decode()
    assert len(many) == len(few)
