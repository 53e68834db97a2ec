"""Ward measures (issue 13) in the browser: a QI lead enters a month's figures (and is told who
sees them), reads the ward measures page, and previews and applies a CSV import; axe on every
page."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from reports.measures import add_months, month_label, month_start
from reports.models import MeasureChange, MeasureMonth
from standards.models import Trust, Ward

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser


def test_qi_lead_enters_reads_and_imports_ward_measures(page, live_server, demo_data):
    call_command("loaddata", "ward-measures", verbosity=0)
    trust = Trust.objects.get()
    ward = Ward.objects.get(name="Willow Ward")
    Ward.objects.filter(pk=ward.pk).update(code="WIL01")
    last_month = add_months(month_start(timezone.localdate()), -1)
    sign_in(page, live_server, "demo.qi", DEMO_PASSWORD)

    visit(page, f"{live_server.url}/wards/{ward.pk}/measures/enter/")
    expect(page.get_by_text("Never enter anything that could identify a patient")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Enter the ward's figures for {last_month:%B %Y}"
    )
    # Every measure of the month is a fieldset of one form; the demo holds figures already.
    seclusion = page.get_by_role("group", name="Seclusion episodes", exact=False)
    beds = page.get_by_role("group", name="Occupied bed days", exact=False)
    expect(seclusion).to_contain_text("Now held:")
    expect(seclusion.get_by_label("Percentage", exact=False)).to_have_count(0)  # never typed
    seclusion.get_by_label("Numerator").fill("3")
    seclusion.get_by_label("Denominator").fill("")
    beds.get_by_label("Count").fill("600")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Save the figures")).click()
    check_axe(page)
    # The error names the measure, sits beside its box, and what was typed is kept.
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Seclusion episodes: enter the occupied bed days")
    summary.get_by_role("link", name=re.compile("^Seclusion episodes")).click()
    expect(seclusion.get_by_label("Denominator")).to_be_focused()
    expect(beds.get_by_label("Count")).to_have_value("600")
    seclusion.get_by_label("Denominator").fill("600")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Save the figures")).click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Willow Ward measures")
    expect(page.get_by_text("5.0 per 1,000 bed days").first).to_be_visible()
    saved = MeasureMonth.objects.get(ward=ward, measure__code="seclusion", month=last_month)
    assert (saved.numerator, saved.denominator) == (3, 600)

    # Another month, chosen without JavaScript's help: a GET form.
    visit(page, f"{live_server.url}/wards/{ward.pk}/measures/enter/")
    two_back = add_months(last_month, -1)
    page.get_by_label("Which month?").select_option(label=month_label(two_back))
    with page.expect_navigation():
        page.get_by_role("button", name="Show this month").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Enter the ward's figures for {two_back:%B %Y}"
    )

    visit(page, f"{live_server.url}/trusts/{trust.pk}/measures/import/")
    content = (
        "ward_code,month,measure_code,numerator,denominator,value\n"
        f"WIL01,{last_month:%Y-%m},seclusion,4,620,\n"
        f"WIL01,{last_month:%Y-%m},patient-experience,,,85\n"
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "measures.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the ward measures")
    # The demo may hold figures of its own for the month: the seclusion month is the one typed.
    expect(page.get_by_role("heading", name=re.compile("^Months to replace"))).to_be_visible()
    replaced = page.locator(".app-import-replacements li", has_text="Seclusion episodes")
    expect(replaced).to_contain_text("(3 of 600)")
    expect(replaced).to_contain_text("6.5 per 1,000 bed days (4 of 620)")
    with page.expect_navigation():
        page.get_by_role("button", name="Save these figures").click()
    check_axe(page)
    kept = MeasureMonth.objects.get(ward=ward, measure__code="seclusion", month=last_month)
    assert (kept.numerator, kept.denominator) == (4, 620)
    assert MeasureChange.objects.filter(ward=ward, source="import").count() == 2

    # A measure of the trust's own, from the import page.
    visit(page, f"{live_server.url}/trusts/{trust.pk}/measures/import/")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a measure of your trust's own").click()
    check_axe(page)
    page.get_by_label("Name").fill("Incidents of self-harm")
    page.get_by_label("Code").fill("self-harm")
    page.get_by_label("per 1,000 occupied bed days").check()
    page.get_by_label("Lower is better").check()
    page.get_by_label("6. Avoiding harm").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add the measure").click()
    check_axe(page)  # an error: how it is counted was left out
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_label("How is it counted?").fill("Incidents of self-harm per 1,000 bed days.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the measure").click()
    check_axe(page)
    expect(page.get_by_text("Incidents of self-harm added", exact=False)).to_be_visible()
