"""A board member reads the perception gap across the trust; the page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from reports.demo_history import build_history
from standards.models import Trust

from .conftest import DEMO_PASSWORD, sign_in, visit

pytestmark = pytest.mark.browser


def test_board_member_reads_the_perception_gap_across_the_trust(page, live_server, demo_data):
    # Five wards with one partner each: no ward can show its own gap, the trust can.
    build_history(wards=5, rounds=2)
    trust = Trust.objects.get()
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")

    page.get_by_role("link", name="The perception gap across the trust").click()
    expect(page.get_by_role("heading", name="Perception gap across the trust")).to_be_visible()
    stands_on = re.compile(r"lived experience partners \(on \d+ wards\)")
    expect(page.get_by_text(stands_on)).to_be_visible()
    table = page.get_by_role("table", name="Perception gap across the trust by commitment")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(14)
