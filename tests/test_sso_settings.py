"""Single sign-on settings come from the environment (culture_of_care/sso.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from culture_of_care.middleware import content_security_policy
from culture_of_care.sso import openid_connect_providers, provider_origins

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRA = "https://login.microsoftonline.com/0000-tenant/v2.0"


pytestmark = pytest.mark.slow  # `make test-fast` leaves it out


def _providers(**overrides) -> dict:
    arguments = {
        "provider_id": "sso",
        "name": "NHSmail",
        "server_url": ENTRA,
        "client_id": "client-1",
        "secret": "secret-1",
        "scopes": ["openid", "email", "profile"],
        "trust_email_verified": False,
    } | overrides
    return openid_connect_providers(**arguments)


def test_openid_connect_providers_are_empty_without_a_client_id():
    assert _providers(client_id="") == {}


def test_openid_connect_providers_use_pkce_userinfo_and_unverified_emails_by_default():
    (app,) = _providers()["openid_connect"]["APPS"]

    assert (app["provider_id"], app["name"], app["client_id"]) == ("sso", "NHSmail", "client-1")
    assert app["settings"]["server_url"] == ENTRA
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["fetch_userinfo"] is True
    assert app["settings"]["verified_email"] is False
    assert _providers(trust_email_verified=True)["openid_connect"]["APPS"][0]["settings"][
        "verified_email"
    ]


def test_provider_origins_give_the_identity_providers_origin_only():
    assert provider_origins(_providers()) == ["https://login.microsoftonline.com"]
    assert provider_origins({}) == []
    assert provider_origins(_providers(server_url="not a url")) == []


def test_content_security_policy_keeps_self_and_adds_the_provider_to_form_action():
    policy = content_security_policy(("https://login.microsoftonline.com",))

    assert "form-action 'self' https://login.microsoftonline.com;" in policy
    assert "form-action 'self';" in content_security_policy()


def _settings_with(environment: dict) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'providers': settings.SOCIALACCOUNT_PROVIDERS}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_") and k != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "culture_of_care.settings.test", **environment}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["providers"]


def test_settings_read_single_sign_on_from_the_environment():
    assert _settings_with({"OIDC_CLIENT_ID": ""}) == {}

    providers = _settings_with(
        {
            "OIDC_CLIENT_ID": "client-1",
            "OIDC_CLIENT_SECRET": "secret-1",
            "OIDC_SERVER_URL": ENTRA,
            "OIDC_PROVIDER_NAME": "your trust account",
            "OIDC_PROVIDER_ID": "entra",
            "OIDC_SCOPES": "openid,email",
            "OIDC_TRUST_EMAIL_VERIFIED": "true",
        }
    )

    (app,) = providers["openid_connect"]["APPS"]
    assert (app["provider_id"], app["name"], app["secret"]) == (
        "entra",
        "your trust account",
        "secret-1",
    )
    assert app["settings"]["scope"] == ["openid", "email"]
    assert app["settings"]["verified_email"] is True
