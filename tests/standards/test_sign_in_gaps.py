"""Sign-in without a blind spot between its rules (issue 20): a second factor's success clears
no address's count, username and email address count as one account, a trust's shared address
is slowed and never refused, and a stolen password cannot lock the owner out of their second
factor."""

import html

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from standards.accounts import protection
from standards.demo import current_demo_code
from tests.factories import DEFAULT_PASSWORD

HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.99"


@pytest.fixture(autouse=True)
def _production_limits(settings):
    """The production numbers (30 an address, 5 an account and address, 5 codes)."""
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 30
    settings.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
    settings.SIGN_IN_CODE_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
    settings.SIGN_IN_SLOW_DOWN_AFTER = 10
    settings.SIGN_IN_POSTS_PER_ADDRESS = 1000
    settings.SIGN_IN_SHARED_ADDRESSES = []


def sign_in(client, login, password, address=HOME):
    return client.post(
        reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=address
    )


def enter_code(client, code, address=HOME):
    return client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_second_factor_success_clears_no_address_count(client, qi_lead):
    for n in range(25):
        sign_in(client, f"guess{n % 5}", "wrong")
    sign_in(client, "qilead", DEFAULT_PASSWORD)
    enter_code(client, current_demo_code())
    assert signed_in(client)
    client.post(reverse("account_logout"))

    pages = [sign_in(client, f"other{n}", "wrong").content.decode() for n in range(20)]

    assert "Too many failed attempts to sign in from here" in pages[-1]
    refused = sum("Too many failed attempts" in page for page in pages)
    assert refused == 15  # the address's 30 were spent by the 25 and the first 5 of these


def test_username_and_email_address_count_as_one_account(client, ward_staff):
    for _ in range(3):
        sign_in(client, "staff", "wrong")
    for _ in range(2):
        sign_in(client, ward_staff.email.upper(), "wrong")

    page = sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()

    assert "Too many failed attempts to sign in from here" in page
    assert not signed_in(client)


def test_the_account_slow_down_counts_username_and_email_together(client, ward_staff):
    for n in range(5):
        sign_in(client, "staff", "guess", address=f"10.0.1.{n}")
        sign_in(client, ward_staff.email, "guess", address=f"10.0.2.{n}")

    page = sign_in(client, "staff", DEFAULT_PASSWORD, address=HOME).content.decode()

    assert "Wait 20 seconds, then try again" in page


def test_a_name_that_is_no_account_is_counted_as_typed(client, ward_staff):
    for _ in range(5):
        sign_in(client, "ghost", "wrong")
    assert "Too many failed attempts" in sign_in(client, "ghost", "wrong").content.decode()
    assert "Too many failed attempts" not in sign_in(client, "ghost2", "x").content.decode()
    sign_in(client, "staff", DEFAULT_PASSWORD)
    assert signed_in(client)


def test_a_shared_address_is_slowed_never_refused(client, ward_staff, settings):
    settings.SIGN_IN_SHARED_ADDRESSES = ["10.0.0.0/28"]
    for n in range(30):
        sign_in(client, f"guess{n}", "wrong")

    sign_in(client, "staff", DEFAULT_PASSWORD)  # the next person behind the trust's address
    assert signed_in(client)
    client.post(reverse("account_logout"))
    page = html.unescape(sign_in(client, "staff", DEFAULT_PASSWORD).content.decode())
    assert "Many people are signing in from your organisation's network. Wait 2 seconds" in page
    assert not signed_in(client)

    cache.delete(protection.shared_slot_key(HOME))  # the two seconds have passed
    sign_in(client, "staff", DEFAULT_PASSWORD)
    assert signed_in(client)


def test_from_a_shared_address_the_account_limit_still_refuses(client, ward_staff, settings):
    settings.SIGN_IN_SHARED_ADDRESSES = ["10.0.0.1"]
    for _ in range(5):
        sign_in(client, "staff", "wrong")
    assert "Too many failed attempts" in sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()


def test_an_unlisted_address_is_still_refused(client, ward_staff, settings):
    settings.SIGN_IN_SHARED_ADDRESSES = ["192.0.2.0/24"]
    for n in range(30):
        sign_in(client, f"guess{n}", "wrong")
    assert "Too many failed attempts" in sign_in(client, "staff", DEFAULT_PASSWORD).content.decode()


def test_wrong_codes_elsewhere_do_not_lock_the_owner_out(client, qi_lead, mailoutbox):
    thief = Client()
    sign_in(thief, "qilead", DEFAULT_PASSWORD, address=ELSEWHERE)
    for _ in range(5):
        enter_code(thief, "000000", address=ELSEWHERE)
    refused = enter_code(thief, current_demo_code(), address=ELSEWHERE).content.decode()
    assert "Too many wrong codes from here" in refused
    assert not signed_in(thief)

    sign_in(client, "qilead", DEFAULT_PASSWORD, address=HOME)
    enter_code(client, current_demo_code(), address=HOME)
    assert signed_in(client)


def test_the_owner_is_told_once_that_their_password_was_used_with_a_wrong_code(
    client, qi_lead, mailoutbox
):
    sign_in(client, "qilead", DEFAULT_PASSWORD, address=ELSEWHERE)
    for _ in range(3):
        enter_code(client, "000000", address=ELSEWHERE)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [qi_lead.email]
    assert "your password was used with a wrong code" in email.subject
    assert "someone knows your password. Change it now" in email.body
    assert reverse("account_change_password") in email.body


def test_a_person_without_an_email_address_can_still_be_refused_codes(client, qi_lead):
    qi_lead.email = ""
    qi_lead.save()
    sign_in(client, "qilead", DEFAULT_PASSWORD, address=ELSEWHERE)
    for _ in range(5):
        enter_code(client, "000000", address=ELSEWHERE)
    assert "Too many wrong codes" in enter_code(client, "000000", ELSEWHERE).content.decode()
