"""A real SMTP server for tests (aiosmtpd), on a free port of 127.0.0.1, in a thread of its own
with its own asyncio loop: the mails it receives are parsed and handed over in a queue."""

from __future__ import annotations

import asyncio
import email
import email.policy
import queue
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "mailer", "s3cret:with/odd@chars"
LINK = re.compile(r"(\S+/reset-password\?token=[A-Za-z0-9_-]+)")


class _Collector:
    def __init__(self) -> None:
        self.received: queue.Queue[EmailMessage] = queue.Queue()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        message["X-Authenticated-As"] = (
            str(session.auth_data.login, "utf-8") if session.authenticated else ""
        )
        self.received.put(message)
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, auth_data=auth_data if ok else None)


@dataclass
class Mailbox:
    url: str
    collector: _Collector

    def next_mail(self, timeout: float = 10) -> EmailMessage:
        """The next mail received (blocking: from trio, call it in a worker thread)."""
        return self.collector.received.get(timeout=timeout)

    def empty(self) -> bool:
        return self.collector.received.empty()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_mailbox() -> Iterator[Mailbox]:
    """An SMTP server that requires AUTH (over plain text on loopback: it has no certificate,
    so it offers no STARTTLS; pyproject.toml silences aiosmtpd's warning about that)."""
    collector = _Collector()
    port = free_port()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        # Its own loop: not the policy's (trio_asyncio's, once imported).
        loop=asyncio.SelectorEventLoop(),
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield Mailbox(
            url=f"smtp://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}",
            collector=collector,
        )
    finally:
        controller.stop()


def link_in(message: EmailMessage) -> str:
    """The reset link of a mail, found in its plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match.group(1)
