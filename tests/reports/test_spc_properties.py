"""Property-based tests of the SPC engine and its words (issue 19), over thousands of series.

Two promises: a point beyond its segment's process limits is always special cause, whatever
comes before or after it; and the variation icon, the headline and the summary sentence under a
chart come from one classification, so they never disagree.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.headlines import headline
from reports.spc import RULE_BEYOND_LIMIT, SpcSettings, analyse

# Values on a coarse grid, so that ties, points on the centre line, runs and shifts all happen
# often; with an occasional outlier far from the rest.
VALUE = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda n: n / 10),
    st.sampled_from([-50.0, 0.0, 4.0, 90.0]),
)
SERIES = st.lists(VALUE, min_size=0, max_size=40)
SETTINGS = st.builds(
    SpcSettings,
    shift_length=st.integers(min_value=3, max_value=9),
    trend_length=st.integers(min_value=3, max_value=9),
    min_points_for_limits=st.integers(min_value=5, max_value=14),
    baseline_points=st.integers(min_value=5, max_value=24),
    min_points_for_rules=st.integers(min_value=2, max_value=6),
    run_shift_length=st.integers(min_value=3, max_value=8),
    run_trend_length=st.integers(min_value=3, max_value=8),
)
CHANGES = st.dictionaries(
    st.integers(min_value=1, max_value=45), st.just("Change"), min_size=0, max_size=2
)
DIRECTION = st.sampled_from(["up", "down"])
TARGET = st.one_of(st.none(), VALUE)
EXAMPLES = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def beyond(value: float, upper: float, lower: float) -> int:
    """+1 above the upper limit, -1 below the lower one, 0 inside (a limit itself is inside)."""
    tolerance = dict(rel_tol=1e-9, abs_tol=1e-12)
    if value > upper and not math.isclose(value, upper, **tolerance):
        return 1
    if value < lower and not math.isclose(value, lower, **tolerance):
        return -1
    return 0


@EXAMPLES
@given(values=SERIES, spc=SETTINGS, changes=CHANGES, improvement=DIRECTION)
def test_a_point_beyond_the_process_limits_is_always_special_cause(
    values, spc, changes, improvement
):
    result = analyse(values, improvement=improvement, settings=spc, changes=changes)
    for segment in result.segments:
        if not segment.has_limits:
            continue
        for point in result.points[segment.start : segment.end]:
            side = beyond(point.value, segment.upper_limit, segment.lower_limit)
            if side == 0:
                assert RULE_BEYOND_LIMIT not in point.rules
                continue
            assert RULE_BEYOND_LIMIT in point.rules
            assert point.is_special_cause
            better = (side > 0) == (improvement == "up")
            assert point.variation == ("improvement" if better else "concern")


# What each reading must look like in the icon, the headline's tone and the summary sentence.
TONE = {"none": "none", "common-cause": "neutral", "improvement": "improvement"}
TONE["concern"] = "concern"


@EXAMPLES
@given(values=SERIES, spc=SETTINGS, changes=CHANGES, improvement=DIRECTION, target=TARGET)
def test_icon_headline_and_sentence_say_the_same_thing(values, spc, changes, improvement, target):
    result = analyse(values, improvement=improvement, target=target, settings=spc, changes=changes)
    reading = result.classification
    words = headline(result, "Overall score")
    sentence = result.summary("Overall score")
    latest = result.latest

    # The icon is the classification's, and so is the headline's tone.
    assert result.variation_icon == reading.icon
    assert words.tone == TONE[reading.kind]
    # The classification is the latest point's own variation whenever a claim is made.
    if reading.kind == "none":
        assert result.variation_icon is None
        assert "no sign of real change" not in words.text
        assert "special cause" not in sentence
        assert "common cause" not in sentence
    elif reading.kind == "common-cause":
        assert latest is not None and not latest.is_special_cause
        assert result.variation_icon == "common-cause"
        assert "no sign of real change" in words.text.lower()
        assert "common cause variation" in sentence
        assert "special cause" not in sentence
        assert "special cause" not in words.detail.lower()
        # "Stable" is never followed by "moved to a new level".
        assert "new level" not in words.detail
    else:
        assert latest is not None and latest.variation == reading.kind
        side = "high" if reading.high else "low"
        assert result.variation_icon == f"{reading.kind}-{side}"
        assert f"special cause {reading.kind}" in sentence
        assert words.detail.startswith(f"Special cause {reading.kind}")
        assert "no sign of real change" not in words.text.lower()
        assert "common cause" not in sentence
        # The side in the words is the icon's side.
        above = "above" if reading.high else "below"
        if reading.rule == "beyond-limit":
            assert ("rose above" if reading.high else "fell below") in words.text
            assert above in sentence
        elif reading.rule == "shift":
            assert ("higher" if reading.high else "lower") in words.text
            assert above in sentence
        elif reading.rule == "trend":
            assert ("improved" if reading.kind == "improvement" else "got worse") in words.text
            assert ("risen" if reading.high else "fallen") in sentence
        else:
            assert ("unusually high" if reading.high else "unusually low") in words.text
            assert above in sentence
    # The prompt to recalculate comes only with a new level the latest point is part of.
    assert ("consider recalculating limits" in words.detail) == reading.new_level
    if reading.new_level:
        assert reading.rule == "shift" and "shift" in latest.rules
