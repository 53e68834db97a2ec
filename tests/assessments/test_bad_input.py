"""Bad input on the assessment pages gets a field error, never a server error: the two that
form fuzzing found on the action form (a day of 2147483648 in the due date, a 30-digit id among
the linked standards), and text over the limit of a free-text box."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.forms.actions import ActionForm
from assessments.models import Action, Rating
from standards.models import Standard, WardMembership
from tests.assessments.builders import agreeing_round, scoring_round

pytestmark = pytest.mark.django_db

BIG_DAY = "2147483648"  # one past the largest 32-bit integer
BIG_ID = "123456789012345678901234567890"  # past 64 bits


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)


def action_data(owner, **overrides):
    data = {
        "title": "Ask people about their safety plan at every review",
        "owner": str(owner.pk),
        "due_date-day": "31",
        "due_date-month": "1",
        "due_date-year": "2027",
        "status": "not-started",
        "standards": [],
    }
    data.update(overrides)
    return data


def action_form(round, data):
    return ActionForm(
        data,
        people=WardMembership.objects.filter(ward=round.ward).select_related("user"),
        standards=Standard.objects.filter(edition=round.edition),
    )


def test_action_form_gives_a_field_error_for_a_day_of_2147483648(round, ward_staff):
    form = action_form(round, action_data(ward_staff, **{"due_date-day": BIG_DAY}))

    assert not form.is_valid()
    assert form.errors == {"due_date": ["Enter a real date"]}


def test_action_form_gives_a_field_error_for_a_30_digit_standard_id(round, ward_staff):
    standard = Standard.objects.get(edition=round.edition, code="2.3")
    form = action_form(round, action_data(ward_staff, standards=[str(standard.pk), BIG_ID]))

    assert not form.is_valid()
    assert form.errors == {"standards": ["Choose standards from this round"]}


def test_action_create_shows_a_day_of_2147483648_as_an_error_and_keeps_it(
    client, round, ward_staff
):
    client.force_login(ward_staff)

    response = client.post(
        reverse("assessments:action_create", args=[round.pk]),
        action_data(ward_staff, **{"due_date-day": BIG_DAY}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_due_date-error"' in page and "Enter a real date" in page
    assert f'value="{BIG_DAY}"' in page
    assert not Action.objects.exists()


def test_action_create_shows_a_30_digit_standard_id_as_an_error(client, round, ward_staff):
    client.force_login(ward_staff)

    response = client.post(
        reverse("assessments:action_create", args=[round.pk]),
        action_data(ward_staff, standards=[BIG_ID]),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_standards-error"' in page and "Choose standards from this round" in page
    assert '<a href="#id_standards">' in page and 'id="id_standards"' in page
    assert not Action.objects.exists()


def test_score_commitment_keeps_a_too_long_comment_with_an_error_and_the_saved_one_stays(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    standard = Standard.objects.get(edition=round.edition, code="1.1")
    services.save_rating(
        round=round, standard=standard, answer="2", comment="Saved earlier", by=ward_staff
    )
    client.force_login(ward_staff)
    too_long = "x" * 5001

    response = client.post(
        reverse("assessments:score_commitment", args=[round.pk, standard.commitment.number]),
        {f"answer-{standard.pk}": "3", f"comment-{standard.pk}": too_long},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Comment on 1.1 must be 5,000 characters or fewer" in page
    assert too_long in page
    rating = Rating.objects.get(scorer__round=round, scorer__user=ward_staff, standard=standard)
    assert (rating.level, rating.comment) == (2, "Saved earlier")
