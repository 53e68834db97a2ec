"""Reports as web pages, and a report made in the background on the embedded default: the
person asking lands on the job page at once and waits there for the download link."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from standards.models import Trust, Ward

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def test_board_member_reads_the_board_pack_and_a_ward_report_as_web_pages(
    page, live_server, demo_data
):
    trust = Trust.objects.get()
    ward = Ward.objects.get(name="Willow Ward")
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("link", name="Read the board pack as a web page").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Culture of Care board pack")
    expect(page.get_by_role("heading", level=2, name="Willow Ward")).to_be_visible()

    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("link", name="Read the assessment and action plan as a web page").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=2, name="Action plan")).to_be_visible()

    page.set_viewport_size({"width": 320, "height": 640})
    for url in (page.url, f"{live_server.url}/trusts/{trust.pk}/board-pack/view/"):
        visit(page, url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url


def test_board_pack_is_made_after_the_response_and_the_job_page_shows_it(
    page, live_server, demo_data, settings, celery_in_process
):
    settings.REPORTS_RUN_IN_BACKGROUND_THREAD = True
    settings.REPORT_RENDER_DELAY_SECONDS = 3  # the job waits, so the page is seen before it ends
    trust = Trust.objects.get()
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    with page.expect_navigation():
        page.get_by_role("button", name="Make board pack").click()
    check_axe(page)
    expect(page.get_by_text("This page checks for progress by itself.")).to_be_visible()
    download_link = page.get_by_role("link", name=re.compile("Download the PDF"))
    expect(download_link).to_be_visible(timeout=90_000)  # the page polls the job by itself
    check_axe(page)
    with page.expect_download() as info:
        download_link.click()
    month = timezone.localdate().strftime("%Y-%m")
    assert info.value.suggested_filename == f"demo-trust-board-pack-{month}.pdf"
    assert info.value.path().read_bytes().startswith(b"%PDF")


def test_a_board_member_makes_the_trusts_export_and_downloads_it_from_its_job_page(
    page, live_server, demo_data, settings, celery_in_process
):
    """The trust's data is made in the background like a PDF: choose what and which format,
    follow the job page to its download link; axe on the dashboard and the job page."""
    settings.REPORTS_RUN_IN_BACKGROUND_THREAD = True
    trust = Trust.objects.get()
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    check_axe(page)
    page.get_by_label("Actions", exact=True).check()
    page.get_by_label("CSV", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Make the download").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions (CSV)")
    download_link = page.get_by_role("link", name=re.compile("Download the CSV file"))
    expect(download_link).to_be_visible(timeout=90_000)
    check_axe(page)
    with page.expect_download() as info:
        download_link.click()
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert info.value.suggested_filename == f"demo-trust-actions-{today}.csv"
    assert info.value.path().read_bytes().decode("utf-8-sig").startswith("Trust,Site,Ward")
