"""standards.numbers: every number a person reads, made text in one place."""

from decimal import Decimal

import pytest

from standards import numbers

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
    assert numbers.score_text(mean) == expected


def test_score_text_says_what_it_is_told_for_no_mean():
    assert numbers.score_text(None, none="Not rated") == "Not rated"


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
    assert numbers.percent_value(mean) == expected


@pytest.mark.parametrize(("mean", "expected"), [(None, "-"), (2.5, "63%"), (0.625, "16%")])
def test_percent_text_adds_the_percent_sign(mean, expected):
    assert numbers.percent_text(mean) == expected


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
    assert numbers.gap_text(gap) == expected


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
    assert numbers.heat_band(mean) == band


def test_heat_band_ranges_cover_the_scale_without_gaps():
    ranges = [numbers.heat_band_range(band) for band in range(numbers.HEAT_BANDS)]
    expected = [("0.0", "0.7"), ("0.8", "1.5"), ("1.6", "2.3"), ("2.4", "3.1"), ("3.2", "4.0")]
    assert ranges == expected
    for band, (low, high) in enumerate(ranges):
        assert numbers.heat_band(float(low)) == band == numbers.heat_band(float(high))


@pytest.mark.parametrize(
    ("median", "expected"),
    [(None, "-"), (3, "3"), (3.0, "3"), (2.5, "2.5"), (0, "0"), (Decimal("1.5"), "1.5")],
)
def test_median_text_shows_half_levels_and_no_trailing_zero(median, expected):
    assert numbers.median_text(median) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0.5, "half a level"),
        (-0.5, "half a level"),
        (1, "1 level"),
        (2, "2 levels"),
        (-2.5, "2.5 levels"),
    ],
)
def test_levels_text_says_a_distance_on_the_scale_in_words(size, expected):
    assert numbers.levels_text(size) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (None, "-"),
        (0, "0"),
        (999, "999"),
        (1234, "1,234"),
        (999_999, "999,999"),
        (1_234_567, "1,234,567"),
        (2.5, "3"),
    ],
)
def test_count_text_separates_thousands_and_rounds_half_up(count, expected):
    assert numbers.count_text(count) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (2.25, "2.3 per 1,000 bed days"),  # "{:.1f}" gives 2.2
        (0, "0.0 per 1,000 bed days"),
        (1234.56, "1,234.6 per 1,000 bed days"),
        (None, "-"),
    ],
)
def test_rate_text_has_one_decimal_place_and_its_unit(rate, expected):
    assert numbers.rate_text(rate) == expected


@pytest.mark.parametrize(("share", "expected"), [(62.5, "63%"), (0.4, "0%"), (100, "100%")])
def test_share_text_is_a_whole_percentage_rounded_half_up(share, expected):
    # "{:.0f}" rounds 62.5 half to even: 62%.
    assert numbers.share_text(share) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.675, "2.68"),
        (2.5, "2.5"),
        (3.0, "3"),
        (-0.001, "0"),
        (-1.5, f"{MINUS}1.5"),
        (12345.6, "12,345.6"),
    ],
)
def test_plain_text_drops_trailing_zeros_and_never_shows_minus_zero(value, expected):
    assert numbers.plain_text(value) == expected


@pytest.mark.parametrize(
    ("tick", "expected"), [(2, "+2"), (-2, f"{MINUS}2"), (0, "0"), (0.5, "+0.5")]
)
def test_signed_text_carries_a_sign_for_scales_around_zero(tick, expected):
    assert numbers.signed_text(tick) == expected


def test_score_sentence_cannot_be_read_as_a_standard_code():
    assert numbers.score_sentence(3.05) == "a mean of 3.1 out of 4"
    assert numbers.score_sentence(None) == "not rated"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(33.3333, 2, 33.33), (2.675, 2, 2.68), (62.5, 0, 63), (None, 2, None)],
)
def test_export_value_rounds_like_the_pages_and_stays_a_number(value, places, expected):
    assert numbers.export_value(value, places) == expected
