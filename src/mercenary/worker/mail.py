"""The worker's mail sender: one per worker process, opened on first use from ``MAIL_URL``."""

from __future__ import annotations

from mercenary.backends.mail import MailSender, open_mailer
from mercenary.state import AppState

_senders: dict[int, MailSender] = {}


def mail_sender(state: AppState) -> MailSender:
    """The sender (and its breaker) of the worker whose state is ``state``."""
    sender = _senders.get(id(state))
    if sender is None:
        settings = state.settings
        mailer = open_mailer(settings.mail_url, timeout_s=settings.MAIL_TIMEOUT_S)
        sender = _senders[id(state)] = MailSender(mailer, state.db, open_s=settings.MAIL_BREAKER_OPEN_S)
    return sender
