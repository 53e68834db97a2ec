"""Nobody sees anyone else's ratings until agreeing starts: not on the summary, not in the
history, not the medians, gaps or flags made from them, whoever they are."""

import pytest
from django.urls import reverse

from assessments import services
from standards.models import Standard

from .builders import rate_all, scoring_round

SECRET_COMMENT = "Distinctive words only the scorer wrote"


@pytest.fixture
def scored_round(catalogue, ward, ward_manager, ward_staff, le_partner):
    """Staff rated everything 4 (one standard 0, with a comment) and submitted; the partner
    has not submitted yet."""
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    rate_all(round=round, user=ward_staff, answer="4", overrides={"1.1": "0"})
    first = Standard.objects.get(edition=round.edition, code="1.1")
    services.save_rating(
        round=round, standard=first, answer="0", comment=SECRET_COMMENT, by=ward_staff
    )
    services.submit_ratings(round=round, by=ward_staff)
    round.refresh_from_db()
    assert round.status == "scoring"
    return round


@pytest.mark.parametrize(
    "persona", ["ward_manager", "ward_staff", "le_partner", "le_leader", "qi_lead", "board_member"]
)
def test_the_summary_shows_no_rating_while_scoring(client, scored_round, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("assessments:summary", args=[scored_round.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Staff median" not in page
    assert "Lived experience median" not in page
    assert "Flagged" not in page
    assert SECRET_COMMENT not in page
    assert "Shown once agreeing starts" in page


@pytest.mark.parametrize("persona", ["ward_manager", "qi_lead"])
def test_the_history_holds_no_rating_while_scoring(client, scored_round, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("assessments:history", args=[scored_round.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Started scoring" in page
    assert "Rated 1.1" not in page
    assert SECRET_COMMENT not in page
    assert "4 Embedded" not in page
    assert "0 Not yet" not in page


def test_once_agreeing_starts_the_summary_and_history_show_the_ratings(
    client, scored_round, ward_manager, le_partner
):
    rate_all(round=scored_round, user=le_partner, answer="2")
    services.submit_ratings(round=scored_round, by=le_partner)
    scored_round.refresh_from_db()
    assert scored_round.status == "agreeing"
    client.force_login(ward_manager)
    summary = client.get(reverse("assessments:summary", args=[scored_round.pk])).content.decode()
    assert "Staff median" in summary
    assert "Shown once agreeing starts" not in summary
    history = client.get(reverse("assessments:history", args=[scored_round.pk])).content.decode()
    assert SECRET_COMMENT in history


@pytest.mark.parametrize(
    "persona", ["ward_manager", "le_partner", "le_leader", "qi_lead", "board_member"]
)
def test_no_page_of_the_round_shows_another_scorers_rating_while_scoring(
    client, scored_round, persona, request
):
    """Every page of the round a person can open, followed through redirects: the staff
    scorer's comment and the medians made from their ratings appear nowhere."""
    client.force_login(request.getfixturevalue(persona))
    pk = scored_round.pk
    urls = [
        reverse("assessments:round_detail", args=[pk]),
        reverse("assessments:summary", args=[pk]),
        reverse("assessments:history", args=[pk]),
        reverse("assessments:agree_overview", args=[pk]),
        reverse("assessments:agree_commitment", args=[pk, 1]),
        reverse("assessments:meeting", args=[pk, 1]),
        reverse("assessments:action_list", args=[pk]),
        reverse("assessments:score_start", args=[pk]),
        reverse("assessments:score_submit", args=[pk]),
        reverse("assessments:ward_detail", args=[scored_round.ward_id]),
        reverse("reports:ward_dashboard", args=[scored_round.ward_id]),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert SECRET_COMMENT not in page, url
        assert "Staff median" not in page, url
        assert "Lived experience median" not in page, url
