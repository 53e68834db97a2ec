"""allauth's OpenID Connect adapter and callback with the checks in .checks: a provider that
fails one gets the refusal page (recorded as a failed sign-in), and nobody is signed in."""

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse

from ..social import Refusal, refusal
from . import checks

logger = logging.getLogger(__name__)

# Where the nonce sent with the authorisation request waits, in allauth's stashed state.
NONCE_STATE_KEY = "oidc_nonce"


class CheckedOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    # The nonce the authorisation request carried; set by the callback from its state.
    nonce: str | None = None

    @property
    def openid_config(self) -> dict:
        if not hasattr(self, "_openid_config"):
            issuer = checks.configured_issuer(self.get_provider().app.settings["server_url"])
            with get_adapter().get_requests_session() as session:
                response = session.get(checks.discovery_url(issuer))
                response.raise_for_status()
                document = response.json()
            self._openid_config = self._checked(checks.check_discovery, document, issuer=issuer)
        return self._openid_config

    def check_authorisation_response(self, request: HttpRequest) -> None:
        self._checked(
            checks.check_authorisation_response_issuer,
            request.GET.getlist("iss"),
            document=self.openid_config,
        )

    def complete_login(self, request: HttpRequest, app: SocialApp, token, **kwargs):
        """allauth trusts an ID token from the token endpoint without its signature, and
        userinfo without comparing its sub: here both are checked before anyone is matched."""
        id_token = kwargs["response"].get("id_token")
        if not isinstance(id_token, str):
            self._refuse("the token response has no ID token")
        claims = self._checked(self._verified_id_token, id_token, client_id=app.client_id)
        data = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._checked(self._fetch_user_info, token.token)
            data["userinfo"] = self._checked(
                checks.check_userinfo_subject, userinfo, id_token_claims=claims
            )
        return self.get_provider().sociallogin_from_response(request, data)

    def _verified_id_token(self, id_token: str, *, client_id: str) -> dict:
        document = self.openid_config
        with get_adapter().get_requests_session() as session:
            response = session.get(document["jwks_uri"])
            response.raise_for_status()
            key_set = response.json()
        key, algorithm = checks.verification_key(
            id_token, key_set=key_set, algorithms=checks.signing_algorithms(document)
        )
        return checks.check_id_token(
            id_token,
            key=key,
            algorithm=algorithm,
            issuer=document["issuer"],
            client_id=client_id,
            nonce=self.nonce,
        )

    def _checked(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except checks.ProviderNotAsExpected as error:
            self._refuse(str(error))
        except requests.RequestException as error:
            # Its keys (or userinfo) unreachable or not JSON: nothing to check the token by.
            self._refuse(f"it did not answer: {error}")

    def _refuse(self, why: str) -> None:
        logger.warning("Single sign-on provider %s refused: %s", self.provider_id, why)
        raise ImmediateHttpResponse(refusal(self.request, Refusal.PROVIDER_NOT_AS_EXPECTED))


class CheckedCallbackView(OAuth2CallbackView):
    adapter: CheckedOpenIDConnectAdapter

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except requests.RequestException as error:
            # allauth reads the discovery document outside its own error handling.
            self.adapter._refuse(f"it did not answer: {error}")

    def _get_state(self, request: HttpRequest, provider):
        # Once the state is known to be ours (and used up), before the code is exchanged.
        state, response = super()._get_state(request, provider)
        if response is None:
            self.adapter.check_authorisation_response(request)
            self.adapter.nonce = state.get(NONCE_STATE_KEY)
        return state, response


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        adapter = CheckedOpenIDConnectAdapter(request, provider_id)
        return OAuth2LoginView.adapter_view(adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        adapter = CheckedOpenIDConnectAdapter(request, provider_id)
        return CheckedCallbackView.adapter_view(adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
