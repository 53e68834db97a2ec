"""The emails page says the real reason an email was not sent, and what to do about it."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from standards import notifications
from standards.models import EmailChoice, Notification, NotificationKind, NotificationStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, key="event:1"):
    return notifications.notify(
        recipient=user,
        kind=NotificationKind.ROUND_OPEN,
        key=key,
        subject="Rate the standards for Willow Ward, 2026 Q4",
        body="You are one of the people rating Willow Ward.",
        path="/rounds/1/score/",
    )


def _page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("account_emails")).content.decode()


def test_no_address_with_every_email_chosen_says_so_and_what_to_do(client):
    user = UserFactory(email="", email_choice=EmailChoice.EVERY)
    _notify(user)
    html = _page(client, user)
    assert "you chose no emails" not in html
    assert "Not sent: we have no email address for you" in html
    assert "Ask your trust&#x27;s administrator to add your work email address" in html
    assert "We cannot email you" in html
    assert "An email that was not sent is not sent later" in html
    # "Every email" is still what the form shows as chosen.
    assert 'value="every" checked' in html


def test_chose_none_says_so_and_how_to_get_emails_again(client):
    user = UserFactory(email_choice=EmailChoice.NONE)
    _notify(user)
    html = _page(client, user)
    assert "Not sent: you chose no emails" in html
    assert "choose every email or one a day" in html
    assert "no email address" not in html
    assert "We cannot email you" not in html


def test_a_failed_email_says_we_stopped_trying_and_who_can_check_the_address(client):
    user = UserFactory(email="someone@example.nhs.uk")
    notification = _notify(user)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, error="SMTPRecipientsRefused: someone@example.nhs.uk"
    )
    html = _page(client, user)
    assert "Could not be sent" in html
    assert "have stopped trying" in html
    assert "SMTPRecipientsRefused" not in html


def test_sent_emails_need_no_explanation(client, smtp_server):
    user = UserFactory(email_choice=EmailChoice.DAILY)
    _notify(user)
    html = _page(client, user)
    assert "Waiting for your daily email" in html
    assert "Why some were not sent" not in html


def test_a_digest_for_someone_who_lost_their_address_says_so(smtp_server):
    user = UserFactory(email_choice=EmailChoice.DAILY)
    _notify(user)
    user.email = ""
    user.save()
    assert notifications.send_daily_digests(today=datetime.date(2026, 11, 30)) == 0
    assert Notification.objects.get().status == NotificationStatus.NO_ADDRESS


def test_older_records_get_the_likelier_reason():
    migration = importlib.import_module("standards.migrations.0007_notification_not_sent_reasons")
    no_address = UserFactory(email="", email_choice=EmailChoice.EVERY)
    chose_none = UserFactory(email="", email_choice=EmailChoice.NONE)
    closed = UserFactory(is_active=False)
    has_address = UserFactory(email_choice=EmailChoice.EVERY)
    for n, user in enumerate([no_address, chose_none, closed, has_address]):
        notification = _notify(user, key=f"old:{n}")
        Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.NOT_SENT)
    migration.say_why_not_sent(apps, None)
    statuses = dict(Notification.objects.values_list("recipient", "status"))
    assert statuses[no_address.pk] == NotificationStatus.NO_ADDRESS
    assert statuses[chose_none.pk] == NotificationStatus.NOT_SENT
    assert statuses[closed.pk] == NotificationStatus.ACCOUNT_CLOSED
    # Nothing to go on: the record keeps what it said.
    assert statuses[has_address.pk] == NotificationStatus.NOT_SENT
