"""Password reset reveals nothing (issue 20): a known and an unknown address take the same path
in the web request (the same queries, the same work queued), the worker writes the email, and an
address with no account is never sent to a sign-up page the service does not have."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from standards.accounts import password_reset

UNKNOWN = "nobody.here@example.nhs.uk"


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(password_reset, "send_task", lambda name, args: sent.append((name, args)))
    return sent


def _ask(client, email):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    return [query["sql"] for query in queries.captured_queries]


def test_a_known_and_an_unknown_address_take_the_same_path(client, ward_staff, queued):
    known = _ask(client, ward_staff.email.upper())
    unknown = _ask(client, UNKNOWN)

    assert known == unknown
    assert queued == [
        (password_reset.TASK, (ward_staff.email.lower(),)),
        (password_reset.TASK, (UNKNOWN,)),
    ]


def test_the_worker_sends_a_working_link_to_a_known_address(client, ward_staff, mailoutbox):
    assert password_reset.send_reset(ward_staff.email) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if "/account/password/reset/key/" in line)
    assert link.startswith("http")
    page = client.get(urlsplit(link).path, follow=True)
    assert 'name="password1"' in page.content.decode()  # the link opens "choose a password"


def test_an_unknown_address_is_told_there_is_no_account_and_offered_no_sign_up(db, mailoutbox):
    assert password_reset.send_reset(UNKNOWN) == 0
    body = mailoutbox[0].body
    assert "no account uses it" in body
    assert "signup" not in body.lower() and "/sign-up" not in body.lower()
    assert "there is nothing to sign up for" in body


def test_a_deactivated_account_gets_no_link(ward_staff, mailoutbox):
    ward_staff.is_active = False
    ward_staff.save()
    assert password_reset.send_reset(ward_staff.email) == 0
    assert "/account/password/reset/key/" not in mailoutbox[0].body
