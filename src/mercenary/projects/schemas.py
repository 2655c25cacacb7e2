"""Project I/O shapes. Inputs forbid unknown fields and bound every string and number."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from mercenary.projects.tables import ProjectStatus
from mercenary.users.schemas import UserPublic
from mercenary.web.pagination import Page
from mercenary.web.schemas import BodyId, Strict, omitted_not_null

MAX_PROJECT_SKILLS = 20
MAX_BATCH = 100

# Control characters (NUL above all, which PostgreSQL text cannot hold) are refused by the Strict base.
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Budget = Annotated[StrictInt, Field(ge=0, le=100_000_000, description="Whole currency units.")]
SkillSlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Skills = Annotated[list[SkillSlug], Field(max_length=MAX_PROJECT_SKILLS)]
Status = ProjectStatus


class ProjectCreate(Strict):
    """A new project. It starts as a draft unless posted straight away with ``status: open``."""

    title: Title
    description: Description
    budget: Budget
    skills: Skills = []
    status: Literal["draft", "open"] = "draft"


class ProjectUpdate(Strict):
    """Changes to a project: only the fields given change. ``status`` moves a draft to ``open`` or
    ``cancelled``, or an open project to ``cancelled`` (closing happens by accepting a proposal)."""

    model_config = ConfigDict(json_schema_extra=omitted_not_null)

    title: Title | None = None
    description: Description | None = None
    budget: Budget | None = None
    skills: Skills | None = None
    status: Literal["draft", "open", "cancelled"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # Omitting a field leaves it alone; an explicit null would be ambiguous, so it is refused.
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(f"fields may be omitted but not null: {', '.join(nulls)}")
        return data

    def changes(self) -> dict[str, Any]:
        """The fields the client set."""
        return self.model_dump(exclude_unset=True, exclude={"id"})


class ProjectBatchItem(ProjectUpdate):
    """One project's changes inside a batch."""

    id: BodyId


class ProjectBatch(Strict):
    """Several of the caller's projects changed in one transaction, all or nothing."""

    items: Annotated[list[ProjectBatchItem], Field(min_length=1, max_length=MAX_BATCH)]


class ProjectRead(BaseModel):
    """A project. ``skills`` (slugs) is always present on a single project; lists add it, ``owner``
    and ``proposal_count`` on ``?include=``."""

    id: int
    tenant_id: int
    owner_id: int
    title: str
    description: str
    budget: int
    status: Status
    created_at: datetime
    updated_at: datetime
    skills: list[str] | None = None
    owner: UserPublic | None = None
    proposal_count: int | None = None


class ProjectPage(Page[ProjectRead]):
    """A page of projects, newest first or most relevant first (``?fields=`` keeps only the named
    fields; relations appear on ``?include=``)."""


class ProjectBatchResult(BaseModel):
    """The projects as they are after the batch, in the order given."""

    items: list[ProjectRead]


PROJECT_FIELDS = tuple(f for f in ProjectRead.model_fields if f not in ("skills", "owner", "proposal_count"))
INCLUDES = ("skills", "owner", "proposal_count")
