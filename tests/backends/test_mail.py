"""Mail (JOB-6, RES-3): the mailers against a real SMTP server (aiosmtpd on a loopback port) and
a real directory, and the mail breaker that fails open, recorded where ``/ready`` and
``breaker_state`` read it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from mercenary.backends import breaker_states
from mercenary.backends.breaker import CLOSED, OPEN
from mercenary.backends.mail import (
    MailDeferredError,
    MailRejectedError,
    MailSender,
    MailUnavailableError,
    UnsupportedMailerError,
    open_mailer,
)
from mercenary.backends.mail.files import FileMailer
from mercenary.backends.mail.smtp import SmtpMailer
from mercenary.db import Database
from mercenary_perf.rig.procs import free_port
from tests.conftest import make_settings
from tests.support.smtp import SmtpServer


def _message(n: int = 1, to: str = "ann@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Mercenary <no-reply@mercenary.localhost>"
    message["To"] = to
    message["Subject"] = f"Hello {n} \u2013 Zo\u00eb"
    message["Message-ID"] = f"<test-{n}@mercenary.localhost>"
    message.set_content(f"Body {n}: na\u00efve caf\u00e9\n")
    return message


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


async def test_smtp_delivers_to_a_real_server(smtp: SmtpServer) -> None:
    mailer = open_mailer(smtp.url, timeout_s=5)
    await mailer.send(_message())
    [(sender, recipients, got)] = smtp.received
    assert sender == "no-reply@mercenary.localhost" and recipients == ["ann@example.com"]
    assert got["Subject"] == "Hello 1 \u2013 Zo\u00eb"
    assert got.get_content().splitlines() == ["Body 1: na\u00efve caf\u00e9"]  # CRLF on the wire


async def test_a_4xx_is_the_servers_trouble_and_a_5xx_the_messages(smtp: SmtpServer) -> None:
    mailer = open_mailer(smtp.url, timeout_s=5)
    smtp.refuse = "421 Too busy, try later"
    with pytest.raises(MailUnavailableError, match="421"):
        await mailer.send(_message())
    smtp.refuse = "550 No such mailbox"
    with pytest.raises(MailRejectedError, match="550"):
        await mailer.send(_message())
    assert smtp.received == []


async def test_a_server_that_is_not_there_is_unavailable() -> None:
    with pytest.raises(MailUnavailableError, match=r"127\.0\.0\.1"):
        await open_mailer(f"smtp://127.0.0.1:{free_port()}", timeout_s=2).send(_message())


def test_mail_urls() -> None:
    smtp = SmtpMailer.from_url("smtps://ann%40x:p%3Ass@mail.example.com", timeout_s=3)
    assert (smtp.host, smtp.port, smtp.tls, smtp.username, smtp.password) == (
        "mail.example.com",
        465,
        True,
        "ann@x",
        "p:ss",
    )
    assert SmtpMailer.from_url("smtp://mx:2525", timeout_s=3).port == 2525
    assert FileMailer.from_url("file:var/mail").directory == Path("var/mail")
    assert FileMailer.from_url("file:///srv/mail").directory == Path("/srv/mail")
    with pytest.raises(UnsupportedMailerError):
        open_mailer("http://mail", timeout_s=1)
    with pytest.raises(ValueError, match="host"):
        open_mailer("smtp://", timeout_s=1)
    with pytest.raises(ValueError, match="directory"):
        open_mailer("file:", timeout_s=1)
    # The default: beside an SQLite database, else var/mail; MAIL_URL wins.
    assert make_settings("sqlite:///var/app.db").mail_url == "file:var/mail"
    assert make_settings("sqlite:////data/app.db").mail_url == "file:/data/mail"
    assert make_settings("sqlite:///app.db").mail_url == "file:mail"
    assert make_settings("postgresql://u@h/db").mail_url == "file:var/mail"
    assert make_settings("postgresql://u@h/db", MAIL_URL="smtp://mx").mail_url == "smtp://mx"


async def test_the_file_mailer_writes_each_message_whole_and_once(tmp_path: Path) -> None:
    mailer = open_mailer(f"file:{tmp_path}/mail", timeout_s=1)
    await mailer.send(_message(1))
    await mailer.send(_message(1))  # the same message again (a job run twice): still one file
    await mailer.send(_message(2))
    files = sorted((tmp_path / "mail").iterdir())
    assert [f.name for f in files] == ["test-1@mercenary.localhost.eml", "test-2@mercenary.localhost.eml"]
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Hello 1 \u2013 Zo\u00eb" and parsed.get_content().splitlines() == [
        "Body 1: na\u00efve caf\u00e9"
    ]


async def test_the_file_mailer_in_a_directory_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the directory should be")
    with pytest.raises(MailUnavailableError):
        await open_mailer(f"file:{tmp_path}/taken", timeout_s=1).send(_message())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


async def test_the_breaker_fails_open_and_a_probe_closes_it(db: Database) -> None:
    server = SmtpServer()  # its port is chosen, nothing listens yet
    sender = MailSender(open_mailer(server.url, timeout_s=2), db, open_s=0.5)
    with pytest.raises(MailUnavailableError):
        await sender.send(_message(1))
    assert sender.breaker.state == OPEN
    assert (await breaker_states.load(db))["mail"] == {"state": "open", "level": 2, "opened": 1}
    server.start()
    try:
        # Open: the message is not tried (the server, up now, receives nothing) and waits.
        with pytest.raises(MailDeferredError):
            await sender.send(_message(2))
        assert server.received == []
        await asyncio.sleep(0.6)
        # Due for its probe (as the API reads it too); the probe goes through and closes it.
        assert (await breaker_states.load(db))["mail"]["state"] == "half_open"
        await sender.send(_message(3))
        assert sender.breaker.state == CLOSED
        assert [m["Message-ID"] for m in server.messages()] == ["<test-3@mercenary.localhost>"]
        assert (await breaker_states.load(db))["mail"] == {"state": "closed", "level": 0, "opened": 1}
        # A refused message leaves the breaker closed: the server is fine.
        server.refuse = "550 No such mailbox"
        with pytest.raises(MailRejectedError):
            await sender.send(_message(4))
        assert sender.breaker.state == CLOSED
    finally:
        server.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_ready_and_metrics_show_the_workers_mail_breaker(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ready = (await client.get("/ready")).json()
    assert ready["breakers"]["mail"] == {"state": "closed", "opened": 0}  # no worker recorded one yet
    sender = MailSender(
        open_mailer(f"smtp://127.0.0.1:{free_port()}", timeout_s=2), app.state.mercenary.db, open_s=60
    )
    with pytest.raises(MailUnavailableError):  # as a worker's send would
        await sender.send(_message())
    ready = (await client.get("/ready")).json()
    assert ready["status"] == "ready"  # the mail breaker fails open: it never gates readiness
    assert ready["breakers"]["mail"] == {"state": "open", "opened": 1}
    assert (await client.get("/metrics")).status_code == 200
    assert REGISTRY.get_sample_value("breaker_state", {"backend": "mail"}) == 2
