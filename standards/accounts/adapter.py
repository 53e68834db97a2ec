"""How allauth signs people in here: no open sign-up, and sign-in protection that cannot be
reset by a malformed post or turned against someone else (docs/decisions/0007)."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from . import policy, protection


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
        "too_many_code_attempts": (
            "Too many wrong codes from here. Wait 15 minutes, then try again. If you have lost "
            "your authenticator app or security key, use one of your recovery codes."
        ),
        "shared_address_slowed": (
            "Many people are signing in from your organisation's network. Wait %s seconds, "
            "then try again."
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

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            self._attempt = protection.password_attempt(request, self._login(credentials))
        except protection.Refused as refused:
            if refused.wait:
                raise self.validation_error(refused.reason, refused.wait) from None
            raise self.validation_error(refused.reason) from None

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # Only this person's own counters: an address's count of other accounts' failures
            # stays, so a successful sign-in cannot hide someone else's guessing.
            protection.password_succeeded(self._attempt, self._login(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        protection.password_failed(self._login(credentials))


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
