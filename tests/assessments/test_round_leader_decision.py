"""The round page shows the lived experience leader's decision and their words verbatim, once
they have signed or declined, to whoever may open the round page (that rule is unchanged)."""

import pytest
from django.urls import reverse

from assessments import services
from tests.assessments.builders import agree_all, agreeing_round, signed_round
from tests.factories import UserFactory, WardMembershipFactory

WORDS = "Partners were not asked about nights.\nR&D <later>"
RENDERED = "Partners were not asked about nights.<br>R&amp;D &lt;later&gt;"
HEADING = "The lived experience leader's decision"


def _page(client, user, round) -> str:
    client.force_login(user)
    response = client.get(reverse("assessments:round_detail", args=[round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_round_page_shows_reservations_word_for_word(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = signed_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        leader=le_leader,
        words=WORDS,
    )

    page = _page(client, ward_staff, round)

    section = page[page.index(HEADING) : page.index("<h2>Steps</h2>")]
    assert "Lived experience leader: Signed with reservations" in section
    assert le_leader.display_name in section
    assert "Their reservations, in their own words" in section
    assert RENDERED in section
    assert "<later>" not in page


def test_round_page_shows_a_plain_signature(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )

    page = _page(client, ward_manager, round)

    section = page[page.index(HEADING) : page.index("<h2>Steps</h2>")]
    assert "Lived experience leader: Signed</strong>" in section
    assert "in their own words" not in section


def test_round_page_shows_a_decline_once_given_and_not_before(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    assert HEADING not in _page(client, ward_manager, round)

    services.sign_as_leader(round=round, decision="declined", words=WORDS, by=le_leader)
    page = _page(client, ward_manager, round)

    section = page[page.index(HEADING) : page.index("<h2>Steps</h2>")]
    assert "Lived experience leader: Declined to sign" in section
    assert "Their reason for declining, in their own words" in section
    assert RENDERED in section


@pytest.mark.parametrize("who", ["ward_staff", "other_trust_person"])
def test_who_may_open_the_round_page_is_unchanged(
    client, catalogue, who, ward, ward_manager, ward_staff, le_partner, le_leader, other_trust_ward
):
    round = signed_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        leader=le_leader,
        words=WORDS,
    )
    outsider = UserFactory(username="outsider")
    WardMembershipFactory(user=outsider, ward=other_trust_ward, role="ward-manager")
    user = {"ward_staff": ward_staff, "other_trust_person": outsider}[who]
    client.force_login(user)

    response = client.get(reverse("assessments:round_detail", args=[round.pk]))

    if who == "other_trust_person":
        assert response.status_code == 404
        assert WORDS not in response.content.decode()
    else:
        assert response.status_code == 200
        assert RENDERED in response.content.decode()
