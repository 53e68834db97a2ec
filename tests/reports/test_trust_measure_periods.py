"""Ward measures pooled trust-wide: each month says how many wards reported it, and a month in
progress or reported by too few wards is drawn incomplete and not judged (issue 19 item 1,
docs/decisions/0025)."""

import datetime
import html

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports import measures, periods
from reports.models import Measure, MeasureMonth, TrustReportSettings
from reports.pdf import board_pack_data
from reports.spc_panels import spc_settings
from reports.trust_measures import trust_measures
from standards import kept
from standards.models import Ward
from tests.factories import WardFactory

STEADY = [9, 10, 11] * 7  # 21 months around 10 a ward, in 600 bed days: about 16.7 per 1,000


@pytest.fixture
def restraint(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return Measure.objects.get(code="restrictive-interventions")


@pytest.fixture
def wards(trust, ward):
    return [ward, *(WardFactory(site=ward.site, name=f"Ward {n}") for n in "BCD")]


def _write(ward, measure, first, counts, bed_days=600):
    MeasureMonth.objects.bulk_create(
        MeasureMonth(
            ward=ward,
            measure=measure,
            month=measures.add_months(first, i),
            numerator=count,
            denominator=bed_days,
        )
        for i, count in enumerate(counts)
    )
    kept.bump([ward.site.trust_id])  # as the import does


def _this_month():
    return measures.month_start(timezone.localdate())


def _steady_then(wards, measure, *, last_month, spike_wards):
    """Every ward steady for 21 months, then a month (``last_month``) reported only by the
    first ``spike_wards`` wards, each at six times its usual count."""
    first = measures.add_months(last_month, -len(STEADY))
    for i, ward in enumerate(wards):
        _write(ward, measure, first, [*STEADY, *([60] if i < spike_wards else [])])


def _chart(trust, wards, measure, **kwargs):
    found = trust_measures(
        trust=trust,
        wards=list(Ward.objects.filter(pk__in=[w.pk for w in wards])),
        titles={},
        spc=spc_settings(),
        **kwargs,
    )
    return next(c for c in found.charts if c.measure.pk == measure.pk)


# --- the rule ---------------------------------------------------------------------------------


def test_the_current_month_and_months_to_come_are_in_progress():
    today = datetime.date(2026, 12, 4)
    assert periods.month_in_progress(datetime.date(2026, 12, 1), today)
    assert periods.month_in_progress(datetime.date(2027, 1, 1), today)
    assert not periods.month_in_progress(datetime.date(2026, 11, 1), today)


def test_months_follow_the_same_rule_with_the_month_before_as_the_previous_period():
    months = [datetime.date(2026, m, 1) for m in (9, 10, 11, 12)]
    labels = [measures.month_label(m) for m in months]
    found = periods.incomplete_periods(
        labels, [10, 4, 10, 10], today=datetime.date(2026, 12, 4), months=months
    )
    assert found == {1: periods.TOO_FEW_WARDS, 3: periods.IN_PROGRESS}
    # The trust's setting is the same setting as for the trend of agreed scores.
    found = periods.incomplete_periods(
        labels, [10, 4, 10, 10], today=datetime.date(2026, 12, 4), months=months, setting=4
    )
    assert found == {3: periods.IN_PROGRESS}


# --- the pooled charts --------------------------------------------------------------------------


def test_a_month_reported_by_too_few_wards_is_drawn_incomplete_and_not_judged(
    trust, wards, restraint
):
    last_month = measures.add_months(_this_month(), -1)  # ended: only the wards are too few
    _steady_then(wards, restraint, last_month=last_month, spike_wards=1)

    chart = _chart(trust, wards, restraint, minimum_setting=None)
    latest = chart.figures[-1]
    assert latest.month == last_month
    assert latest.wards == 1
    assert latest.incomplete == periods.TOO_FEW_WARDS
    assert chart.figures[-2].wards == 4 and chart.figures[-2].incomplete is None
    # Left out of the analysis: 21 judged months, none of them special cause.
    assert len(chart.result.points) == len(STEADY)
    assert not any(p.variation for p in chart.result.points)
    assert chart.headline.tone != "concern"
    assert chart.latest.month == measures.add_months(last_month, -1)
    assert chart.latest_text.endswith(f"from 4 wards ({measures.month_label(chart.latest.month)})")
    assert chart.incomplete_text == (
        f"{measures.month_label(last_month)}: 100.0 per 1,000 bed days from 1 ward, "
        "incomplete (too few wards), not judged."
    )
    assert "Incomplete, not judged" in chart.chart  # drawn, as an open circle

    # Had it been complete (the trust lets one ward make a month), it would be flagged.
    judged = _chart(trust, wards, restraint, minimum_setting=1)
    assert judged.figures[-1].incomplete is None
    assert judged.result.points[-1].variation == "concern"
    assert judged.headline.tone == "concern"


def test_the_trusts_setting_is_read_when_not_given(trust, wards, restraint):
    _steady_then(wards, restraint, last_month=measures.add_months(_this_month(), -1), spike_wards=1)
    assert _chart(trust, wards, restraint).figures[-1].incomplete == periods.TOO_FEW_WARDS
    TrustReportSettings.objects.create(trust=trust, minimum_wards=1)
    assert _chart(trust, wards, restraint).result.points[-1].variation == "concern"


def test_the_current_month_is_incomplete_however_many_wards_report_it(trust, wards, restraint):
    _steady_then(wards, restraint, last_month=_this_month(), spike_wards=4)

    chart = _chart(trust, wards, restraint, minimum_setting=1)
    latest = chart.figures[-1]
    assert (latest.wards, latest.incomplete) == (4, periods.IN_PROGRESS)
    assert not any(p.variation for p in chart.result.points)
    assert chart.headline.tone != "concern"
    # Next month it is complete, and judged.
    next_month = measures.add_months(_this_month(), 1)
    later = _chart(trust, wards, restraint, minimum_setting=1, today=next_month)
    assert later.result.points[-1].variation == "concern"


def test_a_wards_own_months_are_never_made_incomplete(trust, wards, restraint):
    """One ward's chart (the trust dashboard's "One ward's charts") is not trust-wide."""
    _steady_then(wards, restraint, last_month=_this_month(), spike_wards=1)
    found = trust_measures(
        trust=trust,
        wards=list(Ward.objects.filter(pk__in=[w.pk for w in wards])),
        titles={},
        spc=spc_settings(),
        chart_ward=wards[0],
        minimum_setting=None,
    )
    own = found.ward_charts[0]
    assert not own.pooled
    assert all(f.incomplete is None and f.wards is None for f in own.figures)
    assert own.result.points[-1].variation == "concern"


def test_the_wards_counted_are_those_whose_figures_make_the_month(trust, wards, restraint):
    month = measures.add_months(_this_month(), -2)
    _write(wards[0], restraint, month, [10])
    _write(wards[1], restraint, month, [12])
    MeasureMonth.objects.create(ward=wards[2], measure=restraint, month=month)  # nothing given
    chart = _chart(trust, wards, restraint, minimum_setting=None)
    assert chart.figures[0].wards == 2


# --- the pages --------------------------------------------------------------------------------


def test_the_trust_dashboard_says_what_each_pooled_month_stands_on(
    client, catalogue, trust, wards, restraint, board_member
):
    last_month = measures.add_months(_this_month(), -1)
    _steady_then(wards, restraint, last_month=last_month, spike_wards=1)
    client.force_login(board_member)
    page = html.unescape(
        client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    )
    section = page[page.index('id="ward-measures"') : page.index('id="one-ward"')]
    # The rule, once, in words.
    assert section.count("Each trust-wide month of a ward measure says how many wards") == 1
    assert "fewer than half the wards of the month before it (and never fewer than 3)" in section
    # Beside the latest figure, and in the chart's data table.
    before = measures.month_label(measures.add_months(last_month, -1))
    assert f"Latest: 18.3 per 1,000 bed days from 4 wards ({before})" in section
    assert (
        f"{measures.month_label(last_month)}: 100.0 per 1,000 bed days from 1 ward, "
        "incomplete (too few wards), not judged." in section
    )
    wards_header = 'class="nhsuk-table__header nhsuk-table__header--numeric">Wards</th>'
    assert wards_header in section
    assert "Incomplete (too few wards): not judged" in section
    # Not judged: the trust-wide chart claims no concern (one ward's own row may).
    start = section.index('aria-labelledby="trust-restrictive-interventions"')
    chart = section[start : section.index("</section>", start)]
    headline = chart[chart.index("<strong>") : chart.index("</strong>")]
    assert "concern" not in headline.lower()
    assert "Concern:" not in chart  # no month of its data table
    assert "Latest: 18.3" in chart


def test_the_board_pack_says_what_each_pooled_month_stands_on(trust, wards, restraint):
    last_month = measures.add_months(_this_month(), -1)
    _steady_then(wards, restraint, last_month=last_month, spike_wards=1)
    pack = board_pack_data(trust)
    page = html.unescape(render_to_string("reports/pdf/board_pack.html", {"pack": pack}))
    section = page[page.index('id="ward-measures"') :]
    assert section.count("Each trust-wide month of a ward measure says how many wards") == 1
    before = measures.month_label(measures.add_months(last_month, -1))
    assert f"Latest: 18.3 per 1,000 bed days from 4 wards ({before})" in section
    assert "from 1 ward, incomplete (too few wards), not judged." in section
    assert "Restrictive interventions: the chart's data" in section
    wards_row = section[section.index('<th scope="row">Wards</th>') :].split("</tr>")[0]
    # The first row of months: all four wards reported each.
    assert wards_row.count('<td class="app-num">4</td>') == 8


def test_the_dashboard_reads_as_many_queries_for_more_wards_and_months(
    client, catalogue, trust, ward, restraint, board_member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import forget_kept_reads

    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    two = [ward, WardFactory(site=ward.site, name="Ward B")]
    first = measures.add_months(_this_month(), -6)
    for each in two:
        _write(each, restraint, first, [10] * 6)
    client.get(url)
    forget_kept_reads()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # Twice the wards, four times the months, and incomplete months: not one query more.
    four = [*two, *(WardFactory(site=ward.site, name=f"Ward {n}") for n in "CD")]
    MeasureMonth.objects.all().delete()
    _steady_then(four, restraint, last_month=_this_month(), spike_wards=1)
    forget_kept_reads()
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "from 4 wards" in page
    assert "incomplete (in progress), not judged" in page
