"""Session rules for signed-in people: an idle timeout and an absolute lifetime, a second
factor for trust-level roles and staff, and no caching of any page."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .accounts import policy
from .accounts.events import record
from .accounts.sessions import LAST_ACTIVITY, SIGNED_IN_AT
from .models import SignInEventKind

MFA_CHECKED = "coc_mfa_checked"

ACTIVITY_RESOLUTION = 60
# Requests that do not count as the person being active: background polling by scripts.
PASSIVE_HEADER = "X-Coc-Passive"


class SessionIdleTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT_SECONDS without a request of theirs, and
    SESSION_COOKIE_AGE seconds after signing in whatever they do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last = session.get(LAST_ACTIVITY, now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS
            expired = now - signed_in_at > settings.SESSION_COOKIE_AGE
            if idle or expired:
                user = request.user
                logout(request)
                record(kind=SignInEventKind.SESSION_TIMED_OUT, request=request, user=user)
                messages.info(
                    request,
                    "You were signed out because you had not done anything for "
                    f"{settings.SESSION_IDLE_TIMEOUT_SECONDS // 60} minutes. "
                    "Sign in again to carry on: anything you saved is kept."
                    if idle
                    else "You were signed out because you signed in more than "
                    f"{settings.SESSION_COOKIE_AGE // 3600} hours ago. Sign in again to carry on.",
                )
                next_page = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('account_login')}?{next_page}")
            # Written at most once a minute: a session save per request would cost a query.
            if (
                not request.headers.get(PASSIVE_HEADER)
                and now - last >= ACTIVITY_RESOLUTION
                or LAST_ACTIVITY not in session
            ):
                session[LAST_ACTIVITY] = now
        return self.get_response(request)


# Pages a person who must set up a second factor can still reach.
MFA_SETUP_URL_PREFIXES = ("/account/", "/health/", "/static/")


class MfaRequiredMiddleware:
    """Trust-level roles and Django staff cannot use the site until they have a second factor
    (an authenticator app or a security key); they are sent to set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(MFA_CHECKED)
            and not request.path.startswith(MFA_SETUP_URL_PREFIXES)
        ):
            if not policy.mfa_required(user):
                # Asked on every request (one query), so that a trust role given during the
                # session asks for a second factor straight away.
                pass
            elif policy.has_second_factor(user):
                # Remembered for the session: the last second factor of a person who must have
                # one cannot be removed (MfaAdapter.can_delete_authenticator).
                request.session[MFA_CHECKED] = True
            else:
                return redirect("account_mfa_required")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and downloads hold assessment data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response
