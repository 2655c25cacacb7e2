"""Skill I/O shapes. Slugs and aliases share one pattern: lower-case, URL- and query-string-safe,
and room for names such as ``c++``, ``c#`` and ``node.js``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mercenary.web.schemas import Strict, omitted_not_null

SLUG_PATTERN = r"^[a-z0-9][a-z0-9+#.-]{0,63}$"
MAX_ALIASES = 20

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
SkillName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Aliases = Annotated[list[Slug], Field(max_length=MAX_ALIASES)]


class SkillCreate(Strict):
    """A new skill. ``aliases`` are other spellings that resolve to it (``js`` for ``javascript``);
    no slug or alias may name two skills."""

    slug: Slug
    name: SkillName
    category: Category
    aliases: Aliases = []


class SkillUpdate(Strict):
    """The fields to change; ``aliases``, when given, replaces the whole set. ``null`` is refused:
    leave a field out to keep it."""

    model_config = ConfigDict(json_schema_extra=omitted_not_null)

    slug: Slug | None = None
    name: SkillName | None = None
    category: Category | None = None
    aliases: Aliases | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> SkillUpdate:
        nulls = sorted(f for f in self.model_fields_set if getattr(self, f) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null; leave a field out to keep it")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the request sets."""
        return {f: getattr(self, f) for f in self.model_fields_set}


class SkillRead(BaseModel):
    """A skill of the taxonomy."""

    id: int
    slug: str
    name: str
    category: str
    aliases: list[str]
