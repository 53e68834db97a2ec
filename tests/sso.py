"""A real OpenID Connect provider on loopback for single sign-on tests: oidc-provider-mock (a
Flask app) served by werkzeug on 127.0.0.1 in a background thread. Django talks to it over
HTTP exactly as it would to Entra ID: discovery, authorisation, token and userinfo."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import oidc_provider_mock
import requests
import werkzeug.serving
from django.urls import reverse

from culture_of_care.sso import openid_connect_providers

PROVIDER_ID = "sso"
PROVIDER_NAME = "NHSmail"
CLIENT_ID = "culture-of-care-test"
CLIENT_SECRET = "loopback-test-secret"


@dataclass(frozen=True)
class LoopbackProvider:
    url: str

    def set_user(self, sub: str, claims: dict) -> None:
        """What the provider says about `sub` when they sign in (email, email_verified...)."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def settings(self, *, trust_email_verified: bool = False) -> dict:
        """SOCIALACCOUNT_PROVIDERS pointing at this provider, built as production builds it."""
        return openid_connect_providers(
            provider_id=PROVIDER_ID,
            name=PROVIDER_NAME,
            server_url=self.url,
            client_id=CLIENT_ID,
            secret=CLIENT_SECRET,
            scopes=["openid", "email", "profile"],
            trust_email_verified=trust_email_verified,
        )


@contextmanager
def running_provider() -> Iterator[LoopbackProvider]:
    app = oidc_provider_mock.app(require_client_registration=False)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield LoopbackProvider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def login_path() -> str:
    return reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})


def callback_path() -> str:
    return reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})


def sign_in_with_sso(
    client, provider: LoopbackProvider, *, sub: str, claims: dict, process: str = "login"
):
    """Press "Sign in with NHSmail" with Django's test client, sign in at the provider as
    `sub` over HTTP, and follow its redirect back to our callback. The callback's token and
    userinfo requests go from Django to the provider over loopback HTTP. Returns the
    callback's response."""
    provider.set_user(sub, claims)
    started = client.post(login_path(), {"process": process})
    assert started.status_code == 302, started
    authorize_url = started["Location"]
    assert authorize_url.startswith(f"{provider.url}/oauth2/authorize?"), authorize_url
    # PKCE is asked for (the mock provider accepts the verifier without checking it).
    assert "code_challenge_method=S256" in authorize_url
    form = requests.get(authorize_url, timeout=5)
    assert form.status_code == 200 and 'name="sub"' in form.text
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == callback_path(), answer.headers["Location"]
    return client.get(f"{back.path}?{back.query}")
