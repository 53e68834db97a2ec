"""Numbers in templates, through standards.numbers: the one place a number becomes text.

Load with {% load numbers %} (reports' templates have the same filters in report_format).
"""

from django import template

from .. import numbers

register = template.Library()


@register.filter
def score(value, none: str = "Not rated") -> str:
    """A mean level to one decimal place, half up: 2.25 is "2.3"."""
    return numbers.score_text(value, none=none)


@register.filter
def percent(value, none: str = "Not rated") -> str:
    """A mean level as a whole percentage of the maximum, half up: 2.5 is "63%"."""
    return numbers.percent_text(value, none=none)


@register.filter
def signed(value, none: str = "Not available") -> str:
    """A perception gap with its sign: "+0.4", "\u22121.0", "0.0"."""
    return numbers.gap_text(value, none=none)


@register.filter
def median(value, none: str = "No rating") -> str:
    """A median of ratings, whole or half levels: "3", "2.5"."""
    return numbers.median_text(value, none=none)


@register.filter
def difference_size(value, none: str = "-") -> str:
    """How far apart two medians are, without the sign (the words say which way): "2"."""
    return none if value is None else numbers.median_text(abs(value))


@register.filter
def count(value, none: str = "-") -> str:
    """A count with thousands separated: "1,234"."""
    return numbers.count_text(value, none=none)
