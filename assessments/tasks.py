"""Background work for assessments: the daily reminders and digests (Celery beat)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from standards import notifications

from . import notices

log = logging.getLogger(__name__)


def run_daily(*, today: datetime.date) -> dict[str, int]:
    """Reminders first, so that those for people who chose a daily email join today's digest."""
    counts = {
        "scoring reminders": notices.scoring_reminders(today=today),
        "action reminders": notices.action_reminders(today=today),
    }
    counts["digests"] = notifications.send_daily_digests(today=today)
    return counts


@shared_task(ignore_result=True)
def daily_notifications() -> None:
    """Celery beat, at NOTIFICATIONS_DAILY_HOUR: computed from the database, so running twice
    sends nothing twice and a missed day is caught up the next."""
    counts = run_daily(today=timezone.localdate())
    log.info("Daily notifications: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
