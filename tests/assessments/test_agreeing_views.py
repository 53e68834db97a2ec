"""Reveal and agree: side by side ratings, agreed ratings, rationale and conflicts."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AgreedRating, RoundStatus
from standards.models import Standard
from tests.assessments.builders import agree_all, rate_all, scoring_round
from tests.factories import UserFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db

FLAGGED = "2.3"  # staff 4, partner 1: differs by 3 levels
NOT_SURE = "2.1"  # staff 2, partner not sure


def reveal_round(*, ward, manager, staff, partner):
    """A round in agreeing, with one flagged standard, one "Not sure" and two comments."""
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner])
    rate_all(round=round, user=staff, overrides={FLAGGED: "4", NOT_SURE: "2"})
    rate_all(round=round, user=partner, overrides={FLAGGED: "1", NOT_SURE: "not-sure"})
    flagged = Standard.objects.get(code=FLAGGED)
    services.save_rating(
        round=round, standard=flagged, answer="4", comment="We always ask people first", by=staff
    )
    services.save_rating(
        round=round, standard=flagged, answer="1", comment="Nobody asked me", by=partner
    )
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    round.refresh_from_db()
    assert round.status == RoundStatus.AGREEING
    return round


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return reveal_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)


@pytest.fixture
def flagged(catalogue):
    return Standard.objects.get(code=FLAGGED)


def agree_url(round, standard):
    return reverse("assessments:agree_standard", args=[round.pk, standard.pk])


def test_agree_overview_lists_commitments_with_agreed_flagged_and_to_agree(
    client, round, flagged, ward_manager
):
    services.record_agreed_rating(
        round=round,
        standard=flagged,
        answer="2",
        rationale="We met in the middle",
        version=None,
        by=ward_manager,
    )
    client.force_login(ward_manager)
    response = client.get(reverse("assessments:agree_overview", args=[round.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("/agree/") >= 12
    total = Standard.objects.filter(commitment__number=2).count()
    assert f"1 of {total}" in page
    assert "1 flagged" in page
    assert "75 standards still to agree" in page
    # Not every standard is agreed yet: the manager is not offered a button that would fail.
    assert "Finish agreeing</button>" not in page


def test_agree_overview_offers_finish_agreeing_to_the_manager_only(
    client, round, ward_manager, ward_staff
):
    agree_all(round=round, manager=ward_manager)
    finish = reverse("assessments:finish_agreeing", args=[round.pk])
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:agree_overview", args=[round.pk])).content.decode()
    assert f'action="{finish}"' in page
    assert "Finish agreeing" in page
    client.force_login(ward_staff)
    page = client.get(reverse("assessments:agree_overview", args=[round.pk])).content.decode()
    assert "Finish agreeing" not in page


def test_agree_pages_are_not_available_during_scoring(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    standard = Standard.objects.get(code=FLAGGED)
    client.force_login(ward_manager)
    detail = reverse("assessments:round_detail", args=[round.pk])
    for url in (
        reverse("assessments:agree_overview", args=[round.pk]),
        reverse("assessments:agree_commitment", args=[round.pk, 2]),
        agree_url(round, standard),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain[0] == (detail, 302)
        assert "shown side by side once scoring has finished" in response.content.decode()
    response = client.post(agree_url(round, standard), {"level": "3", "rationale": "x"})
    assert response.status_code == 302
    assert not AgreedRating.objects.exists()


def test_agree_commitment_shows_counts_medians_difference_and_flag(
    client, round, le_leader, ward_staff, le_partner
):
    # The lived experience leader co-signs, so is in the ward team, but does not agree.
    client.force_login(le_leader)
    response = client.get(reverse("assessments:agree_commitment", args=[round.pk, 2]))
    page = response.content.decode()
    assert response.status_code == 200
    section = page.split(f'id="standard-{Standard.objects.get(code=FLAGGED).pk}"')[1]
    section = section.split("<section")[0]
    assert "Differs by 2 or more" in section
    assert "Lived experience partners rated this 3 levels lower than staff." in section
    # Counts per level: one staff member chose 4, one partner chose 1.
    cells = [
        cell.strip()
        for cell in section.split("<tbody")[1].split("</tbody>")[0].split('numeric">')[1:]
    ]
    counts = [cell.split("<")[0] for cell in cells]
    # Rows 0..4, Not sure, Median; two columns each (staff, lived experience).
    assert counts == ["0", "0", "0", "1", "0", "0", "0", "0", "1", "0", "0", "0", "4", "1"]
    assert "We always ask people first" in section
    assert "Nobody asked me" in section
    # Comments are shown without names.
    assert ward_staff.display_name not in page
    assert le_partner.display_name not in page
    assert "Record agreed rating" not in page


def test_agree_commitment_counts_not_sure_and_says_when_nothing_compares(
    client, round, ward_manager
):
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:agree_commitment", args=[round.pk, 2])).content.decode()
    section = page.split(f'id="standard-{Standard.objects.get(code=NOT_SURE).pk}"')[1]
    section = section.split("<section")[0]
    assert "There is nothing to compare" in section
    assert "No rating" in section
    assert "Differs by 2 or more" not in section
    assert "Agreed rating for 2.1" in section


def test_agree_commitment_shows_agreed_rating_and_evidence(
    client, round, flagged, ward_manager, ward_staff
):
    services.record_agreed_rating(
        round=round,
        standard=flagged,
        answer="2",
        rationale="Partners' view carries weight",
        version=None,
        by=ward_manager,
    )
    services.add_evidence(
        round=round,
        standard=flagged,
        kind="link",
        url="https://intranet.example.nhs.uk/m",
        by=ward_staff,
    )
    client.force_login(ward_staff)
    page = client.get(reverse("assessments:agree_commitment", args=[round.pk, 2])).content.decode()
    assert "2 Developing" in page
    assert "Partners&#x27; view carries weight" in page
    assert 'href="https://intranet.example.nhs.uk/m"' in page
    assert f"/rounds/{round.pk}/evidence/new/?standard={flagged.pk}" in page


def test_agree_commitment_answers_404_for_other_trusts_and_missing_commitments(
    client, round, outsider, ward_manager
):
    client.force_login(outsider)
    assert client.get(reverse("assessments:agree_overview", args=[round.pk])).status_code == 404
    url = reverse("assessments:agree_commitment", args=[round.pk, 2])
    assert client.get(url).status_code == 404
    client.force_login(ward_manager)
    url = reverse("assessments:agree_commitment", args=[round.pk, 13])
    assert client.get(url).status_code == 404


def test_agree_standard_manager_records_agreed_rating(client, round, ward_manager):
    standard = Standard.objects.get(code="1.1")
    client.force_login(ward_manager)
    response = client.get(agree_url(round, standard))
    assert response.status_code == 200
    assert 'name="version"' in response.content.decode()
    response = client.post(
        agree_url(round, standard), {"level": "3", "rationale": "", "version": ""}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/agree/1/#standard-{standard.pk}")
    agreed = AgreedRating.objects.get(round=round, standard=standard)
    assert (agreed.level, agreed.version, agreed.updated_by) == (3, 1, ward_manager)


def test_agree_standard_records_not_sure(client, round, ward_manager):
    standard = Standard.objects.get(code="1.1")
    client.force_login(ward_manager)
    client.post(agree_url(round, standard), {"level": "not-sure", "version": ""})
    assert AgreedRating.objects.get(round=round, standard=standard).level is None


def test_agree_standard_says_up_front_when_a_rationale_is_required(
    client, round, flagged, ward_manager
):
    client.force_login(ward_manager)
    page = client.get(agree_url(round, flagged)).content.decode()
    assert "Required: staff and lived experience partners differed by two levels or more" in page
    assert "Differs by 2 or more" in page


def test_agree_standard_requires_rationale_when_flagged(client, round, flagged, ward_manager):
    client.force_login(ward_manager)
    response = client.post(
        agree_url(round, flagged), {"level": "2", "rationale": "  ", "version": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    error = page.split('id="id_rationale-error"')[1].split("</span>\n")[0]
    assert "Enter why you agreed the rating for 2.3" in error
    assert 'href="#id_rationale"' in page
    assert 'value="2" checked' in page
    assert not AgreedRating.objects.exists()


def test_agree_standard_requires_rationale_outside_both_ranges_and_keeps_typed_text(
    client, round, ward_manager
):
    standard = Standard.objects.get(code="1.1")  # both groups rated 3
    client.force_login(ward_manager)
    response = client.post(agree_url(round, standard), {"level": "0", "rationale": ""})
    page = response.content.decode()
    assert "outside both groups" in page
    assert 'id="id_rationale-error"' in page
    assert 'value="0" checked' in page


def test_agree_standard_asks_for_a_level(client, round, flagged, ward_manager):
    client.force_login(ward_manager)
    response = client.post(agree_url(round, flagged), {"rationale": "We talked it through"})
    page = response.content.decode()
    assert f"Select the agreed rating for {FLAGGED}" in page
    assert "We talked it through" in page
    assert not AgreedRating.objects.exists()


@pytest.mark.parametrize("persona", ["le_partner", "ward_staff", "board_member", "qi_lead"])
def test_agree_standard_is_forbidden_to_everyone_but_the_manager(
    client, round, flagged, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(agree_url(round, flagged)).status_code == 403
    response = client.post(agree_url(round, flagged), {"level": "2", "rationale": "Because"})
    assert response.status_code == 403
    assert not AgreedRating.objects.exists()


def test_agree_standard_answers_404_to_another_trust(client, round, flagged, outsider):
    client.force_login(outsider)
    assert client.get(agree_url(round, flagged)).status_code == 404
    assert client.post(agree_url(round, flagged), {"level": "2"}).status_code == 404


def test_agree_standard_answers_404_for_a_standard_of_another_edition(client, round, ward_manager):
    client.force_login(ward_manager)
    url = reverse("assessments:agree_standard", args=[round.pk, 999999])
    assert client.get(url).status_code == 404


def test_agree_standard_conflict_shows_both_versions_and_allows_a_deliberate_resave(
    client, round, flagged, ward, ward_manager
):
    deputy = UserFactory(username="deputy", first_name="Dee", last_name="Puty")
    WardMembershipFactory(user=deputy, ward=ward, role="ward-manager")
    first, second = client, client.__class__()
    first.force_login(ward_manager)
    second.force_login(deputy)
    # Both start from the same (empty) version.
    assert 'name="version"' in first.get(agree_url(round, flagged)).content.decode()
    assert 'name="version"' in second.get(agree_url(round, flagged)).content.decode()
    first.post(
        agree_url(round, flagged),
        {"level": "2", "rationale": "Partners described real gaps", "version": ""},
    )
    response = second.post(
        agree_url(round, flagged),
        {"level": "3", "rationale": "Staff training is in place", "version": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this first" in page
    conflict = page.split('class="app-conflict"')[1].split("</table>")[0]
    assert ward_manager.display_name in conflict
    assert "2 Developing" in conflict and "Partners described real gaps" in conflict
    assert "3 Established" in conflict and "Staff training is in place" in conflict
    # What the second person typed is kept, and the form now carries the saved version.
    assert "Staff training is in place</textarea>" in page
    assert 'value="3" checked' in page
    assert 'name="version" value="1"' in page
    agreed = AgreedRating.objects.get(round=round, standard=flagged)
    assert (agreed.level, agreed.version) == (2, 1)
    # Saving again on purpose replaces it.
    response = second.post(
        agree_url(round, flagged),
        {"level": "3", "rationale": "Staff training is in place", "version": "1"},
    )
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert (agreed.level, agreed.version, agreed.updated_by) == (3, 2, deputy)


def test_agree_standard_redirects_once_agreeing_has_finished(client, round, flagged, ward_manager):
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    client.force_login(ward_manager)
    response = client.post(agree_url(round, flagged), {"level": "0", "rationale": "Later"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:agree_commitment", args=[round.pk, 2])
    assert AgreedRating.objects.get(round=round, standard=flagged).level == 3
