"""Record sign-in events (success, failure, sign-out, second factor and password changes) for
the trust's administrators. Never the password, never what a person typed as a password."""

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import password_changed, password_reset
from allauth.core.internal.httpkit import get_client_ip
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ..models import SignInEvent, SignInEventKind, User
from . import sessions


def _address(request) -> str | None:
    if request is None:
        return None
    # The same address sign-in protection uses (trusted proxies only), or none when unknown.
    return get_client_ip(request)


def record(*, kind: str, request=None, user=None, attempted_username: str = "", method: str = ""):
    agent = request.headers.get("user-agent", "")[:300] if request is not None else ""
    return SignInEvent.objects.create(
        user=user if user is not None and user.pk else None,
        attempted_username=attempted_username[:150],
        kind=kind,
        method=method,
        address=_address(request),
        user_agent=agent.replace("\x00", ""),
    )


# allauth's names for how someone proved who they are, in words a trust administrator reads.
METHOD_NAMES = {"password": "password", "socialaccount": "single sign-on", "mfa": "second factor"}


def _sign_in_method(request, user) -> str:
    if request is None:
        return ""
    records = get_authentication_records(request, user)
    methods = {METHOD_NAMES.get(r.get("method"), r.get("method")) for r in records}
    return ", ".join(sorted(m for m in methods if m))[:40]


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)
    record(
        kind=SignInEventKind.SIGNED_IN,
        request=request,
        user=user,
        method=_sign_in_method(request, user),
    )


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(kind=SignInEventKind.SIGNED_OUT, request=request, user=user)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = str(credentials.get("username") or credentials.get("email") or "").replace("\x00", "")
    user = User.objects.filter(username__iexact=typed).first() or (
        User.objects.filter(email__iexact=typed).first() if "@" in typed else None
    )
    record(
        kind=SignInEventKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        attempted_username="" if user else typed,
        method="password",
    )


@receiver(password_changed)
def on_password_changed(sender, request, user, **kwargs):
    record(kind=SignInEventKind.PASSWORD_CHANGED, request=request, user=user)


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs):
    record(kind=SignInEventKind.PASSWORD_RESET, request=request, user=user)


@receiver(authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    record(kind=SignInEventKind.MFA_ADDED, request=request, user=user, method=authenticator.type)


@receiver(authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    record(kind=SignInEventKind.MFA_REMOVED, request=request, user=user, method=authenticator.type)


@receiver(authentication_failed)
def on_mfa_failed(sender, request, user, **kwargs):
    record(kind=SignInEventKind.MFA_FAILED, request=request, user=user)
