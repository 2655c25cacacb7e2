"""Proposal jobs (run by the worker only): the notification mails."""

from __future__ import annotations

import logging

from mercenary.errors import NotFoundError
from mercenary.projects.access import stored_project
from mercenary.proposals import notices, service
from mercenary.state import AppState
from mercenary.users import service as users
from mercenary.worker.mail import mail_sender
from mercenary.worker.registry import job

log = logging.getLogger("mercenary.mail")


@job(service.NOTIFY_RECEIVED)
async def notify_received(state: AppState, proposal_id: int) -> None:
    """Mail the project's owner about a new proposal (not if it was withdrawn meanwhile)."""
    db = state.db
    if await service.notice_sent(db, proposal_id, "received"):
        return
    proposal = await service.stored_proposal(db, proposal_id)
    project = proposal and await stored_project(db, proposal["project_id"])
    if proposal is None or project is None or proposal["status"] == "withdrawn":
        return  # gone (a deleted project takes its proposals) or no longer news
    try:
        owner = await users.get_user(db, project["owner_id"])
        freelancer = await users.get_user(db, proposal["freelancer_id"])
    except NotFoundError:
        log.info("proposal %d: an account was deactivated, no mail", proposal_id)
        return
    message = notices.proposal_received(state.settings.MAIL_FROM, owner, freelancer, project, proposal)
    await mail_sender(state).send(message)
    await service.record_notice(db, proposal_id, "received")


@job(service.NOTIFY_ACCEPTED)
async def notify_accepted(state: AppState, proposal_id: int) -> None:
    """Mail the freelancer that their proposal was accepted."""
    db = state.db
    if await service.notice_sent(db, proposal_id, "accepted"):
        return
    proposal = await service.stored_proposal(db, proposal_id)
    project = proposal and await stored_project(db, proposal["project_id"])
    if proposal is None or project is None:
        return
    try:
        freelancer = await users.get_user(db, proposal["freelancer_id"])
    except NotFoundError:
        log.info("proposal %d: the freelancer was deactivated, no mail", proposal_id)
        return
    message = notices.proposal_accepted(state.settings.MAIL_FROM, freelancer, project, proposal)
    await mail_sender(state).send(message)
    await service.record_notice(db, proposal_id, "accepted")
