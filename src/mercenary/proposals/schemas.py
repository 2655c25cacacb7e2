"""Proposal I/O shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from mercenary.proposals.tables import ProposalStatus
from mercenary.web.pagination import Page
from mercenary.web.schemas import Strict

Status = ProposalStatus


class ProposalCreate(Strict):
    """A freelancer's bid on an open project."""

    cover_letter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]
    price: Annotated[StrictInt, Field(ge=0, le=100_000_000, description="Whole currency units.")]


class ProposalRead(BaseModel):
    """A proposal, as its author and the project's organization see it."""

    id: int
    project_id: int
    freelancer_id: int
    cover_letter: str
    price: int
    status: Status
    created_at: datetime
    updated_at: datetime


class ProposalPage(Page[ProposalRead]):
    """A page of proposals, newest first (``?fields=`` keeps only the named fields)."""


PROPOSAL_FIELDS = tuple(ProposalRead.model_fields)
