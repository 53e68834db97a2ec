"""Template filters for numbers, through the one set of rules in assessments.rules."""

from django import template

from .. import rules

register = template.Library()


@register.filter
def score(value, none: str = "Not rated") -> str:
    """A mean level to one decimal place, half up: 2.25 is "2.3"."""
    return rules.score_text(value, none=none)


@register.filter
def percent(value, none: str = "Not rated") -> str:
    """A mean level as a whole percentage of the maximum, half up: 2.5 is "63%"."""
    return rules.percent_text(value, none=none)


@register.filter
def signed(value, none: str = "Not available") -> str:
    """A perception gap with its sign: "+0.4", "-1.0", "0.0"."""
    return rules.gap_text(value, none=none)
