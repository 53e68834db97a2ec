"""allauth's `openid_connect` provider, registered in its place (INSTALLED_APPS), with the
checked adapter and a nonce in every authorisation request."""

import secrets

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider

from . import checks
from .views import NONCE_STATE_KEY, CheckedOpenIDConnectAdapter


class CheckedOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = CheckedOpenIDConnectAdapter

    @property
    def server_url(self) -> str:
        return checks.discovery_url(checks.configured_issuer(self.app.settings["server_url"]))

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # A fresh nonce, kept in the state this sign-in's callback uses up, so an ID token
        # from another sign-in (or replayed) is refused.
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        auth_params = dict(self.get_auth_params() if auth_params is None else auth_params)
        auth_params["nonce"] = nonce
        kwargs[NONCE_STATE_KEY] = nonce
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)


provider_classes = [CheckedOpenIDConnectProvider]
