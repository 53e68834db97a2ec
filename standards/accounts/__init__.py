"""Sign-in on django-allauth: adapters, sign-in protection, session rules, sign-in events."""
