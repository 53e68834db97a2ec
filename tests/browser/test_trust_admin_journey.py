"""A trust administrator invites a person, who accepts in another browser and signs in; every
page passes axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from standards.models import Trust

from .conftest import check_axe, sign_in, visit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-brand-new-passphrase-42"


def test_trust_admin_invites_a_person_who_accepts_and_signs_in(
    page, browser, live_server, demo_data
):
    trust = Trust.objects.get()
    sign_in(page, live_server, "demo.admin", demo_data)
    with page.expect_navigation():
        page.get_by_role("link", name="Sites, wards and people").first.click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sites, wards and people")
    expect(page.get_by_role("region", name="Wards", exact=True)).to_contain_text("Willow Ward")

    with page.expect_navigation():
        page.get_by_role("link", name="Invite a person").click()
    check_axe(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_label("Work email address").fill("nia.jones@example.nhs.uk")
    page.get_by_label("Ward (optional)").select_option(label="Willow Ward, Riverside Hospital")
    page.get_by_label("Role on the ward").select_option("le-partner")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    check_axe(page)
    expect(page.get_by_text("Invitation sent to nia.jones@example.nhs.uk")).to_be_visible()
    invitations = page.get_by_role("region", name="Invitations not yet accepted")
    expect(invitations).to_contain_text("Lived experience partner on Willow Ward")

    assert mail.outbox, "the invitation email was not sent"
    link = re.search(r"https?://\S+/invitations/[\w-]+/", mail.outbox[-1].body).group(0)
    assert link.startswith(live_server.url)

    context = browser.new_context(bypass_csp=True, locale="en-GB")
    context.set_default_timeout(10_000)
    invited = context.new_page()
    try:
        visit(invited, link)
        expect(invited.get_by_role("heading", level=1)).to_have_text("Join Culture of Care")
        expect(invited.get_by_text(trust.name).first).to_be_visible()
        invited.get_by_label("Create a password").fill(NEW_PASSWORD)
        invited.get_by_label("Type the password again").fill(NEW_PASSWORD + "typo")
        invited.get_by_role("button", name="Create my account").click()
        invited.wait_for_load_state("load")
        check_axe(invited)
        expect(invited.get_by_text("The passwords do not match").first).to_be_visible()

        invited.get_by_label("Create a password").fill(NEW_PASSWORD)
        invited.get_by_label("Type the password again").fill(NEW_PASSWORD)
        with invited.expect_navigation():
            invited.get_by_role("button", name="Create my account").click()
        check_axe(invited)
        expect(invited.get_by_text(re.compile("Your account is ready"))).to_be_visible()

        sign_in(invited, live_server, "nia.jones@example.nhs.uk", NEW_PASSWORD)
        expect(invited.get_by_role("heading", level=1)).to_have_text("Your tasks")
        expect(invited.get_by_role("table")).to_contain_text("Lived experience partner")

        visit(page, page.url)
        expect(page.get_by_role("region", name="People", exact=True)).to_contain_text("Nia Jones")
    finally:
        context.close()

    # The administrator's other pages: the person, a ward, a site and the CSV import.
    with page.expect_navigation():
        page.get_by_role("link", name="Nia Jones").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=2, name="History")).to_be_visible()
    page.get_by_label("Trust role").select_option("board-member")
    with page.expect_navigation():
        page.get_by_role("button", name="Add trust role").click()
    check_axe(page)
    expect(page.get_by_role("button", name=re.compile("Remove +Board member"))).to_be_visible()
    admin_home = f"{live_server.url}/trusts/{trust.pk}/admin/"
    visit(page, admin_home)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Willow Ward")).click()
    check_axe(page)
    visit(page, admin_home)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Riverside Hospital")).click()
    check_axe(page)
    visit(page, admin_home + "import/")
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "wards.csv",
                "mimeType": "text/csv",
                "buffer": b"site,ward,service_type,beds\nRiverside Hospital,Ash Ward,picu,x\n",
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    check_axe(page)
    expect(page.get_by_text("Line 2: beds must be a whole number").first).to_be_visible()
