import logging

from celery import shared_task

from . import notifications

log = logging.getLogger(__name__)


@shared_task
def ping() -> str:
    """A trivial task that proves the Celery wiring end to end."""
    return "pong"


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=notifications.MAX_ATTEMPTS)
def deliver_notification(self, notification_id: int) -> None:
    """Send one notification. A send error is tried again with back-off (30 s, 1 min, 2 min);
    in-process (no worker) there is no waiting, so it fails at once and says so."""
    last_try = self.request.is_eager or self.request.retries >= self.max_retries - 1
    try:
        notifications.deliver(notification_id=notification_id, last_try=last_try)
    except notifications.TryLater as error:
        raise self.retry(countdown=30 * 2**self.request.retries) from error


@shared_task(ignore_result=True)
def resend_queued_notifications() -> None:
    """Celery beat: send again the notifications whose task never reached a worker."""
    count = notifications.resend_queued()
    if count:
        log.warning("Sent %s queued notification(s) to a worker again", count)


@shared_task
def heartbeat() -> float:
    """Every minute (Celery beat): proves to /health/ that a worker is taking tasks."""
    from .health import record_heartbeat

    return record_heartbeat()


@shared_task(ignore_result=True, acks_late=True)
def send_password_reset(email: str) -> None:
    """The password reset email, written here rather than in the request, so that a known and
    an unknown address take the same path there (accounts.password_reset)."""
    from .accounts.password_reset import send_reset

    send_reset(email)
