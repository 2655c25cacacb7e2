"""The base of every request body."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mercenary.db.metadata import MAX_ID

# C0 controls except tab, newline and carriage return, and DEL. NUL above all: PostgreSQL refuses it
# in text, so letting it through would turn bad input into a 500. Bodies are checked by ``Strict``;
# query parameters that reach SQL take ``NO_CONTROL`` as their pattern.
_CONTROL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(_CONTROL_CLASS)
NO_CONTROL = rf"^[^{_CONTROL_CLASS[1:-1]}]*$"
# An object id in a body: 64-bit identities on both dialects.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _find_control(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _find_control(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class Strict(BaseModel):
    """Unknown fields are an error, not silently ignored; strings are bounded and may not carry
    control characters."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        where = _find_control(data, "")
        if where is not None:
            raise ValueError(f"`{where}` contains control characters")
        return data


def omitted_not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for a model of changes whose fields may be left out but not sent as
    null: it publishes each ``X | None = None`` field as plain ``X`` with no default, which is what
    the model's validator accepts (the ``None`` in the type only stands for "not given")."""
    for prop in schema.get("properties", {}).values():
        branches = prop.get("anyOf")
        if branches and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if "default" in prop and prop["default"] is None:
            del prop["default"]
