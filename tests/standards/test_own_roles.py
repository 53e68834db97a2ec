"""Nobody changes their own roles or closes their own account (issue 20): a trust administrator
once gave themselves the QI lead role and read the trust's dashboard, exports and rounds."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from standards import people
from standards.admin import TrustMembershipAdmin
from standards.models import PeopleChange, PeopleHistoryEntry, TrustMembership, WardMembership
from standards.people_import import PeopleImportError, apply_import, plan_import
from tests.factories import TrustMembershipFactory, UserFactory, WardMembershipFactory

OWN = "You cannot change your own roles or close your own account"


@pytest.fixture
def own_ward_role(trust_admin, ward):
    return WardMembershipFactory(user=trust_admin, ward=ward, role="ward-staff")


@pytest.fixture
def other_ward(ward):
    from tests.factories import WardFactory

    return WardFactory(site=ward.site, name="Ash Ward")


def _changes(trust_admin, ward, other_ward, own_ward_role, trust):
    return {
        "give themselves a trust role": lambda: people.add_trust_role(
            by=trust_admin, trust=trust, person=trust_admin, role="qi-lead"
        ),
        "remove one of their own trust roles": lambda: people.remove_trust_role(
            by=trust_admin, trust=trust, person=trust_admin, role="trust-admin"
        ),
        "add a ward role to themselves": lambda: people.add_ward_role(
            by=trust_admin, person=trust_admin, ward=ward, role="ward-manager"
        ),
        "remove one of their own ward roles": lambda: people.remove_ward_role(
            by=trust_admin, membership=own_ward_role
        ),
        "move themselves to another ward": lambda: people.move_person(
            by=trust_admin, membership=own_ward_role, to_ward=other_ward
        ),
        "close their own account": lambda: people.deactivate_person(
            by=trust_admin, trust=trust, person=trust_admin
        ),
    }


@pytest.mark.parametrize(
    "attempt",
    [
        "give themselves a trust role",
        "remove one of their own trust roles",
        "add a ward role to themselves",
        "remove one of their own ward roles",
        "move themselves to another ward",
        "close their own account",
    ],
)
def test_own_changes_are_refused_changed_nothing_and_recorded(
    attempt, trust, trust_admin, ward, other_ward, own_ward_role
):
    second = UserFactory(username="second-admin")
    TrustMembershipFactory(user=second, trust=trust, role="trust-admin")
    before = (
        sorted(TrustMembership.objects.filter(user=trust_admin).values_list("role", flat=True)),
        sorted(WardMembership.objects.filter(user=trust_admin).values_list("ward", "role")),
    )

    with pytest.raises(ValidationError) as error:
        _changes(trust_admin, ward, other_ward, own_ward_role, trust)[attempt]()

    assert OWN in str(error.value)
    assert f"Ask another trust administrator of {trust.name}" in str(error.value)
    trust_admin.refresh_from_db()
    assert trust_admin.is_active
    after = (
        sorted(TrustMembership.objects.filter(user=trust_admin).values_list("role", flat=True)),
        sorted(WardMembership.objects.filter(user=trust_admin).values_list("ward", "role")),
    )
    assert after == before
    refused = PeopleHistoryEntry.objects.get(change=PeopleChange.REFUSED)
    assert refused.by == trust_admin and refused.person == trust_admin
    assert attempt in refused.summary


def test_another_admin_may_make_the_same_change(trust, trust_admin):
    second = UserFactory(username="second-admin")
    TrustMembershipFactory(user=second, trust=trust, role="trust-admin")
    people.add_trust_role(by=second, trust=trust, person=trust_admin, role="qi-lead")
    assert TrustMembership.objects.filter(user=trust_admin, role="qi-lead").exists()
    assert not PeopleHistoryEntry.objects.filter(change=PeopleChange.REFUSED).exists()


def test_your_own_page_says_so_and_offers_no_changes(client, trust, trust_admin):
    client.force_login(trust_admin)
    page = client.get(reverse("trust_admin:person", args=[trust.pk, trust_admin.pk]))
    text = page.content.decode()
    assert "This is you. You cannot change your own roles or close your own account." in text
    assert reverse("trust_admin:person_add_trust_role", args=[trust.pk, trust_admin.pk]) not in text
    assert reverse("trust_admin:person_active", args=[trust.pk, trust_admin.pk]) not in text


def test_a_post_to_give_yourself_a_role_is_refused_on_the_page(client, trust, trust_admin):
    client.force_login(trust_admin)
    url = reverse("trust_admin:person_add_trust_role", args=[trust.pk, trust_admin.pk])
    response = client.post(url, {"trust-role-role": "qi-lead"})
    assert OWN in response.content.decode()
    assert not TrustMembership.objects.filter(user=trust_admin, role="qi-lead").exists()
    assert PeopleHistoryEntry.objects.filter(change=PeopleChange.REFUSED).count() == 1


def test_someone_elses_page_still_offers_changes(client, trust, trust_admin, ward_staff):
    client.force_login(trust_admin)
    text = client.get(reverse("trust_admin:person", args=[trust.pk, ward_staff.pk])).content
    assert reverse("trust_admin:person_add_trust_role", args=[trust.pk, ward_staff.pk]) in (
        text.decode()
    )


def test_the_admin_site_offers_no_change_to_your_own_roles(trust, trust_admin):
    trust_admin.is_staff = trust_admin.is_superuser = True
    trust_admin.save()
    own = TrustMembership.objects.get(user=trust_admin, role="trust-admin")
    request = RequestFactory().get("/")
    request.user = trust_admin
    model_admin = TrustMembershipAdmin(TrustMembership, site)
    assert model_admin.has_change_permission(request, own) is False
    assert model_admin.has_delete_permission(request, own) is False
    form = model_admin.get_form(request)(
        {"user": trust_admin.pk, "trust": trust.pk, "role": "qi-lead"}
    )
    assert not form.is_valid()
    assert "You cannot give yourself a role" in str(form.errors)


def test_the_people_import_refuses_a_line_that_gives_you_a_role(trust, trust_admin, ward):
    content = (
        "email,first_name,last_name,ward,site,ward_role,trust_role\n"
        f"{trust_admin.email},,,,,,Trust QI lead\n"
    )
    plan = plan_import(trust=trust, content=content, by=trust_admin)
    assert plan.errors == [
        f"Line 2: {trust_admin.email} is you. Nobody changes their own roles: ask another "
        f"trust administrator of {trust.name} to do it"
    ]
    with pytest.raises(PeopleImportError):
        apply_import(by=trust_admin, trust=trust, content=content, base_url="https://x.nhs.uk/")
    assert not TrustMembership.objects.filter(user=trust_admin, role="qi-lead").exists()
