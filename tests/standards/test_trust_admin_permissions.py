"""The role-by-URL matrix for the trust administration area, GET and POST.

The trust's administrator is let through; people of the same trust without the role get 403;
anyone else (another trust's administrator included) gets 404. Nobody refused changes anything.
"""

import pytest
from django.urls import reverse

from standards import invitations
from standards.models import PeopleHistoryEntry, WardMembership
from tests.factories import (
    SiteFactory,
    TrustFactory,
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)

ADMIN_URLS = [
    ("home", "trust", {"get"}),
    ("site_create", "trust", {"get", "post"}),
    ("site_edit", "site", {"get", "post"}),
    ("ward_create", "trust", {"get", "post"}),
    ("ward_edit", "ward", {"get", "post"}),
    ("invite", "trust", {"get", "post"}),
    ("person", "person", {"get"}),
    ("person_add_ward_role", "person", {"post"}),
    ("person_add_trust_role", "person", {"post"}),
    ("person_remove_trust_role", "person", {"post"}),
    ("person_active", "person", {"post"}),
    ("membership_remove", "membership", {"post"}),
    ("membership_move", "membership", {"post"}),
    ("invitation_resend", "invitation", {"post"}),
    ("invitation_revoke", "invitation", {"post"}),
    ("import", "trust", {"get", "post"}),
    ("import_apply", "trust", {"post"}),
]
PERSONAS = ["admin", "qi", "manager", "staff", "other_admin", "outsider"]
SAME_TRUST = {"qi", "manager", "staff"}


@pytest.fixture
def world(db):
    trust = TrustFactory(name="Matrix NHS Trust")
    ward = WardFactory(site=SiteFactory(trust=trust))
    other = WardFactory(site=SiteFactory(trust=TrustFactory(name="Other NHS Trust")))
    people = {name: UserFactory(username=f"matrix-{name}") for name in PERSONAS}
    TrustMembershipFactory(user=people["admin"], trust=trust, role="trust-admin")
    TrustMembershipFactory(user=people["qi"], trust=trust, role="qi-lead")
    WardMembershipFactory(user=people["manager"], ward=ward, role="ward-manager")
    membership = WardMembershipFactory(user=people["staff"], ward=ward, role="ward-staff")
    TrustMembershipFactory(user=people["other_admin"], trust=other.site.trust, role="trust-admin")
    WardMembershipFactory(user=people["outsider"], ward=other, role="ward-manager")
    invitation = invitations.invite_person(
        by=people["admin"],
        trust=trust,
        email="invited@example.nhs.uk",
        first_name="In",
        last_name="Vited",
        ward_roles=[(ward, "ward-staff")],
        trust_roles=[],
        base_url="http://testserver/",
    )
    t = {"trust_id": trust.pk}
    kwargs = {
        "trust": t,
        "site": {**t, "site_id": ward.site_id},
        "ward": {**t, "ward_id": ward.pk},
        "person": {**t, "person_id": people["staff"].pk},
        "membership": {**t, "membership_id": membership.pk},
        "invitation": {**t, "invitation_id": invitation.pk},
    }
    return kwargs, people


CASES = [
    (name, persona, method)
    for name, _, _ in ADMIN_URLS
    for persona in PERSONAS
    for method in ("get", "post")
]


@pytest.mark.parametrize("name,persona,method", CASES)
def test_trust_admin_matrix(client, world, name, persona, method):
    kwargs, people = world
    key, methods = next((k, m) for n, k, m in ADMIN_URLS if n == name)
    client.force_login(people[persona])
    history_before = PeopleHistoryEntry.objects.count()
    memberships_before = WardMembership.objects.count()
    response = getattr(client, method)(reverse(f"trust_admin:{name}", kwargs=kwargs[key]))
    if method not in methods:
        assert response.status_code == 405
    elif persona == "admin":
        assert response.status_code in (200, 302), response.status_code
    elif persona in SAME_TRUST:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    if persona != "admin":
        assert PeopleHistoryEntry.objects.count() == history_before
        assert WardMembership.objects.count() == memberships_before


@pytest.mark.parametrize("key", ["site", "ward", "person", "membership", "invitation"])
def test_trust_admin_cannot_reach_another_trusts_objects_through_their_own(client, world, key):
    """The trust in the URL is the admin's own, the object is another trust's: 404."""
    kwargs, people = world
    other_trust = TrustFactory(name="Third NHS Trust")
    other_ward = WardFactory(site=SiteFactory(trust=other_trust))
    stranger = UserFactory(username="stranger")
    other_membership = WardMembershipFactory(user=stranger, ward=other_ward)
    TrustMembershipFactory(user=people["other_admin"], trust=other_trust, role="trust-admin")
    other_invitation = invitations.invite_person(
        by=people["other_admin"],
        trust=other_trust,
        email="elsewhere@example.nhs.uk",
        first_name="Else",
        last_name="Where",
        ward_roles=[(other_ward, "ward-staff")],
        trust_roles=[],
        base_url="http://testserver/",
    )
    own = kwargs["trust"]
    foreign = {
        "site": ("site_edit", {**own, "site_id": other_ward.site_id}),
        "ward": ("ward_edit", {**own, "ward_id": other_ward.pk}),
        "person": ("person", {**own, "person_id": stranger.pk}),
        "membership": ("membership_remove", {**own, "membership_id": other_membership.pk}),
        "invitation": ("invitation_revoke", {**own, "invitation_id": other_invitation.pk}),
    }
    name, url_kwargs = foreign[key]
    client.force_login(people["admin"])
    method = client.get if name in ("site_edit", "ward_edit", "person") else client.post
    assert method(reverse(f"trust_admin:{name}", kwargs=url_kwargs)).status_code == 404
    other_invitation.refresh_from_db()
    assert other_invitation.revoked_at is None
    assert WardMembership.objects.filter(pk=other_membership.pk).exists()
