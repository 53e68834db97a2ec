"""Numbers as people read them, through the one set of rules in assessments.rules."""

from django import template

from assessments.templatetags import numbers

from .. import heat

register = template.Library()


# The same filters as assessments' "numbers" library, so report templates need load only this.
register.filter("score", numbers.score)
register.filter("percent", numbers.percent)
register.filter("signed", numbers.signed)


@register.filter
def heat_class(value) -> str:
    """The heatmap class for a mean, or for a Measure (which may be a group too small to show)."""
    if hasattr(value, "mean"):
        return heat.heat_class(value.mean, getattr(value, "small_group", False))
    return heat.heat_class(value)


@register.simple_tag
def heat_palette() -> list[heat.HeatBand]:
    """The heatmap's bands, lowest first, for its key."""
    return heat.PALETTE
