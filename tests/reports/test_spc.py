import math

import pytest

from reports.spc import SpcResult, SpcSettings, analyse

# 30 points alternating 10, 12: mean 11, every moving range 2. Tests append a few points and
# work the mean and average moving range out by hand: the base sums to 330 and its 29 moving
# ranges to 58.
BASE = [10.0, 12.0] * 15
BASE_SUM = 330
BASE_MR_SUM = 58

# A run chart whatever the length, so that the trend rule can be seen on its own.
NO_LIMITS = SpcSettings(min_points_for_limits=100, run_shift_length=7, run_trend_length=7)
# The whole series as the baseline, so that limits can be worked out over every point.
WHOLE = SpcSettings(baseline_points=100)
# Limits from 13 points, as before baselines, for tests written around a 12-point run chart.
FROM_13 = SpcSettings(min_points_for_limits=13)


def flagged(result: SpcResult, rule: str) -> list[int]:
    return [p.index for p in result.points if rule in p.rules]


def any_flagged(result: SpcResult) -> list[int]:
    return [p.index for p in result.points if p.rules]


# --- limits -------------------------------------------------------------------------------


def test_limits_computed_for_a_known_series():
    values = [10, 12, 11, 13, 12, 10, 11, 12, 13, 11, 10, 12, 11]
    # Sum 148 over 13 points. Moving ranges 2,1,2,1,2,1,1,1,2,1,2,1: sum 17 over 12.
    mean = 148 / 13
    mean_mr = 17 / 12
    result = analyse(values)
    assert result.has_limits
    assert result.mean == pytest.approx(mean)
    assert result.centre == pytest.approx(mean)
    assert result.median == 11
    assert result.mean_moving_range == pytest.approx(mean_mr)
    assert result.upper_limit == pytest.approx(mean + 2.66 * mean_mr)
    assert result.lower_limit == pytest.approx(mean - 2.66 * mean_mr)
    assert result.upper_two_sigma == pytest.approx(mean + 1.773 * mean_mr)
    assert result.lower_two_sigma == pytest.approx(mean - 1.773 * mean_mr)
    # 11.3846 ± 2.66 × 1.4167 = 11.3846 ± 3.7683
    assert result.upper_limit == pytest.approx(15.1529, abs=1e-4)
    assert result.lower_limit == pytest.approx(7.6163, abs=1e-4)


def test_limits_need_twelve_points_by_default():
    assert not analyse([10, 12] * 5 + [11]).has_limits  # 11 points
    assert analyse([10, 12] * 6).has_limits  # 12 points


def test_limits_threshold_follows_the_setting():
    settings = SpcSettings(min_points_for_limits=5)
    assert analyse([1, 2, 1, 2, 1], settings=settings).has_limits
    assert not analyse([1, 2, 1, 2], settings=settings).has_limits


# --- run chart ----------------------------------------------------------------------------


def test_run_chart_below_thirteen_points_uses_the_median_and_has_no_limits():
    values = [1, 2, 3, 10, 12, 10, 12, 10, 12, 30, 40, 50]
    result = analyse(values, target=5, settings=FROM_13)
    assert not result.has_limits
    assert result.median == 11
    assert result.centre == 11
    assert result.mean == pytest.approx(192 / 12)
    assert result.upper_limit is None
    assert result.lower_limit is None
    assert result.upper_two_sigma is None
    assert result.lower_two_sigma is None
    assert result.assurance_icon is None
    assert "not yet available" in result.rules_text


def test_run_chart_judges_a_shift_around_the_median_not_the_mean():
    settings = SpcSettings(run_shift_length=4)
    values = [1, 3, 1, 3, 10, 12, 11, 12, 11]
    # Median 10 (sorted: 1,1,3,3,10,11,11,12,12); mean 64/9 = 7.1. Around the median the point
    # at index 4 is on the centre line and breaks the run; around the mean it would be above.
    result = analyse(values, settings=settings)
    assert result.centre == 10
    assert flagged(result, "shift") == [0, 1, 2, 3, 5, 6, 7, 8]
    assert [p.variation for p in result.points[:4]] == ["concern"] * 4
    assert [p.variation for p in result.points[5:]] == ["improvement"] * 4


def test_run_chart_applies_neither_the_limit_nor_the_two_sigma_rule():
    result = analyse([10, 10, 10, 10, 10, 10, 10, 10, 500, 500])
    assert flagged(result, "beyond-limit") == []
    assert flagged(result, "two-of-three") == []


# --- shift --------------------------------------------------------------------------------


def test_shift_seven_points_above_the_mean_are_flagged():
    values = [11, 12, 11, 12, 11, 12, 10.5, 8, 9, 8, 9, 8, 9]
    # Mean 130.5/13 = 10.04: the first seven points (down to 10.5) are above it. Moving ranges
    # sum to 14, so mean(MR) = 14/12 and the two-sigma lines are 7.97 and 12.11: no other rule.
    result = analyse(values)
    assert result.mean == pytest.approx(130.5 / 13)
    assert flagged(result, "shift") == [0, 1, 2, 3, 4, 5, 6]
    assert any_flagged(result) == [0, 1, 2, 3, 4, 5, 6]
    assert {result.points[i].variation for i in range(7)} == {"improvement"}
    assert result.variation_icon == "common-cause"


def test_shift_is_broken_by_a_point_exactly_on_the_mean():
    values = [11, 12, 11, 12, 11, 12, 10, 8, 9, 8, 9, 8, 9]
    # Sum 130 over 13 points: the mean is exactly 10, so index 6 sits on it. Six above, six below.
    result = analyse(values)
    assert result.mean == 10
    assert any_flagged(result) == []


def test_shift_six_points_below_the_mean_are_flagged_when_shift_length_is_six():
    values = [11, 12, 11, 12, 11, 12, 10.5, 8, 9, 8, 9, 8, 9]
    result = analyse(values, settings=SpcSettings(shift_length=6))
    # The run below is still going at the latest point: a sustained shift, so the earlier run
    # above the mean is the old level, not flagged, and the result asks for new limits.
    assert flagged(result, "shift") == list(range(7, 13))
    assert result.recalculate_prompt
    assert result.variation_icon == "concern-low"


def test_shift_length_setting_of_eight_ignores_a_run_of_seven():
    values = [11, 12, 11, 12, 11, 12, 10.5, 8, 9, 8, 9, 8, 9]
    result = analyse(values, settings=SpcSettings(shift_length=8))
    assert flagged(result, "shift") == []


def test_shift_ignores_equal_values_with_floating_point_noise():
    result = analyse([0.1] * 15)
    assert result.has_limits
    assert any_flagged(result) == []


# --- trend --------------------------------------------------------------------------------


def test_trend_six_rising_points_are_not_a_trend():
    result = analyse([1, 2, 3, 4, 5, 6], settings=NO_LIMITS)
    assert flagged(result, "trend") == []
    assert result.variation_icon == "common-cause"


def test_trend_seven_rising_points_are_a_trend_and_all_are_flagged():
    result = analyse([1, 2, 3, 4, 5, 6, 7])
    assert flagged(result, "trend") == [0, 1, 2, 3, 4, 5, 6]
    assert {p.variation for p in result.points} == {"improvement"}
    assert result.variation_icon == "improvement-high"


def test_trend_is_broken_by_a_tie():
    # 1..6 is six rising points; 6, 6 is a tie, so the run does not reach seven.
    result = analyse([1, 2, 3, 4, 5, 6, 6, 7], settings=NO_LIMITS)
    assert flagged(result, "trend") == []


def test_trend_length_setting_changes_the_run_needed():
    five = analyse([1, 2, 3, 4, 5], settings=SpcSettings(run_trend_length=5))
    assert flagged(five, "trend") == [0, 1, 2, 3, 4]
    seven = analyse([1, 2, 3, 4, 5, 6, 7], settings=SpcSettings(run_trend_length=8))
    assert flagged(seven, "trend") == []


def test_trend_falling_is_concern_when_higher_is_better():
    result = analyse([7, 6, 5, 4, 3, 2, 1])
    assert flagged(result, "trend") == list(range(7))
    assert {p.variation for p in result.points} == {"concern"}
    assert result.variation_icon == "concern-low"


def test_trend_falling_is_improvement_when_lower_is_better():
    result = analyse([7, 6, 5, 4, 3, 2, 1], improvement="down")
    assert {p.variation for p in result.points} == {"improvement"}
    assert result.variation_icon == "improvement-low"


def test_trend_rising_is_concern_when_lower_is_better():
    result = analyse([1, 2, 3, 4, 5, 6, 7], improvement="down")
    assert result.variation_icon == "concern-high"


def test_trend_peak_takes_the_direction_of_the_trend_it_ends():
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    result = analyse(values, settings=NO_LIMITS)
    assert flagged(result, "trend") == list(range(13))
    assert [p.variation for p in result.points[:7]] == ["improvement"] * 7
    assert [p.variation for p in result.points[7:]] == ["concern"] * 6


def test_trend_within_a_shift_takes_the_side_of_the_centre_line():
    settings = SpcSettings(run_shift_length=4, run_trend_length=4)
    # Median 20; 1, 2, 3, 4 are both a rising trend and a run below the median.
    result = analyse([20, 20, 20, 20, 20, 1, 2, 3, 4], settings=settings)
    assert result.points[-1].rules == ["shift", "trend"]
    assert result.points[-1].variation == "concern"
    assert result.variation_icon == "concern-low"


def test_trend_applies_with_limits():
    values = [10, 12] * 4 + [5, 6, 7, 8, 9, 10, 11]
    result = analyse(values)
    assert result.has_limits
    assert flagged(result, "trend") == list(range(8, 15))
    assert result.variation_icon == "improvement-high"


# --- beyond a limit -----------------------------------------------------------------------


def test_beyond_limit_flags_a_point_above_the_upper_limit():
    result = analyse([*BASE, 25], settings=WHOLE)
    # Mean 355/31 = 11.45; mean(MR) = (58 + 13)/30 = 2.37; upper limit 17.75.
    assert result.upper_limit == pytest.approx(355 / 31 + 2.66 * 71 / 30)
    assert any_flagged(result) == [30]
    assert result.points[30].rules == ["beyond-limit"]
    assert result.variation_icon == "improvement-high"


def test_beyond_limit_below_the_lower_limit_is_improvement_when_lower_is_better():
    result = analyse([*BASE, 0], improvement="down", settings=WHOLE)
    # Mean 330/31 = 10.65; mean(MR) = 70/30 = 2.33; lower limit 4.44.
    assert result.lower_limit == pytest.approx(330 / 31 - 2.66 * 70 / 30)
    assert result.points[30].rules == ["beyond-limit"]
    assert result.points[30].variation == "improvement"
    assert result.variation_icon == "improvement-low"


def test_beyond_limit_above_is_concern_when_lower_is_better():
    result = analyse([*BASE, 25], improvement="down")
    assert result.points[30].variation == "concern"
    assert result.variation_icon == "concern-high"


# --- two of three beyond two sigma --------------------------------------------------------


def test_two_of_three_on_the_same_side_flags_those_two_points():
    result = analyse([*BASE, 16, 11, 16], settings=WHOLE)
    # Mean (330 + 43)/33 = 11.30; mean(MR) = (58 + 4 + 5 + 5)/32 = 2.25.
    # Two sigma above: 11.30 + 1.773 × 2.25 = 15.29 (16 is beyond it);
    # upper limit: 11.30 + 2.66 × 2.25 = 17.29 (16 is within it).
    mean = 373 / 33
    assert result.upper_two_sigma == pytest.approx(mean + 1.773 * 2.25)
    assert result.upper_limit == pytest.approx(mean + 2.66 * 2.25)
    assert flagged(result, "two-of-three") == [30, 32]
    assert any_flagged(result) == [30, 32]
    assert result.points[30].variation == "improvement"
    assert result.variation_icon == "improvement-high"


def test_two_of_three_on_opposite_sides_does_not_count():
    result = analyse([*BASE, 16, 11, 6], settings=WHOLE)
    # Mean (330 + 33)/33 = 11 exactly; mean(MR) = 72/32 = 2.25, so the two-sigma lines are
    # 7.01 and 14.99 and the limits 5.02 and 16.99: 16 and 6 are each beyond two sigma only.
    assert result.mean == 11
    assert result.upper_two_sigma == pytest.approx(11 + 1.773 * 2.25)
    assert result.lower_two_sigma == pytest.approx(11 - 1.773 * 2.25)
    assert any_flagged(result) == []


def test_two_of_three_counts_a_point_beyond_the_limit():
    result = analyse([*BASE, 19, 11, 16], settings=WHOLE)
    # Mean (330 + 46)/33 = 11.39; mean(MR) = (58 + 7 + 8 + 5)/32 = 2.4375.
    # Upper limit 17.88 (19 is beyond it); two sigma 15.72 (16 is beyond it).
    mean = 376 / 33
    assert result.upper_limit == pytest.approx(mean + 2.66 * 2.4375)
    assert result.points[30].rules == ["beyond-limit", "two-of-three"]
    assert result.points[31].rules == []
    assert result.points[32].rules == ["two-of-three"]


def test_two_of_three_same_side_high_is_concern_when_lower_is_better():
    result = analyse([*BASE, 16, 11, 16], improvement="down")
    assert result.points[32].variation == "concern"
    assert result.variation_icon == "concern-high"


# --- assurance ----------------------------------------------------------------------------


# 16 points alternating 10, 12: mean 11, mean(MR) 2, limits 11 ± 5.32 = 5.68 and 16.32.
STEADY = [10, 12] * 8


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("up", 5, "pass"),
        ("up", 17, "fail"),
        ("up", 11, "hit-and-miss"),
        ("down", 17, "pass"),
        ("down", 5, "fail"),
        ("down", 11, "hit-and-miss"),
    ],
)
def test_assurance_compares_the_target_with_the_limits(improvement, target, expected):
    result = analyse(STEADY, improvement=improvement, target=target)
    assert result.lower_limit == pytest.approx(5.68)
    assert result.upper_limit == pytest.approx(16.32)
    assert result.assurance_icon == expected


def test_assurance_is_none_without_a_target():
    assert analyse(STEADY).assurance_icon is None


def test_assurance_is_none_without_limits():
    assert analyse([10, 12] * 5, target=5).assurance_icon is None


# --- edge cases ---------------------------------------------------------------------------


def test_analyse_empty_series_has_no_points_and_says_there_is_no_data():
    result = analyse([])
    assert result.points == []
    assert result.variation_icon is None
    assert result.assurance_icon is None
    assert not result.has_limits
    assert result.mean_moving_range is None
    assert "no data yet" in result.summary("Overall score")


def test_analyse_single_point():
    result = analyse([3.5], ["Round 1"], target=3)
    assert len(result.points) == 1
    assert result.points[0].label == "Round 1"
    assert result.points[0].rules == []
    assert result.centre == 3.5
    assert result.mean_moving_range is None
    assert result.variation_icon is None
    assert "3.5" in result.summary("Overall score")


def test_analyse_all_equal_values_have_zero_moving_range_and_no_special_cause():
    result = analyse([4] * 20, target=3)
    assert result.mean_moving_range == 0
    assert result.upper_limit == result.lower_limit == 4
    assert any_flagged(result) == []
    assert result.variation_icon == "common-cause"
    assert result.assurance_icon == "pass"


def test_analyse_default_labels_number_the_points():
    result = analyse([1, 2, 3])
    assert result.labels == ["1", "2", "3"]
    assert [p.label for p in result.points] == ["1", "2", "3"]
    assert [p.index for p in result.points] == [0, 1, 2]


def test_analyse_rejects_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="labels"):
        analyse([1, 2, 3], ["a", "b"])


def test_analyse_rejects_non_finite_values():
    with pytest.raises(ValueError, match="finite"):
        analyse([1, math.nan, 3])


def test_analyse_rejects_an_unknown_improvement_direction():
    with pytest.raises(ValueError, match="improvement"):
        analyse([1, 2, 3], improvement="sideways")  # type: ignore[arg-type]


def test_settings_reject_lengths_below_two():
    with pytest.raises(ValueError, match="trend_length"):
        SpcSettings(trend_length=1)


def test_analyse_common_cause_points_have_no_variation():
    result = analyse(STEADY)
    assert all(p.rules == [] and p.variation is None for p in result.points)
    assert result.variation_icon == "common-cause"


# --- summary ------------------------------------------------------------------------------


def test_summary_trend_names_the_measure_the_run_and_the_conclusion():
    summary = analyse([1, 2, 3, 4, 5, 6, 7.25]).summary("Avoiding harm")
    assert summary.startswith("Avoiding harm has risen for 7 rounds in a row")
    assert "7.25" in summary
    assert "special cause improvement" in summary


def test_summary_common_cause_says_no_significant_change():
    summary = analyse(STEADY).summary("Lived experience")
    assert summary.startswith(
        "Lived experience shows common cause variation: no significant change"
    )
    assert "12" in summary


def test_summary_beyond_the_upper_limit():
    summary = analyse([*BASE, 25], settings=WHOLE).summary("Overall score")
    assert summary == (
        "Overall score's latest point (25) is above the upper process limit: "
        "special cause improvement."
    )


def test_summary_shift_below_the_median_on_a_run_chart():
    settings = SpcSettings(run_shift_length=4, run_trend_length=4)
    summary = analyse([20, 20, 20, 20, 20, 1, 2, 3, 4], settings=settings).summary("Safety")
    assert summary.startswith("Safety has been below the median for 4 rounds in a row")
    assert "special cause concern" in summary
    assert "not yet available" in summary


def test_summary_two_of_three():
    summary = analyse([*BASE, 16, 11, 16], improvement="down").summary("Restraint")
    assert "Restraint's latest point (16)" in summary
    assert "2 of the last 3 points" in summary
    assert summary.endswith("special cause concern.")


def test_summary_is_one_sentence():
    for values in ([], [3], STEADY, [*BASE, 25], [1, 2, 3, 4, 5, 6, 7]):
        summary = analyse(values).summary("Overall score")
        assert summary.endswith(".")
        assert ". " not in summary


# --- rules text ---------------------------------------------------------------------------


def test_rules_text_states_the_default_rules():
    text = analyse(STEADY).rules_text
    assert "mean ± 2.66 × average moving range" in text
    assert "a point beyond a limit" in text
    assert "7 points in a row on one side of the mean" in text
    assert "7 points in a row each rising or each falling" in text
    assert "2 of 3 points beyond 2 sigma" in text


def test_rules_text_mentions_the_configured_lengths():
    settings = SpcSettings(shift_length=8, trend_length=6)
    text = analyse(STEADY, settings=settings).rules_text
    assert "8 points in a row on one side of the mean" in text
    assert "6 points in a row each rising or each falling" in text


def test_rules_text_for_a_run_chart_says_limits_are_not_yet_available():
    text = analyse(
        [10, 12] * 6, settings=SpcSettings(run_shift_length=5, min_points_for_limits=13)
    ).rules_text
    assert "not yet available" in text
    assert "fewer than 13 points" in text
    assert "5 points in a row on one side of the median" in text
    assert "5 points in a row each rising or each falling" in text
    assert "2 sigma" not in text
    assert "beyond a limit" not in text


# --- baselines (Making Data Count) ----------------------------------------------------------


def test_baseline_limits_come_from_the_first_twenty_points_and_are_extended():
    values = [10.0, 12.0] * 10 + [30.0, 31.0, 30.0]
    result = analyse(values)
    segment = result.segments[0]
    assert segment.baseline_end == 20
    # Mean 11 and average moving range 2 from the baseline only: the later points move nothing.
    assert result.mean == 11
    assert result.mean_moving_range == 2
    assert result.upper_limit == pytest.approx(11 + 2.66 * 2)
    assert flagged(result, "beyond-limit") == [20, 21, 22]


def test_baseline_uses_every_point_between_the_minimum_and_the_baseline_length():
    result = analyse([10.0, 12.0] * 7 + [10.0])  # 15 points
    assert result.has_limits
    assert result.segments[0].baseline_end == 15


def test_baseline_length_follows_the_setting():
    values = [10.0, 12.0] * 6 + [20.0, 20.0]
    result = analyse(values, settings=SpcSettings(baseline_points=12))
    assert result.segments[0].baseline_end == 12
    assert result.mean == 11


def test_change_in_the_process_starts_a_segment_with_its_own_baseline():
    values = [10.0, 12.0] * 7 + [20.0, 22.0] * 7
    result = analyse(values, changes={14: "New model of care"})
    first, second = result.segments
    assert (first.start, first.end, first.mean) == (0, 14, 11)
    assert (second.start, second.end, second.mean) == (14, 28, 21)
    assert second.note == "New model of care"
    assert result.centre == 21
    # Judged against its own segment, the new level is not special cause.
    assert any_flagged(result) == []
    assert result.variation_icon == "common-cause"


def test_change_with_few_points_after_it_shows_them_without_limits_or_claims():
    values = [10.0, 12.0] * 7 + [20.0, 22.0]
    result = analyse(values, changes={14: "New model of care"})
    assert result.segments[-1].kind == "values"
    assert not result.has_limits
    assert result.upper_limit is None
    assert result.variation_icon is None
    assert not result.rules_apply
    assert result.points_in_latest_segment == 2
    assert [i for i in any_flagged(result) if i >= 14] == []


def test_change_after_the_latest_point_starts_an_empty_segment():
    result = analyse([10.0, 12.0] * 7, changes={99: "New model of care"})
    assert result.segments[-1].size == 0
    assert result.variation_icon is None


def test_run_chart_rules_apply_after_a_change_from_five_points():
    values = [10.0, 12.0] * 7 + [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0]
    result = analyse(values, changes={14: "New ward"})
    assert result.segments[-1].kind == "run"
    assert flagged(result, "trend") == list(range(14, 21))


# --- no claim without data ------------------------------------------------------------------


def test_fewer_than_five_points_get_no_rules_and_no_icons():
    result = analyse([1.0, 2.0, 3.0, 4.0], target=2)
    assert not result.rules_apply
    assert result.variation_icon is None
    assert result.assurance_icon is None
    assert any_flagged(result) == []
    assert "too few points" in result.summary("Overall score")
    assert "no significant change" not in result.summary("Overall score")


def test_two_points_make_no_claim_of_no_significant_change():
    result = analyse([2.0, 2.1])
    assert result.variation_icon is None
    assert "no significant change" not in result.summary("Overall score")


def test_five_points_are_a_run_chart_with_rules():
    result = analyse([1.0, 2.0, 3.0, 4.0, 5.0], settings=SpcSettings(trend_length=5))
    assert result.rules_apply
    assert not result.has_limits
    assert flagged(result, "trend") == [0, 1, 2, 3, 4]


# --- sustained shift ------------------------------------------------------------------------


def rising(count: int) -> list[float]:
    # Steadily rising with a wobble: no 7-point trend, but a clear change of level.
    return [1.0 + 0.1 * i + (0.15 if i % 2 else 0.0) for i in range(count)]


def test_sustained_shift_prompts_recalculating_limits_and_spares_the_old_level():
    result = analyse(rising(16))
    assert result.recalculate_prompt
    # The early points below the mean are the old level, not a run of concern: only those
    # beyond the lower process limit (1.0, 1.25, 1.2 and 1.4 below about 1.41) stay special
    # cause. (Issue 19: this test expected no concern at all, which hid points beyond a limit.)
    concern = [p for p in result.points if p.variation == "concern"]
    assert [p.index for p in concern] == [0, 1, 2, 4]
    assert all(p.rules == ["beyond-limit"] for p in concern)
    assert all(p.value < result.lower_limit for p in concern)
    assert result.variation_icon == "improvement-high"


def test_shift_that_has_ended_does_not_prompt_recalculation():
    values = [10.0, 12.0] * 3 + [14.0] * 7 + [10.0, 12.0, 11.0]
    result = analyse(values)
    assert flagged(result, "shift")
    assert not result.recalculate_prompt


def test_run_chart_uses_the_making_data_count_run_chart_lengths():
    # Six points above the median in a row, on a 14-point run chart: a shift.
    values = [1.0, 1.2, 1.1, 1.3, 1.0, 1.2, 1.1, 1.3, 3.0, 3.1, 3.2, 3.0, 3.1, 3.3]
    result = analyse(values, settings=SpcSettings(min_points_for_limits=20))
    assert not result.has_limits
    assert flagged(result, "shift") == [8, 9, 10, 11, 12, 13]
    # Five rising points: a trend on a run chart.
    assert flagged(analyse([1, 2, 3, 4, 5, 4, 3]), "trend") == [0, 1, 2, 3, 4]


# --- a point beyond the limits is always special cause (issue 19) -------------------------


def test_beyond_limit_before_a_sustained_shift_stays_special_cause():
    # A fall far below the limits, then a run above the mean still going at the latest point:
    # the run is a new level, but the fall is still beyond the lower limit.
    values = [*BASE[:12], 0.0, 11.0, *([12.5] * 8)]
    result = analyse(values, settings=SpcSettings(baseline_points=12))
    assert result.recalculate_prompt
    fall = result.points[12]
    assert fall.value < result.lower_limit
    assert fall.rules == ["beyond-limit"]
    assert fall.variation == "concern"


def test_beyond_limit_after_a_shift_and_before_a_new_level_stays_special_cause():
    # A run above the mean, a leap beyond the upper limit, then a run below still going: the
    # run above is the old level and loses its shift flags; the leap keeps its own.
    values = [*BASE[:12], *([12.5] * 7), 25.0, *([10.5] * 7)]
    result = analyse(values, settings=SpcSettings(baseline_points=12))
    assert result.recalculate_prompt
    assert flagged(result, "shift") == list(range(20, 27))
    leap = result.points[19]
    assert leap.value > result.upper_limit
    assert leap.rules == ["beyond-limit"]
    assert leap.variation == "improvement"
    assert result.variation_icon == "concern-low"


def test_shift_runs_on_both_sides_then_common_cause_is_stable_without_a_new_level():
    # Seven below, seven above, then back near the mean: the latest point is common cause, so
    # nothing says the process has moved (issue 19: the headline said "stable" above "the
    # process has probably moved to a new level").
    values = [*BASE[:12], *([10.5] * 7), *([11.5] * 7), 11.0]
    result = analyse(values, settings=SpcSettings(baseline_points=12))
    assert result.variation_icon == "common-cause"
    assert not result.recalculate_prompt
    assert flagged(result, "shift") == list(range(12, 26))
