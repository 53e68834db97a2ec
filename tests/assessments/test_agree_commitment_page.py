"""Agreeing a whole commitment on one page with one save."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AgreedRating, HistoryEntry, HistoryKind
from standards.models import Standard
from tests.assessments.test_agreeing_views import FLAGGED, NOT_SURE, reveal_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return reveal_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)


def page_url(round, number=2):
    return reverse("assessments:agree_commitment", args=[round.pk, number])


def commitment_standards(number=2):
    return list(Standard.objects.filter(commitment__number=number).order_by("position"))


def everything_agreed(number=2, **overrides):
    """A POST that agrees every standard of the commitment at 3, with the reasons needed."""
    data = {"then": "next"}
    for standard in commitment_standards(number):
        prefix = f"s{standard.pk}"
        data[f"{prefix}-level"] = "3"
        data[f"{prefix}-rationale"] = ""
        data[f"{prefix}-version"] = ""
    for code in (FLAGGED, NOT_SURE):  # flagged; and 3 is outside the staff's 2
        standard = Standard.objects.get(code=code)
        data[f"s{standard.pk}-rationale"] = "We met in the middle"
    data.update(overrides)
    return data


def test_one_save_agrees_every_standard_of_a_commitment_and_goes_on(client, round, ward_manager):
    client.force_login(ward_manager)
    response = client.post(page_url(round), everything_agreed())
    assert response.status_code == 302
    assert response["Location"] == page_url(round, 3)
    standards = commitment_standards()
    assert AgreedRating.objects.filter(round=round, standard__in=standards).count() == len(
        standards
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Agreed ratings saved for {len(standards)} standards in commitment 2" in page


def test_a_missing_reason_is_named_in_an_error_summary_and_the_rest_is_saved(
    client, round, ward_manager
):
    flagged = Standard.objects.get(code=FLAGGED)
    client.force_login(ward_manager)
    data = everything_agreed(**{f"s{flagged.pk}-rationale": ""})
    data[f"s{flagged.pk}-level"] = "2"
    response = client.post(page_url(round), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert f'<a href="#id_s{flagged.pk}-rationale">' in page
    assert f"Enter why you agreed the rating for {FLAGGED}" in page
    # What was typed for the refused standard is still selected.
    assert f'name="s{flagged.pk}-level" type="radio" value="2" checked' in page
    others = [s for s in commitment_standards() if s.pk != flagged.pk]
    assert AgreedRating.objects.filter(round=round, standard__in=others).count() == len(others)
    assert not AgreedRating.objects.filter(round=round, standard=flagged).exists()


def test_the_page_says_which_levels_need_a_reason_before_anyone_chooses(
    client, round, ward_manager
):
    client.force_login(ward_manager)
    page = client.get(page_url(round)).content.decode()
    # Both groups rated 3: any other agreed rating is outside both groups' ratings.
    assert (
        "Required if you agree 0 Not yet, 1 Starting, 2 Developing or 4 Embedded: "
        "outside both groups' ratings"
    ) in page
    assert "Required: staff and lived experience partners differed by two levels or more" in page


def test_saving_again_without_changes_saves_nothing_and_says_so(client, round, ward_manager):
    client.force_login(ward_manager)
    client.post(page_url(round), everything_agreed())
    entries = HistoryEntry.objects.filter(round=round, kind=HistoryKind.AGREED).count()
    data = everything_agreed()
    for agreed in AgreedRating.objects.filter(round=round):
        data[f"s{agreed.standard_id}-version"] = str(agreed.version)
    response = client.post(page_url(round), data, follow=True)
    assert "Nothing changed in commitment 2, so nothing was saved" in response.content.decode()
    assert HistoryEntry.objects.filter(round=round, kind=HistoryKind.AGREED).count() == entries


def test_someone_else_saving_one_standard_first_keeps_theirs_and_saves_the_others(
    client, round, ward_manager
):
    not_sure = Standard.objects.get(code=NOT_SURE)
    client.force_login(ward_manager)
    data = everything_agreed()  # started before the other save: no version for NOT_SURE
    services.record_agreed_rating(
        round=round, standard=not_sure, answer="2", rationale="", version=None, by=ward_manager
    )
    response = client.post(page_url(round), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this first" in page or "while you were editing it" in page
    assert AgreedRating.objects.get(round=round, standard=not_sure).level == 2
    others = [s for s in commitment_standards() if s.pk != not_sure.pk]
    assert AgreedRating.objects.filter(round=round, standard__in=others).count() == len(others)


def test_only_the_ward_manager_may_save(client, round, ward_staff, qi_lead):
    for person in (ward_staff, qi_lead):
        client.force_login(person)
        assert client.post(page_url(round), everything_agreed()).status_code == 403
    assert not AgreedRating.objects.filter(round=round).exists()


def test_the_meeting_view_shows_one_standard_with_both_groups_and_moves_on(
    client, round, ward_manager, le_partner
):
    client.force_login(le_partner)
    first = reverse("assessments:meeting", args=[round.pk, 1])
    page = client.get(first).content.decode()
    assert "Standard 1 of 76" in page
    assert reverse("assessments:meeting", args=[round.pk, 2]) in page
    assert "Previous standard" not in page
    assert "Record the agreed rating" not in page  # a partner does not record it
    flagged = Standard.objects.get(edition=round.edition, code=FLAGGED)
    position = (
        list(
            Standard.objects.filter(edition=round.edition).order_by(
                "commitment__number", "position"
            )
        ).index(flagged)
        + 1
    )
    page = client.get(reverse("assessments:meeting", args=[round.pk, position])).content.decode()
    assert "Nobody asked me" in page and "We always ask people first" in page
    assert "Differs by 2 or more" in page
    assert client.get(reverse("assessments:meeting", args=[round.pk, 77])).status_code == 404
    client.force_login(ward_manager)
    page = client.get(first).content.decode()
    assert "Record the agreed rating for" in page


@pytest.mark.parametrize("number", [1, 2, 12])
def test_an_agreeing_page_takes_at_most_twelve_queries(
    client, round, ward_manager, number, django_assert_max_num_queries
):
    client.force_login(ward_manager)
    client.get(page_url(round, number))
    with django_assert_max_num_queries(12):
        assert client.get(page_url(round, number)).status_code == 200
