"""A ward's measures beside its self-assessment (issue 13): on the ward dashboard, a chart per
measure with its data behind a details component and where the measures and the agreed scores
disagree; on the next round's agreeing page, the same as context. axe on every page."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.demo import IN_PROGRESS_LABEL
from assessments.models import Round
from reports.models import MeasureMonth
from standards.models import User, Ward
from tests.assessments.builders import rate_all
from tests.measure_builders import load_measures, restraint_months

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def _rising_restraint(ward: Ward) -> None:
    load_measures()
    MeasureMonth.objects.filter(ward=ward).delete()  # only the figures these tests know
    restraint_months(ward)


def test_the_ward_dashboard_shows_the_ward_measures(page, live_server, demo_data):
    ward = Ward.objects.get(name="Willow Ward")
    _rising_restraint(ward)
    sign_in(page, live_server, "demo.board", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/wards/{ward.pk}/dashboard/")
    expect(page.get_by_role("heading", level=2, name="Ward measures")).to_be_visible()
    expect(
        page.get_by_role(
            "heading", level=2, name="Where the measures and the self-assessment disagree"
        )
    ).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Restrictive interventions")).to_be_visible()
    page.get_by_text("Data for restrictive interventions").click()
    expect(page.get_by_role("table", name="Restrictive interventions by month")).to_be_visible()
    check_axe(page)


def test_the_agreeing_page_shows_the_measures_as_context(page, live_server, demo_data):
    """The next round's agreeing page: the flag against the last signed assessment, before
    anyone agrees, with axe on the page."""
    ward = Ward.objects.get(name="Willow Ward")
    _rising_restraint(ward)
    manager = User.objects.get(username="demo.manager")
    current = Round.objects.get(ward=ward, label=IN_PROGRESS_LABEL)
    staff = User.objects.get(username="demo.staff")
    rate_all(round=current, user=staff)
    services.submit_ratings(round=current, by=staff)
    services.close_scoring(round=current, by=manager, reason="The meeting is today")
    sign_in(page, live_server, "demo.manager", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/rounds/{current.pk}/agree/")
    section = page.get_by_role("region", name="Where the ward's measures disagree")
    expect(section).to_contain_text("This is context from the ward's figures")
    expect(section).to_contain_text("Avoiding harm")
