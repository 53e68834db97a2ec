"""A new ward manager, invited and signed in, is told what to do first; following the first
step opens the ward's round, and the home page then drops the steps that are done. Axe on
every page."""

import pytest
from playwright.sync_api import expect

from assessments.models import Round
from standards.models import Site, User, WardMembership, WardRole
from tests.factories import DEFAULT_PASSWORD, UserFactory, WardFactory

from .conftest import check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def _new_ward_and_manager():
    site = Site.objects.get(name="Riverside Hospital")
    ward = WardFactory(site=site, name="Rowan Ward")
    manager = UserFactory(username="new.manager", first_name="Nia", last_name="Roberts")
    WardMembership.objects.create(user=manager, ward=ward, role=WardRole.MANAGER)
    for username, role in (
        ("demo.staff", WardRole.STAFF),
        ("demo.partner", WardRole.LIVED_EXPERIENCE_PARTNER),
    ):
        person = User.objects.get(username=username)
        WardMembership.objects.create(user=person, ward=ward, role=role)
    return ward


def test_a_new_ward_manager_follows_the_first_steps(page, live_server, demo_data):
    ward = _new_ward_and_manager()
    sign_in(page, live_server, "new.manager", DEFAULT_PASSWORD)
    visit(page, live_server.url + "/")
    steps = page.get_by_role("region", name="Your first steps")
    expect(steps.get_by_role("heading", level=2)).to_have_text("Your first steps")
    expect(steps.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_text("Nothing else is waiting for you")).to_be_visible()
    expect(steps.get_by_role("link", name="Choose who scores for Rowan Ward")).to_be_visible()
    expect(
        steps.get_by_text("Ask your trust's administrator to add Rowan Ward's support contact")
    ).to_be_visible()

    with page.expect_navigation():
        steps.get_by_role("link", name="Open the first assessment round for Rowan Ward").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a new round")
    page.get_by_label("Period").fill("2027 Q1")
    for box in page.get_by_role("group", name="Who will score").get_by_role("checkbox").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    check_axe(page)
    assert Round.objects.filter(ward=ward, label="2027 Q1").exists()

    visit(page, live_server.url + "/")
    steps = page.get_by_role("region", name="Your first steps")
    # The round is open and its scorers chosen: only the administrator's step is left.
    expect(steps.get_by_role("listitem")).to_have_count(1)
    expect(steps.get_by_role("link")).to_have_count(0)
    expect(page.locator('[data-task-kind="start-scoring"]')).to_contain_text("Rowan Ward")


def test_someone_with_no_email_address_is_told_why_nothing_was_sent(page, live_server, demo_data):
    from standards import notifications
    from standards.models import NotificationKind

    person = UserFactory(username="no.address", email="")
    notifications.notify(
        recipient=person,
        kind=NotificationKind.ROUND_OPEN,
        key="browser:no-address",
        subject="Rate the standards for Willow Ward, 2026 Q4",
        body="You are one of the people rating Willow Ward.",
    )
    sign_in(page, live_server, "no.address", DEFAULT_PASSWORD)
    visit(page, live_server.url + "/account/emails/")
    expect(page.get_by_text("We cannot email you")).to_be_visible()
    table = page.get_by_role("region", name="What we have sent you")
    expect(table).to_contain_text("Not sent: we have no email address for you")
    expect(table).not_to_contain_text("you chose no emails")
    expect(page.get_by_role("heading", name="Why some were not sent")).to_be_visible()
