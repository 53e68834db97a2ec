"""The admin answers bad input with a field error or no results, never a server error."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from standards.demo import give_demo_second_factor
from standards.models import WardMembership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    person = UserFactory(username="admin", is_staff=True, is_superuser=True)
    give_demo_second_factor(person)  # staff must have one to reach the admin
    client.force_login(person)
    return client


@pytest.mark.parametrize("value", ["abc", "a\x00b", "123456789012345678901234567890"])
def test_admin_autocomplete_choice_with_a_value_that_is_no_id_is_a_field_error(
    admin_client, ward, value
):
    response = admin_client.post(
        reverse("admin:standards_wardmembership_add"),
        {"user": value, "ward": ward.pk, "role": "ward-staff"},
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not WardMembership.objects.exists()


@pytest.mark.parametrize("name", ["admin:standards_ward_changelist", "admin:auth_group_changelist"])
def test_admin_search_longer_than_any_text_finds_nothing(admin_client, ward, name):
    Group.objects.create(name="Editors")  # SQLite only fails on a pattern it has to apply

    response = admin_client.get(reverse(name), {"q": "x" * 100_000})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_admin_autocomplete_with_a_huge_term_finds_nothing(admin_client, ward):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "standards",
            "model_name": "wardmembership",
            "field_name": "ward",
            "term": "x" * 100_000,
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"created_at__year": "2147483648"},
        {"created_at__year": "2026", "created_at__month": "99999999999"},
    ],
)
def test_admin_date_filter_out_of_range_shows_the_invalid_filter_page(admin_client, query):
    response = admin_client.get(reverse("admin:reports_reportjob_changelist"), query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
