"""Review and rating I/O shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from mercenary.web.pagination import Page
from mercenary.web.schemas import BodyId, Strict


class ReviewCreate(Strict):
    """A review of the other party of a closed project."""

    project_id: BodyId
    reviewee_id: BodyId
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]


class ReviewRead(BaseModel):
    """A review, public to every signed-in user."""

    id: int
    project_id: int
    reviewer_id: int
    reviewee_id: int
    rating: int
    text: str
    created_at: datetime


class ReviewPage(Page[ReviewRead]):
    """A page of a user's reviews, newest first (``?fields=`` keeps only the named fields)."""


class RatingRead(BaseModel):
    """A user's rating: how many reviews, their mean (null without reviews) and how many of each star."""

    count: int
    mean: float | None
    distribution: dict[str, int]


REVIEW_FIELDS = tuple(ReviewRead.model_fields)
