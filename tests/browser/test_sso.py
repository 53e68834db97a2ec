"""Single sign-on in a real browser: Chromium goes from our sign-in page to an OpenID Connect
provider on loopback (tests/sso.py), signs in there and comes back signed in.

Every page of ours is checked with axe; the provider's own page is not ours, so it is not.
"""

import re
from urllib.parse import urldefrag

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from standards.models import User
from tests.browser.conftest import AXE_PATH, check_axe, visit
from tests.sso import PROVIDER_NAME, running_provider

pytestmark = pytest.mark.browser

EMAIL = "ben.carter@demo-trust.nhs.uk"


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider, demo_data):
    # The live server runs in this process: overridden settings apply to it too.
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings()
    User.objects.filter(username="demo.staff").update(email=EMAIL)
    provider.set_user("ben-carter", {"email": EMAIL, "email_verified": True, "name": "Ben Carter"})
    return provider


def _block_cdn(page) -> None:
    # The provider's page takes its stylesheet from a CDN: tests make no network fetches.
    page.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())


def _sign_in_at_the_provider(page, provider, sub: str, *, back_to: str) -> None:
    """Fill in the provider's form (oidc-provider-mock's page) and wait to come back. The page
    is not ours, so it is not checked with axe, and the axe ledger is told so."""
    expect(page).to_have_url(re.compile(re.escape(f"{provider.url}/oauth2/authorize?")))
    provider_page = urldefrag(page.url).url
    page.get_by_placeholder("sub").fill(sub)
    with page.expect_navigation(url=re.compile(re.escape(back_to))):
        page.get_by_role("button", name="Authorize").click()
    page._axe_ledger.checked.add(provider_page)


def test_demo_person_signs_in_with_sso_and_lands_on_the_home_page(page, live_server, sso):
    _block_cdn(page)
    visit(page, live_server.url + reverse("account_login"))
    button = page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")

    with page.expect_navigation():
        button.click()
    _sign_in_at_the_provider(page, sso, "ben-carter", back_to=live_server.url + "/")

    check_axe(page)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    expect(page.get_by_role("link", name="Willow Ward", exact=True)).to_be_visible()
    # The work account is now connected to Ben's account.
    visit(page, live_server.url + reverse("socialaccount_connections"))
    expect(page.get_by_role("radio", name=f"{PROVIDER_NAME}, {EMAIL}")).to_be_visible()


def test_person_without_an_account_is_refused_with_the_invitation_message(page, live_server, sso):
    _block_cdn(page)
    sso.set_user("stranger", {"email": "stranger@nhs.net", "email_verified": True})
    visit(page, live_server.url + reverse("account_login"))
    with page.expect_navigation():
        page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    _sign_in_at_the_provider(page, sso, "stranger", back_to=live_server.url)

    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have an account here yet")
    expect(page.get_by_text("Ask your trust's administrator for an invitation.")).to_be_visible()


def test_sso_button_is_allowed_by_the_content_security_policy(browser, live_server, demo_data, sso):
    """The `page` fixture bypasses the policy to inject axe; this context keeps it, so Chromium
    enforces form-action on the button's post and on our redirect to the provider."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    refused: list[str] = []
    try:
        page = context.new_page()
        _block_cdn(page)
        page.on("console", lambda message: refused.append(message.text))
        page.goto(live_server.url + reverse("account_login"))
        # axe through the DevTools protocol, which the policy does not govern.
        page.evaluate(AXE_PATH.read_text())
        check_axe(page)

        with page.expect_navigation():
            page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()

        assert page.url.startswith(f"{sso.url}/oauth2/authorize?"), page.url
        assert not [text for text in refused if "form-action" in text], refused
    finally:
        context.close()


def test_trust_admin_invites_a_ward_manager_who_joins_with_sso(
    page, browser, live_server, sso, demo_data
):
    """The issue's "done when": the demo trust's administrator invites a new ward manager, who
    follows the emailed link and signs in through the loopback identity provider; the roles
    come from the invitation."""
    from django.core import mail

    from tests.browser.conftest import sign_in

    sign_in(page, live_server, "demo.admin", demo_data)
    with page.expect_navigation():
        page.get_by_role("link", name="Sites, wards and people").first.click()
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a person").click()
    check_axe(page)
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Work email address").fill("Sam.Okafor@nhs.net")
    page.get_by_label("Ward (optional)").select_option(label="Oak Ward, Riverside Hospital")
    page.get_by_label("Role on the ward").select_option("ward-manager")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    check_axe(page)
    link = re.search(r"https?://\S+/invitations/[\w-]+/", mail.outbox[-1].body).group(0)

    sso.set_user("sam-okafor", {"email": "sam.okafor@nhs.net", "email_verified": True})
    context = browser.new_context(bypass_csp=True, locale="en-GB")  # axe is injected
    context.set_default_timeout(10_000)
    invited = context.new_page()
    invited._axe_ledger = page._axe_ledger
    try:
        _block_cdn(invited)
        visit(invited, link)
        with invited.expect_navigation():
            invited.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
        _sign_in_at_the_provider(invited, sso, "sam-okafor", back_to=live_server.url + "/")
        check_axe(invited)
        expect(invited.get_by_role("heading", level=1)).to_have_text("Your tasks")
        expect(invited.get_by_role("table")).to_contain_text("Ward manager")
        expect(invited.get_by_role("link", name="Oak Ward", exact=True)).to_be_visible()
    finally:
        context.close()

    person = User.objects.get(email__iexact="sam.okafor@nhs.net")
    assert not person.has_usable_password()
    assert person.ward_memberships.get().role == "ward-manager"


def test_provider_naming_another_issuer_is_refused_with_a_page_saying_what_to_do(
    page, live_server, settings, sso
):
    # The configured issuer differs from the one the provider's discovery document names.
    providers = sso.settings()
    providers["openid_connect"]["APPS"][0]["settings"]["server_url"] = sso.url + "/"
    settings.SOCIALACCOUNT_PROVIDERS = providers
    visit(page, live_server.url + reverse("account_login"))

    with page.expect_navigation():
        page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()

    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your trust's sign-in service did not answer as expected"
    )
    expect(
        page.get_by_text("Try again, or sign in with your username and password.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Go back to sign in")).to_be_visible()
