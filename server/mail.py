"""Outgoing mail: a bounded queue drained by one task of the service nursery, so that no
request ever waits on an SMTP server.

SMTP is spoken by the standard library's smtplib in a worker thread (trio.to_thread): one short
conversation per mail, STARTTLS whenever the server offers it, AUTH when the URL has a user.
An async SMTP client would be a dependency for what a thread does well here: mails are rare
(password resets) and the thread keeps the event loop free all the same.

With no SMTP server configured (development), each mail is written to the log instead.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import trio

log = logging.getLogger("socialnet.mail")

# Mails waiting for the SMTP server. Each is a password-reset link, and requests for them are
# rate-limited per address: a queue this long means the SMTP server is away, and a mail that
# does not fit is dropped (logged) rather than making a request wait.
MAIL_QUEUE_SIZE = 100
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    # smtps://: TLS from the first byte; smtp://: STARTTLS when the server offers it.
    implicit_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """smtp://user:password@host:port or smtps://... (user and password percent-encoded)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SOCIALNET_SMTP_URL must look like smtp://user:password@host:port")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
        )


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """Plain text with an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="socialnet")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def send_smtp(settings: SmtpSettings, message: EmailMessage) -> None:
    """One SMTP conversation (blocking: run it in a worker thread)."""
    context = ssl.create_default_context()
    if settings.implicit_tls:
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        smtp.ehlo()
        if not settings.implicit_tls and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username is not None:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


class Mailer:
    """Queue mails with `send_nowait`; `run` (a task of the service nursery) delivers them."""

    def __init__(self, smtp_url: str | None, sender: str):
        self.settings = SmtpSettings.from_url(smtp_url) if smtp_url else None
        self.sender = sender
        self._send, self._receive = trio.open_memory_channel[Mail](MAIL_QUEUE_SIZE)

    def send_nowait(self, mail: Mail) -> bool:
        """Queue a mail; False (and a log line) when the queue is full."""
        try:
            self._send.send_nowait(mail)
        except trio.WouldBlock:
            log.error("mail queue full; a mail to %s is dropped", _masked(mail.to))
            return False
        return True

    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> NoReturn:
        task_status.started()
        async for mail in self._receive:
            await self._deliver(mail)
        raise AssertionError("the mail queue never closes")

    async def _deliver(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        if self.settings is None:
            log.info(
                "no SMTP server configured (SOCIALNET_SMTP_URL); the mail instead:\n%s",
                message.as_string(),
            )
            return
        try:
            await trio.to_thread.run_sync(send_smtp, self.settings, message)
        except (OSError, smtplib.SMTPException) as error:
            log.error("could not send a mail to %s: %s", _masked(mail.to), error)
        else:
            log.info("mail sent to %s", _masked(mail.to))


def _masked(address: str) -> str:
    """Enough of an address for a log line: a***@example.com."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
