"""Sign-in events: a record a trust's administrators can read of who signed in, and how."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from .organisations import TrustMembership, User, WardMembership


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed-in", "Signed in"
    SIGN_IN_FAILED = "sign-in-failed", "Sign-in failed"
    SIGNED_OUT = "signed-out", "Signed out"
    MFA_ADDED = "mfa-added", "Second factor added"
    MFA_REMOVED = "mfa-removed", "Second factor removed"
    MFA_FAILED = "mfa-failed", "Second factor code rejected"
    PASSWORD_CHANGED = "password-changed", "Password changed"
    PASSWORD_RESET = "password-reset", "Password reset"
    SESSION_TIMED_OUT = "session-timed-out", "Signed out after inactivity"


class SignInEventQuerySet(models.QuerySet):
    def for_trust(self, trust) -> "SignInEventQuerySet":
        """Events of people who hold a role in the trust or on one of its wards."""
        return self.filter(
            Exists(TrustMembership.objects.filter(user=OuterRef("user"), trust=trust))
            | Exists(WardMembership.objects.filter(user=OuterRef("user"), ward__site__trust=trust))
        )


class SignInEvent(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="sign_in_events"
    )
    # What was typed as the username when no account matched (never the password).
    attempted_username = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=SignInEventKind.choices)
    method = models.CharField(max_length=40, blank=True, help_text="password, sso, totp, ...")
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SignInEventKind.values), name="sign_in_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        who = self.user or self.attempted_username or "unknown"
        return f"{who}: {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
