"""Each demo persona's home page lists what is waiting for them, the header counts it, and a
task's link goes straight to the work. Axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Round

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def _tasks(page):
    return page.locator(".app-task-list .app-task-list__item")


def _home(page, live_server) -> None:
    visit(page, live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")


def _header_count(page) -> str:
    return page.get_by_role("link", name=re.compile(r"^(\d+ tasks?|No tasks)$")).inner_text()


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    check_axe(page)


def test_a_partner_follows_the_rate_task_to_the_scoring_page(page, live_server, demo_data):
    scoring = Round.objects.get(label="2026 Q4")
    sign_in(page, live_server, "demo.partner", DEMO_PASSWORD)
    _home(page, live_server)
    expect(_tasks(page)).to_have_count(1)
    assert _header_count(page) == "1 task"
    task = _tasks(page).first
    expect(task).to_contain_text("0 of 76 rated")
    expect(task).to_contain_text("Scoring closes on")
    with page.expect_navigation():
        task.get_by_role("link", name=re.compile("Rate the standards for Willow Ward")).click()
    check_axe(page)
    assert f"/rounds/{scoring.pk}/score/" in page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_manager_sees_scoring_to_follow_and_an_assessment_to_sign(page, live_server, demo_data):
    scoring = Round.objects.get(label="2026 Q4")
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)
    _home(page, live_server)
    tasks = _tasks(page)
    count = tasks.count()
    assert count >= 2
    assert _header_count(page) == f"{count} tasks"
    expect(page.locator('[data-task-kind="sign"]')).to_contain_text("Beech Ward")
    expect(page.get_by_role("table", name=re.compile("Wards you can see"))).to_contain_text(
        "2026 Q4"
    )
    close = page.locator('[data-task-kind="close-scoring"]')
    expect(close).to_contain_text("scorers submitted")
    with page.expect_navigation():
        close.get_by_role("link").click()
    check_axe(page)
    assert page.url.endswith(f"/rounds/{scoring.pk}/close-scoring/")

    _sign_out(page)
    sign_in(page, live_server, "demo.leader", DEMO_PASSWORD)
    _home(page, live_server)
    expect(page.locator('[data-task-kind="cosign"]')).to_contain_text("Beech Ward")
