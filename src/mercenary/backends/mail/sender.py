"""The mailer behind a circuit breaker that fails OPEN: while the server is down, mail waits.

Closed, every send goes to the server. A :class:`MailUnavailableError` opens the breaker for
``open_s``: meanwhile a job does not try the server (and hold a worker thread for a connect
timeout); it fails at once with :class:`MailDeferredError`, and the queue retries it later with its
backoff. Nothing is dropped and no request ever waits on mail. When ``open_s`` has passed, the next
job is the probe: its success closes the breaker. A refused message (:class:`MailRejectedError`)
is the message's fault, not the server's, and leaves the breaker as it is.

Each change of state is written where the API reads it (``backends/breaker_states.py``).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from mercenary.backends import breaker_states
from mercenary.backends.breaker import CLOSED, CircuitBreaker
from mercenary.backends.mail.base import Mailer, MailUnavailableError
from mercenary.db import Database

log = logging.getLogger("mercenary.mail")


class MailDeferredError(Exception):
    """The mail breaker is open: the message was not tried, and waits for the job's next attempt."""


class MailSender:
    """Sends through ``mailer`` unless its breaker is open."""

    def __init__(self, mailer: Mailer, db: Database, *, open_s: float) -> None:
        self.mailer = mailer
        self.db = db
        self.open_s = open_s
        self.breaker = CircuitBreaker("mail", open_s)

    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message``; :class:`MailDeferredError` while the breaker is open,
        :class:`MailUnavailableError` when this attempt found the server down."""
        breaker = self.breaker
        if not breaker.allow():
            raise MailDeferredError(f"the mail breaker is open; {message['To']} waits in the queue")
        before = (breaker.state, breaker.opened)
        try:
            await self.mailer.send(message)
        except MailUnavailableError:
            breaker.failure(self.open_s)
            await self._record(before)
            raise
        if breaker.state != CLOSED:  # the probe succeeded
            breaker.success()
        await self._record(before)

    async def _record(self, before: tuple[int, int]) -> None:
        if (self.breaker.state, self.breaker.opened) == before:
            return
        try:
            await breaker_states.save(self.db, self.breaker, self.open_s)
        except Exception:  # the state is news for /ready, never a reason to fail the job
            log.exception("mail breaker: could not record its state")
