"""Single sign-on by OpenID Connect, configured per deployment (docs/decisions/0008).

Plain functions with no Django imports: the settings build the provider from the environment,
the content security policy allows the provider's origin, and tests point both at a provider
running on loopback.
"""

from urllib.parse import urlsplit


def openid_connect_providers(
    *,
    provider_id: str,
    name: str,
    server_url: str,
    client_id: str,
    secret: str,
    scopes: list[str],
    trust_email_verified: bool,
) -> dict:
    """SOCIALACCOUNT_PROVIDERS for one OpenID Connect identity provider; empty (password
    sign-in only) when there is no client id."""
    if not client_id:
        return {}
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": provider_id,
                    "name": name,
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": server_url,
                        "scope": scopes,
                        "oauth_pkce_enabled": True,
                        # Claims from the userinfo endpoint, over TLS from the provider itself.
                        "fetch_userinfo": True,
                        # Entra ID often leaves email_verified out; a trust that controls its
                        # directory may say its addresses are verified (OIDC_TRUST_EMAIL_VERIFIED).
                        "verified_email": trust_email_verified,
                    },
                }
            ],
        }
    }


def provider_origins(providers: dict) -> list[str]:
    """The origins of the configured identity providers, for the policy's form-action: the
    single sign-on button posts to us and we redirect there, which Chromium checks too."""
    apps = providers.get("openid_connect", {}).get("APPS", [])
    origins = {origin(app.get("settings", {}).get("server_url", "")) for app in apps}
    return sorted(o for o in origins if o)


def origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
