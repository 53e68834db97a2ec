"""Numbers as people read them, through standards.numbers, and the heatmap."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from standards.templatetags import numbers

from .. import heat

register = template.Library()


# The same filters as assessments' "numbers" library, so report templates need load only this.
register.filter("score", numbers.score)
register.filter("percent", numbers.percent)
register.filter("signed", numbers.signed)
register.filter("median", numbers.median)
register.filter("difference_size", numbers.difference_size)
register.filter("count", numbers.count)


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


NOT_RATED = mark_safe(  # noqa: S308 - fixed markup
    '<span aria-hidden="true">&ndash;</span><span class="nhsuk-u-visually-hidden">Not rated</span>'
)
SMALL_GROUP_MARK = mark_safe(  # noqa: S308 - fixed markup
    '<span class="app-heat__mark" aria-hidden="true">*</span>'
    '<span class="nhsuk-u-visually-hidden"> (a group too small to show on its own)</span>'
)


@register.simple_tag
def heat_cell(cell, *, strong: bool = False, marked: bool = False) -> str:
    """One heatmap cell of the trust dashboard: its shade, its value (a dash read as "Not
    rated"), and the small-group mark. A tag rather than an included template: a 50-ward page
    draws 650 of them."""
    if cell.mean is None:
        value = NOT_RATED
    elif strong:
        value = format_html("<strong>{}</strong>", numbers.score(cell.mean))
    else:
        value = numbers.score(cell.mean)
    return format_html(
        '<td class="nhsuk-table__cell app-heat {}">{}{}</td>',
        heat_class(cell),
        value,
        SMALL_GROUP_MARK if marked else "",
    )
