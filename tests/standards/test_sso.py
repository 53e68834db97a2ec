"""Single sign-on by OpenID Connect against a real provider on loopback (tests/sso.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from standards.accounts.social import SocialAccountAdapter
from standards.demo import current_demo_code
from standards.models import SignInEvent, SignInEventKind, User
from tests.factories import TrustMembershipFactory, UserFactory
from tests.sso import (
    PROVIDER_ID,
    PROVIDER_NAME,
    callback_path,
    login_path,
    running_provider,
    sign_in_with_sso,
)

NOT_INVITED = (
    "Your trust has not given this email address an account. Ask your trust's administrator "
    "for an invitation."
)


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings()
    return provider


def _verified(email: str) -> dict:
    return {"email": email, "email_verified": True, "name": "Test Person"}


def _signed_in_user(client):
    return client.get(reverse("account_security")).wsgi_request.user


def test_sso_signs_in_an_existing_account_by_verified_email_and_connects_it(
    client, sso, ward_staff
):
    response = sign_in_with_sso(
        client, sso, sub="staff-1", claims=_verified("STAFF@example.nhs.uk")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.wsgi_request.user == ward_staff
    account = SocialAccount.objects.get(provider=PROVIDER_ID, uid="staff-1")
    assert account.user == ward_staff
    # Connected, not "authenticated by email": the person's password still works.
    ward_staff.refresh_from_db()
    assert ward_staff.has_usable_password()
    event = SignInEvent.objects.filter(user=ward_staff, kind=SignInEventKind.SIGNED_IN).get()
    assert event.method == "single sign-on"


def test_sso_second_sign_in_finds_the_person_by_their_connected_identity(client, sso, ward_staff):
    sign_in_with_sso(client, sso, sub="staff-2", claims=_verified(ward_staff.email))
    client.post(reverse("account_logout"))

    # The provider now reports another address: the connection (by `sub`) still holds.
    response = sign_in_with_sso(client, sso, sub="staff-2", claims=_verified("ben.carter@nhs.net"))

    assert response["Location"] == reverse("home")
    assert _signed_in_user(client) == ward_staff
    assert SocialAccount.objects.filter(user=ward_staff).count() == 1


def test_sso_refuses_an_email_with_no_account_and_creates_no_one(client, sso, ward_staff):
    users_before = User.objects.count()

    response = sign_in_with_sso(client, sso, sub="stranger-1", claims=_verified("stranger@nhs.net"))

    assert response.status_code == 403
    assert NOT_INVITED in response.content.decode()
    assert "stranger@nhs.net" in response.content.decode()
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert not _signed_in_user(client).is_authenticated
    event = SignInEvent.objects.get(kind=SignInEventKind.SIGN_IN_FAILED)
    assert (event.user, event.attempted_username) == (None, "stranger@nhs.net")


def test_sso_refuses_a_deactivated_account(client, sso, ward_staff):
    User.objects.filter(pk=ward_staff.pk).update(is_active=False)

    response = sign_in_with_sso(client, sso, sub="staff-3", claims=_verified(ward_staff.email))

    assert response.status_code == 403
    assert "Your account has been closed" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not _signed_in_user(client).is_authenticated


def test_sso_refuses_a_connected_account_deactivated_since(client, sso, ward_staff):
    sign_in_with_sso(client, sso, sub="staff-4", claims=_verified(ward_staff.email))
    client.post(reverse("account_logout"))
    User.objects.filter(pk=ward_staff.pk).update(is_active=False)

    response = sign_in_with_sso(client, sso, sub="staff-4", claims=_verified(ward_staff.email))

    assert response.status_code == 403
    assert "Your account has been closed" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


@pytest.mark.parametrize(
    "claims",
    [
        {"email_verified": False},
        {"email_verified": "false"},
        {},  # Entra ID often leaves the claim out
    ],
    ids=["false", "string-false", "missing"],
)
def test_sso_refuses_an_unverified_email(client, sso, ward_staff, claims):
    response = sign_in_with_sso(
        client, sso, sub="staff-5", claims={"email": ward_staff.email, **claims}
    )

    assert response.status_code == 403
    assert "did not confirm your email address" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not _signed_in_user(client).is_authenticated


def test_sso_accepts_an_unverified_email_when_the_trust_vouches_for_its_directory(
    client, settings, provider, ward_staff
):
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings(trust_email_verified=True)

    response = sign_in_with_sso(client, provider, sub="staff-6", claims={"email": ward_staff.email})

    assert response["Location"] == reverse("home")
    assert _signed_in_user(client) == ward_staff


def test_sso_refuses_a_sign_in_with_no_email(client, sso, ward_staff):
    response = sign_in_with_sso(client, sso, sub="staff-7", claims={"name": "No Email"})

    assert response.status_code == 403
    assert not _signed_in_user(client).is_authenticated


def test_sign_in_page_shows_the_sso_button_only_when_configured(client, settings, provider, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    without = client.get(reverse("account_login"))
    assert "Sign in with" not in without.content.decode()
    assert "form-action 'self';" in without["Content-Security-Policy"]

    settings.SOCIALACCOUNT_PROVIDERS = provider.settings()
    with_sso = client.get(reverse("account_login"))

    assert f"Sign in with {PROVIDER_NAME}" in with_sso.content.decode()
    assert f'action="{login_path()}?process=login"' in with_sso.content.decode()
    # The button posts to us and we redirect to the provider: Chromium checks both.
    assert f"form-action 'self' {provider.url};" in with_sso["Content-Security-Policy"]


def test_sso_start_needs_a_post(client, sso, db):
    response = client.get(login_path())

    assert response.status_code == 200
    assert f"Sign in with {PROVIDER_NAME}" in response.content.decode()
    assert not response.get("Location")


def test_sso_for_a_trust_role_still_asks_for_the_second_factor(client, sso, trust):
    qi_lead = TrustMembershipFactory(
        trust=trust, role="qi-lead", user=UserFactory(username="qi")
    ).user

    response = sign_in_with_sso(client, sso, sub="qi-1", claims=_verified(qi_lead.email))

    # allauth's login stages run for single sign-on as for a password: not signed in yet.
    assert response["Location"] == reverse("mfa_authenticate")
    assert not _signed_in_user(client).is_authenticated
    done = client.post(reverse("mfa_authenticate"), {"code": current_demo_code()})
    assert done["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == qi_lead


def test_sso_for_a_trust_role_without_a_second_factor_is_sent_to_set_one_up(client, sso, trust):
    board = TrustMembershipFactory(
        trust=trust, user=UserFactory(username="board"), second_factor=False
    ).user

    sign_in_with_sso(client, sso, sub="board-1", claims=_verified(board.email))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_mfa_required")


def test_sso_cancelled_at_the_provider_shows_the_cancelled_page(client, sso, db):
    started = client.post(login_path())
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]

    # What a provider sends back when the person cancels (the mock's own "Deny" drops state).
    response = client.get(callback_path(), {"error": "access_denied", "state": state}, follow=True)

    assert response.status_code == 200
    assert "You did not sign in" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_sso_callback_with_a_bad_state_shows_the_error_page(client, sso, db):
    client.post(login_path())

    response = client.get(callback_path(), {"code": "stolen", "state": "not-ours"})

    assert response.status_code == 401
    assert "Sorry, there is a problem signing you in" in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_sso_connect_from_a_session_accepts_only_the_persons_own_address(
    client, sso, ward_staff, ward_manager
):
    client.force_login(ward_staff)

    response = sign_in_with_sso(
        client, sso, sub="manager-1", claims=_verified(ward_manager.email), process="connect"
    )

    assert response.status_code == 403
    assert "This work account has a different email address" in response.content.decode()
    assert not SocialAccount.objects.exists()

    sign_in_with_sso(
        client, sso, sub="staff-8", claims=_verified(ward_staff.email), process="connect"
    )
    assert SocialAccount.objects.get(uid="staff-8").user == ward_staff


def test_connections_page_lists_the_work_account_and_disconnects_it(client, sso, ward_staff):
    sign_in_with_sso(client, sso, sub="staff-9", claims=_verified(ward_staff.email))
    account = SocialAccount.objects.get(uid="staff-9")

    page = client.get(reverse("socialaccount_connections"))
    assert f"{PROVIDER_NAME}, {ward_staff.email}" in page.content.decode()
    assert f"Connect {PROVIDER_NAME}" in page.content.decode()

    missing = client.post(reverse("socialaccount_connections"), {})
    assert "Select the work account to disconnect" in missing.content.decode()

    done = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert done.status_code == 302
    assert not SocialAccount.objects.exists()


def test_sso_asks_the_invitation_hook_only_for_an_address_with_no_account(
    client, sso, ward_staff, monkeypatch
):
    """Where invitations plug in: the hook gets the verified address and returns the account
    that accepting the invitation made (with the invitation's roles), or None."""
    asked = []

    def accept(self, request, email):
        asked.append(email)
        return UserFactory(username="invited", email=email)

    monkeypatch.setattr(SocialAccountAdapter, "_account_for_invitation", accept)

    sign_in_with_sso(client, sso, sub="staff-10", claims=_verified(ward_staff.email))
    client.post(reverse("account_logout"))
    response = sign_in_with_sso(
        client, sso, sub="invited-1", claims=_verified("New.Starter@nhs.net")
    )

    assert asked == ["new.starter@nhs.net"]
    assert response["Location"] == reverse("home")
    assert SocialAccount.objects.get(uid="invited-1").user.username == "invited"


def test_sso_connect_without_a_session_is_refused(client, sso, ward_staff):
    response = sign_in_with_sso(
        client, sso, sub="staff-11", claims=_verified(ward_staff.email), process="connect"
    )

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    assert not _signed_in_user(client).is_authenticated


def test_sso_start_with_the_provider_down_says_so_instead_of_an_error(client, settings, db):
    with running_provider() as stopped:
        pass
    settings.SOCIALACCOUNT_PROVIDERS = stopped.settings()

    response = client.post(login_path())

    assert response.status_code == 503
    assert f"{PROVIDER_NAME} is not answering at the moment" in response.content.decode()


def test_sso_with_an_invited_email_makes_the_account_with_the_invitations_roles(
    client, sso, ward, trust
):
    from standards.invitations import invite_person
    from tests.factories import TrustMembershipFactory, UserFactory

    admin = UserFactory(username="trustadmin")
    TrustMembershipFactory(user=admin, trust=trust, role="trust-admin")
    invite_person(
        by=admin,
        trust=trust,
        email="New.Manager@nhs.net",
        first_name="Nadia",
        last_name="Malik",
        ward_roles=[(ward, "ward-manager")],
        trust_roles=[],
        base_url="http://testserver",
    )

    response = sign_in_with_sso(client, sso, sub="nadia-1", claims=_verified("new.manager@nhs.net"))

    person = _signed_in_user(client)
    assert response["Location"] == reverse("home")
    assert person.email.lower() == "new.manager@nhs.net"
    assert not person.has_usable_password()
    assert list(person.ward_memberships.values_list("ward", "role")) == [(ward.pk, "ward-manager")]


def test_sso_with_an_expired_invitation_is_refused(client, sso, ward, trust):
    import datetime

    from django.utils import timezone

    from standards.invitations import invite_person
    from standards.models import Invitation, User
    from tests.factories import TrustMembershipFactory, UserFactory

    admin = UserFactory(username="trustadmin")
    TrustMembershipFactory(user=admin, trust=trust, role="trust-admin")
    invite_person(
        by=admin,
        trust=trust,
        email="late@nhs.net",
        first_name="Lee",
        last_name="Late",
        ward_roles=[(ward, "ward-staff")],
        trust_roles=[],
        base_url="http://testserver",
    )
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))

    response = sign_in_with_sso(client, sso, sub="late-1", claims=_verified("late@nhs.net"))

    assert response.status_code == 403
    assert not User.objects.filter(email="late@nhs.net").exists()


def test_sso_callback_with_the_provider_gone_is_refused_not_an_error(client, settings, db):
    with running_provider() as gone:
        settings.SOCIALACCOUNT_PROVIDERS = gone.settings()
        gone.set_user("gone-1", _verified("staff@example.nhs.uk"))
        started = client.post(login_path(), {"process": "login"})
        answer = requests.post(
            started["Location"], data={"sub": "gone-1"}, allow_redirects=False, timeout=5
        )
        back = urlsplit(answer.headers["Location"])

    # The callback reads the provider's discovery document again, and nobody answers.
    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 403
    assert "Try again, or sign in with your username and password." in response.content.decode()
    assert not _signed_in_user(client).is_authenticated
    assert SignInEvent.objects.filter(kind=SignInEventKind.SIGN_IN_FAILED).count() == 1
