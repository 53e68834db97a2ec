"""GOV.UK Notify as a Django email backend (docs/decisions/0014).

A trust with a GOV.UK Notify service sets EMAIL_BACKEND to this class, GOV_NOTIFY_API_KEY and
GOV_NOTIFY_TEMPLATE_ID. The template is one email template whose subject is ((subject)) and
whose body is ((body)): every email the site sends (notifications, invitations, password
resets) goes through it, so nothing else changes.
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

log = logging.getLogger(__name__)


class NotifyUnavailable(OSError):
    """Notify could not be reached, or answered 429 or 5xx: worth trying again later (an
    OSError, as an SMTP connection failure is). A 400 or 403 is not: it is raised as it is."""


class GovNotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        self.api_key = kwargs.get("api_key") or settings.GOV_NOTIFY_API_KEY
        self.template_id = kwargs.get("template_id") or settings.GOV_NOTIFY_TEMPLATE_ID
        self.base_url = kwargs.get("base_url") or settings.GOV_NOTIFY_BASE_URL
        if not self.api_key or not self.template_id:
            raise ImproperlyConfigured(
                "Set GOV_NOTIFY_API_KEY and GOV_NOTIFY_TEMPLATE_ID to send email by GOV.UK Notify."
            )
        self.client = None

    def open(self) -> bool:
        if self.client is not None:
            return False
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            self.api_key, base_url=self.base_url, timeout=settings.EMAIL_TIMEOUT
        )
        return True

    def close(self) -> None:
        self.client = None

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        if not email_messages:
            return 0
        new = self.open()
        sent = 0
        try:
            for message in email_messages:
                sent += self._send(message)
        finally:
            if new:
                self.close()
        return sent

    def _send(self, message: EmailMessage) -> int:
        from notifications_python_client.errors import APIError

        body = message.body
        # Notify templates are plain text; an HTML alternative (allauth's) is not sent.
        sent = 0
        for address in message.recipients():
            try:
                self.client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": body},
                )
            except APIError as error:
                if self.fail_silently:
                    log.warning("GOV.UK Notify refused an email: %s", error)
                    continue
                # No response (a connection error: status 503 from the client), too many
                # requests or a server error: the caller may try again later.
                if error.status_code == 429 or error.status_code >= 500:
                    raise NotifyUnavailable(str(error)) from error
                raise
            sent += 1
        return 1 if sent else 0
