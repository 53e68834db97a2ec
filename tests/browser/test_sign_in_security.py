"""A QI lead new to the service sets up a second factor before seeing the trust dashboard;
account and password pages are NHS.UK styled and pass axe."""

import base64
import hashlib
import hmac
import re
import struct
import time

from playwright.sync_api import expect

from standards.models import Trust
from tests.browser.conftest import DEMO_PASSWORD, check_axe, sign_in, visit
from tests.factories import TrustMembershipFactory, UserFactory


def totp(secret: str) -> str:
    """What an authenticator app shows for the secret now (RFC 6238, 30 s, 6 digits)."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def test_new_qi_lead_sets_up_an_authenticator_app_before_the_trust_dashboard(
    page, live_server, demo_data
):
    trust = Trust.objects.get(name__startswith="Demo")
    person = UserFactory(username="new.qi", password=DEMO_PASSWORD)
    person.set_password(DEMO_PASSWORD)
    person.save()
    TrustMembershipFactory(user=person, trust=trust, role="qi-lead", second_factor=False)

    sign_in(page, live_server, "new.qi", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up a second way to prove it is you"
    )

    with page.expect_navigation():
        page.get_by_role("link", name="Use an authenticator app").click()
    check_axe(page)
    # Adding a second factor asks for the password again: a borrowed session cannot add one.
    page.screenshot(path="/tmp/shot-reauth.png", full_page=True)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    check_axe(page)
    page.screenshot(path="/tmp/shot-totp.png", full_page=True)
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()

    page.get_by_label("Authenticator code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()
    check_axe(page)
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()

    page.get_by_label("Authenticator code").fill(totp(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()
    check_axe(page)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(trust.name)


def test_account_page_and_password_pages_pass_axe(page, live_server, demo_data):
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Account and sign-in").click()
    check_axe(page)
    expect(page.get_by_role("heading", name="Your recent sign-ins")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Signed in")

    with page.expect_navigation():
        page.get_by_role("link", name="Change password").click()
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()
    check_axe(page)
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()

    visit(page, f"{live_server.url}/account/2fa/")
    visit(page, f"{live_server.url}/account/logout/")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign out").click()
    check_axe(page)

    visit(page, f"{live_server.url}/account/password/reset/")
    page.get_by_label("Email").fill("not-an-email")
    with page.expect_navigation():
        page.get_by_role("button", name="Reset my password").click()
    check_axe(page)
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def test_idle_warning_lets_a_person_stay_signed_in(page, live_server, demo_data, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 124
    settings.SESSION_IDLE_WARNING_SECONDS = 120  # the warning opens after 4 seconds
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)

    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("Anything you have saved is kept")
    check_axe(page)

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()


def test_second_factor_pages_pass_axe(page, live_server, demo_data):
    sign_in(page, live_server, "demo.qi", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/account/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor")
    with page.expect_navigation():
        page.get_by_role("button", name="Make new recovery codes").click()
    check_axe(page)
    if page.get_by_label("Password", exact=True).count():
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
        check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Generate").click()
    check_axe(page)
    visit(page, f"{live_server.url}/account/2fa/recovery-codes/")
    expect(page.locator("main")).to_contain_text("recovery codes")
    visit(page, f"{live_server.url}/account/2fa/webauthn/add/")
    visit(page, f"{live_server.url}/account/2fa/totp/deactivate/")
