"""Services of the trust administration area: sites, wards, invitations, roles, deactivation."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from standards import invitations, people
from standards.models import (
    Invitation,
    PeopleChange,
    PeopleHistoryEntry,
    TrustMembership,
    User,
    WardMembership,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    SiteFactory,
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)

BASE_URL = "https://coc.example.nhs.uk/"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def _invite(admin, trust, ward, email="new.person@example.nhs.uk", **kwargs):
    arguments = {
        "by": admin,
        "trust": trust,
        "email": email,
        "first_name": "Nia",
        "last_name": "Jones",
        "ward_roles": [(ward, "ward-staff")],
        "trust_roles": [],
        "base_url": BASE_URL,
        **kwargs,
    }
    return invitations.invite_person(**arguments)


def _token_from(message) -> str:
    match = re.search(r"/invitations/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def _invite_and_token(django_capture_on_commit_callbacks, *args, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(*args, **kwargs)
    return invitation, _token_from(mail.outbox[-1])


# Sites and wards


def test_create_site_records_history(trust, trust_admin):
    site = people.create_site(by=trust_admin, trust=trust, name="  Riverside Hospital ")
    assert site.name == "Riverside Hospital"
    entry = PeopleHistoryEntry.objects.get(change=PeopleChange.SITE_ADDED)
    assert entry.by == trust_admin and entry.trust == trust


def test_create_site_refuses_a_duplicate_name(trust, trust_admin):
    people.create_site(by=trust_admin, trust=trust, name="Riverside")
    with pytest.raises(ValidationError) as error:
        people.create_site(by=trust_admin, trust=trust, name="riverside")
    assert "already has a site" in str(error.value)


@pytest.mark.parametrize("persona", ["qi_lead", "ward_manager", "other_trust_admin"])
def test_create_site_refuses_anyone_but_the_trusts_admin(request, trust, persona):
    with pytest.raises(PermissionDenied):
        people.create_site(by=request.getfixturevalue(persona), trust=trust, name="New site")


def test_create_ward_checks_beds_and_service_type(trust, trust_admin, ward):
    with pytest.raises(ValidationError) as error:
        people.create_ward(by=trust_admin, site=ward.site, name="Ash", service_type="x", beds=0)
    assert set(error.value.error_dict) == {"service_type", "beds"}


def test_update_ward_closes_it_and_records_before_and_after(trust, trust_admin, ward):
    people.update_ward(
        by=trust_admin,
        ward=ward,
        site=ward.site,
        name=ward.name,
        service_type="picu",
        beds=12,
        is_active=False,
    )
    ward.refresh_from_db()
    assert not ward.is_active and ward.beds == 12
    entry = PeopleHistoryEntry.objects.get(change=PeopleChange.WARD_CHANGED)
    assert entry.before["is_active"] is True and entry.after["is_active"] is False
    assert "closed" in entry.summary


def test_update_ward_refuses_another_trusts_site(trust, trust_admin, ward, other_trust_ward):
    with pytest.raises(ValidationError):
        people.update_ward(
            by=trust_admin,
            ward=ward,
            site=other_trust_ward.site,
            name=ward.name,
            service_type=ward.service_type,
            beds=None,
            is_active=True,
        )


# Invitations


def test_invite_person_emails_a_link_and_stores_only_a_hash(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, token = _invite_and_token(
        django_capture_on_commit_callbacks, trust_admin, trust, ward
    )
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.nhs.uk"]
    assert trust.name in message.subject
    assert trust_admin.display_name in message.body and "Ward staff on Willow Ward" in message.body
    assert "personal or patient details" in message.body
    assert token not in invitation.token_hash
    assert invitation.token_hash == invitations.hash_token(token)
    assert BASE_URL.rstrip("/") + reverse("trust_admin:accept", args=[token]) in message.body
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)


def test_invite_person_uses_the_invitation_days_setting(settings, trust, trust_admin, ward):
    settings.INVITATION_DAYS = 2
    invitation = _invite(trust_admin, trust, ward)
    assert invitation.expires_at - timezone.now() < datetime.timedelta(days=2, minutes=1)


def test_invite_person_refuses_a_second_pending_invitation(trust, trust_admin, ward):
    _invite(trust_admin, trust, ward)
    with pytest.raises(ValidationError) as error:
        _invite(trust_admin, trust, ward, email="NEW.person@example.nhs.uk")
    assert "already has an invitation waiting" in str(error.value)


def test_invite_person_refuses_someone_already_in_the_trust(trust, trust_admin, ward, ward_staff):
    with pytest.raises(ValidationError) as error:
        _invite(trust_admin, trust, ward, email=ward_staff.email)
    assert "already has an account in your trust" in str(error.value)


def test_invite_person_refuses_another_trusts_ward(trust, trust_admin, other_trust_ward):
    with pytest.raises(ValidationError):
        _invite(trust_admin, trust, other_trust_ward)


def test_invite_person_needs_a_role(trust, trust_admin, ward):
    with pytest.raises(ValidationError) as error:
        _invite(trust_admin, trust, ward, ward_roles=[])
    assert "Choose at least one role" in str(error.value)


def test_accept_invitation_creates_the_account_with_the_roles(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, token = _invite_and_token(
        django_capture_on_commit_callbacks,
        trust_admin,
        trust,
        ward,
        trust_roles=["qi-lead"],
    )
    user = invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    assert user.username == "new.person@example.nhs.uk"
    assert user.check_password(NEW_PASSWORD)
    assert (user.first_name, user.last_name) == ("Nia", "Jones")
    assert WardMembership.objects.filter(user=user, ward=ward, role="ward-staff").exists()
    assert TrustMembership.objects.filter(user=user, trust=trust, role="qi-lead").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_user == user and invitation.accepted_at is not None
    assert PeopleHistoryEntry.objects.filter(
        person=user, change=PeopleChange.INVITATION_ACCEPTED
    ).exists()


def test_accept_invitation_works_only_once(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    _, token = _invite_and_token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    assert "already been used" in str(error.value)
    assert User.objects.filter(email="new.person@example.nhs.uk").count() == 1


def test_accept_invitation_refuses_an_expired_link(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, token = _invite_and_token(
        django_capture_on_commit_callbacks, trust_admin, trust, ward
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    assert "expired" in str(error.value) and "trust administrator" in str(error.value)


def test_revoke_invitation_kills_the_link(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, token = _invite_and_token(
        django_capture_on_commit_callbacks, trust_admin, trust, ward
    )
    invitations.revoke_invitation(by=trust_admin, invitation=invitation)
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    assert "withdrawn" in str(error.value)
    assert PeopleHistoryEntry.objects.filter(change=PeopleChange.INVITATION_REVOKED).exists()


def test_resend_invitation_gives_a_new_link_and_kills_the_old_one(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, old_token = _invite_and_token(
        django_capture_on_commit_callbacks, trust_admin, trust, ward
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    invitation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend_invitation(by=trust_admin, invitation=invitation, base_url=BASE_URL)
    new_token = _token_from(mail.outbox[-1])
    assert new_token != old_token
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=old_token, password=NEW_PASSWORD)
    assert "does not work" in str(error.value)
    assert invitations.accept_invitation(token=new_token, password=NEW_PASSWORD)


def test_accept_invitation_checks_the_password(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation, token = _invite_and_token(
        django_capture_on_commit_callbacks, trust_admin, trust, ward
    )
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=token, password="password")
    assert "password1" in error.value.error_dict
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize("persona", ["qi_lead", "other_trust_admin"])
def test_invitation_services_refuse_anyone_but_the_trusts_admin(
    request, trust, trust_admin, ward, persona
):
    invitation = _invite(trust_admin, trust, ward)
    someone = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        invitations.revoke_invitation(by=someone, invitation=invitation)
    with pytest.raises(PermissionDenied):
        invitations.resend_invitation(by=someone, invitation=invitation, base_url=BASE_URL)
    with pytest.raises(PermissionDenied):
        _invite(someone, trust, ward, email="another@example.nhs.uk")


def test_find_pending_invitations_and_accept_for_sso(trust, trust_admin, ward):
    invitation = _invite(trust_admin, trust, ward, trust_roles=["board-member"])
    existing = UserFactory(username="sso.person", email="New.Person@example.nhs.uk")
    found = invitations.find_pending_invitations(email="NEW.PERSON@example.nhs.uk")
    assert found == [invitation]
    invitations.accept_invitation_for_sso(invitation=found[0], user=existing)
    assert TrustMembership.objects.filter(user=existing, role="board-member").exists()
    assert invitations.find_pending_invitations(email=existing.email) == []


def test_accept_invitation_for_user_refuses_another_email(trust, trust_admin, ward, ward_staff):
    invitation = _invite(trust_admin, trust, ward)
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation_for_user(invitation=invitation, user=ward_staff)
    assert "another email address" in str(error.value)


def test_accept_invitation_refuses_when_the_email_already_has_an_account(
    trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    _, token = _invite_and_token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    UserFactory(username="elsewhere", email="new.person@example.nhs.uk")
    with pytest.raises(ValidationError) as error:
        invitations.accept_invitation(token=token, password=NEW_PASSWORD)
    assert "already have an account" in str(error.value)


# People


def test_deactivate_person_blocks_sign_in_and_keeps_their_name(
    client, trust, trust_admin, ward_staff
):
    people.deactivate_person(by=trust_admin, trust=trust, person=ward_staff)
    ward_staff.refresh_from_db()
    assert not ward_staff.is_active
    assert WardMembership.objects.filter(user=ward_staff).exists()
    response = client.post(
        reverse("account_login"),
        {"login": ward_staff.username, "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert "_auth_user_id" not in client.session
    assert "Your account is closed" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    entry = PeopleHistoryEntry.objects.get(change=PeopleChange.DEACTIVATED)
    assert entry.person == ward_staff and ward_staff.display_name in entry.summary


def test_deactivate_person_ends_their_session(client, trust, trust_admin, ward_staff):
    client.force_login(ward_staff)
    people.deactivate_person(by=trust_admin, trust=trust, person=ward_staff)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_reactivate_person_lets_them_sign_in_again(client, trust, trust_admin, ward_staff):
    people.deactivate_person(by=trust_admin, trust=trust, person=ward_staff)
    people.reactivate_person(by=trust_admin, trust=trust, person=ward_staff)
    client.post(
        reverse("account_login"), {"login": ward_staff.username, "password": DEFAULT_PASSWORD}
    )
    assert client.session["_auth_user_id"] == str(ward_staff.pk)


def test_deactivate_person_refuses_yourself(trust, trust_admin):
    with pytest.raises(ValidationError) as error:
        people.deactivate_person(by=trust_admin, trust=trust, person=trust_admin)
    assert "cannot change your own roles or close your own account" in str(error.value)


def test_deactivate_person_refuses_someone_with_roles_in_another_trust(
    trust, trust_admin, ward_staff, other_trust_ward
):
    WardMembershipFactory(user=ward_staff, ward=other_trust_ward)
    with pytest.raises(ValidationError) as error:
        people.deactivate_person(by=trust_admin, trust=trust, person=ward_staff)
    assert "another trust" in str(error.value)


def test_remove_trust_role_refuses_your_own_even_as_the_last_admin(trust, trust_admin):
    with pytest.raises(ValidationError) as error:
        people.remove_trust_role(
            by=trust_admin, trust=trust, person=trust_admin, role="trust-admin"
        )
    assert "Ask another trust administrator" in str(error.value)
    assert TrustMembership.objects.filter(user=trust_admin, role="trust-admin").exists()


def test_remove_trust_role_lets_another_admin_remove_yours(trust, trust_admin):
    second = UserFactory(username="second-admin")
    TrustMembershipFactory(user=second, trust=trust, role="trust-admin")
    people.remove_trust_role(by=second, trust=trust, person=trust_admin, role="trust-admin")
    assert not TrustMembership.objects.filter(user=trust_admin, role="trust-admin").exists()


def test_add_and_remove_roles_record_history(trust, trust_admin, ward, ward_staff):
    membership = people.add_ward_role(
        by=trust_admin, person=ward_staff, ward=ward, role="le-partner"
    )
    people.add_trust_role(by=trust_admin, trust=trust, person=ward_staff, role="board-member")
    people.remove_ward_role(by=trust_admin, membership=membership)
    people.remove_trust_role(by=trust_admin, trust=trust, person=ward_staff, role="board-member")
    changes = list(
        PeopleHistoryEntry.objects.filter(person=ward_staff)
        .order_by("pk")
        .values_list("change", flat=True)
    )
    assert changes == ["role-added", "role-added", "role-removed", "role-removed"]


def test_add_ward_role_refuses_a_duplicate_and_a_closed_ward(trust, trust_admin, ward, ward_staff):
    with pytest.raises(ValidationError):
        people.add_ward_role(by=trust_admin, person=ward_staff, ward=ward, role="ward-staff")
    closed = WardFactory(site=ward.site, is_active=False)
    with pytest.raises(ValidationError):
        people.add_ward_role(by=trust_admin, person=ward_staff, ward=closed, role="ward-staff")


def test_move_person_keeps_the_role_and_records_from_and_to(trust, trust_admin, ward, ward_staff):
    to_ward = WardFactory(site=ward.site, name="Ash Ward")
    membership = WardMembership.objects.get(user=ward_staff, ward=ward)
    people.move_person(by=trust_admin, membership=membership, to_ward=to_ward)
    membership.refresh_from_db()
    assert membership.ward == to_ward and membership.role == "ward-staff"
    entry = PeopleHistoryEntry.objects.get(change=PeopleChange.MOVED)
    assert entry.before["ward"] == ward.pk and entry.after["ward"] == to_ward.pk


def test_move_person_refuses_another_trusts_ward(
    trust, trust_admin, ward, ward_staff, other_trust_ward
):
    membership = WardMembership.objects.get(user=ward_staff, ward=ward)
    with pytest.raises(ValidationError):
        people.move_person(by=trust_admin, membership=membership, to_ward=other_trust_ward)


def test_move_person_refuses_anyone_but_the_trusts_admin(ward, ward_staff, ward_manager):
    membership = WardMembership.objects.get(user=ward_staff, ward=ward)
    with pytest.raises(PermissionDenied):
        people.move_person(
            by=ward_manager,
            membership=membership,
            to_ward=WardFactory(site=SiteFactory(trust=ward.site.trust)),
        )


def test_accept_invitations_for_sso_makes_the_account_with_every_invitations_roles(
    trust, trust_admin, ward, other_trust_ward, other_trust_admin
):
    _invite(trust_admin, trust, ward)
    _invite(other_trust_admin, other_trust_ward.site.trust, other_trust_ward)
    user = invitations.accept_invitations_for_sso(email="New.Person@example.nhs.uk")
    assert user.email == "new.person@example.nhs.uk" and not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Nia", "Jones")
    assert set(WardMembership.objects.filter(user=user).values_list("ward", flat=True)) == {
        ward.pk,
        other_trust_ward.pk,
    }
    assert not Invitation.objects.pending().exists()
    assert invitations.accept_invitations_for_sso(email="new.person@example.nhs.uk") is None


def test_accept_invitations_for_sso_ignores_expired_and_revoked_invitations(
    trust, trust_admin, ward
):
    invitation = _invite(trust_admin, trust, ward)
    invitations.revoke_invitation(by=trust_admin, invitation=invitation)
    assert invitations.accept_invitations_for_sso(email="new.person@example.nhs.uk") is None
    assert not User.objects.filter(email="new.person@example.nhs.uk").exists()
