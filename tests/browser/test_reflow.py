"""At 320 CSS pixels wide every main page reflows: nothing makes the whole page scroll sideways
(wide tables and charts scroll inside their own focusable, labelled region), and chart text is
still at least 12px. Every page passes axe."""

import pytest

from assessments.models import Round, RoundStatus
from standards.models import Trust, Ward

from .conftest import DEMO_PASSWORD, sign_in, visit

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 800}

# The smallest chart text on the page in CSS pixels, as drawn: font size times the SVG's scale.
SMALLEST_CHART_TEXT = """() => {
    let smallest = Infinity;
    for (const svg of document.querySelectorAll('figure.app-chart svg[viewBox]')) {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        for (const text of svg.querySelectorAll('text')) {
            smallest = Math.min(smallest, parseFloat(text.getAttribute('font-size')) * scale);
        }
    }
    return smallest;
}"""

# Regions that scroll sideways must be focusable and named, so that keyboard users can scroll.
UNLABELLED_SCROLLERS = """() => [...document.querySelectorAll('main *')]
    .filter(el => el.scrollWidth > el.clientWidth + 1
        && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .filter(el => el.tabIndex < 0
        || !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
    .map(el => el.outerHTML.slice(0, 120))"""


def assert_reflows(page) -> None:
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1] <= NARROW["width"], (page.url, overflow)
    assert page.evaluate(UNLABELLED_SCROLLERS) == [], page.url


def test_ward_pages_reflow_at_320_pixels(page, live_server, demo_data):
    ward = Ward.objects.get(name="Willow Ward")
    signed = Round.objects.get(ward=ward, status=RoundStatus.SIGNED)
    scoring = Round.objects.get(ward=ward, status=RoundStatus.SCORING)
    page.set_viewport_size(NARROW)
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    assert_reflows(page)  # home
    for path in [
        f"/wards/{ward.pk}/",
        f"/rounds/{signed.pk}/summary/",
        f"/rounds/{scoring.pk}/score/1/",
        f"/wards/{ward.pk}/dashboard/",
    ]:
        visit(page, live_server.url + path)
        assert_reflows(page)
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12


def test_trust_dashboard_reflows_at_320_pixels(page, live_server, demo_data):
    trust = Trust.objects.get()
    page.set_viewport_size(NARROW)
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)
    assert_reflows(page)  # home
    visit(page, f"{live_server.url}/trusts/{trust.pk}/dashboard/")
    assert_reflows(page)
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12
    heatmap = page.get_by_role("region", name="Heatmap of wards by commitment, scrolls sideways")
    assert heatmap.get_attribute("tabindex") == "0"


def test_csv_import_and_measure_entry_pages_reflow_at_320_pixels(page, live_server, demo_data):
    """The column lists (one long word in <code>) wrap instead of widening the page; so does
    the ward month of measures form."""
    from django.urls import reverse

    trust = Trust.objects.get()
    page.set_viewport_size(NARROW)
    sign_in(page, live_server, "demo.admin", DEMO_PASSWORD)
    visit(page, live_server.url + reverse("trust_admin:import", args=[trust.pk]))
    columns = page.get_by_text("email,first_name,last_name,ward,site,ward_role,trust_role")
    assert columns.bounding_box()["width"] <= NARROW["width"]
    assert_reflows(page)
    page.context.clear_cookies()
    sign_in(page, live_server, "demo.qi", DEMO_PASSWORD)
    visit(page, live_server.url + reverse("reports:measure_import", args=[trust.pk]))
    assert_reflows(page)
    ward = Ward.objects.get(name="Willow Ward")
    visit(page, live_server.url + reverse("reports:measure_enter", args=[ward.pk]))
    assert_reflows(page)
