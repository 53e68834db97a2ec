"""Nobody is exposed (issue 19): scorers' names on the round page are for the ward team only,
and a scorer alone in their group, and whoever chooses the scorers, is told what that means
before anyone rates (assessments/lone_scorers.py, docs/decisions/0024)."""

import pytest
from django.urls import reverse

from assessments import lone_scorers, services
from assessments.models import ScorerGroup
from reports.models import TrustReportSettings
from tests.assessments.builders import agreeing_round, rate_all
from tests.factories import UserFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db

LONE_PARTNER = "You are the only lived experience partner scoring this round"
LONE_STAFF = "You are the only member of staff scoring this round"
CHOSE_ONE_PARTNER = "You have chosen only one lived experience partner"
CHOSE_ONE_STAFF = "You have chosen only one member of staff"


def _another(ward, role, username):
    user = UserFactory(username=username, first_name=username.title(), last_name="Second")
    WardMembershipFactory(user=user, ward=ward, role=role)
    return user


def _open(p, scorers):
    return services.open_round(
        ward=p["ward"], label="2026 Q4", by=p["manager"], scorer_ids=[u.pk for u in scorers]
    )


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Who the ward team is: one rule, in permissions.Access


@pytest.mark.parametrize("who", ["staff", "partner", "manager", "qi", "leader"])
def test_round_page_names_the_scorers_to_the_ward_team(client, people, who):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
    )
    html = _page(client, people[who], reverse("assessments:round_detail", args=[round.pk]))
    assert people["staff"].display_name in html
    assert people["partner"].display_name in html
    assert "Who is scoring, and whether they have submitted" in html
    assert reverse("assessments:agree_overview", args=[round.pk]) in html


def test_round_page_shows_a_board_member_counts_not_names(client, people):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
    )
    html = _page(client, people["board"], reverse("assessments:round_detail", args=[round.pk]))
    assert people["staff"].display_name not in html
    assert people["partner"].display_name not in html
    assert "Scorers' names are shown only to the ward team" in html
    table = html.split("How many people are scoring, by group</caption>")[1]
    counts = table.split("<tbody")[1].split("</tbody>")[0]
    cells = [cell.split("<")[0] for cell in counts.split('numeric">')[1:]]
    assert cells == ["1", "1", "1", "1"]  # staff invited, submitted; partners invited, submitted
    # Nor is a board member sent to pages they may not open.
    assert reverse("assessments:agree_overview", args=[round.pk]) not in html
    assert reverse("assessments:history", args=[round.pk]) not in html


def test_a_board_member_is_refused_the_agreeing_pages_in_plain_words(client, people):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
    )
    client.force_login(people["board"])
    response = client.get(reverse("assessments:agree_commitment", args=[round.pk, 2]))
    assert response.status_code == 403
    assert "Only the ward team can open this page" in response.content.decode()
    assert "Nobody asked me" not in response.content.decode()
    summary = client.get(reverse("assessments:summary", args=[round.pk]))
    assert summary.status_code == 200


# A scorer alone in their group


def test_the_only_partner_is_told_before_the_rating_controls(client, people):
    second_staff = _another(people["ward"], "ward-staff", "sam")
    round = _open(people, [people["staff"], second_staff, people["partner"]])
    services.start_scoring(round=round, by=people["manager"])
    url = reverse("assessments:score_commitment", args=[round.pk, 1])

    html = _page(client, people["partner"], url)
    assert LONE_PARTNER in html
    assert html.index(LONE_PARTNER) < html.index('type="radio"')
    assert "can see the lived experience ratings and comments" in html
    assert "everyone at the agreeing meeting will know they are yours" in html
    assert "a group of fewer than 3 people is never shown on its own" in html

    # Two members of staff: neither is alone, neither is told.
    staff_html = _page(client, people["staff"], url)
    assert LONE_STAFF not in staff_html
    assert LONE_PARTNER not in staff_html


def test_the_only_partner_is_told_on_the_round_page_before_scoring(client, people):
    round = _open(people, [people["staff"], people["partner"]])
    services.start_scoring(round=round, by=people["manager"])
    html = _page(client, people["partner"], reverse("assessments:round_detail", args=[round.pk]))
    assert LONE_PARTNER in html
    assert html.index(LONE_PARTNER) < html.index("Score the standards</a>")
    # The only member of staff is told the same about their own group.
    staff_html = _page(
        client, people["staff"], reverse("assessments:round_detail", args=[round.pk])
    )
    assert LONE_STAFF in staff_html


def test_no_notice_when_partners_are_not_alone(client, people):
    second_partner = _another(people["ward"], "le-partner", "pat")
    second_staff = _another(people["ward"], "ward-staff", "sam")
    round = _open(people, [people["staff"], second_staff, people["partner"], second_partner])
    services.start_scoring(round=round, by=people["manager"])
    html = _page(
        client, people["partner"], reverse("assessments:score_commitment", args=[round.pk, 1])
    )
    assert LONE_PARTNER not in html
    assert 'id="lone-notice"' not in html


def test_the_notice_uses_the_trusts_small_group_threshold(client, people):
    TrustReportSettings.objects.create(trust=people["ward"].site.trust, small_group_threshold=5)
    round = _open(people, [people["staff"], people["partner"]])
    services.start_scoring(round=round, by=people["manager"])
    html = _page(
        client, people["partner"], reverse("assessments:score_commitment", args=[round.pk, 1])
    )
    assert "a group of fewer than 5 people is never shown on its own" in html


# Whoever chooses the scorers


def test_choosing_one_partner_says_what_it_means(client, people):
    second_staff = _another(people["ward"], "ward-staff", "sam")
    round = _open(people, [people["staff"], second_staff, people["partner"]])
    url = reverse("assessments:round_scorers", args=[round.pk])
    html = _page(client, people["manager"], url)
    assert CHOSE_ONE_PARTNER in html
    assert CHOSE_ONE_STAFF not in html
    assert html.index(CHOSE_ONE_PARTNER) < html.index('type="checkbox"')
    assert "everyone at the agreeing meeting will know that the lived experience" in html
    # The round page says the same while the scorers can still change.
    detail = _page(client, people["manager"], reverse("assessments:round_detail", args=[round.pk]))
    assert CHOSE_ONE_PARTNER in detail


def test_choosing_one_of_each_names_both_groups(client, people):
    round = _open(people, [people["staff"], people["partner"]])
    html = _page(client, people["qi"], reverse("assessments:round_scorers", args=[round.pk]))
    assert "You have chosen only one member of staff and only one lived experience partner" in html


def test_the_choosing_notice_goes_once_a_second_partner_is_chosen(client, people):
    second_partner = _another(people["ward"], "le-partner", "pat")
    second_staff = _another(people["ward"], "ward-staff", "sam")
    round = _open(people, [people["staff"], second_staff, people["partner"], second_partner])
    html = _page(client, people["manager"], reverse("assessments:round_scorers", args=[round.pk]))
    assert 'id="lone-notice"' not in html
    # Choosing one partner instead: the round page says what it means as soon as it is saved.
    response = client.post(
        reverse("assessments:round_scorers", args=[round.pk]),
        {"scorers": [people["staff"].pk, second_staff.pk, people["partner"].pk]},
        follow=True,
    )
    assert CHOSE_ONE_PARTNER in response.content.decode()


def test_opening_a_round_with_one_partner_says_what_it_means(client, people, catalogue):
    second_staff = _another(people["ward"], "ward-staff", "sam")
    client.force_login(people["manager"])
    url = reverse("assessments:round_create", args=[people["ward"].pk])
    assert CHOSE_ONE_PARTNER not in client.get(url).content.decode()
    # Kept on the form when it is sent back to be corrected.
    scorers = [people["staff"].pk, second_staff.pk, people["partner"].pk]
    response = client.post(url, {"label": "", "edition": catalogue.pk, "scorers": scorers})
    assert CHOSE_ONE_PARTNER in response.content.decode()


def test_lone_groups_are_the_groups_of_exactly_one():
    staff, partner = ScorerGroup.STAFF, ScorerGroup.LIVED_EXPERIENCE
    assert lone_scorers.lone_groups([]) == []
    assert lone_scorers.lone_groups([staff, staff, partner]) == [partner]
    assert lone_scorers.lone_groups([staff, partner]) == [staff, partner]
    assert lone_scorers.lone_groups([staff, staff, partner, partner]) == []


# The summary outside the ward team: the small-group rule holds


def test_summary_outside_the_ward_team_leaves_out_a_small_groups_figures(client, people):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
        overrides_partner={"2.3": "0"},
    )
    url = reverse("assessments:summary", args=[round.pk])
    board = _page(client, people["board"], url)
    assert "Lived experience median" not in board
    assert "Staff median" not in board
    assert "Flagged" not in board
    assert "Fewer than 3 members of staff and fewer than 3 lived experience partners" in board
    assert "Not shown outside the ward team" in board
    # The ward team's summary still shows both groups: that is the point of co-scoring.
    staff = _page(client, people["staff"], url)
    assert "Lived experience median" in staff
    assert "Flagged" in staff
    assert 'id="groups-hidden"' not in staff


def test_summary_outside_the_ward_team_shows_groups_big_enough(client, people):
    TrustReportSettings.objects.create(trust=people["ward"].site.trust, small_group_threshold=2)
    staff = [people["staff"], _another(people["ward"], "ward-staff", "sam")]
    partners = [people["partner"], _another(people["ward"], "le-partner", "pat")]
    round = _open(people, [*staff, *partners])
    services.start_scoring(round=round, by=people["manager"])
    for user in [*staff, *partners]:
        rate_all(round=round, user=user)
        services.submit_ratings(round=round, by=user)
    html = _page(client, people["board"], reverse("assessments:summary", args=[round.pk]))
    assert "Lived experience median" in html
    assert 'id="groups-hidden"' not in html
