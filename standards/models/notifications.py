"""Every notification the service sends a person: what it said, and whether it went."""

from django.db import models

from .organisations import User


class NotificationKind(models.TextChoices):
    ROUND_OPEN = "round-open", "A round is ready for your ratings"
    SCORING_CLOSING = "scoring-closing", "Scoring closes soon"
    ALL_SUBMITTED = "all-submitted", "Every scorer has submitted"
    AWAITING_COSIGN = "awaiting-cosign", "An assessment is waiting for co-signature"
    COSIGN_DECISION = "cosign-decision", "The lived experience leader's decision"
    REOPENED = "reopened", "A signed assessment was reopened"
    ACTION_DUE = "action-due", "An action is due"
    REPORT_READY = "report-ready", "A report is ready"
    DIGEST = "digest", "Daily summary"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    IN_DIGEST = "in-digest", "Waiting for your daily email"
    SENT = "sent", "Sent"
    IN_DIGEST_SENT = "digest-sent", "Sent in your daily email"
    NOT_SENT = "not-sent", "Not sent: you chose no emails"
    NO_ADDRESS = "no-address", "Not sent: we have no email address for you"
    ACCOUNT_CLOSED = "closed", "Not sent: your account was closed"
    FAILED = "failed", "Could not be sent"


# Never sent, for a reason the record keeps (the person's choice, no address, a closed account).
NOT_SENT_STATUSES = frozenset(
    {NotificationStatus.NOT_SENT, NotificationStatus.NO_ADDRESS, NotificationStatus.ACCOUNT_CLOSED}
)


class Notification(models.Model):
    """One event for one person. `key` names the event and the person, so the same event is
    never recorded (or sent) twice, however often a task runs."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A page of this site (a path): the email turns it into a full link.
    path = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient} ({self.get_status_display()})"
