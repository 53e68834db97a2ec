"""The foundation journey in a real browser: sign in, browse the standards, sign out.

Every page loaded is checked with axe-core (see conftest.py).
"""

import re

import pytest
from playwright.sync_api import expect

from standards.models import Standard
from tests.browser.conftest import SIGN_IN_PATH, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def _tab_to(page, name: str, *, max_presses: int = 60) -> None:
    """Press Tab until the focused element's accessible text is `name`."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement && document.activeElement.textContent || '').trim()"
        )
        if focused == name:
            return
    pytest.fail(f"{name!r} could not be reached with Tab in {max_presses} presses")


def test_staff_member_signs_in_browses_the_standards_and_signs_out(page, live_server, demo_data):
    # Sign in: the sign-in page and the home page it lands on are both checked with axe.
    sign_in(page, live_server, "demo.staff", demo_data)
    expect(page).to_have_url(live_server.url + "/")
    # The live server serves the static files: NHS.UK styles (axe's colour checks depend on them)
    # and app.js, which marks the page as enhanced.
    expect(page.locator("header.nhsuk-header")).to_have_css("background-color", "rgb(0, 94, 184)")
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    wards = page.get_by_role("table", name="Wards you can see")
    expect(wards.get_by_role("link", name="Willow Ward", exact=True)).to_be_visible()

    # Keyboard only: the first Tab reaches the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#maincontent$"))
    expect(page.locator("main#maincontent")).to_be_focused()

    # The header navigation leads to the standards.
    menu = page.get_by_role("navigation", name="Menu")
    with page.expect_navigation():
        menu.get_by_role("link", name="Standards", exact=True).click()
    expect(page).to_have_url(live_server.url + "/standards/")
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("The 12 core commitments")
    expect(page.locator("section.app-commitment")).to_have_count(12)
    status = page.get_by_role("status")
    expect(status).to_have_text("Showing all 76 standards.")

    # Filter by a pillar with the select and the button.
    autism_count = Standard.objects.filter(pillars__slug="autism-informed").distinct().count()
    assert 0 < autism_count < 76
    page.get_by_label("Show standards for a pillar").select_option(label="Autism informed")
    with page.expect_navigation():
        page.get_by_role("button", name="Show standards").click()
    expect(page).to_have_url(re.compile(r"/standards/\?pillar=autism-informed$"))
    check_axe(page)
    expect(status).to_contain_text(
        f"Showing {autism_count} standard{'s' if autism_count != 1 else ''} "
        "related to autism informed."
    )
    expect(page.get_by_label("Show standards for a pillar")).to_have_value("autism-informed")

    # Open one commitment.
    first_commitment = page.locator("section.app-commitment h2 a").first
    title = re.sub(r"^\d+\.\s*", "", first_commitment.inner_text().strip())
    with page.expect_navigation():
        first_commitment.click()
    expect(page).to_have_url(re.compile(r"/standards/editions/\d+/commitments/\d+/$"))
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    commitment_url = page.url

    # Keyboard only: Tab to the back link and follow it with Enter.
    _tab_to(page, "All commitments")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/standards/editions/\d+/$"))
    assert page.url != commitment_url
    check_axe(page)
    expect(page.get_by_role("status")).to_have_text("Showing all 76 standards.")

    # Sign out from the header and land on the sign-in page.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + SIGN_IN_PATH)
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Culture of Care")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Signed out, the standards are no longer reachable.
    visit(page, live_server.url + "/standards/")
    expect(page).to_have_url(re.compile(re.escape(SIGN_IN_PATH) + r"\?next=/standards/$"))


def test_wrong_password_shows_the_error_summary_and_keeps_the_username(
    page, live_server, demo_data
):
    sign_in(page, live_server, "demo.staff", demo_data + "-wrong")
    expect(page).to_have_url(live_server.url + SIGN_IN_PATH)  # the error page, axe-checked
    expect(page).to_have_title(re.compile(r"^Error: "))

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username or email address and password")
    expect(page.get_by_label("Username or email address", exact=True)).to_have_value("demo.staff")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    # Still signed out.
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
