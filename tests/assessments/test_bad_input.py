"""The two server errors form fuzzing found, on the action form: a day of 2147483648 in the
due date and a 30-digit id among the linked standards. Both are field errors now."""

import pytest
from django.urls import reverse

from assessments.forms.actions import ActionForm
from assessments.models import Action
from standards.models import Standard, WardMembership
from tests.assessments.builders import agreeing_round

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
    assert not Action.objects.exists()
