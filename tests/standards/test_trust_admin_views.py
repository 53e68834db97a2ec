"""Pages of the trust administration area and accepting an invitation."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from standards import invitations, people
from standards.models import (
    Invitation,
    SignInEvent,
    Site,
    TrustMembership,
    User,
    Ward,
    WardMembership,
)

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def admin_client(client, trust_admin):
    client.force_login(trust_admin)
    return client


def _invite(trust_admin, trust, ward, **kwargs):
    arguments = {
        "by": trust_admin,
        "trust": trust,
        "email": "nia.jones@example.nhs.uk",
        "first_name": "Nia",
        "last_name": "Jones",
        "ward_roles": [(ward, "le-partner")],
        "trust_roles": [],
        "base_url": "http://testserver/",
        **kwargs,
    }
    return invitations.invite_person(**arguments)


def test_home_lists_wards_people_invitations_and_sign_ins(
    admin_client, trust, trust_admin, ward, ward_staff
):
    _invite(trust_admin, trust, ward)
    SignInEvent.objects.create(user=ward_staff, kind="signed-in", method="password")
    response = admin_client.get(reverse("trust_admin:home", args=[trust.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Willow Ward" in page and ward_staff.display_name in page
    assert "nia.jones@example.nhs.uk" in page and "Lived experience partner on Willow Ward" in page
    assert "Signed in" in page


def test_home_page_links_to_the_admin_area_for_trust_admins_only(
    client, trust, trust_admin, qi_lead
):
    admin_url = reverse("trust_admin:home", args=[trust.pk])
    client.force_login(trust_admin)
    page = client.get(reverse("home")).content.decode()
    assert page.count(f'href="{admin_url}"') == 2  # the header menu and the page itself
    assert reverse("reports:trust_dashboard", args=[trust.pk]) not in page
    client.force_login(qi_lead)
    assert admin_url not in client.get(reverse("home")).content.decode()


def test_site_create_keeps_what_was_typed_on_error(admin_client, trust):
    Site.objects.create(trust=trust, name="Riverside")
    response = admin_client.post(
        reverse("trust_admin:site_create", args=[trust.pk]), {"name": "riverside"}
    )
    assert response.status_code == 200
    assert b"already has a site called riverside" in response.content
    assert b'value="riverside"' in response.content


def test_ward_create_and_close(admin_client, trust, ward):
    url = reverse("trust_admin:ward_create", args=[trust.pk])
    data = {"name": "Ash Ward", "site": ward.site_id, "service_type": "picu", "beds": "16"}
    assert admin_client.post(url, data).status_code == 302
    ash = Ward.objects.get(name="Ash Ward")
    assert ash.beds == 16
    edit = reverse("trust_admin:ward_edit", args=[trust.pk, ash.pk])
    response = admin_client.post(edit, {**data, "is_active": "no"})
    assert response.status_code == 302
    ash.refresh_from_db()
    assert not ash.is_active


@pytest.mark.parametrize(
    "beds,message",
    [
        ("0", b"Number of beds must be 1 or more"),
        ("lots", b"Number of beds must be a whole number"),
        ("99999999999999999999", b"Number of beds must be 200 or fewer"),
    ],
)
def test_ward_create_refuses_bad_beds_and_keeps_the_name(admin_client, trust, ward, beds, message):
    url = reverse("trust_admin:ward_create", args=[trust.pk])
    data = {"name": "Ash Ward", "site": ward.site_id, "service_type": "picu", "beds": beds}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and message in response.content
    assert b'value="Ash Ward"' in response.content
    assert not Ward.objects.filter(name="Ash Ward").exists()


def test_invite_sends_the_email_and_lists_the_invitation(
    admin_client, trust, ward, django_capture_on_commit_callbacks
):
    url = reverse("trust_admin:invite", args=[trust.pk])
    data = {
        "first_name": "Nia",
        "last_name": "Jones",
        "email": "Nia.Jones@example.nhs.uk",
        "ward": ward.pk,
        "ward_role": "ward-staff",
        "trust_roles": ["qi-lead"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nia.jones@example.nhs.uk"
    assert invitation.trust_roles == ["qi-lead"]
    assert "http://testserver/invitations/" in mail.outbox[0].body


def test_invite_keeps_what_was_typed_on_error(admin_client, trust, ward):
    url = reverse("trust_admin:invite", args=[trust.pk])
    data = {"first_name": "Nia", "last_name": "", "email": "not an email", "ward": ward.pk}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter their last name" in page
    assert "Enter an email address in the correct format" in page
    assert "Choose their role on Willow Ward" in page
    assert 'value="Nia"' in page and 'value="not an email"' in page
    assert "nhsuk-error-summary" in page
    assert not Invitation.objects.exists()


def test_invite_says_who_sees_what_is_typed(admin_client, trust):
    page = admin_client.get(reverse("trust_admin:invite", args=[trust.pk])).content.decode()
    assert "Your trust's administrators and the person invited see this" in page


def test_resend_and_revoke_from_the_home_page(
    admin_client, trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    invitation = _invite(trust_admin, trust, ward)
    old_hash = invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("trust_admin:invitation_resend", args=[trust.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash and len(mail.outbox) == 1
    admin_client.post(reverse("trust_admin:invitation_revoke", args=[trust.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def _token(django_capture_on_commit_callbacks, *args, **kwargs) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        _invite(*args, **kwargs)
    return re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)


def test_accept_page_shows_the_trust_and_roles_without_signing_in(
    client, trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    token = _token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    response = client.get(reverse("trust_admin:accept", args=[token]))
    assert response.status_code == 200
    page = response.content.decode()
    assert trust.name in page and "Lived experience partner on Willow Ward" in page
    assert "Create a password" in page


def test_accept_with_mismatched_passwords_shows_the_error(
    client, trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    token = _token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    response = client.post(
        reverse("trust_admin:accept", args=[token]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert b"The passwords do not match" in response.content
    assert b"nhsuk-error-summary" in response.content
    assert not User.objects.filter(email="nia.jones@example.nhs.uk").exists()


def test_accept_with_a_weak_password_says_why(
    client, trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    token = _token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    response = client.post(
        reverse("trust_admin:accept", args=[token]), {"password1": "abc", "password2": "abc"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content


def test_accept_creates_the_account_then_the_person_signs_in(
    client, trust, trust_admin, ward, django_capture_on_commit_callbacks
):
    token = _token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    url = reverse("trust_admin:accept", args=[token])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    user = User.objects.get(email="nia.jones@example.nhs.uk")
    assert WardMembership.objects.filter(user=user, ward=ward, role="le-partner").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Your account is ready" in page
    client.post(reverse("account_login"), {"login": user.username, "password": NEW_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    again = client.get(url)
    assert again.status_code == 410 and b"already been used" in again.content


def test_accept_unknown_link_is_404_with_advice(client, db):
    response = client.get(reverse("trust_admin:accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert b"trust administrator" in response.content


def test_accept_signed_in_person_with_an_account_adds_the_roles(
    client, trust, trust_admin, ward, outsider
):
    invitation = _invite(trust_admin, trust, ward, email=outsider.email)
    token, invitation.token_hash = invitations.new_token()
    invitation.save()
    client.force_login(outsider)
    url = reverse("trust_admin:accept", args=[token])
    assert b"Accept and add these roles" in client.get(url).content
    assert client.post(url).status_code == 302
    assert WardMembership.objects.filter(user=outsider, ward=ward, role="le-partner").exists()


def test_person_page_deactivates_and_shows_history(admin_client, trust, ward_staff):
    url = reverse("trust_admin:person_active", args=[trust.pk, ward_staff.pk])
    assert admin_client.post(url, {"active": "no"}).status_code == 302
    ward_staff.refresh_from_db()
    assert not ward_staff.is_active
    page = admin_client.get(reverse("trust_admin:person", args=[trust.pk, ward_staff.pk]))
    assert b"deactivated: they can no longer sign in" in page.content
    assert b"Reactivate" in page.content


def test_person_add_ward_role_error_is_shown_on_the_page(admin_client, trust, ward, ward_staff):
    url = reverse("trust_admin:person_add_ward_role", args=[trust.pk, ward_staff.pk])
    response = admin_client.post(url, {"ward-role-ward": ward.pk, "ward-role-role": "ward-staff"})
    assert response.status_code == 200
    assert b"is already Ward staff on Willow Ward" in response.content


def test_person_move_to_another_ward(admin_client, trust, ward, ward_staff):
    ash = Ward.objects.create(site=ward.site, name="Ash Ward", service_type="picu")
    membership = WardMembership.objects.get(user=ward_staff)
    url = reverse("trust_admin:membership_move", args=[trust.pk, membership.pk])
    assert admin_client.post(url, {"move-to_ward": ash.pk}).status_code == 302
    membership.refresh_from_db()
    assert membership.ward == ash


def test_an_admin_cannot_remove_their_own_role_through_the_page(admin_client, trust, trust_admin):
    url = reverse("trust_admin:person_remove_trust_role", args=[trust.pk, trust_admin.pk])
    response = admin_client.post(url, {"role": "trust-admin"}, follow=True)
    assert b"You cannot change your own roles" in response.content
    assert TrustMembership.objects.filter(user=trust_admin, role="trust-admin").exists()


def test_header_menu_forgets_the_admin_link_when_the_role_goes(client, trust, trust_admin):
    second = TrustMembership.objects.create(
        user=User.objects.create(username="second"), trust=trust, role="trust-admin"
    )
    admin_url = reverse("trust_admin:home", args=[trust.pk])
    client.force_login(trust_admin)
    assert admin_url in client.get(reverse("standards:index")).content.decode()
    people.remove_trust_role(by=second.user, trust=trust, person=trust_admin, role="trust-admin")
    assert admin_url not in client.get(reverse("standards:index")).content.decode()


def test_accept_while_signed_in_as_someone_else_creates_nothing(
    client, trust, trust_admin, ward, ward_staff, django_capture_on_commit_callbacks
):
    token = _token(django_capture_on_commit_callbacks, trust_admin, trust, ward)
    client.force_login(ward_staff)
    url = reverse("trust_admin:accept", args=[token])
    assert b"Sign out, then open this link again" in client.get(url).content
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="nia.jones@example.nhs.uk").exists()
