"""Signing in on allauth: the abuse cases of the hand-written throttle, and what people see."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from standards.demo import current_demo_code
from standards.models import SignInEvent, SignInEventKind
from tests.factories import DEFAULT_PASSWORD, TrustMembershipFactory, UserFactory

HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.99"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 8
    settings.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 3
    settings.SIGN_IN_POSTS_PER_ADDRESS = 1000
    settings.SIGN_IN_SLOW_DOWN_AFTER = 6
    settings.SIGN_IN_SLOW_SECONDS = 20


def sign_in(client, login, password, address=HOME, **extra):
    return client.post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_with_correct_password_goes_home(client, ward_staff):
    response = sign_in(client, "staff", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client)


def test_sign_in_by_email_address_works_too(client, ward_staff):
    sign_in(client, ward_staff.email, DEFAULT_PASSWORD)
    assert signed_in(client)


def test_sign_in_with_wrong_password_shows_an_error_summary_and_keeps_the_username(
    client, ward_staff
):
    page = sign_in(client, "staff", "wrong").content.decode()
    assert "There is a problem" in page
    assert "nhsuk-error-summary" in page
    assert 'value="staff"' in page
    assert "<title>Error: " in page


def test_sign_in_is_refused_after_repeated_failures_for_one_username_from_one_address(
    client, ward_staff
):
    for _ in range(3):
        sign_in(client, "staff", "wrong")
    page = sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()
    assert "Too many failed attempts to sign in from here" in page
    assert not signed_in(client)


def test_an_empty_password_post_never_clears_the_counter(client, ward_staff):
    """The old throttle's hole: an empty post reset both counters."""
    for _ in range(2):
        sign_in(client, "staff", "wrong")
    for _ in range(5):
        sign_in(client, "staff", "")
        sign_in(client, "", "")
        client.post(reverse("account_login"), {"login": "staff"}, REMOTE_ADDR=HOME)
    sign_in(client, "staff", "wrong")
    page = sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()
    assert "Too many failed attempts" in page
    assert not signed_in(client)


def test_a_malformed_post_gets_field_errors_not_a_server_error(client, ward_staff):
    response = client.post(
        reverse("account_login"), {"login": "st\x00aff" * 5000, "password": "x" * 100_000}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_someone_elsewhere_guessing_a_username_cannot_lock_its_owner_out(client, ward_staff):
    for _ in range(5):
        sign_in(client, "staff", "guess", address=ELSEWHERE)
    sign_in(client, "staff", DEFAULT_PASSWORD, address=HOME)
    assert signed_in(client)


def test_many_failures_for_one_username_from_many_addresses_only_slow_it_down(
    client, ward_staff, settings
):
    for n in range(6):
        sign_in(client, "staff", "guess", address=f"10.0.1.{n}")
    page = sign_in(client, "staff", DEFAULT_PASSWORD, address=HOME).content.decode()
    assert "Wait 20 seconds, then try again" in page
    assert not signed_in(client)

    settings.SIGN_IN_SLOW_SECONDS = 0  # the pause has passed
    sign_in(client, "staff", DEFAULT_PASSWORD, address=HOME)
    assert signed_in(client)


def test_guessing_made_up_usernames_refuses_that_address_only(client, ward_staff):
    for n in range(8):
        sign_in(client, f"nobody{n}", "guess", address=ELSEWHERE)
    page = sign_in(client, "staff", DEFAULT_PASSWORD, address=ELSEWHERE).content.decode()
    assert "Too many failed attempts" in page

    sign_in(client, "staff", DEFAULT_PASSWORD, address=HOME)
    assert signed_in(client)


def test_signing_in_clears_only_your_own_counter(client, ward_staff, ward_manager):
    for _ in range(2):
        sign_in(client, "manager", "wrong")
    sign_in(client, "staff", DEFAULT_PASSWORD)
    client.post(reverse("account_logout"))
    sign_in(client, "manager", "wrong")  # the third failure: signing in as staff cleared nothing
    page = sign_in(client, "manager", DEFAULT_PASSWORD).content.decode()
    assert "Too many failed attempts" in page


def test_a_successful_sign_in_clears_your_own_counter(client, ward_staff):
    for _ in range(2):
        sign_in(client, "staff", "wrong")
    sign_in(client, "staff", DEFAULT_PASSWORD)
    client.post(reverse("account_logout"))
    for _ in range(2):
        sign_in(client, "staff", "wrong")
    sign_in(client, "staff", DEFAULT_PASSWORD)
    assert signed_in(client)


def test_forwarded_for_is_ignored_without_trusted_proxies(client, ward_staff):
    for n in range(3):
        sign_in(client, "staff", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    page = sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()
    assert "Too many failed attempts" in page


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(client, ward_staff, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        sign_in(client, "staff", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.7")
    # Someone else behind the same proxy signs in: the proxy's address is not the key.
    sign_in(client, "staff", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.8")
    assert signed_in(client)


def test_admin_sign_in_goes_through_the_same_sign_in_page(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_trust_role_without_second_factor_must_set_one_up_before_the_dashboard(client, trust):
    person = UserFactory(username="newqi")
    TrustMembershipFactory(user=person, trust=trust, role="qi-lead", second_factor=False)
    sign_in(client, "newqi", DEFAULT_PASSWORD)
    assert signed_in(client)

    response = client.get(reverse("reports:trust_dashboard", args=[trust.pk]))

    assert response["Location"] == reverse("account_mfa_required")
    page = client.get(reverse("account_mfa_required")).content.decode()
    assert "Set up a second way to prove it is you" in page


def test_staff_user_must_set_up_a_second_factor_for_the_admin(client, db):
    UserFactory(username="itadmin", is_staff=True, is_superuser=True)
    sign_in(client, "itadmin", DEFAULT_PASSWORD)
    assert client.get("/admin/")["Location"] == reverse("account_mfa_required")


def test_trust_role_with_an_app_is_asked_for_its_code_after_the_password(client, qi_lead, trust):
    response = sign_in(client, "qilead", DEFAULT_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)

    client.post(reverse("mfa_authenticate"), {"code": current_demo_code()})

    assert signed_in(client)
    dashboard = client.get(reverse("reports:trust_dashboard", args=[trust.pk]))
    assert dashboard.status_code == 200


def test_the_last_second_factor_of_a_trust_role_cannot_be_removed(qi_lead):
    from standards.accounts.adapter import MfaAdapter

    totp = Authenticator.objects.get(user=qi_lead, type="totp")
    assert MfaAdapter().can_delete_authenticator(totp) is False


def test_everyone_else_may_choose_a_second_factor_but_need_not(client, ward_staff):
    sign_in(client, "staff", DEFAULT_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_sign_in_events_are_recorded_without_the_password(client, ward_staff):
    sign_in(client, "staff", "wrong-secret")
    sign_in(client, "nobody", "other-secret")
    sign_in(client, "staff", DEFAULT_PASSWORD)
    client.post(reverse("account_logout"))

    kinds = list(SignInEvent.objects.order_by("pk").values_list("kind", "user__username"))
    assert kinds == [
        (SignInEventKind.SIGN_IN_FAILED, "staff"),
        (SignInEventKind.SIGN_IN_FAILED, None),
        (SignInEventKind.SIGNED_IN, "staff"),
        (SignInEventKind.SIGNED_OUT, "staff"),
    ]
    unknown = SignInEvent.objects.get(user=None)
    assert unknown.attempted_username == "nobody"
    assert unknown.address == HOME
    stored = " ".join(str(v) for v in SignInEvent.objects.values_list())
    assert "secret" not in stored


def test_idle_session_is_signed_out_with_a_reason(client, ward_staff, settings):
    sign_in(client, "staff", DEFAULT_PASSWORD)
    session = client.session
    session["coc_last_activity"] -= settings.SESSION_IDLE_TIMEOUT_SECONDS + 1
    session.save()

    response = client.get(reverse("home"))

    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for 30 minutes" in page


def test_session_ends_8_hours_after_signing_in_even_when_active(client, ward_staff):
    sign_in(client, "staff", DEFAULT_PASSWORD)
    client.get(reverse("home"))
    session = client.session
    session["coc_signed_in_at"] -= 8 * 3600 + 1
    session.save()

    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_staying_signed_in_counts_as_activity(client, ward_staff, settings):
    sign_in(client, "staff", DEFAULT_PASSWORD)
    client.get(reverse("home"))
    session = client.session
    session["coc_last_activity"] -= settings.SESSION_IDLE_TIMEOUT_SECONDS - 60
    session.save()

    response = client.post(reverse("account_stay_signed_in"), HTTP_ACCEPT="application/json")

    assert response.json() == {"idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS}
    assert client.session["coc_last_activity"] > session["coc_last_activity"]


def test_pages_say_no_store(client, ward_staff):
    client.force_login(ward_staff)
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]


def test_sign_out_needs_post_and_ends_the_session(client, ward_staff):
    client.force_login(ward_staff)
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page
    assert signed_in(client)
    client.post(reverse("account_logout"))
    assert not signed_in(client)


def test_password_reset_sends_an_email_with_a_link(
    client, ward_staff, mailoutbox, celery_in_process
):
    response = client.post(reverse("account_reset_password"), {"email": ward_staff.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/account/password/reset/key/" in mailoutbox[0].body


def test_password_reset_is_rate_limited_per_account(
    client, ward_staff, mailoutbox, settings, celery_in_process
):
    for n in range(5):
        client.post(
            reverse("account_reset_password"),
            {"email": ward_staff.email},
            REMOTE_ADDR=f"10.0.2.{n}",
        )
    assert len(mailoutbox) == 3


def test_password_change_rejects_a_wrong_old_password(client, ward_staff):
    client.force_login(ward_staff)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "nope", "password1": "x", "password2": "x"},
    )
    assert "Please type your current password" in response.content.decode()


def test_there_is_no_public_sign_up(client, db):
    assert client.get("/account/signup/").status_code in (302, 404)
    client.post("/account/signup/", {"email": "a@b.nhs.uk", "password1": "x", "password2": "x"})
    from standards.models import User

    assert not User.objects.filter(email="a@b.nhs.uk").exists()


def test_an_oversized_upload_is_refused_before_its_body_is_read(client, ward_staff, settings):
    client.force_login(ward_staff)
    response = client.generic(
        "POST",
        reverse("home"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert "Files must be smaller than 10MB" in response.content.decode()


def test_report_requests_are_limited_per_person(client, settings, trust, qi_lead):
    from reports.models import ReportJob

    settings.REPORT_REQUESTS_PER_HOUR = 2
    client.force_login(qi_lead)
    for kind in ("a", "b"):
        ReportJob.objects.create(
            kind="board-pack", key=f"old-{kind}", requested_by=qi_lead, trust=trust, status="done"
        )
    response = client.post(reverse("reports:request_board_pack", args=[trust.pk]), follow=True)
    assert "You have asked for 2 reports in the last hour" in response.content.decode()
