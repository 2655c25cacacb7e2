"""The notification mails of proposals (JOB-6): plain text, one per event, built by the worker."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from mercenary.db import Row


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _base(sender: str, to: Row, subject: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=to["name"], addr_spec=to["email"])
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # Stable per event: a message sent twice (a job run again) is recognisably one message.
    message["Message-ID"] = f"<{message_id}@{_domain(sender)}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to this
    return message


def proposal_received(sender: str, owner: Row, freelancer: Row, project: Row, proposal: Row) -> EmailMessage:
    """To the project's owner: a freelancer bid on it."""
    subject = f"New proposal on \u201c{project['title']}\u201d"
    message = _base(sender, owner, subject, f"proposal-{proposal['id']}-received")
    message.set_content(
        f"Hello {owner['name']},\n\n"
        f"{freelancer['name']} sent a proposal on your project \u201c{project['title']}\u201d "
        f"for {proposal['price']}.\n\n"
        f"{proposal['cover_letter']}\n\n"
        f"Proposal {proposal['id']}: accept or reject it with "
        f"POST /api/v1/proposals/{proposal['id']}/accept or /reject.\n"
    )
    return message


def proposal_accepted(sender: str, freelancer: Row, project: Row, proposal: Row) -> EmailMessage:
    """To the freelancer: their proposal won the project."""
    message = _base(
        sender,
        freelancer,
        f"Your proposal on \u201c{project['title']}\u201d was accepted",
        f"proposal-{proposal['id']}-accepted",
    )
    message.set_content(
        f"Hello {freelancer['name']},\n\n"
        f"Your proposal on \u201c{project['title']}\u201d ({proposal['price']}) was accepted. "
        f"The project is now closed to other bids.\n"
    )
    return message
