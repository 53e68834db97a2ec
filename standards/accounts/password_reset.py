"""Password reset that reveals nothing (issue 20): the request takes the same path whether or not
the address has an account (no look-up, one task queued by name), and the worker looks the
address up and writes the email. An address with no account is told so, with no link to a
sign-up page the service does not have (accounts come from a trust's invitation)."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from ..background import send_task

TASK = "standards.tasks.send_password_reset"


def request_reset(email: str) -> None:
    """In the web request: queue the work, whatever the address."""
    send_task(TASK, (email.strip().lower(),))


def send_reset(email: str) -> int:
    """In the worker: a reset link to each active account with this address, or a note that
    there is no account. Returns how many links were sent."""
    people = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}reset your password"
    messages = []
    for person in people:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(person),
                "key": default_token_generator.make_token(person),
            },
        )
        link = _link(path)
        body = render_to_string(
            "standards/email/password_reset.txt",
            {"person": person, "link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
        )
        messages.append(EmailMessage(subject, body, to=[email]))
    if not messages:
        body = render_to_string(
            "standards/email/password_reset_no_account.txt",
            {"email": email, "sign_in": _link(reverse("account_login"))},
        )
        messages.append(EmailMessage(subject, body, to=[email]))
    get_connection().send_messages(messages)
    return len(people)


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"
