"""The ward manager agrees all 76 standards of a real round, a commitment a page (12 saves),
giving a reason wherever the page marks one required, and finishes agreeing. Axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Round, RoundStatus
from standards.models import Standard

from .conftest import DEMO_PASSWORD, check_axe, sign_in

pytestmark = pytest.mark.browser

FLAGGED = {"2.2", "6.1"}  # the partner rated these 1, staff 3: two levels apart


def _to_agreeing(round: Round) -> None:
    standards = Standard.objects.filter(edition=round.edition)
    for scorer in round.scorers.select_related("user"):
        partner = scorer.group == "lived-experience"
        for standard in standards:
            answer = "1" if partner and standard.code in FLAGGED else "3"
            services.save_rating(round=round, standard=standard, answer=answer, by=scorer.user)
        services.submit_ratings(round=round, by=scorer.user)
    round.refresh_from_db()
    assert round.status == RoundStatus.AGREEING


def test_manager_agrees_76_standards_in_12_saves_and_finishes(page, live_server, demo_data):
    round = Round.objects.get(ward__name="Willow Ward", label="2026 Q4")
    _to_agreeing(round)
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)
    with page.expect_navigation():
        page.goto(f"{live_server.url}/rounds/{round.pk}/agree/1/")
    check_axe(page)
    reasons = 0
    for number in range(1, 13):
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^{number}\. "))
        sections = page.locator("section.app-agree-standard")
        for index in range(sections.count()):
            section = sections.nth(index)
            section.get_by_role("radio", name="3 Established", exact=True).check()
            hint = section.locator(".nhsuk-hint").filter(has_text="Required").first
            if hint.count() and (
                hint.inner_text().startswith("Required:") or "3 Established" in hint.inner_text()
            ):
                # The page says so as the rating is chosen, before anyone saves.
                expect(section.get_by_text("A reason is required for this rating.")).to_be_visible()
                section.get_by_role("textbox").fill("The groups talked it through and agreed.")
                reasons += 1
            else:
                expect(section.get_by_text("A reason is optional for this rating.")).to_be_visible()
        button = (
            f"Save and go to commitment {number + 1}"
            if number < 12
            else "Save and go to all commitments"
        )
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        check_axe(page)
        expect(page.locator(".app-message").first).to_contain_text(f"in commitment {number}")
    assert reasons == len(FLAGGED)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agree ratings")
    with page.expect_navigation():
        page.get_by_role("button", name="Finish agreeing").click()
    check_axe(page)
    round.refresh_from_db()
    assert round.status == RoundStatus.AWAITING_SIGNOFF
    assert round.agreed_ratings.count() == 76
