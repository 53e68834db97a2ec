"""Ward measures inside the ward: a chart per measure on the ward dashboard and where the
measures and the self-assessment disagree (issue 13, reports/measure_panels.py)."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import measure_panels, pdf, selectors
from reports.models import Measure, MeasureMonth
from standards.models import Ward
from tests.assessments.builders import signed_round
from tests.factories import UserFactory, WardFactory, WardMembershipFactory
from tests.measure_builders import load_measures, restraint_months
from tests.reports.test_pdf import pdf_text


@pytest.fixture
def signed(people):
    """Willow Ward with a signed round (every standard agreed at 3, Established)."""
    load_measures()
    return signed_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
        leader=people["leader"],
    )


def _page(client, user, ward) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:ward_dashboard", args=[ward.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_rising_restraint_is_flagged_against_avoiding_harm_with_both_links(client, people, signed):
    restraint_months(people["ward"])
    page = _page(client, people["board"], people["ward"])
    assert "Ward measures" in page
    assert 'id="ward-measure-restrictive-interventions"' in page
    assert "<svg" in page and "Data for restrictive interventions" in page
    assert "Where the measures and the self-assessment disagree" in page
    assert (
        "&quot;Avoiding harm&quot; is agreed at a mean of 3.0 out of 4 "
        "(Established or Embedded) while "
        "restrictive interventions shows special cause concern in the same months." in page
    )
    assert 'href="#commitment-6"' in page and 'id="commitment-6"' in page
    assert 'href="#ward-measure-restrictive-interventions"' in page


def test_the_dashboard_panels_hold_every_month_and_the_flag(people, signed):
    restraint_months(people["ward"], months=40)
    dashboard = selectors.ward_dashboard(user=people["board"], ward_id=people["ward"].pk)
    context = measure_panels.ward_dashboard_measures(dashboard)
    [panel] = context["measure_panels"]
    assert len(panel.rows) == 36  # three years, not the 40 months entered
    assert panel.rows[-1].special_cause.startswith("Concern")
    assert [f.contradiction.commitment for f in context["measure_flags"]] == [2, 6]


def test_steady_figures_are_charted_and_flag_nothing(client, people, signed):
    restraint_months(people["ward"], rise_last=0)
    page = _page(client, people["board"], people["ward"])
    assert 'id="ward-measure-restrictive-interventions"' in page
    assert "do not disagree" in page
    assert "special cause concern in the same months" not in page


def test_another_ward_shows_only_its_own_figures(client, people, signed):
    other = WardFactory(site=people["ward"].site, name="Rowan Ward")
    restraint_months(other)
    manager = UserFactory(username="rowan.manager")
    WardMembershipFactory(user=manager, ward=other, role="ward-manager")
    page = _page(client, manager, other)
    assert 'id="ward-measure-restrictive-interventions"' in page
    # No signed round on Rowan Ward: nothing to disagree with.
    assert "Where the measures and the self-assessment disagree" not in page
    willow = _page(client, people["board"], people["ward"])
    assert "No monthly figures have been entered for this ward yet." in willow
    assert "special cause concern" not in willow


def test_a_ward_without_figures_says_so(client, people, signed):
    page = _page(client, people["board"], Ward.objects.get(pk=people["ward"].pk))
    assert "No monthly figures have been entered for this ward yet." in page


def test_the_measures_take_the_same_queries_for_more_months_and_measures(people, signed):
    ward = people["ward"]
    dashboard = selectors.ward_dashboard(user=people["board"], ward_id=ward.pk)
    restraint_months(ward, months=13)
    with CaptureQueriesContext(connection) as few:
        measure_panels.ward_dashboard_measures(dashboard)
    MeasureMonth.objects.all().delete()
    restraint_months(ward, months=36)
    seclusion = Measure.objects.get(code="seclusion")
    MeasureMonth.objects.bulk_create(
        MeasureMonth(ward=ward, measure=seclusion, month=row.month, numerator=2, denominator=600)
        for row in MeasureMonth.objects.filter(ward=ward)
    )
    with CaptureQueriesContext(connection) as many:
        context = measure_panels.ward_dashboard_measures(dashboard)
    assert len(context["measure_panels"]) == 2
    assert len(many) == len(few) == 3  # the catalogue, its measures, the ward's figures


def test_the_ward_pdf_shows_the_charts_and_the_flag(people, signed, tmp_path):
    restraint_months(people["ward"])
    context = pdf.ward_assessment_context(signed)
    assert [f.contradiction.commitment for f in context["measure_flags"]] == [2, 6]
    html = render_to_string("reports/pdf/ward_assessment.html", context)
    assert 'id="ward-measure-restrictive-interventions"' in html
    assert 'href="#commitment-6"' in html and 'id="commitment-6"' in html
    content = pdf.render_ward_assessment(signed)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, tmp_path)
    assert "Where the measures and this assessment disagree" in text
    assert (
        '"Avoiding harm" is agreed at a mean of 3.0 out of 4 '
        "(Established or Embedded) while restrictive "
        "interventions shows special cause concern in the same months." in text
    )
    assert "Restrictive interventions by month, as a table" in text
