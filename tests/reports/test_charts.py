import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

from reports import charts
from reports.charts import (
    ASSURANCE_LABELS,
    VARIATION_LABELS,
    assurance_icon_svg,
    bar_chart,
    gap_chart,
    spc_chart,
    trend_chart,
    variation_icon_svg,
)

NS = {"svg": "http://www.w3.org/2000/svg"}


@dataclass
class FakePoint:
    index: int
    label: str
    value: float
    rules: list[str] = field(default_factory=list)
    variation: str | None = None


@dataclass
class FakeSpcResult:
    """Stand-in for reports.spc.SpcResult with the same fields, so these tests stand alone."""

    labels: list[str]
    values: list[float]
    points: list[FakePoint]
    centre: float
    mean: float
    median: float
    upper_limit: float | None = None
    lower_limit: float | None = None
    upper_two_sigma: float | None = None
    lower_two_sigma: float | None = None
    has_limits: bool = False
    target: float | None = None
    variation_icon: str = "common-cause"
    assurance_icon: str | None = None
    rules_text: str = "Special cause: 7 points in a row on one side of the median."
    mean_moving_range: float | None = None
    improvement: str = "up"
    summary_text: str = "summary"

    def summary(self, measure: str, number=None) -> str:
        return f"{measure}: {self.summary_text}"


def make_result(values, *, has_limits=False, variations=None, target=None, labels=None):
    labels = labels or [f"2026 Q{i + 1}" for i in range(len(values))]
    variations = variations or {}
    points = [
        FakePoint(i, labels[i], v, ["shift"] if i in variations else [], variations.get(i))
        for i, v in enumerate(values)
    ]
    mean = sum(values) / len(values) if values else 0.0
    return FakeSpcResult(
        labels=labels,
        values=values,
        points=points,
        centre=mean,
        mean=mean,
        median=mean,
        upper_limit=3.6 if has_limits else None,
        lower_limit=1.2 if has_limits else None,
        upper_two_sigma=3.2 if has_limits else None,
        lower_two_sigma=1.6 if has_limits else None,
        has_limits=has_limits,
        target=target,
        summary_text="the latest point is common cause variation",
    )


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def assert_accessible(svg: str, *, id_prefix: str, title: str) -> ET.Element:
    root = parse(svg)
    assert root.get("role") == "img"
    assert "style=" not in svg
    assert "<script" not in svg.lower()
    assert "href" not in svg
    assert " class=" not in svg
    title_el = root.find("svg:title", NS)
    assert title_el is not None and title_el.text == title
    labelled_by = root.get("aria-labelledby").split()
    assert title_el.get("id") == f"{id_prefix}-title" == labelled_by[0]
    if root.get("width") == "100%":
        desc_el = root.find("svg:desc", NS)
        assert desc_el is not None and desc_el.text
        assert desc_el.get("id") == f"{id_prefix}-desc" == labelled_by[1]
    assert root.get("viewBox")
    return root


def contrast_on_white(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def colours_in(svg: str) -> set[str]:
    return set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg)) - {"#ffffff", charts.GRID}


def test_palette_meets_non_text_contrast_on_white():
    for colour in (charts.BLUE, charts.ORANGE, charts.GREY, charts.INK, charts.SLATE, charts.GREEN):
        assert contrast_on_white(colour) >= 3, colour


def test_spc_chart_is_accessible_well_formed_svg():
    result = make_result([2.0, 2.5, 3.0], target=3.0)
    svg = spc_chart(result, title="Commitment 1 score", id_prefix="spc-1")
    root = assert_accessible(svg, id_prefix="spc-1", title="Commitment 1 score")
    assert root.get("width") == "100%"
    desc = root.find("svg:desc", NS).text
    assert desc.startswith("Commitment 1 score: the latest point is common cause variation")
    assert "No process limits are drawn yet: this is a run chart around the median 2.5." in desc
    assert all(contrast_on_white(c) >= 3 for c in colours_in(svg))


def test_spc_chart_run_chart_has_median_and_no_limits():
    svg = spc_chart(make_result([2.0, 2.5, 3.0]), title="Score", id_prefix="spc")
    labels = texts(parse(svg))
    assert "Median 2.5" in labels
    assert not any("process limit" in label for label in labels)
    assert 'stroke-dasharray="6 4"' not in svg


def test_spc_chart_draws_dashed_labelled_limits_when_available():
    svg = spc_chart(make_result([2.0] * 13, has_limits=True), title="Score", id_prefix="spc")
    labels = texts(parse(svg))
    assert "Mean 2.0" in labels
    assert "Upper process limit 3.6" in labels
    assert "Lower process limit 1.2" in labels
    assert svg.count('stroke-dasharray="6 4"') == 2
    assert "Process limits run from 1.2 to 3.6" in svg


def test_spc_chart_draws_dotted_labelled_target_only_when_set():
    with_target = spc_chart(make_result([2.0, 3.0], target=3.5), title="S", id_prefix="a")
    without = spc_chart(make_result([2.0, 3.0]), title="S", id_prefix="b")
    assert "Target 3.5" in texts(parse(with_target))
    assert 'stroke-dasharray="2 3"' in with_target
    assert not any(t.startswith("Target") for t in texts(parse(without)))


def test_spc_chart_marks_special_cause_points_with_shapes_and_legend():
    result = make_result([2.0, 3.9, 0.5, 2.0], variations={1: "improvement", 2: "concern"})
    root = parse(spc_chart(result, title="Score", id_prefix="spc"))
    markers = [g[1] for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert [m.tag.split("}")[1] for m in markers] == ["circle", "polygon", "polygon", "circle"]
    assert markers[1].get("fill") == charts.BLUE and len(markers[1].get("points").split()) == 3
    assert markers[2].get("fill") == charts.ORANGE and len(markers[2].get("points").split()) == 4
    assert markers[0].get("fill") == charts.GREY
    tooltips = [g.find("svg:title", NS).text for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert tooltips[1] == "2026 Q2: 3.9, special cause improvement (shift)"
    labels = texts(root)
    assert {"Common cause", "Special cause improvement", "Special cause concern"} <= set(labels)


def test_spc_chart_escapes_labels_and_title():
    result = make_result([1.0, 2.0], labels=["A & B", "<C>"])
    svg = spc_chart(result, title="Score <&>", id_prefix="spc")
    root = assert_accessible(svg, id_prefix="spc", title="Score <&>")
    assert {"A & B", "<C>"} <= set(texts(root))


def test_spc_chart_thins_x_labels_but_keeps_the_latest():
    values = [2.0] * 30
    labels = [f"R{i}" for i in range(30)]
    root = parse(spc_chart(make_result(values, labels=labels), title="S", id_prefix="spc"))
    shown = [t for t in texts(root) if t.startswith("R")]
    assert 1 < len(shown) <= 8
    assert shown[-1] == "R29"


def test_spc_chart_widens_axis_for_values_outside_scale():
    svg = spc_chart(make_result([2.0] * 13, has_limits=True), title="S", id_prefix="s", y_max=3)
    assert "Upper process limit 3.6" in texts(parse(svg))


def test_spc_chart_with_no_points_says_no_data():
    svg = spc_chart(make_result([]), title="S", id_prefix="spc")
    assert "No signed assessments yet" in texts(parse(svg))


def test_spc_chart_rejects_unsafe_id_prefix():
    with pytest.raises(ValueError):
        spc_chart(make_result([1.0]), title="S", id_prefix='x" onload="')


def test_bar_chart_is_accessible_and_writes_values():
    items = [("1. Safe & <kind>", 3.25), ("2. Together", 1.0)]
    svg = bar_chart(items, title="Scores by commitment", id_prefix="bars")
    root = assert_accessible(svg, id_prefix="bars", title="Scores by commitment")
    labels = texts(root)
    # 3.25 rounds half up, as everywhere else (assessments.rules), never half to even.
    assert {"1. Safe & <kind>", "3.3", "1.0"} <= set(labels)
    assert len(root.findall("svg:rect", NS)) == 1 + 2
    desc = root.find("svg:desc", NS).text
    assert "Highest: 1. Safe & <kind> (3.3)" in desc and "Lowest: 2. Together (1.0)" in desc


def test_bar_chart_none_shows_not_rated_and_no_bar():
    root = parse(bar_chart([("Pillar", None)], title="T", id_prefix="bars"))
    assert "Not rated" in texts(root)
    assert len(root.findall("svg:rect", NS)) == 1  # only the white background
    assert "Not rated: 1." in root.find("svg:desc", NS).text


def test_bar_chart_wraps_long_labels():
    long_label = "word " * 40
    root = parse(bar_chart([(long_label, 2.0)], title="T", id_prefix="bars"))
    assert sum(1 for t in texts(root) if t.startswith("word")) >= 2


def test_gap_chart_is_accessible_with_labelled_zero_axis():
    svg = gap_chart([("A & B", 1.5)], title="Perception gap", id_prefix="gap")
    root = assert_accessible(svg, id_prefix="gap", title="Perception gap")
    assert "Staff and lived experience agree" in texts(root)
    assert "A & B" in texts(root)


def test_gap_chart_signs_values_and_places_them_by_side():
    items = [("Lower", -1.5), ("Higher", 0.5), ("Same", 0.0), ("Missing", None)]
    root = parse(gap_chart(items, title="T", id_prefix="gap"))
    labels = texts(root)
    assert "\u22121.5 (lived experience lower)" in labels
    assert "+0.5 (lived experience higher)" in labels
    assert "0.0 (agree)" in labels
    assert "Not rated" in labels
    bars = root.findall("svg:rect", NS)[1:]
    assert len(bars) == 3
    zero = 380.0
    assert float(bars[0].get("x")) + float(bars[0].get("width")) == zero
    assert float(bars[1].get("x")) == zero
    desc = root.find("svg:desc", NS).text
    assert "Largest gap: Lower, \u22121.5 (lived experience lower)" in desc


def test_trend_chart_draws_one_labelled_panel_per_series():
    series = {
        "Commitment 1 & co": [("2025 Q1", 2.0), ("2025 Q2", None), ("2025 Q3", 3.0)],
        "Commitment 2": [("2025 Q1", 1.0), ("2025 Q2", 1.5), ("2025 Q3", None)],
    }
    svg = trend_chart(series, title="Trend", id_prefix="trend")
    root = assert_accessible(svg, id_prefix="trend", title="Trend")
    labels = texts(root)
    assert {"Commitment 1 & co", "Commitment 2"} <= set(labels)
    assert "Latest (2025 Q3): 3.0" in labels
    assert "Latest (2025 Q3): Not rated" in labels
    assert len(root.findall("svg:polyline", NS)) == 1  # the gap breaks series 1's line
    assert len(root.findall("svg:circle", NS)) == 4
    assert "Commitment 1 & co: 2.0 in 2025 Q1, 3.0 in 2025 Q3." in root.find("svg:desc", NS).text


def test_trend_chart_with_no_series_says_no_data():
    root = parse(trend_chart({}, title="Trend", id_prefix="trend"))
    assert "No data yet" in texts(root)


@pytest.mark.parametrize("code", sorted(VARIATION_LABELS))
def test_variation_icon_svg_names_the_icon_in_words(code):
    svg = variation_icon_svg(code, id_prefix=f"v-{code}")
    root = assert_accessible(svg, id_prefix=f"v-{code}", title=VARIATION_LABELS[code])
    assert root.get("width") == "32"
    assert all(contrast_on_white(c) >= 3 for c in colours_in(svg))


def test_variation_icon_svg_uses_letters_colours_and_shapes():
    improvement = parse(variation_icon_svg("improvement_high", id_prefix="a"))
    concern = parse(variation_icon_svg("concern-low", id_prefix="b"))
    common = parse(variation_icon_svg("common-cause", id_prefix="c"))
    assert texts(improvement) == ["H"] and texts(concern) == ["L"] and texts(common) == []
    assert len(improvement.find("svg:polygon", NS).get("points").split()) == 3
    assert len(concern.find("svg:polygon", NS).get("points").split()) == 4
    assert improvement.find("svg:circle", NS).get("stroke") == charts.BLUE
    assert concern.find("svg:circle", NS).get("stroke") == charts.ORANGE
    assert common.find("svg:polyline", NS) is not None


@pytest.mark.parametrize(
    ("code", "letter", "colour"),
    [("pass", "P", charts.BLUE), ("fail", "F", charts.ORANGE), ("hit-and-miss", "?", charts.GREY)],
)
def test_assurance_icon_svg_shows_letter_and_words(code, letter, colour):
    svg = assurance_icon_svg(code, id_prefix="as")
    root = assert_accessible(svg, id_prefix="as", title=ASSURANCE_LABELS[code])
    assert texts(root) == [letter]
    assert root.find("svg:circle", NS).get("stroke") == colour


def test_assurance_icon_svg_without_target_says_so():
    root = parse(assurance_icon_svg(None, id_prefix="as"))
    assert root.find("svg:title", NS).text == "No target set"


def test_icons_reject_unknown_codes():
    with pytest.raises(ValueError):
        variation_icon_svg("sideways", id_prefix="x")
    with pytest.raises(ValueError):
        assurance_icon_svg("maybe", id_prefix="x")


def test_labels_match_the_making_data_count_words():
    assert VARIATION_LABELS["improvement-high"] == "Special cause improvement, high"
    assert VARIATION_LABELS["common-cause"] == "Common cause variation"
    assert ASSURANCE_LABELS["pass"] == "Consistently meets the target"
    assert ASSURANCE_LABELS["fail"] == "Consistently misses the target"
    assert ASSURANCE_LABELS["hit-and-miss"] == "Hit and miss"


def test_spc_chart_shows_the_baseline_and_a_marked_change():
    from reports.spc import analyse

    values = [2.0, 2.2] * 7 + [3.0, 3.1] * 7
    result = analyse(values, changes={14: "New model of care"})
    svg = spc_chart(result, title="Overall", id_prefix="spc", headline="Overall is stable")
    root = assert_accessible(svg, id_prefix="spc", title="Overall")
    shown = texts(root)
    assert "Change: New model of care" in shown
    assert "Baseline (14 points)" in shown
    desc = root.find("{http://www.w3.org/2000/svg}desc").text
    assert desc.startswith("Overall is stable.")
    assert "New model of care" in desc
    sizes = [int(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert min(sizes) >= 12


def test_spc_chart_below_five_points_draws_no_centre_line():
    from reports.spc import analyse

    shown = texts(parse(spc_chart(analyse([2.0, 2.5]), title="S", id_prefix="spc")))
    assert not [t for t in shown if t.startswith(("Median", "Mean"))]
