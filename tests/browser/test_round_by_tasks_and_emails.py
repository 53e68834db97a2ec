"""One round from opening to co-signature, with every step reached only by a link in the
person's task list or in an email they received (from a real SMTP server on loopback).
Every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Round, RoundStatus
from standards.models import Standard, User

from . import test_assessment_journey as journey
from .conftest import check_axe, enter_second_factor, visit

pytestmark = pytest.mark.browser

SCORERS = ("demo.staff", "demo.staff2", "demo.partner")
RESERVATIONS = "Partners' views on nights need a second look."


def _follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    check_axe(page)


def _task(page, title: str):
    """The link of one task on the home page's list."""
    tasks = page.locator(".app-task-list")
    return tasks.get_by_role("link", name=re.compile(re.escape(title)))


def _email_link(smtp, username: str, subject: str) -> str:
    address = User.objects.get(username=username).email
    found = [m for m in smtp.inbox.to(address) if subject in str(m["Subject"])]
    assert len(found) == 1, (subject, smtp.inbox.subjects(address))
    text = smtp.inbox.text(found[0])
    assert "Rated" not in text  # never a rating or a comment
    return re.search(r"https?://\S+", text).group(0)


def _open_from_email(page, link: str, username: str, password: str) -> None:
    """Follow an email's link while signed out: sign in, and land on the page it names."""
    visit(page, link)
    page.get_by_label("Username or email address", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    check_axe(page)
    if "/account/2fa/authenticate/" in page.url:
        enter_second_factor(page)


def _home(page) -> None:
    """The header's task count leads to the task list."""
    _follow(page, page.get_by_role("link", name=re.compile(r"^(\d+ tasks?|No tasks)$")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    check_axe(page)


def test_a_round_followed_from_opening_to_cosignature_by_tasks_and_emails(
    page, live_server, demo_data, smtp_server, settings
):
    password = demo_data
    settings.SITE_URL = live_server.url
    for user in User.objects.filter(username__startswith="demo."):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    edition = journey._make_journey_edition()
    oak = journey._staff_oak_ward()
    label = journey.ROUND_LABEL

    # The ward manager opens the round (opening is not a task: it starts the work).
    journey.sign_in(page, live_server, "demo.manager", password)
    visit(page, f"{live_server.url}/wards/{oak.pk}/rounds/new/")
    page.get_by_label("Period").fill(label)
    page.get_by_label("Framework edition").select_option(
        label=f"{journey.EDITION_TITLE} ({journey.EDITION_LABEL})"
    )
    for name in journey.SCORER_LABELS:
        page.get_by_role("checkbox", name=name, exact=True).check()
    _follow(page, page.get_by_role("button", name="Open the round"))
    round_ = Round.objects.get(ward=oak, label=label)
    _home(page)
    _follow(page, _task(page, f"Choose who scores and start scoring for Oak Ward, {label}"))
    _follow(page, page.get_by_role("main").get_by_role("button", name="Start scoring"))
    _sign_out(page)

    # Each scorer follows their email, rates, and submits from their task list.
    standards = list(Standard.objects.filter(edition=edition))
    for username in SCORERS:
        link = _email_link(smtp_server, username, f"Rate the standards for Oak Ward, {label}")
        _open_from_email(page, link, username, password)
        expect(page).to_have_url(re.compile(rf"/rounds/{round_.pk}/score/1/$"))
        scorer = User.objects.get(username=username)
        for standard in standards:  # the ratings themselves are not what this test follows
            services.save_rating(round=round_, standard=standard, answer="3", by=scorer)
        _home(page)
        _follow(page, _task(page, f"Rate the standards for Oak Ward, {label}"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Check your answers before you submit"
        )
        _follow(page, page.get_by_role("main").get_by_role("button", name="Submit your ratings"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your ratings are submitted")
        _sign_out(page)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.AGREEING

    # The manager hears that everyone has submitted, agrees, finishes and signs.
    link = _email_link(smtp_server, "demo.manager", "Every scorer has submitted")
    _open_from_email(page, link, "demo.manager", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agree ratings")
    manager = User.objects.get(username="demo.manager")
    for standard in standards:
        services.record_agreed_rating(
            round=round_, standard=standard, answer="3", rationale="", version=None, by=manager
        )
    _home(page)
    _follow(page, _task(page, f"Agree the ratings for Oak Ward, {label}"))
    _follow(page, page.get_by_role("main").get_by_role("button", name="Finish agreeing"))
    _home(page)
    _follow(page, _task(page, f"Sign the assessment for Oak Ward, {label}"))
    page.get_by_role("checkbox", name=re.compile(r"^I confirm that the agreed ratings")).check()
    _follow(page, page.get_by_role("main").get_by_role("button", name="Sign the assessment"))
    _sign_out(page)

    # The lived experience leader follows the co-signature email and signs with reservations.
    link = _email_link(smtp_server, "demo.leader", "Co-sign the assessment for Oak Ward")
    _open_from_email(page, link, "demo.leader", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the assessment")
    page.get_by_role("radio", name="Sign with reservations", exact=True).check()
    page.get_by_label("Your reservations or reason, in your own words").fill(RESERVATIONS)
    _follow(page, page.get_by_role("main").get_by_role("button", name="Confirm your decision"))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SIGNED
    _home(page)
    expect(page.locator(".app-task-list").get_by_text("Oak Ward")).to_have_count(0)

    # The ward manager is told, with the leader's words.
    address = "demo.manager@example.org"
    told = [m for m in smtp_server.inbox.to(address) if "reservations" in str(m["Subject"])]
    assert len(told) == 1 and RESERVATIONS in smtp_server.inbox.text(told[0])
