"""What every page's header and footer need: service settings, the task count, trust admin."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def service(request: HttpRequest) -> dict:
    from standards import selectors

    user = getattr(request, "user", None)
    return {
        "official_standards_url": settings.OFFICIAL_STANDARDS_URL,
        "session_idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        # Read only when the header draws its menu, so pages without it pay no query.
        # How many tasks the person has, read only if the page shows the count.
        "waiting_task_count": _header_count(user),
        "administered_trusts": SimpleLazyObject(
            lambda: selectors.administered_trusts(user=user) if user is not None else []
        ),
    }


def _header_count(user):
    from .waiting import HeaderCount

    return HeaderCount(user)
