"""The mailer contract: send one message, or say why not.

``MAIL_URL`` picks the mailer; the mapping is data and the implementation is imported when a
worker opens it:

- ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it) or ``smtps://...``
  (TLS from the first byte): a real SMTP server, through aiosmtplib.
- ``file:var/mail`` or ``file:///srv/mail``: each message written as an ``.eml`` file in that
  directory. The embedded default: a single machine with no mail server still keeps every message
  it would have sent, readable with any mail client, and nothing is lost when one is configured later.

A failure is either the server's (:class:`MailUnavailableError`: it cannot be reached, timed out or
answered 4xx; the breaker opens and the job is retried later) or the message's
(:class:`MailRejectedError`: a 5xx for this sender or recipient; retrying the server will not help).
"""

from __future__ import annotations

import importlib
from email.message import EmailMessage
from typing import Protocol

SCHEMES = {
    "smtp": "mercenary.backends.mail.smtp:SmtpMailer",
    "smtps": "mercenary.backends.mail.smtp:SmtpMailer",
    "file": "mercenary.backends.mail.files:FileMailer",
}


class MailUnavailableError(Exception):
    """The mail server cannot take mail now (unreachable, timed out, a 4xx answer)."""


class MailRejectedError(Exception):
    """The server refused this message for good (a 5xx for its sender, recipients or content)."""


class UnsupportedMailerError(ValueError):
    """MAIL_URL names no known mailer."""


class Mailer(Protocol):
    """Sends a message to its ``To`` recipients, from its ``From``."""

    name: str  # the scheme, for logs and /ready

    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message``, or raise :class:`MailUnavailableError` / :class:`MailRejectedError`."""
        ...


def open_mailer(url: str, *, timeout_s: float) -> Mailer:
    """The mailer ``url`` names (nothing is connected until the first send)."""
    scheme = url.partition(":")[0].lower()
    target = SCHEMES.get(scheme)
    if target is None:
        raise UnsupportedMailerError(f"MAIL_URL must start with one of {sorted(SCHEMES)}, not {scheme!r}")
    module, _, cls = target.partition(":")
    mailer: Mailer = getattr(importlib.import_module(module), cls).from_url(url, timeout_s=timeout_s)
    return mailer
