"""The base of every request body."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from mercenary.db.metadata import MAX_ID

# C0 controls except tab, newline and carriage return, and DEL. NUL above all: PostgreSQL refuses it
# in text, so letting it through would turn bad input into a 500. Bodies are checked by ``Strict``;
# query parameters that reach SQL take ``NO_CONTROL`` as their pattern.
_CONTROL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(_CONTROL_CLASS)
NO_CONTROL = rf"^[^{_CONTROL_CLASS[1:-1]}]*$"


def _invisible_class() -> str:
    """A character class of Unicode's format characters (category Cf: bidi overrides and isolates,
    zero-width spaces and joiners, the BOM, tag characters, ...) and the line and paragraph
    separators, which render as nothing or reorder the text around them: refused in bodies so a
    title or a name cannot pretend to be another (docs/errors.md, ``invisible_characters``)."""
    # Planes 0, 1 and 14 hold every format character Unicode assigns (planes 2-13 are ideographs or
    # unassigned, 15-16 private use): scanning those three costs ~25 ms at import instead of ~60.
    planes = (*range(0x20000), *range(0xE0000, 0xF0000))
    points = [c for c in planes if unicodedata.category(chr(c)) == "Cf"]
    points += [0x2028, 0x2029]
    ranges: list[tuple[int, int]] = []
    for c in sorted(points):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


_INVISIBLE = re.compile(f"[{_invisible_class()}]")
# Either kind in one search: a valid string (the common case) is scanned once.
_REFUSED = re.compile(f"[{_CONTROL_CLASS[1:-1]}{_INVISIBLE.pattern[1:-1]}]")
# How deep a body may nest (objects and arrays). The deepest real body is 3 levels; a client could
# otherwise send ~1,000 levels, which exhausts Python's recursion in the JSON decoder or in pydantic.
MAX_DEPTH = 32
# An object id in a body: 64-bit identities on both dialects. Integers in bodies are strict: JSON's
# ``true`` or ``"12"`` is not a number (pydantic would store 1 and 12).
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _too_deep(path: str) -> PydanticCustomError:
    return PydanticCustomError(
        "body_too_deep",
        "The body nests objects and arrays more than {max_depth} levels deep.",
        {"max_depth": MAX_DEPTH, "field": path},
    )


def _refused_text(data: Any) -> tuple[str, str] | None:
    """The first string in ``data`` carrying a refused character: (its path, ``control_characters``
    or ``invisible_characters``); None when there is none. A body nested past :data:`MAX_DEPTH`
    raises ``body_too_deep``. Iterative, a level at a time: each level's values are gathered with
    C-level ``extend`` and no path is built unless a string is refused (:func:`_locate`), so a
    valid body costs about what the recursive walk it replaced did, which broke on deep bodies."""
    level: list[Any] = [data]
    depth = 0
    while level:
        below: list[Any] = []
        for value in level:
            if isinstance(value, str):
                if _REFUSED.search(value) is not None:
                    return _locate(data)
            elif isinstance(value, dict):
                if depth >= MAX_DEPTH:
                    raise _too_deep("")
                below.extend(value.values())
            elif isinstance(value, list):
                if depth >= MAX_DEPTH:
                    raise _too_deep("")
                below.extend(value)
        level = below
        depth += 1
    return None


def _locate(data: Any) -> tuple[str, str] | None:
    """The refused string's path and kind, in document order; run only once one was found."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if _REFUSED.search(value) is not None:
                kind = "control_characters" if _CONTROL.search(value) else "invisible_characters"
                return path, kind
            continue
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep(path)
        for key, item in reversed(list(items)):
            stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
    return None


_MESSAGES = {
    "control_characters": "`{field}` contains control characters.",
    "invisible_characters": (
        "`{field}` contains invisible format characters (bidi controls, zero-width characters, "
        "line or paragraph separators)."
    ),
}


class Strict(BaseModel):
    """Unknown fields are an error, not silently ignored; strings are bounded and may not carry
    control or invisible format characters; a body may nest at most :data:`MAX_DEPTH` levels."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)

    @model_validator(mode="before")
    @classmethod
    def _no_refused_characters(cls, data: Any) -> Any:
        found = _refused_text(data)
        if found is not None:
            where, kind = found
            raise PydanticCustomError(kind, _MESSAGES[kind], {"field": where})
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
