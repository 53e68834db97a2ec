"""Single sign-on against a certified OpenID provider (panva's oidc-provider, run by Node on
loopback: tests/oidc_node.py): a good sign-in end to end, and the refusals the specifications
ask for when the discovery document, the authorisation response or the ID token is wrong."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from standards.invitations import invite_person
from standards.models import SignInEvent, SignInEventKind
from tests.factories import TrustMembershipFactory, UserFactory
from tests.oidc_node import PERSON, running_certified_provider, sign_in

pytestmark = pytest.mark.slow

NOT_AS_EXPECTED = "Your trust's sign-in service did not answer as expected"
TRY_AGAIN = "Try again, or sign in with your username and password."


@pytest.fixture(scope="module")
def provider():
    with running_certified_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings()
    return provider


@pytest.fixture
def person(db):
    """The account the trust gave the provider's person: everything else would let them in."""
    return UserFactory(username="nadia", email=PERSON["email"].lower())


def _signed_in_user(client):
    return client.get(reverse("account_security")).wsgi_request.user


def _assert_refused(client, response):
    assert response.status_code == 403
    page = response.content.decode()
    assert NOT_AS_EXPECTED in page and TRY_AGAIN in page
    assert not _signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    event = SignInEvent.objects.get(kind=SignInEventKind.SIGN_IN_FAILED)
    assert event.method == "single sign-on"


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return parts._replace(query=urlencode(query)).geturl()


def _response_query(**changes: str | None):
    return lambda query: urlsplit(_with_query(f"?{query}", **changes)).query


def test_certified_provider_signs_an_invited_person_in_end_to_end(client, sso, ward, trust):
    admin = UserFactory(username="trustadmin")
    TrustMembershipFactory(user=admin, trust=trust, role="trust-admin")
    invite_person(
        by=admin,
        trust=trust,
        email=PERSON["email"],
        first_name="Nadia",
        last_name="Malik",
        ward_roles=[(ward, "ward-manager")],
        trust_roles=[],
        base_url="http://testserver",
    )
    sent = {}

    def keep(url):
        sent["request"] = parse_qs(urlsplit(url).query)
        return url

    def keep_response(query):
        sent["response"] = parse_qs(query)
        return query

    response = sign_in(client, change_request=keep, change_response=keep_response)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    person = _signed_in_user(client)
    assert person.email.lower() == PERSON["email"].lower()
    assert list(person.ward_memberships.values_list("ward", "role")) == [(ward.pk, "ward-manager")]
    assert SocialAccount.objects.get(uid=PERSON["sub"]).user == person
    # Authorisation code with PKCE and a nonce; the provider named itself in its answer.
    assert sent["request"]["response_type"] == ["code"]
    assert sent["request"]["code_challenge_method"] == ["S256"]
    assert len(sent["request"]["nonce"][0]) >= 32
    assert sent["response"]["iss"] == [sso.issuer]


def test_certified_provider_whose_discovery_names_another_issuer_is_refused(
    client, settings, person
):
    with running_certified_provider(issuer_host="localhost") as elsewhere:
        settings.SOCIALACCOUNT_PROVIDERS = elsewhere.settings()

        response = sign_in(client)

    # Refused at the button: the person is never sent to the provider.
    _assert_refused(client, response)


def test_issuer_configured_with_a_trailing_slash_is_another_issuer(
    client, settings, provider, person
):
    """Discovery 1.0 4.3 compares issuers exactly; the slash is only dropped to find the
    document (4.1), so "http://127.0.0.1:port/" does not match "http://127.0.0.1:port"."""
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings(server_url=provider.url + "/")

    _assert_refused(client, sign_in(client))


def test_discovery_document_address_as_the_server_url_still_signs_in(
    client, settings, provider, person
):
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings(
        server_url=provider.url + "/.well-known/openid-configuration"
    )

    response = sign_in(client)

    assert response["Location"] == reverse("home")
    assert _signed_in_user(client) == person


def test_authorisation_response_with_another_issuer_is_refused(client, sso, person):
    response = sign_in(client, change_response=_response_query(iss="https://login.example.com"))

    _assert_refused(client, response)


def test_authorisation_response_without_iss_is_refused_when_the_provider_always_sends_it(
    client, sso, person
):
    response = sign_in(client, change_response=_response_query(iss=None))

    _assert_refused(client, response)


def test_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    client, settings, person
):
    with running_certified_provider(foreign_jwks=True) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.settings()

        response = sign_in(client)

    _assert_refused(client, response)


def test_id_token_changed_after_signing_is_refused(client, settings, person):
    with running_certified_provider(tamper_id_token=True) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.settings()

        response = sign_in(client)

    _assert_refused(client, response)


def test_id_token_for_another_sign_in_attempt_is_refused(client, sso, person):
    """The provider signs the nonce it was given: one that is not ours (an ID token from
    another sign-in) is refused."""
    response = sign_in(client, change_request=lambda url: _with_query(url, nonce="not-ours"))

    _assert_refused(client, response)


def test_id_token_whose_keys_cannot_be_read_is_refused(client, settings, person):
    with running_certified_provider(broken_jwks=True) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.settings()

        response = sign_in(client)

    _assert_refused(client, response)
