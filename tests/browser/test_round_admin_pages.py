"""The pages the journey does not pass through: closing scoring, reopening, history, editing
an action, the error pages. Each is checked with axe, error states included."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Action, Round

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_axe(page)


def test_manager_pages_show_errors_beside_the_field(page, live_server, demo_data):
    scoring = Round.objects.get(ward__name="Willow Ward", label="2026 Q4")
    action = Action.objects.get()
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/rounds/{scoring.pk}/close-scoring/")
    _submit(page, "Close scoring")
    expect(page.get_by_text("There is a problem")).to_be_visible()

    visit(page, f"{live_server.url}/actions/{action.pk}/edit/")
    field = page.get_by_label("What will change")
    field.fill("")
    _submit(page, re.compile("Save"))
    expect(page.get_by_text("There is a problem")).to_be_visible()

    visit(page, f"{live_server.url}/rounds/{scoring.pk}/history/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("History")


def test_qi_lead_reopen_form_and_error_pages(page, live_server, demo_data):
    signed = Round.objects.get(label="2026 Q2")
    sign_in(page, live_server, "demo.qi", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/rounds/{signed.pk}/reopen/")
    _submit(page, "Reopen the assessment")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    signed.refresh_from_db()
    assert signed.is_locked

    response = page.goto(f"{live_server.url}/rounds/999999/")
    assert response.status == 404
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/rounds/{signed.pk}/history/")
    assert response.status == 403
    check_axe(page)


def test_hard_subjects_and_terms_of_art_are_explained_on_the_scoring_page(
    page, live_server, demo_data
):
    from standards.models import Standard

    scoring = Round.objects.get(ward__name="Willow Ward", label="2026 Q4")
    number = Standard.objects.get(edition=scoring.edition, code="6.1").commitment.number
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/rounds/{scoring.pk}/score/{number}/")
    expect(page.get_by_role("heading", name="Some standards on this page may be hard to read"))
    details = page.locator("details.app-terms").first
    details.locator("summary").click()
    expect(details.get_by_text("Medicine given, sometimes by injection")).to_be_visible()
    check_axe(page)
    with page.expect_navigation():
        details.get_by_role("link", name="All the words the standards use").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What the words in the standards mean"
    )
