"""Plain HTML forms: the body read as ``application/x-www-form-urlencoded`` and validated with the
domains' own request schemas (the same bounds and character rules as the API), errors turned into
sentences for the form to show."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError

from mercenary.pages.errors import InvalidFormError
from mercenary.pages.session import CSRF_FIELD

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 20
M = TypeVar("M", bound=BaseModel)


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's fields (the body is bounded by ``MAX_BODY_BYTES`` already)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise InvalidFormError("Post the form as application/x-www-form-urlencoded.")
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidFormError("The form could not be read.") from None
    form = dict(pairs)
    if len(form) != len(pairs):
        raise InvalidFormError("A field was sent twice.")
    return form


def whole_number(raw: str | None) -> int | str | None:
    """A number field: plain decimal digits become an int; anything else stays text and fails the
    schema's strict integer check."""
    if raw is None or raw == "":
        return None
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else raw


def split_list(raw: str | None) -> list[str]:
    """``a, b`` as ``["a", "b"]``."""
    return [s.strip() for s in (raw or "").split(",") if s.strip()]


def messages(exc: ValidationError, labels: dict[str, str]) -> list[str]:
    """One sentence per error, naming the field by its label."""
    out = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        out.append(f"{labels.get(field, field.replace('_', ' ').capitalize())}: {error['msg']}.")
    return out


def parse(model: type[M], values: dict[str, Any], labels: dict[str, str]) -> M | list[str]:
    """``values`` (the form without its CSRF field and empty optional fields) as ``model``, or
    the sentences saying what is wrong."""
    data = {k: v for k, v in values.items() if k != CSRF_FIELD and v is not None}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return messages(exc, labels)
