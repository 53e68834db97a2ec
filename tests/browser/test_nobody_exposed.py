"""Nobody is exposed (issue 19): the round's only lived experience partner is told what that
means before the rating controls; the manager is told when choosing one partner; a board member
reads the round page without scorers' names and cannot open its agreeing pages. Every page is
checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from assessments.demo import IN_PROGRESS_LABEL, SIGNED_LABEL
from assessments.models import Round
from standards.models import User, Ward, WardMembership, WardRole

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser

LONE_PARTNER = "You are the only lived experience partner scoring this round"
CHOSE_ONE_PARTNER = "You have chosen only one lived experience partner"

# True when the notice comes before the first rating control in the page's reading order.
NOTICE_BEFORE_RATINGS = """() => {
    const notice = document.querySelector('#lone-notice');
    const rating = document.querySelector('input[type=radio]');
    return Boolean(notice && rating
        && (notice.compareDocumentPosition(rating) & Node.DOCUMENT_POSITION_FOLLOWING));
}"""


def test_the_only_partner_is_told_before_rating(page, live_server, demo_data):
    # Willow Ward's round in progress: two members of staff and one partner, Dev Patel.
    round = Round.objects.get(ward__name="Willow Ward", label=IN_PROGRESS_LABEL)
    sign_in(page, live_server, "demo.partner", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/rounds/{round.pk}/")
    expect(page.get_by_text(LONE_PARTNER)).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Score the standards").click()
    check_axe(page)
    assert re.search(r"/score/\d+/$", page.url), page.url
    expect(page.get_by_text(LONE_PARTNER)).to_be_visible()
    notice = page.locator("#lone-notice")
    expect(notice).to_contain_text("everyone at the agreeing meeting will know they are yours")
    expect(notice).to_contain_text("a group of fewer than 3 people is never shown on its own")
    assert page.evaluate(NOTICE_BEFORE_RATINGS)


def test_the_manager_is_told_when_choosing_one_partner(page, live_server, demo_data):
    # Rowan Ward gets Willow's people, and the demo manager runs it too.
    ward = Ward.objects.get(name="Rowan Ward")
    for username, role in (
        ("demo.manager", WardRole.MANAGER),
        ("demo.staff", WardRole.STAFF),
        ("demo.staff2", WardRole.STAFF),
        ("demo.partner", WardRole.LIVED_EXPERIENCE_PARTNER),
    ):
        WardMembership.objects.create(
            user=User.objects.get(username=username), ward=ward, role=role
        )
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/wards/{ward.pk}/rounds/new/")
    page.get_by_label("Period").fill("2027 Q1")
    for name in ("Ben Carter", "Chloe Nguyen", "Dev Patel"):
        page.get_by_role("checkbox", name=re.compile(name)).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    check_axe(page)
    expect(page.get_by_text(CHOSE_ONE_PARTNER)).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Change the scorers").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose who scores")
    notice = page.locator("#lone-notice")
    expect(notice).to_contain_text(CHOSE_ONE_PARTNER)
    expect(notice).to_contain_text("everyone at the agreeing meeting will know")

    # A second partner chosen: the notice goes.
    WardMembership.objects.create(
        user=User.objects.create(username="demo.partner2", first_name="Ivy", last_name="Mensah"),
        ward=ward,
        role=WardRole.LIVED_EXPERIENCE_PARTNER,
    )
    visit(page, page.url)
    page.get_by_role("checkbox", name=re.compile("Ivy Mensah")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the scorers").click()
    check_axe(page)
    expect(page.get_by_text("The scorers are saved")).to_be_visible()
    expect(page.locator("#lone-notice")).to_have_count(0)


def test_a_board_member_reads_counts_and_cannot_open_agreeing(page, live_server, demo_data):
    signed = Round.objects.get(ward__name="Willow Ward", label=SIGNED_LABEL)
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/rounds/{signed.pk}/")
    expect(page.get_by_text("Scorers' names are shown only to the ward team")).to_be_visible()
    expect(page.get_by_text("Dev Patel")).to_have_count(0)
    for path in ("agree/", "agree/1/", "agree/meeting/1/", "history/"):
        response = page.goto(f"{live_server.url}/rounds/{signed.pk}/{path}")
        assert response.status == 403, path
        check_axe(page)
