from decimal import Decimal

import pytest

from assessments import rules

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (None, "-"),
        (0, "0.0"),
        (4, "4.0"),
        (2.25, "2.3"),  # half up, where round() and "{:.1f}" give 2.2
        (2.35, "2.4"),
        (0.45, "0.5"),  # 0.45 is 0.4500000000000000111 as a float: still half up
        (2.2499999999999996, "2.3"),  # float noise around a half-way mean
        (2.24, "2.2"),
        (3.25, "3.3"),  # heatmap Cedar column 10: 3.2 on one page, 3.3 on another
        (Decimal("2.75"), "2.8"),  # PostgreSQL's Avg gives a Decimal
        (1 / 3, "0.3"),
    ],
)
def test_score_text_rounds_half_up_to_one_decimal(mean, expected):
    assert rules.score_text(mean) == expected


def test_score_text_says_what_it_is_told_for_no_mean():
    assert rules.score_text(None, none="Not rated") == "Not rated"


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (None, None),
        (0, 0),
        (4, 100),
        (2.5, 63),  # 62.5: half up, never half to even (62)
        (0.625, 16),  # 15.625
        (2.25, 56),  # 56.25
        (0.5, 13),  # 12.5
        (1.5, 38),  # 37.5
        (2.0, 50),
        (Decimal("3.5"), 88),  # 87.5
    ],
)
def test_percent_value_is_a_whole_percentage_of_the_maximum_rounded_half_up(mean, expected):
    assert rules.percent_value(mean) == expected


@pytest.mark.parametrize(("mean", "expected"), [(None, "-"), (2.5, "63%"), (0.625, "16%")])
def test_percent_text_adds_the_percent_sign(mean, expected):
    assert rules.percent_text(mean) == expected


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        (None, "-"),
        (0.4, "+0.4"),
        (-1, f"{MINUS}1.0"),
        (0, "0.0"),
        (-0.04, "0.0"),  # never "-0.0"
        (0.04, "0.0"),
        (0.25, "+0.3"),
        (-0.25, f"{MINUS}0.3"),  # half away from zero, the mirror of +0.3
        (2.3 - 2.05, "+0.3"),  # 0.2499999999999998 as a float, 0.25 in truth
    ],
)
def test_gap_text_carries_a_sign_and_rounds_half_away_from_zero(gap, expected):
    assert rules.gap_text(gap) == expected


@pytest.mark.parametrize(
    ("mean", "band"),
    [
        (None, None),
        (0, 0),
        (0.74, 0),
        (0.75, 1),  # shows as 0.8, so it takes 0.8's band
        (1.5, 1),
        (1.6, 2),
        (2.3, 2),
        (2.4, 3),
        (3.15, 4),  # shows as 3.2
        (3.14, 3),
        (4, 4),
    ],
)
def test_heat_band_follows_the_displayed_value(mean, band):
    assert rules.heat_band(mean) == band


def test_heat_band_ranges_cover_the_scale_without_gaps():
    ranges = [rules.heat_band_range(band) for band in range(rules.HEAT_BANDS)]
    expected = [("0.0", "0.7"), ("0.8", "1.5"), ("1.6", "2.3"), ("2.4", "3.1"), ("3.2", "4.0")]
    assert ranges == expected
    for band, (low, high) in enumerate(ranges):
        assert rules.heat_band(float(low)) == band == rules.heat_band(float(high))
