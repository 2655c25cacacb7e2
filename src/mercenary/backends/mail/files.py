"""Mail written to files: each message an ``.eml`` (RFC 5322) file in one directory.

The embedded default (``file:var/mail``): a machine with no mail server keeps every message it
would have sent, and any mail client opens them. A file appears whole or not at all (written under
a temporary name, then renamed), named after its Message-ID, so a message sent twice (a job run
again) is one file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from mercenary.backends.mail.base import MailUnavailableError

UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")


@dataclass(frozen=True)
class FileMailer:
    """``file:relative/dir`` or ``file:///absolute/dir``."""

    directory: Path
    name: str = "file"

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float = 0) -> FileMailer:
        path = url.partition(":")[2]
        if path.startswith("//"):  # file:///abs/path (an empty host)
            path = path[2:]
        if not path:
            raise ValueError("MAIL_URL: file: needs a directory")
        return cls(Path(path))

    def path_of(self, message: EmailMessage) -> Path:
        """Where ``message`` is (or will be) written."""
        message_id = str(message["Message-ID"] or "").strip("<> ") or "message"
        return self.directory / f"{UNSAFE.sub('_', message_id)}.eml"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        target = self.path_of(message)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(message.as_bytes(policy=SMTP))
            os.replace(partial, target)
        except OSError as exc:  # a full disk, a read-only directory
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise MailUnavailableError(f"{self.directory}: {exc}") from exc
