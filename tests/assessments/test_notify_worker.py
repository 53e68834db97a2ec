"""A real Celery worker over Redis sends a whole round's emails to a real SMTP server.

Needs PostgreSQL and Redis, like tests/reports/test_worker.py (whose helpers it uses); in CI a
missing service fails the test, elsewhere it is skipped.
"""

import os

import pytest
from django.conf import settings

from assessments import services
from assessments.models import Round
from standards.models import Notification, NotificationStatus
from tests.assessments.builders import agree_all, rate_all, scoring_round
from tests.reports.test_worker import (
    Worker,
    broker,
    dedicated_redis_url,
    require_services,
    wait_for,
    worker_database_url,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_worker_delivers_a_whole_rounds_emails_over_smtp(
    smtp_server, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, qi_lead, tmp_path
):
    require_services()
    url = dedicated_redis_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.base",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": url,
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "SITE_URL": "https://coc.example.nhs.uk",
    }
    inbox = smtp_server.inbox
    with broker(url):
        worker = Worker("notify", env, tmp_path / "worker.log")
        try:
            round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
            for user in (ward_staff, le_partner):
                rate_all(round=round, user=user)
                services.submit_ratings(round=round, by=user)
            agree_all(round=round, manager=ward_manager)
            services.finish_agreeing(round=round, by=ward_manager)
            services.sign_as_manager(round=round, by=ward_manager)
            services.sign_as_leader(
                round=round, decision="reservations", words="Heard late.", by=le_leader
            )
            services.reopen_round(
                round=Round.objects.get(pk=round.pk), reason="Plan incomplete.", by=qi_lead
            )
            # 2 to rate, 1 all submitted, 1 co-sign, 2 decisions, 2 voided signatures.
            wait_for(lambda: len(inbox.messages) >= 8, timeout=90, what="8 emails", logs=[worker])
            wait_for(
                lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists(),
                timeout=30,
                what="every notification marked sent",
                logs=[worker],
            )
        finally:
            worker.kill()
    assert len(inbox.messages) == 8
    assert Notification.objects.count() == 8
    assert all(n.attempts == 1 for n in Notification.objects.all())
    texts = [inbox.text(m) for m in inbox.messages]
    assert any(f"https://coc.example.nhs.uk/rounds/{round.pk}/sign/" in t for t in texts)
