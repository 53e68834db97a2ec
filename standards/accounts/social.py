"""Single sign-on: an identity provider proves who someone is; only the trust says what they
may do. A person signing in with SSO is matched to their existing account by verified email,
never given an account (or roles) by the identity provider alone."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False
