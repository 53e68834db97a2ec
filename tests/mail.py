"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the server received, as parsed messages; `fail_next` refuses that many first."""

    messages: list[EmailMessage] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return "451 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def subjects(self, address: str | None = None) -> list[str]:
        with self.lock:
            return [
                str(m["Subject"]) for m in self.messages if address is None or address in m["To"]
            ]

    @staticmethod
    def text(message: EmailMessage) -> str:
        # SMTP carries CRLF line endings; compare text as it was written.
        return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
