"""Freelancer profile I/O shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from mercenary.profiles.tables import Availability
from mercenary.skills.service import MAX_SKILLS
from mercenary.web.pagination import Page
from mercenary.web.schemas import Strict

# A slug or an alias, in any case (resolved case-insensitively against the taxonomy).
SkillRef = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9+#.-]{0,63}$")
]
MAX_RATE = 100_000


class ProfileWrite(Strict):
    """A freelancer's whole profile (PUT replaces it). ``skills`` are slugs or aliases; they are
    stored and returned as canonical slugs."""

    headline: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)] = ""
    hourly_rate: Annotated[StrictInt, Field(ge=0, le=MAX_RATE, description="Whole currency units per hour.")]
    skills: Annotated[list[SkillRef], Field(max_length=MAX_SKILLS)] = []
    availability: Availability = "available"


class ProfileRead(BaseModel):
    """A freelancer's profile as any signed-in user sees it."""

    user_id: int
    name: str
    headline: str
    bio: str
    hourly_rate: int
    availability: Availability
    skills: list[str]
    updated_at: datetime


class ProfilePage(Page[ProfileRead]):
    """A page of freelancer profiles: in user id order, or most relevant first for a search
    (``?fields=`` keeps only the named fields)."""


FREELANCER_FIELDS = tuple(ProfileRead.model_fields)


class PdfPending(BaseModel):
    """The PDF is being rendered: ask again after ``retry_after`` seconds (also ``Retry-After``)."""

    status: str = Field(examples=["rendering"])
    retry_after: int
