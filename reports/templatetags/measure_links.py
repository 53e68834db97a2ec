"""Links to the ward measures pages, shown only to those who may use them."""

from django import template

from standards.models import Trust

from ..measure_services import can_manage_measures

register = template.Library()


@register.simple_tag
def can_import_measures(user, trust: Trust) -> bool:
    """Whether to offer the trust's ward measures import: its QI lead only."""
    return can_manage_measures(user=user, trust=trust)
