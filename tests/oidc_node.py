"""panva's oidc-provider (OpenID Certified) on loopback for single sign-on tests: Node runs
tests/oidc/provider.mjs on 127.0.0.1 with a random port, our client registered, and one person
who signs in at once. Options make it misbehave as a real provider (or someone between us and
it) might; tests/sso.py's Flask provider stays the quick one for everything else."""

import json
import os
import selectors
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from culture_of_care.sso import openid_connect_providers
from tests.sso import (
    CLIENT_ID,
    CLIENT_SECRET,
    PROVIDER_ID,
    PROVIDER_NAME,
    callback_path,
    login_path,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
# Where Django's test client says it is: the redirect URI registered with the provider.
OUR_ORIGIN = "http://testserver"

PERSON = {"sub": "nadia-1", "email": "New.Manager@nhs.net", "email_verified": True}


@dataclass(frozen=True)
class CertifiedProvider:
    url: str
    issuer: str

    def settings(self, *, server_url: str | None = None) -> dict:
        """SOCIALACCOUNT_PROVIDERS pointing at this provider, built as production builds it."""
        return openid_connect_providers(
            provider_id=PROVIDER_ID,
            name=PROVIDER_NAME,
            server_url=self.url if server_url is None else server_url,
            client_id=CLIENT_ID,
            secret=CLIENT_SECRET,
            scopes=["openid", "email", "profile"],
            trust_email_verified=False,
        )


@contextmanager
def running_certified_provider(**options) -> Iterator[CertifiedProvider]:
    """options (tests/oidc/provider.mjs): issuer_host, foreign_jwks, tamper_id_token,
    broken_jwks."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("needs Node and `npm ci` (oidc-provider)")
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": OUR_ORIGIN + callback_path(),
        "account": PERSON,
        **options,
    }
    environment = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)}
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                ready = selector.select(timeout=30)
            line = process.stdout.readline() if ready else ""
            if not line:
                errors.seek(0)
                raise RuntimeError(f"oidc-provider did not start: {errors.read()}")
            yield CertifiedProvider(**json.loads(line))
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def sign_in(
    client,
    *,
    change_request: Callable[[str], str] = lambda url: url,
    change_response: Callable[[str], str] = lambda query: query,
):
    """Press the single sign-on button with Django's test client, let the browser's side of
    the redirects run against the provider (signing in and consenting), and bring the
    authorisation response back to our callback. `change_request` and `change_response` may
    alter the authorisation request's URL and the response's query on the way. Returns the
    callback's response, or the start's when it did not send the person to the provider."""
    started = client.post(login_path(), {"process": "login"})
    if started.status_code != 302:
        return started
    browser = requests.Session()
    url = change_request(started["Location"])
    for _ in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(OUR_ORIGIN):
            back = urlsplit(url)
            return client.get(f"{back.path}?{change_response(back.query)}")
    raise AssertionError("the provider never sent the person back")
