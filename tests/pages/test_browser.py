"""The pages in a real browser (headless Debian Chromium driven by Playwright), as a new user would
try them after ``scripts/run``: a visitor browses; a client signs up and posts a project; a
freelancer signs up, finds it and bids; the client accepts. No JavaScript error may reach the
console, and the pages' web-vitals arrive at ``/rum``. Screenshots go to ``MERCENARY_FIGURES``
(``docs/figures/pages`` holds the last ones kept)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import ConsoleMessage, Page, Response, ViewportSize, async_playwright

from tests.pages.conftest import chromium, figures_dir
from tests.support.metrics import samples, total

PASSWORD = "a long password"
SEED_PASSWORD = "mercenary-seed"  # the demo dataset's, as the README says
PHONE: ViewportSize = {"width": 412, "height": 823}  # Lighthouse's mobile viewport (Moto G Power)


def watch(page: Page, errors: list[str]) -> None:
    """Collect console errors and uncaught exceptions of ``page``."""

    def on_console(message: ConsoleMessage) -> None:
        shed_search = "q=" in page.url and "status of 503" in message.text  # see search()
        if message.type == "error" and not shed_search:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))


async def a_freelancer_with_a_profile(base: str) -> int:
    """A seeded freelancer's id (through the API, as a seeded client)."""
    async with httpx.AsyncClient(base_url=base) as api:
        login = await api.post(
            "/api/v1/auth/login", json={"email": "client2@seed.mercenary.test", "password": SEED_PASSWORD}
        )
        token = login.json()["access_token"]
        found = await api.get("/api/v1/freelancers?limit=1", headers={"authorization": f"Bearer {token}"})
        return int(found.json()["items"][0]["user_id"])


async def search(page: Page) -> None:
    """Submit the search form on ``page`` and wait for its results. A search is a heavy request, the
    first refused while the server sheds load (a 503 page with ``Retry-After``, as on a machine busy
    with the rest of the suite and a browser): then try again after the time it names, as a person
    would, a few times at most. Any other answer but 200 fails with what the page said."""
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Search").click()
    response: Response | None = await navigation.value
    for _ in range(3):
        if response is None or response.status != 503:
            break
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        response = await page.reload()
    status = None if response is None else response.status
    assert status == 200, f"{status} {page.url}: {await page.locator('main').inner_text()}"


@pytest.mark.slow
@pytest.mark.timeout(240)  # a real browser on a machine shared with other work
async def test_sign_up_browse_bid_and_accept_in_a_browser(page_server: str, tmp_path: Path) -> None:
    base, figures = page_server, figures_dir(tmp_path)
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            visitor = await (await browser.new_context(viewport=PHONE)).new_page()
            watch(visitor, errors)
            await visitor.goto(base + "/")
            assert await visitor.locator("h1").inner_text() == "Open projects"
            assert await visitor.locator(".card").count() == 20
            await visitor.screenshot(path=figures / "browse.png", full_page=False)
            await visitor.locator(".card h2 a").first.click()
            await visitor.wait_for_url(re.compile(r".*/projects/\d+$"))
            await visitor.screenshot(path=figures / "project.png")
            freelancer_id = await a_freelancer_with_a_profile(base)
            await visitor.goto(f"{base}/freelancers/{freelancer_id}")
            assert await visitor.locator("h2", has_text="Reviews").count() == 1
            pdf = visitor.get_by_role("link", name="Download this profile as a PDF")
            assert await pdf.get_attribute("href") == f"/freelancers/{freelancer_id}/profile.pdf"
            await visitor.screenshot(path=figures / "profile.png")

            client = await (await browser.new_context(viewport=PHONE)).new_page()
            watch(client, errors)
            await client.goto(base + "/")
            await client.get_by_role("link", name="Sign up").click()
            await client.get_by_label("hire (client)").check()
            await client.get_by_label("Your name").fill("Carol")
            await client.get_by_label("Company (clients)").fill("Carol's Bakery")
            await client.get_by_label("E-mail").fill("carol@example.com")
            await client.get_by_label("Password").fill(PASSWORD)
            await client.get_by_role("button", name="Create the account").click()
            await client.wait_for_url(base + "/projects/new")
            await client.get_by_label("Title").fill("Quokka ordering website")
            await client.get_by_label("Description").fill(
                "A small shop to order cakes online.\nMobile first."
            )
            await client.get_by_label("Budget").fill("2500")
            await client.get_by_role("button", name="Post the project").click()
            await client.wait_for_url(re.compile(r".*/projects/\d+$"))
            project_url = client.url

            freelancer = await (await browser.new_context(viewport=PHONE)).new_page()
            watch(freelancer, errors)
            await freelancer.goto(base + "/signup")
            await freelancer.get_by_label("work as a freelancer").check()
            await freelancer.get_by_label("Your name").fill("Fran")
            await freelancer.get_by_label("E-mail").fill("fran@example.com")
            await freelancer.get_by_label("Password").fill(PASSWORD)
            await freelancer.get_by_role("button", name="Create the account").click()
            await freelancer.wait_for_url(base + "/")
            await freelancer.get_by_label("Words").fill("quokka")
            await search(freelancer)
            await freelancer.get_by_role("link", name="Quokka ordering website").click(timeout=5000)
            await freelancer.wait_for_url(project_url)
            await freelancer.get_by_label("Your price").fill("2300")
            await freelancer.get_by_label("Cover letter").fill("I build shops like this one every month.")
            await freelancer.screenshot(path=figures / "bid.png", full_page=True)
            await freelancer.get_by_role("button", name="Send the proposal").click()
            await freelancer.wait_for_url(project_url)
            assert await freelancer.get_by_role("heading", name="Your proposal").count() == 1

            await client.reload()
            assert await client.get_by_text("I build shops like this one every month.").count() == 1
            await client.get_by_role("button", name="Accept this proposal").click()
            await client.wait_for_url(project_url)
            assert await client.locator(".meta .status").first.inner_text() == "closed"
            await client.screenshot(path=figures / "accepted.png", full_page=True)
            for page in (visitor, client, freelancer):
                await page.goto(base + "/")  # leaving a page sends its web-vitals
            await visitor.context.close()  # and so does closing it
        finally:
            await browser.close()
    assert errors == []
    async with httpx.AsyncClient(base_url=base) as api:
        found = samples((await api.get("/metrics")).text)
    assert total(found, "web_vital_cls_count") >= 1
    assert total(found, "web_vital_seconds_count", metric="LCP") >= 1
