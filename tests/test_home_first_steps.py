"""A new ward manager's home page says what to do first, links to where each step is done (only
where they may do it), and drops each step once it is done."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.first_steps import first_steps
from standards import people
from standards.models import TrustRole
from tests.assessments.builders import signed_round
from tests.factories import (
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)

pytestmark = pytest.mark.django_db


def _steps(client, user) -> dict[str, str]:
    """The first steps on the person's home page: kind -> the step's HTML."""
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    return dict(re.findall(r'<li data-step-kind="([^"]+)">(.*?)</li>', html, re.S))


def _href(step_html: str) -> str:
    return re.search(r'<a href="([^"]+)">', step_html).group(1)


def _set_ward_details(ward, by, **details):
    values = {"support_contact": ward.support_contact, "code": ward.code, **details}
    people.update_ward(
        by=by,
        ward=ward,
        site=ward.site,
        name=ward.name,
        service_type=ward.service_type,
        beds=ward.beds,
        is_active=True,
        **values,
    )
    ward.refresh_from_db()


def test_new_manager_sees_first_steps_with_working_links_and_each_goes_once_done(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, trust_admin
):
    steps = _steps(client, ward_manager)
    assert list(steps) == ["open-round", "choose-scorers", "ask-admin"]
    assert "Open the first assessment round for Willow Ward" in steps["open-round"]
    assert _href(steps["open-round"]) == reverse("assessments:round_create", args=[ward.pk])
    assert client.get(_href(steps["open-round"])).status_code == 200
    # Scorers can be chosen on the same form that opens the round.
    assert _href(steps["choose-scorers"]) == reverse("assessments:round_create", args=[ward.pk])
    assert "as you open the round" in steps["choose-scorers"]
    assert "Who will score" in client.get(_href(steps["choose-scorers"])).content.decode()
    # Only the trust's administrators set a ward's details: the manager is told to ask.
    assert "<a " not in steps["ask-admin"]
    assert "support contact and ward code" in steps["ask-admin"]

    round = services.open_round(ward=ward, label="2026 Q4", by=ward_manager)
    steps = _steps(client, ward_manager)
    assert list(steps) == ["choose-scorers", "ask-admin"]
    scorers_url = reverse("assessments:round_scorers", args=[round.pk])
    assert _href(steps["choose-scorers"]) == scorers_url
    assert client.get(scorers_url).status_code == 200

    services.set_scorers(round=round, scorer_ids=[ward_staff.pk, le_partner.pk], by=ward_manager)
    assert list(_steps(client, ward_manager)) == ["ask-admin"]

    _set_ward_details(ward, trust_admin, support_contact="The nurse in charge")
    steps = _steps(client, ward_manager)
    assert "ward code" in steps["ask-admin"] and "support contact" not in steps["ask-admin"]

    _set_ward_details(ward, trust_admin, code="WIL01")
    html = client.get(reverse("home")).content.decode()
    assert "Your first steps" not in html
    assert "start with your first steps" not in html


def test_home_says_first_steps_follow_when_nothing_else_waits(client, ward, ward_manager):
    client.force_login(ward_manager)
    html = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you." not in html
    assert "Nothing else is waiting for you: start with your first steps below." in html
    assert '<h2 id="first-steps">Your first steps</h2>' in html


def test_choosing_scorers_says_who_the_ward_still_lacks(client, catalogue, ward, ward_manager):
    steps = _steps(client, ward_manager)
    assert (
        "Willow Ward has no ward staff and no lived experience partners yet"
        in (steps["choose-scorers"])
    )


def test_a_manager_who_is_the_trusts_administrator_gets_links_to_the_ward_form(
    client, catalogue, trust, ward, ward_manager
):
    TrustMembershipFactory(user=ward_manager, trust=trust, role=TrustRole.TRUST_ADMIN)
    steps = _steps(client, ward_manager)
    assert "ask-admin" not in steps
    edit = reverse("trust_admin:ward_edit", args=[trust.pk, ward.pk])
    assert _href(steps["support-contact"]) == f"{edit}#id_support_contact"
    assert _href(steps["ward-code"]) == f"{edit}#id_code"
    page = client.get(edit).content.decode()
    assert 'id="id_support_contact"' in page and 'id="id_code"' in page

    _set_ward_details(ward, ward_manager, support_contact="The nurse in charge")
    steps = _steps(client, ward_manager)
    assert "support-contact" not in steps and "ward-code" in steps


def test_a_manager_who_has_opened_a_round_is_not_told_to_open_one(
    client, catalogue, ward, ward_manager
):
    services.open_round(ward=ward, label="2026 Q4", by=ward_manager)
    steps = _steps(client, ward_manager)
    assert "open-round" not in steps
    assert "choose-scorers" in steps


def test_a_ward_with_a_signed_assessment_is_past_its_first_steps(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    assert _steps(client, ward_manager) == {}


def test_only_ward_managers_see_first_steps(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, qi_lead, trust_admin
):
    for person in (ward_staff, le_partner, qi_lead, trust_admin):
        assert _steps(client, person) == {}
        client.logout()


def test_first_steps_take_one_query_however_many_wards(
    client, catalogue, trust, ward, ward_manager, django_assert_num_queries
):
    with django_assert_num_queries(1):
        one = first_steps(ward_manager)
    for n in range(4):
        another = WardFactory(site=ward.site, name=f"Ward {n}")
        WardMembershipFactory(user=ward_manager, ward=another, role="ward-manager")
    with django_assert_num_queries(1):
        five = first_steps(ward_manager)
    assert len(one) == 1 and len(five) == 5
    # A ward the person does not manage, or one that is closed, has no steps for them.
    WardFactory(site=ward.site, name="Not mine")
    closed = WardFactory(site=ward.site, name="Closed ward", is_active=False)
    WardMembershipFactory(user=ward_manager, ward=closed, role="ward-manager")
    assert [item.ward.name for item in first_steps(ward_manager)] == [
        "Ward 0",
        "Ward 1",
        "Ward 2",
        "Ward 3",
        "Willow Ward",
    ]


def test_someone_on_no_ward_is_told_who_adds_people_to_wards(client, db):
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert "ask your trust's administrator to give you a role on it" in html
    assert "quality improvement lead to add you" not in html
    assert "Your first steps" not in html
