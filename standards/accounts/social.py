"""Single sign-on: an identity provider proves who someone is; only the trust says what they
may do. A person signing in with SSO is matched to their existing account by verified email,
never given an account (or roles) by the identity provider alone (docs/decisions/0008)."""

from allauth.account.internal.userkit import filter_users_by_email
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..invitations import accept_invitations_for_sso
from ..models import SignInEventKind, User
from .events import record

REFUSED_TEMPLATE = "socialaccount/sign_in_refused.html"


class Refusal:
    """Why a single sign-on was refused; the page says what to do about it."""

    NOT_INVITED = "not-invited"
    UNVERIFIED = "unverified"
    DEACTIVATED = "deactivated"
    AMBIGUOUS = "ambiguous"
    SOMEONE_ELSE = "someone-else"
    # The provider's discovery document, authorisation response or ID token was not what the
    # specifications require (standards.accounts.oidc): nobody is signed in on its word.
    PROVIDER_NOT_AS_EXPECTED = "provider-not-as-expected"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Never reached for a refused person (pre_social_login stops them first), but if it is,
        # allauth shows "sign-up closed" rather than creating an account.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Let someone in only as an existing, active account: the one this identity was
        connected to before, or the one whose email address the provider has verified."""
        if sociallogin.is_existing:
            # Connected at an earlier sign-in (matched by `sub`, not by email). Connecting it
            # again from someone else's session is refused by allauth itself.
            if not sociallogin.user.is_active:
                self._refuse(request, Refusal.DEACTIVATED, user=sociallogin.user)
            return
        email = self._verified_email(sociallogin)
        if email is None:
            self._refuse(request, Refusal.UNVERIFIED, email=_any_email(sociallogin))
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # A signed-in person adding their work account: only one with their own address.
            own = request.user.email if request.user.is_authenticated else ""
            if email != (own or "").strip().lower():
                self._refuse(request, Refusal.SOMEONE_ELSE, user=request.user, email=email)
            return
        users = filter_users_by_email(email, for_login=True)
        if len(users) > 1:
            # Two accounts claim one address: connecting either could be the wrong person.
            self._refuse(request, Refusal.AMBIGUOUS, email=email)
        user = users[0] if users else self._account_for_invitation(request, email)
        if user is None:
            self._refuse(request, Refusal.NOT_INVITED, email=email)
        if not user.is_active:
            self._refuse(request, Refusal.DEACTIVATED, user=user, email=email)
        # Connected, not authenticated by email: allauth's email authentication would also
        # wipe the password of anyone whose address has no verified EmailAddress row, and our
        # invited accounts have none.
        sociallogin.connect(request, user)

    def _account_for_invitation(self, request: HttpRequest, email: str) -> User | None:
        """The account the trust's open invitations to `email` give, made now and with the
        invitations' roles (never the identity provider's); None when nobody invited it."""
        return accept_invitations_for_sso(email=email)

    def _verified_email(self, sociallogin) -> str | None:
        """The provider's email address when it vouches for it: `email_verified` true, or the
        deployment trusts the directory (OIDC_TRUST_EMAIL_VERIFIED, is_email_verified)."""
        for address in sociallogin.email_addresses:
            # `is True`: a provider that sends the string "false" has not verified anything.
            if address.verified is True and address.email:
                return address.email.strip().lower()
        return None

    def _refuse(
        self, request: HttpRequest, reason: str, *, user: User | None = None, email: str = ""
    ) -> None:
        raise ImmediateHttpResponse(refusal(request, reason, user=user, email=email))


def refusal(
    request: HttpRequest, reason: str, *, user: User | None = None, email: str = ""
) -> HttpResponse:
    """The page saying why single sign-on did not let someone in, recorded as a failed
    sign-in for the trust's administrators."""
    record(
        kind=SignInEventKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        attempted_username="" if user else email,
        method="single sign-on",
    )
    context = {"reason": reason, "email": email}
    return render(request, REFUSED_TEMPLATE, context, status=403)


def _any_email(sociallogin) -> str:
    return next((a.email for a in sociallogin.email_addresses if a.email), "")
