"""Projects: posting, the lifecycle, visibility, lists, search, field selection and includes."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import assert_problem
from tests.api.market.conftest import Market, bid, post_project


async def test_post_needs_a_client_and_known_skills(client: httpx.AsyncClient, market: Market) -> None:
    body = {"title": "Logo", "description": "A logo.", "budget": 100, "skills": ["design"]}
    assert_problem(
        await client.post("/api/v1/projects", json=body, headers=market.f1.headers), 403, "permission_denied"
    )
    unknown = await client.post(
        "/api/v1/projects", json={**body, "skills": ["design", "cobol"]}, headers=market.a1.headers
    )
    assert assert_problem(unknown, 422, "unknown_skill")["unknown"] == ["cobol"]
    for bad in (
        {**body, "budget": -1},
        {**body, "title": ""},
        {**body, "status": "closed"},
        {**body, "x": 1},
    ):
        response = await client.post("/api/v1/projects", json=bad, headers=market.a1.headers)
        assert_problem(response, 422, "validation_error")
    mine = (await client.get("/api/v1/projects", params={"scope": "mine"}, headers=market.a1.headers)).json()
    assert mine["items"] == []
    created = await client.post("/api/v1/projects", json=body, headers=market.a1.headers)
    assert created.status_code == 201 and created.json()["status"] == "draft"


async def test_lifecycle_and_delete_semantics(client: httpx.AsyncClient, market: Market) -> None:
    h = market.a1.headers
    draft = await post_project(client, market.a1, status="draft")
    url = f"/api/v1/projects/{draft['id']}"
    changed = await client.patch(url, json={"budget": 6000, "skills": ["react"]}, headers=h)
    assert changed.json()["budget"] == 6000 and changed.json()["skills"] == ["react"]
    assert_problem(await client.patch(url, json={}, headers=h), 422, "invalid_request")
    assert_problem(await client.patch(url, json={"title": None}, headers=h), 422, "validation_error")
    assert (await client.delete(url, headers=h)).status_code == 204
    assert_problem(await client.get(url, headers=h), 404, "project_not_found")

    live = await post_project(client, market.a1)
    url = f"/api/v1/projects/{live['id']}"
    assert_problem(await client.delete(url, headers=h), 409, "project_not_deletable")
    assert_problem(await client.patch(url, json={"status": "draft"}, headers=h), 409, "invalid_transition")
    proposal = await bid(client, market.f1, live["id"])
    cancelled = await client.patch(url, json={"status": "cancelled"}, headers=h)
    assert cancelled.json()["status"] == "cancelled"
    mine = (await client.get(f"/api/v1/proposals/{proposal['id']}", headers=market.f1.headers)).json()
    assert mine["status"] == "rejected"
    assert_problem(await client.patch(url, json={"title": "Again"}, headers=h), 409, "project_not_editable")
    # A cancelled project is private again: the freelancer no longer sees it.
    assert_problem(await client.get(url, headers=market.f1.headers), 404, "project_not_found")


async def test_market_and_own_lists(client: httpx.AsyncClient, market: Market) -> None:
    a_open = await post_project(client, market.a1)
    a_draft = await post_project(client, market.a1, status="draft")
    b_open = await post_project(client, market.b1, skills=["react"])
    board = (await client.get("/api/v1/projects", headers=market.f1.headers)).json()
    assert [p["id"] for p in board["items"]] == [b_open["id"], a_open["id"]]
    assert "skills" not in board["items"][0]
    mine = (await client.get("/api/v1/projects", params={"scope": "mine"}, headers=market.a2.headers)).json()
    assert [p["id"] for p in mine["items"]] == [a_draft["id"], a_open["id"]]
    drafts = await client.get(
        "/api/v1/projects", params={"scope": "mine", "status": "draft"}, headers=market.a1.headers
    )
    assert [p["id"] for p in drafts.json()["items"]] == [a_draft["id"]]
    bad = await client.get("/api/v1/projects", params={"status": "draft"}, headers=market.a1.headers)
    assert_problem(bad, 422, "invalid_filter")
    both = await client.get("/api/v1/projects", params={"skills": "python,django"}, headers=market.f1.headers)
    assert [p["id"] for p in both.json()["items"]] == [a_open["id"]]
    none = await client.get("/api/v1/projects", params={"skills": "python,react"}, headers=market.f1.headers)
    assert none.json()["items"] == []
    unknown = await client.get("/api/v1/projects", params={"skills": "cobol"}, headers=market.f1.headers)
    assert_problem(unknown, 422, "unknown_skill")


async def test_fields_and_includes(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    await bid(client, market.f1, project["id"])
    params = {"fields": "id,title", "include": "skills,owner,proposal_count"}
    page = (await client.get("/api/v1/projects", params=params, headers=market.f2.headers)).json()
    item = page["items"][0]
    assert set(item) == {"id", "title", "skills", "owner", "proposal_count"}
    assert item["skills"] == ["django", "python"] and item["proposal_count"] == 1
    assert item["owner"] == {k: market.a1.user[k] for k in ("id", "name", "role", "created_at")}
    bad = await client.get("/api/v1/projects", params={"include": "secrets"}, headers=market.f2.headers)
    assert assert_problem(bad, 422, "unknown_include")["unknown"] == ["secrets"]
    bad = await client.get(
        "/api/v1/projects", params={"fields": "id,search_vector"}, headers=market.f2.headers
    )
    assert_problem(bad, 422, "unknown_field")
    one = await client.get(
        f"/api/v1/projects/{project['id']}", params={"include": "owner"}, headers=market.f2.headers
    )
    assert one.json()["owner"]["id"] == market.a1.id and one.json()["skills"] == ["django", "python"]


async def test_pagination_limits_and_cursors(client: httpx.AsyncClient, market: Market) -> None:
    ids = [(await post_project(client, market.a1, title=f"Project number {i}"))["id"] for i in range(5)]
    h = market.f1.headers
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/projects", params=params, headers=h)).json()
        seen += [p["id"] for p in page["items"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == ids[::-1]
    for bad in ("0", "101"):
        assert_problem(
            await client.get("/api/v1/projects", params={"limit": bad}, headers=h), 422, "validation_error"
        )
    cursor = (await client.get("/api/v1/projects", params={"limit": 1}, headers=h)).json()["next_cursor"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (tampered, "garbage!"):
        assert_problem(
            await client.get("/api/v1/projects", params={"cursor": bad}, headers=h), 400, "invalid_cursor"
        )
    # A cursor only resumes the list it came from.
    other = await client.get(
        "/api/v1/projects", params={"cursor": cursor, "scope": "mine"}, headers=market.a1.headers
    )
    assert_problem(other, 400, "invalid_cursor")


async def test_search_by_relevance_pages_through_every_match(
    client: httpx.AsyncClient, market: Market
) -> None:
    texts = [
        ("Analytics dashboard", "A reporting dashboard for sales."),
        ("Dashboard dashboard dashboard", "Dashboard with dashboard widgets and a dashboard API."),
        ("Mobile app", "An app with a small dashboard."),
        ("Data pipeline", "Nightly ETL, no user interface."),
        ("Admin dashboard", "Internal admin dashboard for support staff."),
    ]
    posted = [await post_project(client, market.b1, title=t, description=d) for t, d in texts]
    await post_project(client, market.b1, title="Dashboard draft", description="dashboard", status="draft")
    h = market.f1.headers
    first = (await client.get("/api/v1/search/projects", params={"q": "dashboards"}, headers=h)).json()
    assert first["items"][0]["id"] == posted[1]["id"]  # the densest match ranks first
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {
            "q": "dashboards",
            "limit": 1,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await client.get("/api/v1/search/projects", params=params, headers=h)).json()
        seen += [p["id"] for p in page["items"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [p["id"] for p in first["items"]]
    assert sorted(seen) == sorted(posted[i]["id"] for i in (0, 1, 2, 4))
    replay = await client.get("/api/v1/search/projects", params={"q": "app", "cursor": cursor}, headers=h)
    assert_problem(replay, 400, "invalid_cursor")
    mine = await client.get(
        "/api/v1/projects", params={"scope": "mine", "q": "dashboard"}, headers=market.b1.headers
    )
    assert len(mine.json()["items"]) == 5
    bad_fields = {"q": "dashboards", "fields": "id,secret"}
    assert_problem(
        await client.get("/api/v1/search/projects", params=bad_fields, headers=h), 422, "unknown_field"
    )
    assert_problem(
        await client.get("/api/v1/search/projects", params={"q": "!!"}, headers=h), 422, "empty_search"
    )
    assert_problem(await client.get("/api/v1/search/projects", headers=h), 422, "validation_error")


async def test_search_follows_a_project_into_and_out_of_the_market(
    client: httpx.AsyncClient, market: Market
) -> None:
    h, owner = market.f1.headers, market.b1.headers

    async def found(q: str, **params: str) -> list[int]:
        page = await client.get("/api/v1/search/projects", params={"q": q, **params}, headers=h)
        assert page.status_code == 200, page.text
        return [p["id"] for p in page.json()["items"]]

    async def own(q: str) -> list[int]:
        page = await client.get("/api/v1/projects", params={"scope": "mine", "q": q}, headers=owner)
        return [p["id"] for p in page.json()["items"]]

    draft = await post_project(
        client, market.b1, title="Telescope mirror grinding", description="Optics.", status="draft"
    )
    url = f"/api/v1/projects/{draft['id']}"
    assert await found("telescope") == [] and await own("telescope") == [draft["id"]]
    await client.patch(url, json={"status": "open"}, headers=owner)
    assert await found("telescopes") == [draft["id"]]
    await client.patch(url, json={"title": "Telescope lens polishing"}, headers=owner)
    assert await found("mirror") == [] and await found("lens polishing") == [draft["id"]]
    await client.patch(url, json={"budget": 7000}, headers=owner)  # the text is untouched
    assert await found("lens", skills="django") == [draft["id"]]
    proposal = await bid(client, market.f1, draft["id"])
    accepted = await client.post(f"/api/v1/proposals/{proposal['id']}/accept", headers=owner)
    assert accepted.status_code == 200, accepted.text
    # Closed: out of the market, still in its organization's own search.
    assert await found("telescope") == [] and await own("telescope") == [draft["id"]]

    live = await post_project(client, market.b1, title="Telescope mount", description="Steel.")
    assert await found("telescope") == [live["id"]]
    cancelled = await client.patch(
        f"/api/v1/projects/{live['id']}", json={"status": "cancelled"}, headers=owner
    )
    assert cancelled.json()["status"] == "cancelled"
    assert await found("telescope") == []
    assert sorted(await own("telescope")) == sorted([draft["id"], live["id"]])


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/search/projects?q=x", "/api/v1/projects/1"])
async def test_needs_authentication(client: httpx.AsyncClient, path: str) -> None:
    assert_problem(await client.get(path), 401, "not_authenticated")


async def test_nul_characters_are_refused_not_stored(client: httpx.AsyncClient, market: Market) -> None:
    project = await post_project(client, market.a1)
    nul = "bad\u0000text"
    attempts = [
        ("POST", "/api/v1/projects", {"title": nul, "description": "x", "budget": 1}, market.a1),
        ("PATCH", f"/api/v1/projects/{project['id']}", {"description": nul}, market.a1),
        ("PATCH", f"/api/v1/projects/{project['id']}", {"skills": [nul]}, market.a1),
        ("POST", f"/api/v1/projects/{project['id']}/proposals", {"cover_letter": nul, "price": 1}, market.f1),
        (
            "POST",
            "/api/v1/reviews",
            {"project_id": project["id"], "reviewee_id": 1, "rating": 5, "text": nul},
            market.f1,
        ),
    ]
    for method, path, body, actor in attempts:
        assert_problem(
            await client.request(method, path, json=body, headers=actor.headers), 422, "validation_error"
        )
    skills = await client.get("/api/v1/projects", params={"skills": nul}, headers=market.f1.headers)
    assert_problem(skills, 422, "validation_error")
    search = await client.get("/api/v1/search/projects", params={"q": nul}, headers=market.f1.headers)
    assert search.status_code == 200 and search.json()["items"] == []
