"""Single sign-on's checks of the identity provider itself (docs/decisions/0008), around
django-allauth's `openid_connect` provider, which this app replaces in INSTALLED_APPS: the
discovery document's issuer, the authorisation response's `iss` (RFC 9207), and the ID token's
signature, issuer, audience, times and nonce. Who may sign in is standards.accounts.social's."""
