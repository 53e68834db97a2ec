import functools
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .sso import provider_origins


@functools.cache
def content_security_policy(form_action_origins: tuple[str, ...] = ()) -> str:
    """Scripts and styles only from our own origin: no inline script, no remote fonts. Forms
    post only to us, and to the single sign-on provider our sign-in button redirects to."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            " ".join(["form-action 'self'", *form_action_origins]),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


CSP = content_security_policy()


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read per request (a few dictionary lookups), so that settings overridden in tests
        # apply to a server that is already running.
        origins = tuple(provider_origins(getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})))
        response.headers.setdefault("Content-Security-Policy", content_security_policy(origins))
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than any form here takes, before a byte
    of it is read: a 413 page instead of spooling a huge upload to disk."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_BODY_MAX_BYTES:
            limit_mb = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
            response = render(
                request,
                "413.html",
                {"limit_mb": limit_mb},
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
