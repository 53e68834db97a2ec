"""The checks single sign-on makes of its identity provider (standards.accounts.oidc.checks),
one rule at a time, with keys made here: what the end-to-end tests against a certified
provider (test_sso_certified_provider.py) cannot make a real provider send."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from standards.accounts.oidc.checks import (
    ProviderNotAsExpected,
    check_authorisation_response_issuer,
    check_discovery,
    check_id_token,
    check_userinfo_subject,
    configured_issuer,
    discovery_url,
    signing_algorithms,
    verification_key,
)

ISSUER = "https://login.example.nhs.uk/tenant/v2.0"
CLIENT = "culture-of-care"
DOCUMENT = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/keys",
}


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_set(private_key):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {"keys": [{**public, "kid": "key-1", "use": "sig", "alg": "RS256"}]}


def _token(private_key, *, kid="key-1", algorithm="RS256", **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "person-1", "aud": CLIENT, "iat": now, "exp": now + 300}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid})


def _verified(token: str, key_set: dict, *, nonce: str | None = None) -> dict:
    key, algorithm = verification_key(token, key_set=key_set, algorithms=frozenset({"RS256"}))
    return check_id_token(
        token, key=key, algorithm=algorithm, issuer=ISSUER, client_id=CLIENT, nonce=nonce
    )


def test_configured_issuer_is_the_server_url_or_what_precedes_the_discovery_path():
    assert configured_issuer(ISSUER) == ISSUER
    assert configured_issuer(f"{ISSUER}/.well-known/openid-configuration") == ISSUER
    assert discovery_url(ISSUER) == f"{ISSUER}/.well-known/openid-configuration"
    # Discovery 4.1: an issuer's terminating slash is dropped to find its document.
    assert discovery_url("https://idp.example/") == (
        "https://idp.example/.well-known/openid-configuration"
    )


def test_discovery_issuer_must_be_identical_to_the_configured_one():
    assert check_discovery(DOCUMENT, issuer=ISSUER) == DOCUMENT
    for other in (f"{ISSUER}/", ISSUER.upper(), ISSUER.replace("https", "http")):
        with pytest.raises(ProviderNotAsExpected):
            check_discovery(DOCUMENT, issuer=other)


@pytest.mark.parametrize("document", [[], "issuer", {"issuer": ISSUER}])
def test_discovery_that_is_not_a_usable_document_is_refused(document):
    with pytest.raises(ProviderNotAsExpected):
        check_discovery(document, issuer=ISSUER)


def test_authorisation_response_iss_is_checked_when_sent():
    check_authorisation_response_issuer([ISSUER], document=DOCUMENT)
    check_authorisation_response_issuer([], document=DOCUMENT)
    for values in (["https://attacker.example"], [ISSUER, "https://attacker.example"]):
        with pytest.raises(ProviderNotAsExpected):
            check_authorisation_response_issuer(values, document=DOCUMENT)


def test_authorisation_response_without_iss_is_refused_when_the_provider_promises_it():
    promising = {**DOCUMENT, "authorization_response_iss_parameter_supported": True}

    with pytest.raises(ProviderNotAsExpected):
        check_authorisation_response_issuer([], document=promising)
    check_authorisation_response_issuer([ISSUER], document=promising)


def test_id_token_signed_by_the_published_key_is_accepted(private_key, key_set):
    claims = _verified(_token(private_key, nonce="n-1"), key_set, nonce="n-1")

    assert claims["sub"] == "person-1"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": f"{ISSUER}/"},
        {"aud": "another-client"},
        {"aud": [CLIENT, "another-client"]},
        {"azp": "another-client"},
        {"exp": ("now", -120)},
        {"iat": ("now", 600)},
        {"iat": None},
        {"exp": None},
        {"sub": None},
    ],
    ids=["iss", "aud", "extra-aud", "azp", "expired", "iat-future", "no-iat", "no-exp", "no-sub"],
)
def test_id_token_with_a_wrong_claim_is_refused(private_key, key_set, changes):
    # Times are relative to when the test runs, not when it was collected (a long suite).
    now = int(time.time())
    changes = {
        claim: now + value[1] if isinstance(value, tuple) else value
        for claim, value in changes.items()
    }
    with pytest.raises(ProviderNotAsExpected):
        _verified(_token(private_key, **changes), key_set)


def test_id_token_nonce_must_be_the_one_sent(private_key, key_set):
    with pytest.raises(ProviderNotAsExpected):
        _verified(_token(private_key, nonce="other"), key_set, nonce="mine")
    with pytest.raises(ProviderNotAsExpected):
        _verified(_token(private_key), key_set, nonce="mine")


def test_id_token_signed_by_another_key_with_the_same_kid_is_refused(key_set):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(ProviderNotAsExpected):
        _verified(_token(stranger), key_set)


def test_id_token_naming_an_unpublished_kid_is_refused(private_key, key_set):
    with pytest.raises(ProviderNotAsExpected):
        _verified(_token(private_key, kid="key-2"), key_set)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_id_token_not_signed_by_a_published_key_pair_is_refused(key_set, algorithm):
    secret = None if algorithm == "none" else "a-secret-of-at-least-thirty-two-bytes!!"
    token = jwt.encode({"iss": ISSUER, "sub": "x", "aud": CLIENT}, secret, algorithm=algorithm)

    with pytest.raises(ProviderNotAsExpected):
        verification_key(token, key_set=key_set, algorithms=signing_algorithms(DOCUMENT))


def test_signing_algorithms_default_to_rs256_and_never_allow_none_or_hmac():
    assert signing_algorithms(DOCUMENT) == {"RS256"}
    offered = {**DOCUMENT, "id_token_signing_alg_values_supported": ["none", "HS256", "ES256"]}
    assert signing_algorithms(offered) == {"ES256"}


def test_userinfo_must_be_about_the_id_tokens_person():
    assert check_userinfo_subject(
        {"sub": "p-1", "email": "a@nhs.net"}, id_token_claims={"sub": "p-1"}
    )
    for userinfo in ({"sub": "p-2"}, {"email": "a@nhs.net"}, ["p-1"]):
        with pytest.raises(ProviderNotAsExpected):
            check_userinfo_subject(userinfo, id_token_claims={"sub": "p-1"})
