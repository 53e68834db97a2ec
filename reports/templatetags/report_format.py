from django import template

from ..presenters import heat_class as _heat_class

register = template.Library()


@register.filter
def score(value) -> str:
    """A mean level to one decimal place, or "Not rated"."""
    return "Not rated" if value is None else f"{value:.1f}"


@register.filter
def heat_class(value) -> str:
    return _heat_class(value)


@register.filter
def signed(value) -> str:
    return "Not available" if value is None else f"{value:+.1f}"
