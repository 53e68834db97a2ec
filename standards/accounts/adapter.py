"""How allauth signs people in here: no open sign-up, and sign-in protection that cannot be
reset by a malformed post or turned against someone else (docs/decisions/0007)."""

import hashlib
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from . import policy


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": (
            "Enter a correct username or email address and password. The password is "
            "case-sensitive."
        ),
        "email_password_mismatch": (
            "Enter a correct username or email address and password. The password is "
            "case-sensitive."
        ),
        "too_many_login_attempts": (
            "Too many failed attempts to sign in from here. Wait 15 minutes, then try again, "
            "or reset your password."
        ),
        "slowed_down": (
            "There have been many failed attempts to sign in to this account. Wait "
            "%s seconds, then try again."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come from a trust's invitation, never from a public sign-up form.
        return False

    @staticmethod
    def _login(credentials: dict[str, Any]) -> str:
        return str(credentials.get("email") or credentials.get("username") or "").strip().lower()

    def _pair_key(self, request: HttpRequest, login: str) -> str:
        return f"{login}|{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login = self._login(credentials)
        wait = _slow_down_wait(login)
        if wait:
            raise self.validation_error("slowed_down", wait)
        # Counted per address, and per (username, address): someone guessing from elsewhere
        # cannot lock a person out of their own computer.
        self._login_failed_rl_usage = ratelimit.consume(
            request, app=APP, action="login_failed", key=self._pair_key(request, login)
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # A successful sign-in clears only this person's own counter from this address;
            # the per-address count of other usernames' failures stays.
            login = self._login(credentials)
            _clear_pair_counter(request, key=self._pair_key(request, login))
            cache.delete(_username_key(login))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        _record_username_failure(self._login(credentials))


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """A person who must use a second factor keeps at least one (an app or a security
        key); recovery codes alone are not a second factor."""
        if not policy.mfa_required(authenticator.user):
            return True
        others = authenticator.user.authenticator_set.exclude(pk=authenticator.pk).filter(
            type__in=policy.SECOND_FACTOR_TYPES
        )
        return authenticator.type not in policy.SECOND_FACTOR_TYPES or others.exists()


APP = "allauth.account"


def _clear_pair_counter(request: HttpRequest, *, key: str) -> None:
    """Forget the (username, address) failures only: the address's own count of failures for
    other usernames stays, so a successful sign-in cannot hide someone else's guessing."""
    for rate in ratelimit.get_rates(app=APP, action="login_failed"):
        if rate.per == "key":
            cache.delete(
                ratelimit.get_cache_key(request, app=APP, action="login_failed", rate=rate, key=key)
            )


def _username_key(login: str) -> str:
    return "signin:slow:" + hashlib.sha256(login.encode()).hexdigest()


def _record_username_failure(login: str) -> None:
    if not login:
        return
    now = time.time()
    window = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    failures = [t for t in cache.get(_username_key(login), []) if t > now - window]
    failures.append(now)
    cache.set(_username_key(login), failures[-100:], window)


def _slow_down_wait(login: str) -> int:
    """Seconds to wait before the next attempt for this username from anywhere: none until it
    has failed SIGN_IN_SLOW_DOWN_AFTER times in the window, then one attempt per
    SIGN_IN_SLOW_SECONDS. A person is slowed down, never locked out."""
    if not login:
        return 0
    now = time.time()
    window = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    failures = [t for t in cache.get(_username_key(login), []) if t > now - window]
    if len(failures) < settings.SIGN_IN_SLOW_DOWN_AFTER:
        return 0
    wait = settings.SIGN_IN_SLOW_SECONDS - (now - failures[-1])
    return max(0, int(wait + 0.999))
