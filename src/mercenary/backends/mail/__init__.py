"""Outgoing mail (JOB-6): a mailer chosen by ``MAIL_URL``, behind a circuit breaker. Worker only."""

from mercenary.backends.mail.base import (
    Mailer,
    MailRejectedError,
    MailUnavailableError,
    UnsupportedMailerError,
    open_mailer,
)
from mercenary.backends.mail.sender import MailDeferredError, MailSender

__all__ = [
    "MailDeferredError",
    "MailRejectedError",
    "MailSender",
    "MailUnavailableError",
    "Mailer",
    "UnsupportedMailerError",
    "open_mailer",
]
