"""Mail over SMTP with aiosmtplib: one connection per message (notifications are few, and a
connection kept open would be one more thing to find dead)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from mercenary.backends.mail.base import MailRejectedError, MailUnavailableError

PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpMailer:
    """``smtp://[user:password@]host[:port]`` or ``smtps://...``."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    timeout_s: float
    name: str = "smtp"

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float) -> SmtpMailer:
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError("MAIL_URL: smtp://host[:port] needs a host")
        return cls(
            host=parts.hostname,
            port=parts.port or PORTS[parts.scheme],
            tls=parts.scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout_s=timeout_s,
        )

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                use_tls=self.tls,
                username=self.username,
                password=self.password,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:  # every recipient: the worst reply decides
            raise _by_code(exc, max((r.code for r in exc.recipients), default=550)) from exc
        except aiosmtplib.SMTPResponseException as exc:  # sender refused, data refused, 421 ...
            raise _by_code(exc, exc.code) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:  # connect, timeout, dropped
            raise MailUnavailableError(f"{self.host}:{self.port}: {type(exc).__name__}: {exc}") from exc


def _by_code(exc: Exception, code: int) -> Exception:
    """A 4xx is the server's trouble (try again later); a 5xx is the message's (do not)."""
    if 400 <= code < 500:
        return MailUnavailableError(f"{code}: {exc}")
    return MailRejectedError(f"{code}: {exc}")
