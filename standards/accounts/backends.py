"""Signing in and reading the signed-in person on each request.

allauth's backend signs people in (by username or email, with Django's password checks); the
person read on every request also says, in the same query, whether they hold a trust role, so
the second-factor rule (policy.mfa_required) costs no query of its own."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from standards.models import TrustMembership


class PersonBackend(AuthenticationBackend):
    def get_user(self, user_id):
        User = get_user_model()
        person = (
            User._default_manager.annotate(
                holds_trust_role=Exists(TrustMembership.objects.filter(user=OuterRef("pk")))
            )
            .filter(pk=user_id)
            .first()
        )
        return person if person is not None and self.user_can_authenticate(person) else None
