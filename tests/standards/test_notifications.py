"""The outbox: recorded once per event and person, sent after commit, never twice."""

import datetime
import smtplib

import pytest
from django.db import transaction
from django.urls import reverse

from standards import notifications
from standards.models import EmailChoice, Notification, NotificationKind, NotificationStatus
from standards.tasks import deliver_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """The test runs in a transaction that never commits: this runs what would run on commit
    at the end of the block (callbacks of rolled-back savepoints are dropped, as in real life)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _notify(user, key="event:1", **kwargs):
    return notifications.notify(
        recipient=user,
        kind=NotificationKind.ROUND_OPEN,
        key=key,
        subject="Rate the standards for Willow Ward, 2026 Q4",
        body="You are one of the people rating Willow Ward.",
        path="/rounds/1/score/",
        **kwargs,
    )


def test_notify_sends_a_plain_email_with_a_full_link_after_commit(smtp_server, settings, commit):
    settings.SITE_URL = "https://coc.example.nhs.uk"
    user = UserFactory(email="dev@example.nhs.uk")
    with commit(), transaction.atomic():
        notification = _notify(user)
        assert smtp_server.inbox.messages == [], "sent before the transaction committed"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    [message] = smtp_server.inbox.to("dev@example.nhs.uk")
    assert message["Subject"] == "Culture of Care: Rate the standards for Willow Ward, 2026 Q4"
    text = smtp_server.inbox.text(message)
    assert "https://coc.example.nhs.uk/rounds/1/score/" in text
    assert "https://coc.example.nhs.uk/account/emails/" in text
    assert message.get_content_type() == "text/plain"


def test_notify_sends_nothing_when_the_transaction_rolls_back(smtp_server, commit):
    user = UserFactory()
    with commit() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _notify(user)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert smtp_server.inbox.messages == []


def test_notify_records_the_same_event_for_a_person_once(smtp_server, commit):
    user = UserFactory()
    with commit():
        first = _notify(user)
    with commit():
        second = _notify(user)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(smtp_server.inbox.messages) == 1


def test_a_retried_or_duplicated_task_sends_nothing_twice(smtp_server, commit):
    with commit():
        notification = _notify(UserFactory())
    deliver_notification.apply(args=(notification.pk,))
    deliver_notification.apply(args=(notification.pk,))
    assert notifications.deliver(notification_id=notification.pk) == "nothing to do"
    assert len(smtp_server.inbox.messages) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


@pytest.mark.parametrize(
    "choice,status",
    [
        (EmailChoice.EVERY, NotificationStatus.SENT),
        (EmailChoice.DAILY, NotificationStatus.IN_DIGEST),
        (EmailChoice.NONE, NotificationStatus.NOT_SENT),
    ],
)
def test_notify_follows_the_persons_choice(smtp_server, commit, choice, status):
    user = UserFactory(email_choice=choice)
    with commit():
        notification = _notify(user)
    notification.refresh_from_db()
    assert notification.status == status
    assert len(smtp_server.inbox.messages) == (1 if choice == EmailChoice.EVERY else 0)


@pytest.mark.parametrize(
    "attrs,status",
    [
        ({"is_active": False}, NotificationStatus.ACCOUNT_CLOSED),
        ({"email": ""}, NotificationStatus.NO_ADDRESS),
    ],
)
def test_notify_never_emails_a_closed_account_or_one_without_an_address(smtp_server, attrs, status):
    notification = _notify(UserFactory(email_choice=EmailChoice.EVERY, **attrs))
    assert notification.status == status
    assert smtp_server.inbox.messages == []


def test_a_refused_send_is_retried_then_sent_once(smtp_server):
    smtp_server.inbox.fail_next = 1
    user = UserFactory()
    with pytest.raises(notifications.TryLater):
        notification = Notification.objects.create(
            recipient=user, kind="round-open", key="k", subject="s", body="b"
        )
        notifications.deliver(notification_id=notification.pk, last_try=False)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.QUEUED
    assert notification.attempts == 1
    assert "451" in notification.error
    assert notifications.deliver(notification_id=notification.pk) == NotificationStatus.SENT
    assert len(smtp_server.inbox.messages) == 1


def test_in_process_a_send_error_fails_the_notification_and_the_page_goes_on(
    settings, commit, celery_in_process
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    with commit():
        notification = _notify(UserFactory())
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.error
    assert len(notification.error) <= 300


def test_the_sweep_sends_queued_notifications_whose_task_was_lost(smtp_server, monkeypatch, commit):
    monkeypatch.setattr(notifications, "enqueue", lambda notification_id: False)
    with commit():
        notification = _notify(UserFactory())  # the broker was down: nothing sent
    monkeypatch.undo()
    Notification.objects.filter(pk=notification.pk).update(
        created_at=notification.created_at - datetime.timedelta(minutes=30)
    )
    assert notifications.resend_queued() == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notifications.resend_queued() == 0
    assert len(smtp_server.inbox.messages) == 1


def test_the_sweep_gives_up_after_several_tries():
    notification = Notification.objects.create(
        recipient=UserFactory(), kind="round-open", key="k", subject="s", body="b", attempts=4
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=notification.created_at - datetime.timedelta(hours=1)
    )
    assert notifications.resend_queued() == 0
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED


def test_daily_digest_lists_waiting_notifications_once_a_day(smtp_server, commit):
    user = UserFactory(email_choice=EmailChoice.DAILY, email="daily@example.nhs.uk")
    _notify(user, key="a")
    _notify(user, key="b")
    today = datetime.date(2026, 11, 30)
    with commit():
        assert notifications.send_daily_digests(today=today) == 1
    with commit():
        assert notifications.send_daily_digests(today=today) == 0
    [message] = smtp_server.inbox.to("daily@example.nhs.uk")
    assert message["Subject"] == "Culture of Care: Your daily summary for 30 November 2026"
    text = smtp_server.inbox.text(message)
    assert text.count("Rate the standards for Willow Ward") == 2
    assert "/rounds/1/score/" in text
    statuses = dict(Notification.objects.values_list("key", "status"))
    assert statuses["a"] == statuses["b"] == NotificationStatus.IN_DIGEST_SENT
    assert statuses[f"digest:{user.pk}:2026-11-30"] == NotificationStatus.SENT


def test_daily_digest_sends_nothing_to_someone_who_since_chose_none(smtp_server):
    user = UserFactory(email_choice=EmailChoice.DAILY)
    _notify(user)
    user.email_choice = EmailChoice.NONE
    user.save()
    assert notifications.send_daily_digests(today=datetime.date(2026, 11, 30)) == 0
    assert smtp_server.inbox.messages == []
    assert Notification.objects.get().status == NotificationStatus.NOT_SENT


def test_email_choice_page_saves_the_choice_and_lists_notifications(client):
    user = UserFactory(username="chooser")
    _notify(user)
    client.force_login(user)
    page = client.get(reverse("account_emails"))
    assert page.status_code == 200
    assert b"Rate the standards for Willow Ward" in page.content
    assert b"always email invitations" in page.content
    response = client.post(reverse("account_emails"), {"email_choice": "daily"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_choice == EmailChoice.DAILY


def test_email_choice_page_refuses_an_unknown_choice_with_a_message(client):
    user = UserFactory(username="chooser")
    client.force_login(user)
    response = client.post(reverse("account_emails"), {"email_choice": "hourly"})
    assert response.status_code == 200
    assert b"Choose how often you want emails" in response.content
    user.refresh_from_db()
    assert user.email_choice == EmailChoice.EVERY


def test_email_choice_page_lists_only_the_persons_own_notifications(client):
    _notify(UserFactory(username="someone-else"), key="theirs")
    user = UserFactory(username="chooser")
    client.force_login(user)
    assert b"Rate the standards" not in client.get(reverse("account_emails")).content


def test_account_page_links_to_the_email_choice(client):
    client.force_login(UserFactory())
    assert reverse("account_emails").encode() in client.get(reverse("account_security")).content


def test_smtp_errors_are_worth_retrying():
    assert issubclass(smtplib.SMTPServerDisconnected, notifications.SEND_ERRORS)
