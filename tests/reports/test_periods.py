"""Trust-wide points say how many wards they stand on; incomplete periods are drawn, not judged
(issue 19, docs/decisions/0025)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports import demo_history, exports, pdf, periods, selectors
from reports.admin import TrustReportSettingsForm
from reports.board_summary import board_summary
from reports.models import TrustReportSettings
from reports.selectors import Trend
from reports.spc_panels import spc_settings, trust_panels
from standards.demo import DEMO_TRUST
from standards.models import Trust, TrustMembership, Ward

# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "today", "expected"),
    [
        ("2026 Q4", datetime.date(2026, 12, 4), True),  # today is in it
        ("2026 Q4", datetime.date(2026, 12, 31), True),  # its last day
        ("2026 Q4", datetime.date(2027, 1, 1), False),  # ended
        ("2027 Q1", datetime.date(2026, 12, 4), True),  # still to come
        ("2026 Q1", datetime.date(2026, 4, 1), False),
        ("Spring", datetime.date(2026, 4, 1), False),  # names no quarter
    ],
)
def test_in_progress_is_a_quarter_that_has_not_ended(label, today, expected):
    assert periods.in_progress(label, today) is expected


def test_default_minimum_is_half_the_previous_period_and_never_fewer_than_three():
    assert periods.minimum_wards(30) == 15
    assert periods.minimum_wards(27) == 14  # half, rounded up
    assert periods.minimum_wards(4) == 3
    assert periods.minimum_wards(None) == 3  # the first period
    assert periods.minimum_wards(30, setting=2) == 2  # the trust's setting wins


def test_incomplete_periods_say_why():
    labels = ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    wards = [30, 14, 28, 27, 1]
    found = periods.incomplete_periods(labels, wards, today=datetime.date(2026, 12, 4))
    assert found == {1: periods.TOO_FEW_WARDS, 4: periods.IN_PROGRESS}
    with_setting = periods.incomplete_periods(
        labels, wards, today=datetime.date(2027, 2, 1), setting=1
    )
    assert with_setting == {}


def test_wards_text():
    assert periods.wards_text(1) == "from 1 ward"
    assert periods.wards_text(27) == "from 27 wards"


# --- no signal from an incomplete period -----------------------------------------------------


def _trend(values, wards, incomplete):
    labels = [f"{2020 + i // 4} Q{i % 4 + 1}" for i in range(len(values))]
    return Trend(
        labels=labels,
        series={0: list(values)},
        starts=[None] * len(values),
        wards=list(wards),
        incomplete=incomplete,
    )


def test_an_incomplete_latest_period_flags_nothing(db):
    # Sixteen steady periods from 30 wards, then one ward's 0.5: far below the limits.
    values = [2.0, 2.2] * 8 + [0.5]
    trend = _trend(values, [30] * 16 + [1], {16: periods.IN_PROGRESS})
    (panel,) = trust_panels(trend=trend, titles={}, targets={}, changes={}, id_prefix="t")
    assert panel.result.latest.label == "2023 Q4"  # the latest judged period
    assert panel.variation_label == "Common cause variation"
    assert panel.headline.tone == "neutral"
    assert "0.5" not in panel.headline.text + panel.headline.detail
    assert panel.latest_text == "2.2 from 30 wards (2023 Q4)"
    assert panel.incomplete_text == (
        "2024 Q1: 0.5 from 1 ward, incomplete (in progress), not judged."
    )
    last = panel.periods[-1]
    assert (last.incomplete, last.point, last.judged_text) == (
        "in progress",
        None,
        "Incomplete (in progress): not judged",
    )
    # Drawn as an open circle, with what it stands on, and said so in the chart's description.
    assert "2024 Q1: 0.5 from 1 ward, incomplete (in progress), not judged" in panel.chart
    assert "Incomplete, not judged" in panel.chart
    assert "from 30 wards" in panel.chart
    # And it puts nothing in "What needs attention".
    trust = Trust.objects.create(name="Test Trust")
    summary = board_summary(trust=trust, wards=[], panels=[panel], changes={}, spc=spc_settings())
    assert summary.concerns == []


def test_the_same_point_judged_when_complete_is_special_cause_concern(db):
    values = [2.0, 2.2] * 8 + [0.5]
    trend = _trend(values, [30] * 16 + [29], {})
    (panel,) = trust_panels(trend=trend, titles={}, targets={}, changes={}, id_prefix="t")
    assert panel.variation_label == "Special cause concern, low"
    trust = Trust.objects.create(name="Test Trust")
    summary = board_summary(trust=trust, wards=[], panels=[panel], changes={}, spc=spc_settings())
    assert [item.name for item in summary.concerns] == ["Overall score"]


# --- a trust: 8 wards for five quarters of 2023-24, then a quarter with only 3 new wards ------


@pytest.fixture
def history(catalogue, monkeypatch):
    real = demo_history.quarters

    def at(day):
        monkeypatch.setattr(
            demo_history, "quarters", lambda count, today=None: real(count, today=day)
        )

    at(datetime.date(2024, 8, 1))  # 2023 Q2 to 2024 Q2
    demo_history.build_history(wards=8, rounds=5)
    at(datetime.date(2024, 11, 1))  # 2024 Q3, for three new wards only
    demo_history.build_history(wards=11, rounds=1)
    return Trust.objects.get(name=DEMO_TRUST)


def test_trust_trend_counts_wards_and_marks_a_period_below_half_the_previous(history):
    trend = selectors.trust_trend(trust=history)
    assert trend.labels[-2:] == ["2024 Q2", "2024 Q3"]
    assert trend.wards == [8, 8, 8, 8, 8, 3]
    # 3 is at least the floor of 3, but fewer than half of 8: incomplete.
    assert trend.incomplete == {5: periods.TOO_FEW_WARDS}


def test_trust_setting_sets_the_minimum(history):
    settings = TrustReportSettings.objects.create(trust=history, minimum_wards=3)
    assert selectors.trust_trend(trust=history).incomplete == {}
    settings.minimum_wards = 9
    settings.save()
    assert set(selectors.trust_trend(trust=history).incomplete) == {0, 1, 2, 3, 4, 5}


def test_a_period_in_progress_is_incomplete_whatever_its_wards(history, monkeypatch):
    TrustReportSettings.objects.create(trust=history, minimum_wards=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 9, 15))
    trend = selectors.trust_trend(trust=history)
    assert trend.incomplete == {5: periods.IN_PROGRESS}


def test_trust_dashboard_says_what_each_point_stands_on(history, client):
    board = TrustMembership.objects.filter(trust=history, role="board-member").first().user
    client.force_login(board)
    page = client.get(reverse("reports:trust_dashboard", args=[history.pk])).content.decode()
    latest = f"{periods.wards_text(8)} (2024 Q2)"
    # The summary table: the latest judged value with its wards and period, then the
    # incomplete period in words.
    assert latest in page
    assert "2024 Q3: " in page and "from 3 wards, incomplete (too few wards), not judged." in page
    # Each chart's data table has a Wards column and the incomplete period's row says so.
    assert page.count(">Wards</th>") == 13
    assert page.count("Incomplete (too few wards): not judged") == 13
    # Said once on the page, in words.
    assert page.count('id="incomplete-periods"') == 1
    assert "Incomplete now: 2024 Q3 (from 3 wards, too few wards)." in page
    assert "fewer than half the wards of the period before it" in page
    # The chart draws it as an open circle.
    assert "Incomplete, not judged" in page


def test_board_pack_says_what_each_point_stands_on(history):
    pack = pdf.board_pack_data(history)
    html = render_to_string("reports/pdf/board_pack.html", {"pack": pack})
    assert "from 8 wards (2024 Q2)" in html
    assert "from 3 wards, incomplete (too few wards), not judged." in html
    assert "Incomplete now: 2024 Q3 (from 3 wards, too few wards)." in html
    assert html.count('<th scope="row">Wards</th><td class="app-num">8</td>') == 13
    assert html.count("Incomplete, not judged</td>") == 13
    assert all(m.result.latest.label == "2024 Q2" for m in pack.measures)


def test_trend_export_carries_the_ward_count_and_completeness(history):
    dataset = exports.trust_dataset(trust=history, dataset="trend")
    rows = list(dataset.rows)
    assert dataset.header[5:] == ["Wards", "Complete", "Why incomplete"]
    overall = [row for row in rows if row[3] == "Overall"]
    assert [row[1] for row in overall][-2:] == ["2024 Q2", "2024 Q3"]
    assert [row[5:] for row in overall][-2:] == [[8, "Yes", ""], [3, "No", "too few wards"]]
    assert len(rows) == 6 * 13  # six periods, overall and twelve commitments


def test_the_admin_form_sets_the_minimum_or_leaves_it_blank(db):
    trust = Trust.objects.create(name="Test Trust")
    usual = {"small_group_threshold": 3, "small_count_max": 5, "minimum_bed_days": 100}
    blank = TrustReportSettingsForm(data={"trust": trust.pk, **usual, "minimum_wards": ""})
    assert blank.is_valid()
    assert blank.save().minimum_wards is None
    assert selectors.trend_minimum_setting(trust) is None
    zero = TrustReportSettingsForm(
        data={"trust": trust.pk, **usual, "minimum_wards": 0},
        instance=TrustReportSettings.objects.get(trust=trust),
    )
    assert not zero.is_valid()
    assert "minimum_wards" in zero.errors
    four = TrustReportSettingsForm(
        data={"trust": trust.pk, **usual, "minimum_wards": 4},
        instance=TrustReportSettings.objects.get(trust=trust),
    )
    assert four.is_valid()
    four.save()
    assert selectors.trend_minimum_setting(trust) == 4


def test_a_kept_dashboard_follows_a_change_of_the_setting(history, client):
    board = TrustMembership.objects.filter(trust=history, role="board-member").first().user
    client.force_login(board)
    url = reverse("reports:trust_dashboard", args=[history.pk])
    assert "Incomplete now: 2024 Q3" in client.get(url).content.decode()
    TrustReportSettings.objects.create(trust=history, minimum_wards=3)
    page = client.get(url).content.decode()
    assert "Incomplete now" not in page
    assert "fewer than 3 wards (the trust&#x27;s setting)" in page


def test_a_wards_own_trend_export_stands_on_that_ward(history):
    ward = Ward.objects.filter(site__trust=history, rounds__status="signed").first()
    rows = list(exports.ward_dataset(ward=ward, dataset="trend").rows)
    assert rows and {row[5] for row in rows} == {1}
    assert {row[6] for row in rows} == {"Yes"}  # a ward's own points are all its own
