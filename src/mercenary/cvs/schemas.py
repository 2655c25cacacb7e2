"""CV I/O shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from mercenary.cvs.tables import VersionStatus
from mercenary.profiles.schemas import SkillRef
from mercenary.skills.service import MAX_SKILLS
from mercenary.web.schemas import Strict


class CVUploadRead(BaseModel):
    """An upload taken: the CV's id, the new version's number and status (``pending`` until the
    worker has parsed it)."""

    id: int
    version: int
    status: VersionStatus


class ParseFailure(BaseModel):
    """Why a version could not be parsed: a stable code and a sentence."""

    code: str
    message: str


class CVVersionRead(BaseModel):
    """One uploaded file and what parsing it gave."""

    number: int
    filename: str
    media_type: str
    size: int
    sha256: str
    status: VersionStatus
    pages: int | None
    failure: ParseFailure | None
    skills: list[str] = Field(description="Skills found in this version (canonical slugs).")
    created_at: datetime
    parsed_at: datetime | None


class CVRead(BaseModel):
    """A freelancer's CV: the latest version's status, the skills it proposes, and its versions
    (newest first, at most 20; ``version_count`` counts them all)."""

    id: int
    owner_id: int
    status: VersionStatus
    skills: list[str] = Field(description="Skills proposed by the newest parsed version.")
    versions: list[CVVersionRead]
    version_count: int
    shared_with: list[int] | None = Field(
        description="Organization ids the CV is shared with (shown to its owner only)."
    )
    created_at: datetime
    updated_at: datetime


class SkillsAccept(Strict):
    """Skills to add to the caller's profile: some of the proposed ones, or all when omitted."""

    skills: Annotated[list[SkillRef], Field(max_length=MAX_SKILLS)] | None = None
