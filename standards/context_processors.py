from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict:
    return {
        "official_standards_url": settings.OFFICIAL_STANDARDS_URL,
        "session_idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
