"""Sign-in protection: every counter that slows or refuses guessing, in one place
(docs/decisions/0007 and 0031).

- **Per address**: failures from one address, passwords and second-factor codes alike. Past
  SIGN_IN_FAILURES_PER_ADDRESS in the window the address is refused, except a trust's shared
  egress address (SIGN_IN_SHARED_ADDRESSES: a whole trust may sit behind one), which is only
  slowed to one attempt every SIGN_IN_SHARED_ADDRESS_SECONDS; the per-account limits do the work.
- **Per (account, address)**: password failures for one account from one address, refused past
  SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS; second-factor code failures likewise, past
  SIGN_IN_CODE_FAILURES_PER_ACCOUNT_AND_ADDRESS, so someone who has the password cannot lock
  the owner out of their own second factor from elsewhere.
- **Per account**: password failures from anywhere only slow the account down
  (SIGN_IN_SLOW_DOWN_AFTER, then one attempt per SIGN_IN_SLOW_SECONDS); nobody is locked out.

"The account" is the person the typed identifier names (username and email address count as
one), or the typed text when it names nobody. A success clears only that person's own counters,
never an address's, whichever way they signed in; an empty or malformed post never reaches here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from ..models import User

logger = logging.getLogger(__name__)

APP = "allauth.account"
PASSWORD = "signin_password"
CODE = "signin_code"
ADDRESS = "signin_address"


class Refused(Exception):
    """Not this attempt: `reason` names the message (AccountAdapter.error_messages)."""

    def __init__(self, reason: str, wait: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


@dataclass
class Attempt:
    """One attempt's hits on the counters, taken back if it succeeds (a success never counts)."""

    request: HttpRequest
    own: str  # the (account, address) counter this success may clear
    action: str
    usages: list = field(default_factory=list)

    def succeeded(self) -> None:
        for usage in self.usages:
            usage.rollback()
        for rate in _rates(self.action):
            cache.delete(
                ratelimit.get_cache_key(
                    self.request, app=APP, action=self.action, rate=rate, key=self.own
                )
            )


def _window() -> int:
    return settings.SIGN_IN_FAILURE_WINDOW_SECONDS


def _config(action: str) -> dict[str, str]:
    limit = {
        PASSWORD: settings.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
        CODE: settings.SIGN_IN_CODE_FAILURES_PER_ACCOUNT_AND_ADDRESS,
        ADDRESS: settings.SIGN_IN_FAILURES_PER_ADDRESS,
    }[action]
    per = "ip" if action == ADDRESS else "key"
    return {action: f"{limit}/{_window()}s/{per}"}


def _rates(action: str) -> list:
    return ratelimit.get_rates(app=APP, action=action, config=_config(action))


def _hit(request: HttpRequest, action: str, key: str | None = None):
    """Count one attempt on a counter; None when the counter is already full."""
    return ratelimit.consume(request, app=APP, action=action, config=_config(action), key=key)


def account_key(login: str) -> str:
    """The account a typed username or email address names, else the typed text itself: so
    typing someone's username and then their email address does not double the guesses."""
    login = (login or "").strip().lower()
    if not login:
        return ""
    named = list(
        User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).values_list(
            "pk", flat=True
        )[:2]
    )
    return f"account:{named[0]}" if len(named) == 1 else f"typed:{login}"


@lru_cache(maxsize=8)
def _networks(addresses: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


def is_shared_address(request: HttpRequest) -> bool:
    """One of the trust's listed egress addresses, behind which many people sign in."""
    try:
        address = ipaddress.ip_address(ratelimit.get_ip(request))
    except ValueError:
        return False
    return any(
        address in network for network in _networks(tuple(settings.SIGN_IN_SHARED_ADDRESSES))
    )


def shared_slot_key(address: str) -> str:
    """Held for a few seconds after each attempt from a full shared address."""
    return "signin:shared:" + hashlib.sha256(address.encode()).hexdigest()


def _address_hit(request: HttpRequest):
    """Count the attempt against its address: refused when the address is full, unless it is a
    shared address, which is only slowed (one attempt every few seconds once full)."""
    usage = _hit(request, ADDRESS)
    if usage is not None:
        return usage
    if not is_shared_address(request):
        raise Refused("too_many_login_attempts")
    interval = settings.SIGN_IN_SHARED_ADDRESS_SECONDS
    if not cache.add(shared_slot_key(ratelimit.get_ip(request)), 1, interval):
        raise Refused("shared_address_slowed", wait=interval)
    return None


def _slow_key(account: str) -> str:
    return "signin:slow:" + hashlib.sha256(account.encode()).hexdigest()


def _recent_failures(account: str) -> list[float]:
    now = time.time()
    return [t for t in cache.get(_slow_key(account), []) if t > now - _window()]


def slow_down_wait(account: str) -> int:
    """Seconds before the next password attempt for this account from anywhere: none until it
    has failed SIGN_IN_SLOW_DOWN_AFTER times in the window, then one per SIGN_IN_SLOW_SECONDS."""
    if not account:
        return 0
    failures = _recent_failures(account)
    if len(failures) < settings.SIGN_IN_SLOW_DOWN_AFTER:
        return 0
    wait = settings.SIGN_IN_SLOW_SECONDS - (time.time() - failures[-1])
    return max(0, int(wait + 0.999))


def sign_in_post(request: HttpRequest) -> None:
    """Any sign-in post, right or wrong, counted per address: a flood guard
    (SIGN_IN_POSTS_PER_ADDRESS a minute), which a shared address is never refused by."""
    if is_shared_address(request):
        return
    rate = {"signin_post": f"{settings.SIGN_IN_POSTS_PER_ADDRESS}/60s/ip"}
    if ratelimit.consume(request, app=APP, action="signin_post", config=rate) is None:
        raise Refused("too_many_login_attempts")


def password_attempt(request: HttpRequest, login: str) -> Attempt:
    """Before a password is checked: refuse or slow, else count the attempt."""
    account = account_key(login)
    wait = slow_down_wait(account)
    if wait:
        raise Refused("slowed_down", wait=wait)
    return _count(request, f"{account}|password", PASSWORD, "too_many_login_attempts")


def password_failed(login: str) -> None:
    account = account_key(login)
    if not account:
        return
    failures = _recent_failures(account)
    failures.append(time.time())
    cache.set(_slow_key(account), failures[-100:], _window())


def password_succeeded(attempt: Attempt, login: str) -> None:
    attempt.succeeded()
    cache.delete(_slow_key(account_key(login)))


def code_attempt(request: HttpRequest, user: User) -> Attempt:
    """Before a second-factor code (or security key) is checked: counted per (account,
    address) and per address, never per account alone."""
    return _count(request, f"account:{user.pk}|code", CODE, "too_many_code_attempts")


def _count(request: HttpRequest, account: str, action: str, refusal: str) -> Attempt:
    """Count one attempt against its address and its (account, address) counter."""
    attempt = Attempt(request=request, own=f"{account}|{ratelimit.get_ip(request)}", action=action)
    address = _address_hit(request)
    if address is not None:
        attempt.usages.append(address)
    pair = _hit(request, action, key=attempt.own)
    if pair is None:
        raise Refused(refusal)
    attempt.usages.append(pair)
    return attempt


def code_failed(request: HttpRequest, user: User) -> None:
    """A wrong code after the right password: the password is known. Tell the owner (a
    security email: it always goes), at most once a window."""
    if not user.email or not cache.add(f"signin:code-warned:{user.pk}", 1, _window()):
        return
    when = timezone.localtime().strftime("%H:%M on %-d %B %Y")
    body = (
        f"Someone signed in to Culture of Care with your password at {when}, then entered a "
        "wrong code from your authenticator app or security key.\n\n"
        "If this was you, you can ignore this email.\n\n"
        "If it was not you, someone knows your password. Change it now:\n"
        f"{_link(reverse('account_change_password'))}\n\n"
        "If you cannot sign in, reset your password:\n"
        f"{_link(reverse('account_reset_password'))}\n\n"
        "Then tell your trust's administrator. We will not send this email again for "
        f"{_window() // 60} minutes.\n\n"
        "Culture of Care, for NHS inpatient wards. Do not reply to this email."
    )
    message = EmailMessage(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}your password was used with a wrong code",
        body,
        to=[user.email],
    )

    try:
        get_connection().send_messages([message])
    except Exception:  # a mail server that is down must not break signing in
        logger.exception("could not send the wrong-code warning to user %s", user.pk)


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"
