"""The generated OpenAPI document: error responses, the bearer scheme, and request schemas that
publish no null where the server refuses one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mercenary import error_registry
from mercenary.app import create_app
from tests.conftest import make_settings

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Codes no operation lists: routing (405), bugs (500), the framework's fallback, an abstract base.
# Answers of no operation in particular: routing, crashes, and the server's own refusal of a request
# head too large (sent before the request reaches any route).
NOT_PER_OPERATION = {
    "method_not_allowed",
    "internal_error",
    "http_error",
    "service_unavailable",
    "headers_too_large",
    # The pages' own (docs/pages.md): answered as HTML problem pages, never by an API operation.
    "csrf_failed",
    "invalid_form",
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("openapi") / "unused.db"
    spec: dict[str, Any] = create_app(make_settings(f"sqlite:///{path}")).openapi()
    return spec


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_error_is_a_documented_problem(doc: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(doc)
    for method, path, operation in operations(doc):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path, status) == ("/ready", "503"):
                continue
            schema = response["content"]["application/problem+json"]["schema"]
            problem, only = schema["allOf"]
            assert problem == PROBLEM_REF, (method, path)
            assert only["properties"]["status"] == {"const": int(status)}
            for code in only["properties"]["code"]["enum"]:
                assert f"`{code}`" in response["description"], (method, path, code)
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code"}


def test_statuses_follow_the_signature_and_the_declared_errors(doc: dict[str, Any]) -> None:
    statuses = {(m, p): set(op["responses"]) for m, p, op in operations(doc)}
    assert statuses[("GET", "/health")] == {"200"}
    assert statuses[("GET", "/ready")] == {"200", "503"}  # health checks are never rate limited
    assert statuses[("GET", "/api/v1/users/me")] == {"200", "401", "404", "429", "503"}
    assert statuses[("POST", "/api/v1/auth/login")] == {
        "200", "400", "401", "413", "415", "422", "429", "503"
    }  # fmt: skip
    assert statuses[("GET", "/api/v1/projects")] == {"200", "400", "401", "422", "429", "503"}
    assert statuses[("PATCH", "/api/v1/projects/{project_id}")] == {
        "200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503"
    }  # fmt: skip
    limited = doc["paths"]["/api/v1/projects"]["get"]["responses"]["429"]
    assert {"Retry-After", "RateLimit-Remaining"} <= set(limited["headers"])
    assert "`rate_limited`" in limited["description"]
    # A create that takes an Idempotency-Key documents the header and its two refusals.
    post = doc["paths"]["/api/v1/projects"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert "`idempotency_key_in_flight`" in post["responses"]["409"]["description"]
    assert "`idempotency_key_reused`" in post["responses"]["422"]["description"]
    patch = doc["paths"]["/api/v1/projects/{project_id}"]["patch"]["responses"]
    assert "`invalid_transition`" in patch["409"]["description"]
    conflict = patch["409"]["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]
    assert set(conflict["code"]["enum"]) == {"project_not_editable", "invalid_transition"}
    assert "`project_not_found`" in patch["404"]["description"]
    assert "`not_found`" not in patch["404"]["description"]
    assert "Retry-After" in patch["503"]["headers"] and "WWW-Authenticate" in patch["401"]["headers"]


def test_bearer_auth_is_declared_where_a_token_is_needed(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path, operation in operations(doc):
        # /rum takes anonymous web-vitals reports from the pages (docs/pages.md).
        if path.startswith("/api/v1/auth/") or path in ("/health", "/ready", "/rum"):
            assert "security" not in operation, (method, path)
        else:
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
    assert "401" not in doc["paths"]["/api/v1/auth/signup"]["post"]["responses"]


def test_partial_updates_publish_no_null(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for name in ("ProjectUpdate", "ProjectBatchItem", "SkillUpdate"):
        text = json.dumps(schemas[name])
        assert '"null"' not in text and '"default": null' not in text, name


def test_every_code_appears_in_the_document(doc: dict[str, Any]) -> None:
    text = json.dumps(doc)
    codes = {entry.code for entry, _ in error_registry.registry()}
    missing = {c for c in codes if f"`{c}`" not in text}
    assert missing == NOT_PER_OPERATION
