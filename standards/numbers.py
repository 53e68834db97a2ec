"""Every number a person reads is made text here, and only here (decision record 0013).

Scores, percentages, perception gaps, medians, measure values and rates, counts, chart labels
and axis ticks, the numbers inside sentences and the rounded values an export writes: one module,
so that a page, a PDF, a chart, a heatmap and an export never disagree (two copies of the
percentage once said 62% and 63% for the same mean). It sits in the lowest app so that every
app may import it; `tests/test_one_number_source.py` fails if any other module formats or rounds
a number for display.

Everything rounds half up (half away from zero for negative numbers) through Decimal, never
Python's round() or a format spec, which round binary floats (2.25 became 2.2) or half to even
(62.5 became 62).
"""

from decimal import ROUND_HALF_UP, Decimal

MAX_LEVEL = 4  # the rating scale runs from 0 (Not yet) to 4 (Embedded)
NONE_TEXT = "-"
# A true minus sign, which screen readers say as "minus" (a hyphen is often not read at all).
MINUS = "\u2212"

_ONE_DECIMAL = Decimal("0.1")
_WHOLE = Decimal(1)
# Means are ratios of small integers: a float such as 2.2499999999999996 is 2.25 in truth.
# Settling float noise at nine decimal places first makes the half-way cases round up.
_NOISE = Decimal("1e-9")

Number = float | Decimal | int


def _decimal(value: Number) -> Decimal:
    # str() gives the shortest repr (0.45 rather than 0.450000000000000011...).
    return Decimal(str(value)).quantize(_NOISE, rounding=ROUND_HALF_UP)


def rounded(value: Number | None, places: int) -> Decimal | None:
    """A number to `places` decimal places, half away from zero; never -0."""
    if value is None:
        return None
    exact = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return exact if exact else abs(exact)


def _grouped(value: Decimal) -> str:
    """Thousands separated by commas: "1,234.5"."""
    whole, _, fraction = str(abs(value)).partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = ",".join([whole, *groups]) + (f".{fraction}" if fraction else "")
    return f"{MINUS}{text}" if value < 0 else text


def number_text(value: Number | None, places: int = 0, none: str = NONE_TEXT) -> str:
    """A number to exactly `places` decimal places, thousands separated: "1,234", "2.50"."""
    value = rounded(value, places)
    return none if value is None else _grouped(value)


def plain_text(value: Number | None, most_places: int = 2, none: str = NONE_TEXT) -> str:
    """A number to at most `most_places` decimal places, without trailing zeros: "2.5", "3",
    "1,234.57". For numbers with no fixed precision, such as an axis tick."""
    value = rounded(value, most_places)
    if value is None:
        return none
    text = _grouped(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed_text(value: Number | None, most_places: int = 2, none: str = NONE_TEXT) -> str:
    """A number with its sign, for differences and the ticks of a scale around zero: "+2",
    "\u22121.5", "0"."""
    text = plain_text(value, most_places, none)
    return f"+{text}" if value is not None and rounded(value, most_places) > 0 else text


def count_text(count: Number | None, none: str = NONE_TEXT) -> str:
    """A count: "1,234"."""
    return number_text(count, 0, none)


# --- the self-assessment's scores -----------------------------------------------------------


def score_value(mean: Number | None) -> Decimal | None:
    """A mean level (0 to 4) to one decimal place, half up."""
    return rounded(mean, 1)


def score_text(mean: Number | None, none: str = NONE_TEXT) -> str:
    """ "2.3" for a mean of 2.25; `none` when there is no mean."""
    value = score_value(mean)
    return none if value is None else str(value)


def score_sentence(mean: Number | None, none: str = "not rated") -> str:
    """A mean level in a sentence, so that it cannot be read as a standard's code: "a mean of
    3.1 out of 4"."""
    if mean is None:
        return none
    return f"a mean of {score_text(mean)} out of {MAX_LEVEL}"


def percent_value(mean: Number | None) -> int | None:
    """A mean level as a whole percentage of the maximum level (4), half up: 2.5 is 63%."""
    if mean is None:
        return None
    return int(rounded(_decimal(mean) * 100 / MAX_LEVEL, 0))


def percent_text(mean: Number | None, none: str = NONE_TEXT) -> str:
    """ "63%" for a mean of 2.5; `none` when there is no mean."""
    value = percent_value(mean)
    return none if value is None else f"{value}%"


def gap_value(gap: Number | None) -> Decimal | None:
    """A perception gap (lived experience minus staff) to one decimal place, half away from 0;
    a gap that rounds to nothing is "0.0", never "-0.0"."""
    return rounded(gap, 1)


def gap_text(gap: Number | None, none: str = NONE_TEXT) -> str:
    """A gap with its sign: "+0.4", "\u22121.0" and "0.0" for no difference."""
    value = gap_value(gap)
    if value is None:
        return none
    if value > 0:
        return f"+{value}"
    return f"{MINUS}{-value}" if value < 0 else str(value)


def gap_sentence(gap: Number | None) -> str:
    """A perception gap for a table: "+0.4 (lived experience higher)", "No difference" when it
    rounds to nothing, "Not available" without one."""
    value = gap_value(gap)
    if value is None:
        return "Not available"
    if not value:
        return "No difference"
    return f"{gap_text(gap)} (lived experience {'higher' if value > 0 else 'lower'})"


def median_text(median: Number | None, none: str = NONE_TEXT) -> str:
    """A median of ratings (whole or half levels): "3", "2.5". Not a mean, so no ".0"."""
    return plain_text(median, 1, none)


def levels_text(size: Number) -> str:
    """A distance on the rating scale in words: "half a level", "1 level", "2.5 levels"."""
    size = abs(rounded(size, 1))
    if size == Decimal("0.5"):
        return "half a level"
    return f"{plain_text(size, 1)} level{'' if size == 1 else 's'}"


# --- the heatmap ----------------------------------------------------------------------------

HEAT_BANDS = 5
HEAT_BAND_WIDTH = Decimal(MAX_LEVEL) / HEAT_BANDS  # 0.8


def heat_band(mean: Number | None) -> int | None:
    """Which of five equal bands (0 lowest to 4 highest) a mean falls in, judged on the value
    as displayed, so that two cells showing the same number are always the same shade."""
    value = score_value(mean)
    if value is None:
        return None
    return max(0, min(HEAT_BANDS - 1, int(value / HEAT_BAND_WIDTH)))


def heat_band_range(band: int) -> tuple[str, str]:
    """The displayed values a band covers, for the key: ("0.0", "0.7") up to ("3.2", "4.0")."""
    low = HEAT_BAND_WIDTH * band
    high = Decimal(MAX_LEVEL) if band == HEAT_BANDS - 1 else low + HEAT_BAND_WIDTH - _ONE_DECIMAL
    return score_text(low), score_text(high)


# --- ward measures --------------------------------------------------------------------------

RATE_PLACES = 1  # events per 1,000 occupied bed days: "2.3"
SHARE_PLACES = 0  # a measure that is a percentage: "63%"


def rate_text(rate: Number | None, per: str = "1,000 bed days", none: str = NONE_TEXT) -> str:
    """A rate with its unit: "2.3 per 1,000 bed days"."""
    return none if rate is None else f"{number_text(rate, RATE_PLACES)} per {per}"


def share_text(percentage: Number | None, none: str = NONE_TEXT) -> str:
    """A measure that is a percentage already (0 to 100): "63%" for 62.5."""
    return none if percentage is None else f"{number_text(percentage, SHARE_PLACES)}%"


def export_value(value: Number | None, places: int) -> float | int | None:
    """A rounded number for an export's numeric cell (a number, not text): the same rounding as
    the pages, so a spreadsheet never shows a figure the pages do not."""
    value = rounded(value, places)
    if value is None:
        return None
    return int(value) if places == 0 else float(value)
