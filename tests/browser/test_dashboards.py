"""A board member reads both dashboards (a ward's with the small-group rule); every page
passes axe."""

import re

import pytest
from playwright.sync_api import expect

from standards.models import Trust, Ward

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def test_board_member_reads_the_trust_and_ward_dashboards(page, live_server, demo_data):
    trust = Trust.objects.get()
    ward = Ward.objects.get(name="Willow Ward")
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Trust dashboard")).first.click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(trust.name)
    expect(page.get_by_role("table", name=re.compile("Heatmap of wards"))).to_be_visible()
    expect(page.get_by_role("heading", name="What needs attention")).to_be_visible()
    # The demo trust's one signed round is a trust-wide point on one ward: shown with its ward
    # count, incomplete, and not judged.
    expect(page.get_by_text("No complete period to judge yet").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"from 1 ward, incomplete")).first).to_be_visible()
    expect(page.get_by_role("heading", name="How we read these charts")).to_be_visible()

    page.get_by_label("Service type").select_option("picu")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    check_axe(page)
    expect(page.get_by_role("table", name=re.compile("Heatmap of wards"))).not_to_contain_text(
        "Willow Ward"
    )

    # The demo round had one lived experience partner and two members of staff: outside the
    # ward team, its perception gap is left out and the page says why (decision 0024).
    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Willow Ward dashboard")
    expect(page.get_by_text(re.compile("Latest signed round: 2026 Q2"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Perception gap")).to_be_visible()
    expect(page.locator("#groups-hidden")).to_contain_text(
        "fewer than 3 lived experience partners scored this round, so outside the ward team"
    )
    expect(page.get_by_role("table", name=re.compile("Perception gap"))).to_have_count(0)

    # The ward team sees both groups.
    page.context.clear_cookies()
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    expect(page.get_by_role("table", name=re.compile("Perception gap"))).to_be_visible()
    expect(page.locator("#groups-hidden")).to_have_count(0)


def test_board_member_makes_a_board_pack_and_downloads_pdf_and_csv(
    page, live_server, demo_data, celery_in_process
):
    trust = Trust.objects.get()
    ward = Ward.objects.get(name="Willow Ward")
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("button", name="Make board pack").click()
    check_axe(page)
    # Tests make reports inside the request (REPORTS_RUN_IN_BACKGROUND_THREAD is off), so it is
    # ready at once; tests/browser/test_report_pages.py waits for one made in the background.
    download_link = page.get_by_role("link", name=re.compile("Download the PDF"))
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")

    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("button", name="Download PDF").click()
    check_axe(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    assert info.value.path().read_bytes().startswith(b"%PDF")

    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Ratings for every signed round (CSV)").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].lower().startswith("trust")
    assert "Willow Ward" in text


def test_qi_lead_marks_a_change_in_the_process_on_a_chart(page, live_server, demo_data):
    trust = Trust.objects.get()
    sign_in(page, live_server, "demo.qi", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Mark a change in the process")).first.click()
    check_axe(page)
    expect(page.get_by_text(re.compile("Who sees this"))).to_be_visible()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("What changed?").fill("New model of care")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark the change").click()
    check_axe(page)
    expect(page.get_by_text(re.compile("New model of care")).first).to_be_visible()
