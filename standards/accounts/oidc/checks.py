"""What an OpenID provider must have said for us to believe it: plain functions over what it
sent, each raising ProviderNotAsExpected with a reason for the log (never a token)."""

import hmac

import jwt

WELL_KNOWN = "/.well-known/openid-configuration"
# Clocks on two machines differ a little; an ID token's times are judged with this much slack.
LEEWAY_SECONDS = 60
# Keys a provider publishes; never "none", nor an HMAC keyed by a secret we would share.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class ProviderNotAsExpected(Exception):
    """The identity provider answered, but not as the specifications say it must."""


def configured_issuer(server_url: str) -> str:
    """The issuer that OIDC_SERVER_URL names: the URL itself, or what comes before
    /.well-known/openid-configuration when a deployment gave the document's address."""
    if server_url.endswith(WELL_KNOWN):
        return server_url[: -len(WELL_KNOWN)]
    return server_url


def discovery_url(issuer: str) -> str:
    # OpenID Connect Discovery 1.0, 4.1: a terminating "/" is removed before appending.
    return issuer.rstrip("/") + WELL_KNOWN


def check_discovery(document: object, *, issuer: str) -> dict:
    """Discovery 1.0, 4.3: the issuer the document names must be identical to the one used to
    fetch it (simple string comparison: a trailing slash makes it another issuer)."""
    if not isinstance(document, dict):
        raise ProviderNotAsExpected("the discovery document is not a JSON object")
    if document.get("issuer") != issuer:
        raise ProviderNotAsExpected(
            f"the discovery document's issuer {document.get('issuer')!r} is not {issuer!r}"
        )
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(endpoint), str):
            raise ProviderNotAsExpected(f"the discovery document has no {endpoint}")
    return document


def check_authorisation_response_issuer(values: list[str], *, document: dict) -> None:
    """RFC 9207: an `iss` sent with the authorisation response must be the discovered issuer;
    a provider that says it always sends one (authorization_response_iss_parameter_supported)
    must have sent it, so a missing one means the response came from somewhere else."""
    if not values:
        if document.get("authorization_response_iss_parameter_supported") is True:
            raise ProviderNotAsExpected("the authorisation response has no iss")
        return
    if len(values) > 1 or values[0] != document["issuer"]:
        raise ProviderNotAsExpected(
            f"the authorisation response's iss {values!r} is not {document['issuer']!r}"
        )


def signing_algorithms(document: dict) -> frozenset[str]:
    # OpenID Connect Core 1.0: RS256 unless the provider says which it uses.
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return frozenset(a for a in offered if isinstance(a, str)) & ASYMMETRIC_ALGORITHMS


def verification_key(id_token: str, *, key_set: object, algorithms: frozenset[str]):
    """The provider's published key that signed `id_token` (by its kid, or the only signing
    key when the token names none), and its algorithm."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise ProviderNotAsExpected(f"the ID token is not a JWT: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in algorithms:
        raise ProviderNotAsExpected(f"the ID token is signed with {algorithm!r}")
    published = key_set.get("keys") if isinstance(key_set, dict) else None
    if not isinstance(published, list):
        raise ProviderNotAsExpected("the provider's key set has no keys")
    candidates = [
        jwk
        for jwk in published
        if isinstance(jwk, dict)
        and jwk.get("use", "sig") == "sig"
        and ("kid" not in header or jwk.get("kid") == header["kid"])
        and jwk.get("alg", algorithm) == algorithm
    ]
    if len(candidates) != 1:
        raise ProviderNotAsExpected(f"no single published key has kid {header.get('kid')!r}")
    try:
        return jwt.PyJWK(candidates[0], algorithm=algorithm).key, algorithm
    except jwt.PyJWTError as error:
        raise ProviderNotAsExpected(f"the provider's key is unusable: {error}") from error


def check_id_token(
    id_token: str,
    *,
    key,
    algorithm: str,
    issuer: str,
    client_id: str,
    nonce: str | None,
) -> dict:
    """OpenID Connect Core 1.0, 3.1.3.7: signed by the provider's key; iss the issuer; aud
    our client alone (azp, if present, us); exp not passed; iat present and not in the
    future; nonce the one we sent."""
    try:
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.PyJWTError as error:
        raise ProviderNotAsExpected(f"the ID token failed verification: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if audiences != [client_id]:
        raise ProviderNotAsExpected(f"the ID token is also for {audiences!r}")
    if "azp" in claims and claims["azp"] != client_id:
        raise ProviderNotAsExpected(f"the ID token's azp is {claims['azp']!r}")
    if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise ProviderNotAsExpected("the ID token's nonce is not the one we sent")
    return claims


def check_userinfo_subject(userinfo: object, *, id_token_claims: dict) -> dict:
    """OpenID Connect Core 1.0, 5.3.2: userinfo is about the ID token's person, or unused."""
    if not isinstance(userinfo, dict) or userinfo.get("sub") != id_token_claims["sub"]:
        raise ProviderNotAsExpected("userinfo is about someone other than the ID token's sub")
    return userinfo
