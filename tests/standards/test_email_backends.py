"""The GOV.UK Notify email backend, against a small Notify stand-in on loopback."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from notifications_python_client.errors import APIError

from culture_of_care.email_backends import GovNotifyEmailBackend, NotifyUnavailable

SERVICE_ID = str(uuid.uuid4())
API_KEY = f"culture_of_care_test-{SERVICE_ID}-{uuid.uuid4()}"
TEMPLATE_ID = str(uuid.uuid4())


class FakeNotify(BaseHTTPRequestHandler):
    received: list[dict] = []
    answer = 201

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        type(self).received.append(
            {
                "path": self.path,
                "authorization": self.headers["Authorization"],
                "json": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(self.answer)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        body = {"id": str(uuid.uuid4())} if self.answer == 201 else {"errors": [{"error": "x"}]}
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_server(settings):
    FakeNotify.received = []
    FakeNotify.answer = 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "culture_of_care.email_backends.GovNotifyEmailBackend"
    settings.GOV_NOTIFY_API_KEY = API_KEY
    settings.GOV_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOV_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.EMAIL_TIMEOUT = 5
    yield FakeNotify
    server.shutdown()
    server.server_close()


def _message() -> EmailMessage:
    return EmailMessage(
        subject="Culture of Care: Rate the standards",
        body="You are one of the people rating Willow Ward.\n\nhttps://coc.example/rounds/1/",
        to=["dev@example.nhs.uk"],
    )


def test_notify_backend_sends_subject_and_body_as_personalisation(notify_server):
    assert _message().send() == 1
    [request] = notify_server.received
    assert request["path"] == "/v2/notifications/email"
    assert request["authorization"].startswith("Bearer ")
    assert request["json"] == {
        "email_address": "dev@example.nhs.uk",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "Culture of Care: Rate the standards",
            "body": "You are one of the people rating Willow Ward.\n\nhttps://coc.example/rounds/1/",
        },
    }


def test_notify_backend_server_errors_are_worth_retrying(notify_server):
    notify_server.answer = 500
    with pytest.raises(NotifyUnavailable):
        _message().send()
    assert isinstance(NotifyUnavailable("x"), OSError)


def test_notify_backend_refusals_fail_at_once(notify_server):
    notify_server.answer = 400
    with pytest.raises(APIError) as raised:
        _message().send()
    assert not isinstance(raised.value, OSError)


def test_notify_backend_needs_a_key_and_template(settings):
    settings.GOV_NOTIFY_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        get_connection("culture_of_care.email_backends.GovNotifyEmailBackend")


def test_notify_backend_sends_nothing_for_no_messages(notify_server):
    assert GovNotifyEmailBackend().send_messages([]) == 0
    assert notify_server.received == []
