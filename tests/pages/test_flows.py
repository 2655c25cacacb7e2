"""The pages' flows end to end over HTTP (FE-1), on both databases: a client signs up and posts a
project, a freelancer signs up, finds it and bids, the client sees the bid and accepts it; every
form refuses bad input with a 4xx page that says why and changes nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.helpers import PASSWORD
from tests.api.test_route_tenancy import snapshot
from tests.pages.helpers import browser, csrf_of, page_signup, post_form

PROJECT = {
    "title": "Port the billing service",
    "description": "Move it to Python 3.11.\nTests included.",
    "budget": "4200",
    "skills": "",
    "status": "open",
}


async def post_project(c: httpx.AsyncClient, **changes: str) -> httpx.Response:
    return await post_form(c, "/projects/new", "/projects/new", {**PROJECT, **changes})


async def test_a_client_hires_a_freelancer_through_the_pages(app: FastAPI) -> None:
    async with browser(app) as client, browser(app) as freelancer:
        signed = await page_signup(client, "carol@example.com")
        assert signed.headers["location"] == "/projects/new"
        posted = await post_project(client)
        assert posted.status_code == 303, posted.text
        project_url = posted.headers["location"]

        await page_signup(freelancer, "fran@example.com", role="freelancer")
        market = await freelancer.get("/?q=billing")
        assert market.status_code == 200 and project_url in market.text
        page = await freelancer.get(project_url)
        assert "Send a proposal" in page.text and "Tests included." in page.text
        bid = {"price": "3900", "cover_letter": "Done this twice before.", "csrf": csrf_of(page)}
        sent = await freelancer.post(f"{project_url}/proposals", data=bid)
        assert sent.status_code == 303 and sent.headers["location"] == project_url
        mine = await freelancer.get(project_url)
        assert "Your proposal" in mine.text and "Send a proposal" not in mine.text

        owner_view = await client.get(project_url)
        assert "Done this twice before." in owner_view.text and "Accept this proposal" in owner_view.text
        accept_action = owner_view.text.split('action="/proposals/')[1].split('"')[0]
        accepted = await client.post(f"/proposals/{accept_action}", data={"csrf": csrf_of(owner_view)})
        assert accepted.status_code == 303 and accepted.headers["location"] == project_url
        closed = await client.get(project_url)
        assert ">closed<" in closed.text and ">accepted<" in closed.text
        assert "Accept this proposal" not in closed.text
        # The market no longer lists it, for anyone.
        assert project_url not in (await freelancer.get("/?q=billing")).text


async def test_bad_forms_are_shown_again_with_the_reason_and_change_nothing(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        before = await snapshot(app)
        for changes, status, reason in (
            ({"title": "ab"}, 422, "Title"),
            ({"budget": "-5"}, 422, "Budget"),
            ({"budget": "12.5"}, 422, "Budget"),
            ({"description": ""}, 422, "Description"),
            ({"skills": "no-such-skill"}, 422, "no-such-skill"),
            ({"title": "Null\x00byte"}, 422, "Title"),
        ):
            response = await post_project(c, **changes)
            assert response.status_code == status, (changes, response.text)
            assert reason in response.text and 'role="alert"' in response.text
            assert response.headers["cache-control"] == "no-store"
        assert await snapshot(app) == before


async def test_csrf_and_form_encoding_are_checked_before_anything_else(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        before = await snapshot(app)
        form = await c.get("/projects/new")
        token = csrf_of(form)
        refused = [
            await c.post("/projects/new", data=PROJECT),  # no token
            await c.post("/projects/new", data={**PROJECT, "csrf": "0" * 64}),  # a wrong one
            await c.post(
                "/projects/new", data={**PROJECT, "csrf": token}, headers={"origin": "https://evil.example"}
            ),
        ]
        for response in refused:
            assert response.status_code == 403, response.text
            assert "text/html" in response.headers["content-type"]
            assert "csrf" not in response.text.lower()  # a friendly page, not the detail
        as_json = await c.post("/projects/new", json={**PROJECT, "csrf": token})
        assert as_json.status_code == 400
        twice = await c.post(
            "/projects/new",
            content=f"csrf={token}&title=a&title=b",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert twice.status_code == 400
        assert await snapshot(app) == before


async def test_a_token_from_another_session_is_refused(app: FastAPI) -> None:
    async with browser(app) as carol, browser(app) as mallory:
        await page_signup(carol, "carol@example.com")
        await page_signup(mallory, "mallory@example.com")
        stolen = csrf_of(await mallory.get("/projects/new"))
        response = await carol.post("/projects/new", data={**PROJECT, "csrf": stolen})
        assert response.status_code == 403


async def test_log_in_and_out(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
        await post_form(c, "/", "/logout", {})
        assert "Log in" in (await c.get("/")).text
        wrong = await post_form(
            c, "/login", "/login", {"email": "carol@example.com", "password": "nope nope"}
        )
        assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
        assert "nope nope" not in wrong.text  # a password is never shown back
        good = await post_form(
            c,
            "/login?next=/projects/new",
            "/login",
            {"email": "carol@example.com", "password": PASSWORD, "next": "/projects/new"},
        )
        assert good.status_code == 303 and good.headers["location"] == "/projects/new"
        assert "Log out" in (await c.get("/projects/new")).text
        away = await post_form(
            c,
            "/login",
            "/login",
            {"email": "carol@example.com", "password": PASSWORD, "next": "//evil.example/"},
        )
        assert away.headers["location"] == "/"


async def test_signup_errors_are_shown_on_the_form(app: FastAPI) -> None:
    async with browser(app) as c:
        await page_signup(c, "carol@example.com")
    async with browser(app) as c:
        fields = {"email": "carol@example.com", "password": PASSWORD, "name": "Carol", "role": "client"}
        taken = await post_form(c, "/signup", "/signup", {**fields, "organization": "Acme"})
        assert taken.status_code == 409 and "exists" in taken.text
        no_company = await post_form(c, "/signup", "/signup", {**fields, "email": "c2@example.com"})
        assert no_company.status_code == 422
        short = await post_form(c, "/signup", "/signup", {**fields, "password": "short", "organization": "A"})
        assert short.status_code == 422 and "Password" in short.text


async def test_pages_that_need_a_session_send_visitors_to_log_in(app: FastAPI) -> None:
    async with browser(app) as c:
        response = await c.get("/projects/new")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/projects/new"
        await page_signup(c, "fran@example.com", role="freelancer")
        assert (await c.get("/projects/new")).status_code == 403


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/projects/999999", 404),
        ("/projects/abc", 422),
        ("/freelancers/999999", 404),
        ("/?cursor=forged", 400),
        ("/?q=" + "x" * 300, 422),
        ("/?skills=no-such-skill", 422),
        ("/?q=%21%21%21", 422),
        ("/static/site.000000000000.css", 404),
    ],
)
async def test_problem_pages_are_friendly_and_leak_nothing(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "Traceback" not in response.text and "sql" not in response.text.lower()
    assert '<a href="/">' in response.text


async def test_a_bad_bid_is_shown_again_on_the_project_page(app: FastAPI) -> None:
    async with browser(app) as client, browser(app) as freelancer:
        await page_signup(client, "carol@example.com")
        project_url = (await post_project(client)).headers["location"]
        await page_signup(freelancer, "fran@example.com", role="freelancer")
        before = await snapshot(app)
        page = await freelancer.get(project_url)
        for bid, reason in (
            ({"price": "lots", "cover_letter": "Hi"}, "Your price"),
            ({"price": "5"}, "Cover letter"),
        ):
            response = await freelancer.post(f"{project_url}/proposals", data={**bid, "csrf": csrf_of(page)})
            assert response.status_code == 422 and reason in response.text
            assert 'value="' + bid["price"] + '"' in response.text  # what was typed is kept
        assert await snapshot(app) == before


async def test_visitors_posting_forms_are_sent_to_log_in_first(client: httpx.AsyncClient) -> None:
    for action, back in (
        ("/projects/new", "/projects/new"),
        ("/projects/1/proposals", "/projects/1"),
        ("/proposals/1/accept", "/"),
    ):
        response = await client.post(action, data={"csrf": "x"})
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={back}"


async def test_unreadable_forms_are_refused(client: httpx.AsyncClient) -> None:
    login = await client.get("/login")
    token = csrf_of(login)
    not_utf8 = await client.post(
        "/login",
        content=b"csrf=" + token.encode() + b"&email=%FF%FE",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code == 400
    empty = await client.post("/login", data={"csrf": token, "email": "", "password": ""})
    assert empty.status_code == 422 and "E-mail" in empty.text


async def test_a_profile_links_its_pdf_export(app: FastAPI) -> None:
    async with browser(app) as fran, browser(app) as visitor:
        await page_signup(fran, "fran@example.com", role="freelancer")
        token = {"authorization": f"Bearer {fran.cookies['mercenary_access']}"}
        me = (await fran.get("/api/v1/users/me", headers=token)).json()["id"]
        body = {"headline": "Billing systems", "hourly_rate": 90}
        assert (
            await fran.put(f"/api/v1/freelancers/{me}/profile", json=body, headers=token)
        ).status_code == 200
        page = await visitor.get(f"/freelancers/{me}")
        link = f'<a href="/freelancers/{me}/profile.pdf" rel="nofollow">'
        assert page.status_code == 200 and link in page.text
        # A visitor follows it: a page that asks again by itself while the worker renders ...
        pending = await visitor.get(f"/freelancers/{me}/profile.pdf")
        assert pending.status_code == 202 and pending.headers["retry-after"] == "1"
        assert pending.headers["content-type"].startswith("text/html")
        assert (
            '<meta http-equiv="refresh" content="1">' in pending.text and "Preparing the PDF" in pending.text
        )
        export = await fran.get(f"/api/v1/freelancers/{me}/profile.pdf", headers=token)
        assert export.status_code == 202 and export.headers["retry-after"] == "1"  # the worker renders it
        # ... then, once rendered, the same file the API serves.
        from mercenary.profiles.jobs import render_pdf

        await render_pdf(app.state.mercenary, me)
        done = await visitor.get(f"/freelancers/{me}/profile.pdf")
        assert done.status_code == 200 and done.content.startswith(b"%PDF")
        assert done.headers["content-disposition"] == f'attachment; filename="profile-{me}.pdf"'
        api = await fran.get(f"/api/v1/freelancers/{me}/profile.pdf", headers=token)
        assert api.content == done.content
        assert (await visitor.get("/freelancers/999999/profile.pdf")).status_code == 404
