"""The outbox: every email the service sends a person about their work (docs/decisions/0014).

`notify` records the notification inside the caller's transaction, keyed by event and person so
that it is recorded once, and hands it to a worker only once that transaction commits. The
worker's `deliver` locks the row and sends only a notification still queued, so a retried or
duplicated task never sends twice. Invitations and security emails do not pass through here:
they are always sent.
"""

import datetime
import logging
import smtplib
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .background import send_task
from .models import EmailChoice, Notification, NotificationKind, NotificationStatus, User
from .models.notifications import NOT_SENT_STATUSES

log = logging.getLogger(__name__)

# Worth trying again later: the mail server or the network was briefly unavailable.
SEND_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)
MAX_ATTEMPTS = 4
# A queued notification this old has lost its task (the broker was down when it was sent).
RESEND_AFTER = datetime.timedelta(minutes=10)
ERROR_LENGTH = Notification._meta.get_field("error").max_length
SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length


def initial_status(recipient: User) -> str:
    """What happens to a new notification, by the person's choice. Nobody is emailed at an
    account that is closed or has no address, and the status says which stopped it."""
    if not recipient.is_active:
        return NotificationStatus.ACCOUNT_CLOSED
    if not recipient.email:
        return NotificationStatus.NO_ADDRESS
    return {
        EmailChoice.EVERY: NotificationStatus.QUEUED,
        EmailChoice.DAILY: NotificationStatus.IN_DIGEST,
    }.get(recipient.email_choice, NotificationStatus.NOT_SENT)


def notify(
    *,
    recipient: User,
    kind: str,
    key: str,
    subject: str,
    body: str,
    path: str = "",
    status: str | None = None,
) -> Notification:
    """Record one event for one person, once per `key`, and send it after the transaction
    commits if the person wants every email. Call it inside the transaction making the change."""
    notification, created = Notification.objects.get_or_create(
        key=key[:200],
        defaults={
            "recipient": recipient,
            "kind": kind,
            "subject": subject[:SUBJECT_LENGTH],
            "body": body,
            "path": path,
            "status": status or initial_status(recipient),
        },
    )
    if created and notification.status == NotificationStatus.QUEUED:
        notification_id = notification.pk
        transaction.on_commit(lambda: enqueue(notification_id))
    return notification


DELIVER_TASK = "standards.tasks.deliver_notification"


def enqueue(notification_id: int) -> bool:
    """Hand the notification to a worker (in-process without Redis). Never raises: a page
    must not fail because email is down; the queued row is sent again by the sweep."""
    try:
        send_task(DELIVER_TASK, (notification_id,), retry=False)
    except Exception:
        log.warning("Notification %s not sent to a worker yet", notification_id, exc_info=True)
        return False
    return True


# --- Sending ----------------------------------------------------------------------------------


def link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""


FOOTER = (
    "You can choose every email, one email a day or none on your account page:\n{url}\n\n"
    "Culture of Care, for NHS inpatient wards. Do not reply to this email."
)


def compose(notification: Notification) -> EmailMessage:
    """A plain-text email: the words, the link to the page where the work is, how to stop."""
    parts = [notification.body.strip()]
    if notification.path:
        parts.append(link(notification.path))
    parts.append(FOOTER.format(url=link(reverse("account_emails"))))
    return EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
        body="\n\n".join(parts) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
    )


class TryLater(Exception):
    """Sending failed for a reason that may pass; the notification is still queued."""


def deliver(*, notification_id: int, last_try: bool = True) -> str:
    """Send one queued notification, holding its row locked so that it is sent once. A send
    error fails it, or (not `last_try`) leaves it queued and raises TryLater."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return "nothing to do"
        notification.attempts += 1
        try:
            compose(notification).send(fail_silently=False)
        except Exception as error:
            notification.error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
            retry = not last_try and notification.attempts < MAX_ATTEMPTS
            if not retry or not isinstance(error, SEND_ERRORS):
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "error", "status"])
            if notification.status == NotificationStatus.QUEUED:
                log.warning("Notification %s: will try again (%s)", notification_id, error)
                # Leave the block normally so the attempt is recorded, then ask for a retry.
            else:
                log.error("Notification %s could not be sent: %s", notification_id, error)
                return NotificationStatus.FAILED
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.error = ""
            notification.save(update_fields=["attempts", "error", "status", "sent_at"])
            return NotificationStatus.SENT
    raise TryLater(notification.error)


def resend_queued(*, older_than: datetime.timedelta = RESEND_AFTER) -> int:
    """Beat: queued notifications whose task never arrived are sent to a worker again (their
    row lock makes a duplicate harmless); those tried too often are marked failed."""
    stale = Notification.objects.filter(
        status=NotificationStatus.QUEUED, created_at__lt=timezone.now() - older_than
    )
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=NotificationStatus.FAILED, error="Gave up after several tries."
    )
    ids = list(stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    for notification_id in ids:
        enqueue(notification_id)
    return len(ids)


# --- The daily digest -------------------------------------------------------------------------


def send_daily_digests(*, today: datetime.date) -> int:
    """One email a day to each person who chose it, listing what is waiting in their digest;
    keyed by person and date so a second run that day sends nothing more."""
    waiting: dict[int, list[Notification]] = defaultdict(list)
    for item in (
        Notification.objects.filter(status=NotificationStatus.IN_DIGEST)
        .select_related("recipient")
        .order_by("created_at", "pk")
    ):
        waiting[item.recipient_id].append(item)
    sent = 0
    for items in waiting.values():
        with transaction.atomic():
            if _digest_for(items[0].recipient, items, today=today):
                sent += 1
    return sent


def _digest_for(recipient: User, items: list[Notification], *, today: datetime.date) -> bool:
    ids = [item.pk for item in items]
    status = initial_status(recipient)
    if status in NOT_SENT_STATUSES:
        # They have since chosen no emails (or lost their address, or the account was closed):
        # nothing goes, and each says why.
        Notification.objects.filter(pk__in=ids).update(status=status)
        return False
    lines = ["Here is what happened in Culture of Care since your last daily email."]
    for item in items:
        lines.append(f"- {item.subject}" + (f"\n  {link(item.path)}" if item.path else ""))
    notify(
        recipient=recipient,
        kind=NotificationKind.DIGEST,
        key=f"digest:{recipient.pk}:{today.isoformat()}",
        subject=f"Your daily summary for {today.day} {today:%B %Y}",
        body="\n\n".join(lines),
        path=reverse("home"),
        status=NotificationStatus.QUEUED,
    )
    Notification.objects.filter(pk__in=ids, status=NotificationStatus.IN_DIGEST).update(
        status=NotificationStatus.IN_DIGEST_SENT, sent_at=timezone.now()
    )
    return True


# --- What the emails page says about each status ---------------------------------------------

# Why an email did not go, and what the person can do about it, by status (in this order).
WHAT_TO_DO = {
    NotificationStatus.NO_ADDRESS: (
        "We have no email address for you. Ask your trust's administrator to add your work "
        "email address to your account."
    ),
    NotificationStatus.NOT_SENT: (
        "You had chosen no emails. To get emails from now on, choose every email or one a day "
        "above."
    ),
    NotificationStatus.ACCOUNT_CLOSED: "Your account was closed at the time.",
    NotificationStatus.FAILED: (
        "We tried to send it but could not, and have stopped trying. If this keeps happening, "
        "ask your trust's administrator to check your email address."
    ),
}


def explain_statuses(notifications: list[Notification]) -> list[tuple[str, str]]:
    """For the emails page: each reason an email in the list was not sent, and what to do, once
    each. An email not sent is not sent later; the home page still lists what is waiting."""
    present = {notification.status for notification in notifications}
    return [
        (NotificationStatus(status).label, advice)
        for status, advice in WHAT_TO_DO.items()
        if status in present
    ]


# --- A person's choice ------------------------------------------------------------------------


def set_email_choice(*, user: User, choice: str, by: User) -> User:
    """A person chooses for themselves: every email, a daily digest or none."""
    if by.pk != user.pk:
        raise ValidationError("You can only choose how you get your own emails.")
    if choice not in EmailChoice.values:
        raise ValidationError({"email_choice": "Choose how often you want emails"})
    if user.email_choice != choice:
        user.email_choice = choice
        user.save(update_fields=["email_choice"])
    return user
