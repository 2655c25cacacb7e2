"""The error registry: every code a client can receive is defined once, in an ``errors`` module,
and ``docs/errors.md`` says what each one means."""

from __future__ import annotations

from pathlib import Path

import mercenary.app  # every route and service, so every error class that exists is defined
from mercenary import error_registry
from mercenary.errors import MercenaryError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def _all_subclasses(cls: type[MercenaryError]) -> list[type[MercenaryError]]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_all_subclasses(sub)]
    return out


def test_every_code_is_unique() -> None:
    assert error_registry.duplicates() == {}
    codes = [entry.code for entry, _ in error_registry.registry()]
    assert len(codes) == len(set(codes))


def test_the_registry_lists_every_kind_of_error() -> None:
    codes = {entry.code: source for entry, source in error_registry.registry()}
    assert codes["project_not_found"] == "mercenary.projects.errors.ProjectNotFoundError"
    assert codes["unknown_skill"] == "mercenary.skills.errors.UnknownSkillError"
    assert codes["invalid_token"] == "mercenary.errors.InvalidTokenError"
    assert codes["invalid_cursor"] == "mercenary.web.errors.InvalidCursorError"
    assert codes["unknown_field"] == "mercenary.web.errors.UnknownFieldError"
    web = {"validation_error", "malformed_json", "payload_too_large", "method_not_allowed", "database_busy"}
    assert {c for c, source in codes.items() if source == "mercenary.web.errors"} >= web | {"internal_error"}


def test_errors_live_in_errors_modules() -> None:
    # With the whole app imported, every error class is one the registry finds, in its own module.
    assert callable(mercenary.app.create_app)
    modules = set(error_registry.error_modules())
    package = [c for c in _all_subclasses(MercenaryError) if c.__module__.startswith("mercenary.")]
    assert {c.__module__ for c in package} <= modules
    assert set(package) | {MercenaryError} == set(error_registry.error_classes())


def test_every_error_class_states_its_own_code_title_and_meaning() -> None:
    for cls in error_registry.error_classes():
        own = vars(cls)
        assert "code" in own and "title" in own, f"{cls.__qualname__} inherits its code or title"
        assert own.get("__doc__"), f"{cls.__qualname__} has no docstring to say what it means"


def test_docs_list_every_code_as_generated() -> None:
    assert DOCS.read_text() == error_registry.markdown(), (
        "docs/errors.md is stale: python -m mercenary.error_registry > docs/errors.md"
    )
    for entry, _ in error_registry.registry():
        assert f"`{entry.code}`" in DOCS.read_text()
