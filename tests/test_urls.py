"""Every URL except sign-in, password reset and health needs a signed-in user."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Signing in (with single sign-on's redirect, callback and error pages), password reset, and
# health. The second factor stage needs a sign-in in progress, so it redirects like the rest.
PUBLIC = {
    "account_login",
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    # Where a closed (deactivated) account lands after a correct password: it says why.
    "account_inactive",
    "health",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "admin:login",
    # Accepting an invitation: the person invited has no account yet. The link's token is
    # the credential (single use, expires, stored only as a hash).
    "trust_admin:accept",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from (
                (route, f"{namespace}{name}" if name else name)
                for route, name in _walk(entry.url_patterns, prefix + str(entry.pattern))
            )
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def _example_path(route: str) -> str:
    # Regex routes (the admin's, allauth's): fill groups with a simple value, drop anchors.
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("^", "").replace("$", "")
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:path:)?\w+>", "x", path)
    path = re.sub(r"<\w+:\w+>", "x", path)
    path = path.replace("\\", "")
    return "/" + path


ALL_ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r[0])
ROUTES = [(route, name) for route, name in ALL_ROUTES if name not in PUBLIC]


def test_url_walk_finds_the_apps_urls():
    names = {name for _, name in ALL_ROUTES}
    assert {
        "home",
        "standards:index",
        "standards:commitment",
        "account_login",
        "account_emails",
    } <= names
    assert names >= PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", ROUTES, ids=[r for r, _ in ROUTES])
def test_url_needs_sign_in(client, route, name):
    path = _example_path(route)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in (301, 302), f"{method.__name__} {path}"
        location = response["Location"]
        assert location.startswith((reverse("account_login"), reverse("admin:login"))), location


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_login", "account_reset_password", "health"])
def test_public_page_answers_without_sign_in(client, name):
    assert client.get(reverse(name)).status_code == 200
