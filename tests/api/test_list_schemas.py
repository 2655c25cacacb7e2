"""Every list documents its page in /openapi.json: typed items, ``next_cursor`` and ``has_more``."""

from __future__ import annotations

from typing import Any

import httpx

LISTS = {
    "/api/v1/users",
    "/api/v1/projects",
    "/api/v1/search/projects",
    "/api/v1/projects/{project_id}/proposals",
    "/api/v1/projects/{project_id}/documents",
    "/api/v1/proposals",
    "/api/v1/users/{user_id}/reviews",
    "/api/v1/freelancers",
    "/api/v1/search/freelancers",
}


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, following a local ``$ref``."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    resolved: dict[str, Any] = spec["components"]["schemas"][ref.rpartition("/")[2]]
    return resolved


async def test_every_list_documents_its_page(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    # A list is a GET that takes a cursor.
    lists = {
        path: ops["get"]
        for path, ops in spec["paths"].items()
        if "get" in ops and any(p["name"] == "cursor" for p in ops["get"].get("parameters", []))
    }
    assert set(lists) == LISTS
    for path, op in lists.items():
        body = op["responses"]["200"]["content"]["application/json"]["schema"]
        page = resolve(spec, body)
        props = page.get("properties", {})
        assert page.get("type") == "object" and set(page.get("required", [])) >= set(props), path
        assert set(props) == {"items", "next_cursor", "has_more"}, path
        assert props["items"]["type"] == "array", path
        item = resolve(spec, props["items"]["items"])
        assert item["type"] == "object" and item["properties"], path
        assert {s["type"] for s in props["next_cursor"]["anyOf"]} == {"string", "null"}, path
        assert props["has_more"]["type"] == "boolean", path
