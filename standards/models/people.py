"""Invitations to join a trust, and the history of who changed people's roles and wards."""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .organisations import Trust, User


def hash_token(token: str) -> str:
    """Only a SHA-256 of an invitation's token is stored; the link carries the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for them to accept"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An email address asked to join a trust with some roles. The roles apply on acceptance.

    `ward_roles` is a list of {"ward": ward id, "role": WardRole value}; `trust_roles` a list of
    TrustRole values.
    """

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    ward_roles = models.JSONField(default=list, blank=True)
    trust_roles = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.trust}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class PeopleChange(models.TextChoices):
    INVITED = "invited", "Invited"
    INVITATION_RESENT = "invitation-resent", "Invitation sent again"
    INVITATION_REVOKED = "invitation-revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "invitation-accepted", "Invitation accepted"
    ROLE_ADDED = "role-added", "Role added"
    ROLE_REMOVED = "role-removed", "Role removed"
    MOVED = "moved", "Moved to another ward"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    SITE_ADDED = "site-added", "Site added"
    SITE_CHANGED = "site-changed", "Site changed"
    WARD_ADDED = "ward-added", "Ward added"
    WARD_CHANGED = "ward-changed", "Ward changed"
    REFUSED = "refused", "Refused: a change to their own roles"


class PeopleHistoryEntry(models.Model):
    """Who changed a trust's sites, wards or people, when, and what it was before and after."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="people_history")
    # The person changed (none for a site or ward change). Kept when they are deactivated.
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="people_history"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="history"
    )
    by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="people_changes"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    change = models.CharField(max_length=30, choices=PeopleChange.choices)
    summary = models.CharField(max_length=500)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "people history entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(change__in=PeopleChange.values), name="people_change_valid"
            )
        ]

    def __str__(self) -> str:
        return self.summary
