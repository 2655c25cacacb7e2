"""The pages anyone may see (FE-1, DOM-9): the market with search, skill filters and cursor pages,
a project, a freelancer's public profile, and the static assets.

A visitor reads as :data:`VISITOR`, a principal of no organization, through the same services and
``access_*`` guards as the API: it sees what any signed-in user of another organization sees (open
and closed projects, freelancers' profiles and reviews) and nothing more.

The market's list is rendered once per page of results and kept in the projects' page cache
(family ``market``: invalidated by the same writes that invalidate the API's pages), so serving the
browse page costs a cache read and the page's frame, not a query and twenty cards.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from markupsafe import Markup
from starlette.responses import Response, StreamingResponse

from mercenary.db.keyset import Keyset
from mercenary.errors import EmptySearchError
from mercenary.pages import assets
from mercenary.pages.render import IMMUTABLE_HEADERS, PageRoute, env, problem_page, render, visitor_page
from mercenary.pages.session import PageSession, page_session
from mercenary.profiles import pdf
from mercenary.profiles import service as profiles
from mercenary.projects import listing
from mercenary.projects import service as projects
from mercenary.projects.cache import MARKET, PAGES, SKILLS
from mercenary.projects.relations import attach
from mercenary.proposals import service as proposals
from mercenary.reviews import service as reviews
from mercenary.security.principal import Principal
from mercenary.skills.errors import UnknownSkillError
from mercenary.users import service as users
from mercenary.web.deps import ObjectId
from mercenary.web.pagination import BY_ID, BY_RANK, Pager
from mercenary.web.schemas import NO_CONTROL

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# No organization has id 0: a visitor is an outsider to every one of them.
VISITOR = Principal(user_id=0, tenant_id=0, role="visitor")
PAGE_SIZE = 20
REVIEWS_SHOWN = 10
PROPOSALS_SHOWN = 50
Session = Annotated[PageSession, Depends(page_session)]
Text = Annotated[str | None, Query(max_length=256, pattern=NO_CONTROL)]
SkillsText = Annotated[str | None, Query(max_length=1024, pattern=NO_CONTROL)]
Cursor = Annotated[str | None, Query(max_length=512)]


def _query(q: str | None, skills: str | None, cursor: str | None = None) -> str:
    params = {k: v for k, v in (("q", q), ("skills", skills), ("cursor", cursor)) if v}
    return urlencode(params)


async def _results(session: PageSession, text: str | None, skills: str | None, cursor: str | None) -> str:
    """The list of a market page as HTML, from the cache (family ``market``) or rendered."""
    state = session.state
    names = tuple(s.strip() for s in (skills or "").split(",") if s.strip())
    f = listing.ProjectFilter(scope="market", skills=names, text=text)
    pager = Pager(state.cursors, "pages:" + f.cursor_scope(), BY_RANK if f.ranked else BY_ID)
    keyset = pager.keyset(cursor, PAGE_SIZE)
    if text:
        state.overload.check()  # a search is heavy: refused first when the instance is overloaded

    async def load() -> str:
        page = await listing.list_projects(state.db, VISITOR, f, keyset)
        items = await attach(state.db, page.items, frozenset({"skills"}))
        after = page.next_after
        next_query = None if after is None else _query(text, skills, pager.codec.encode(pager.scope, after))
        return env.get_template("_results.html").render(
            projects=items, next_query=next_query, first_query=_query(text, skills), cursor=cursor
        )

    key = f"html|{pager.scope}|{keyset.after}|{keyset.limit}"
    results = await state.cache.get(PAGES, key, load, family=MARKET, depends=SKILLS)
    assert results is not None
    return results


@router.get("/")
async def browse(
    session: Session, q: Text = None, skills: SkillsText = None, cursor: Cursor = None
) -> Response:
    """The market: open projects newest first, or most relevant first for words ``q``; ``skills``
    (comma-separated slugs) keeps those requiring all of them."""
    text = (q or "").strip() or None
    context: dict[str, Any] = {"route": "/", "title": "Open projects", "q": text, "skills": skills}
    try:
        if session.principal is None and not session.cookies:
            # A visitor's page is every visitor's: kept whole, its bytes the same object each time
            # (so the delivery layer remembers their ETag and gzip too). wrk: 287-400 req/s rendered
            # around the cached list, 411-620 kept whole, on a busy shared core (docs/pages.md).
            async def whole() -> bytes:
                results = Markup(await _results(session, text, skills, cursor))  # noqa: S704 (rendered by the autoescaping env)
                page = env.get_template("browse.html").render(
                    me=None, session=None, results=results, **context
                )
                return page.encode()

            key = f"page|{text}|{skills}|{cursor}"
            body = await session.state.cache.get(PAGES, key, whole, family=MARKET, depends=SKILLS)
            assert body is not None
            return visitor_page(session, body)
        results = await _results(session, text, skills, cursor)
    except (UnknownSkillError, EmptySearchError) as exc:
        return render(session, "browse.html", exc.status, error=exc.detail, results=None, **context)
    return render(session, "browse.html", results=Markup(results), **context)  # noqa: S704 (rendered by the autoescaping env)


async def project_page(
    session: PageSession,
    project_id: int,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """A project as ``session``'s user may see it: its organization sees the proposals (and accepts
    one), a freelancer their own proposal or the form to send one."""
    state, me = session.state, session.principal
    principal = me or VISITOR
    project = await projects.get_project(state.db, state.cache, principal, project_id, frozenset({"owner"}))
    owner = me is not None and me.tenant_id == project["tenant_id"]
    bids: list[Any] = []
    if owner or (me is not None and me.role == "freelancer"):
        page = await proposals.list_for_project(
            state.db, principal, project_id, status=None, page=Keyset(None, PROPOSALS_SHOWN)
        )
        bids = page.items
    freelancers = await users.public_users(state.db, (b["freelancer_id"] for b in bids)) if owner else {}
    return render(
        session,
        "project.html",
        status,
        route="/projects/{project_id}",
        title=project["title"],
        project=project,
        owner=owner,
        proposals=bids,
        freelancers=freelancers,
        live=any(b["status"] in ("submitted", "accepted") for b in bids),
        errors=errors or [],
        form=form or {},
    )


@router.get("/projects/{project_id}")
async def project(session: Session, project_id: ObjectId) -> Response:
    """A project: open and closed ones for everyone, drafts and cancelled ones for their organization."""
    return await project_page(session, project_id)


@router.get("/freelancers/{user_id}")
async def profile(session: Session, user_id: ObjectId) -> Response:
    """A freelancer's public profile: headline, rate, skills, bio, rating and latest reviews."""
    state = session.state
    principal = session.principal or VISITOR
    found = await profiles.get_profile(state.db, user_id)
    rating = await reviews.get_rating(state.db, state.cache, principal, user_id)
    latest = await reviews.list_reviews(
        state.db, state.cache, principal, user_id, Keyset(None, REVIEWS_SHOWN)
    )
    reviewers = await users.public_users(state.db, (r["reviewer_id"] for r in latest.items))
    return render(
        session,
        "profile.html",
        route="/freelancers/{user_id}",
        title=found["name"],
        profile=found,
        rating=rating,
        reviews=latest.items,
        reviewers=reviewers,
    )


@router.get("/freelancers/{user_id}/profile.pdf")
async def profile_pdf(session: Session, user_id: ObjectId) -> Response:
    """The profile as a PDF, for whoever may see the profile page: the file the API serves
    (``GET /api/v1/freelancers/{id}/profile.pdf``). While a worker renders it, a page that asks
    again by itself after ``Retry-After``."""
    state = session.state
    found = await pdf.open_file(state.db, state.queue, state.blobs, user_id)
    if found is None:
        name = (await profiles.get_profile(state.db, user_id))["name"]
        response = render(
            session,
            "pdf_pending.html",
            202,
            title="Preparing the PDF",
            name=name,
            user_id=user_id,
            retry_after=pdf.RETRY_AFTER_S,
        )
        response.headers["Retry-After"] = str(pdf.RETRY_AFTER_S)
        return response
    rendered, chunks = found
    return StreamingResponse(
        chunks, media_type="application/pdf", headers=pdf.download_headers(rendered, user_id)
    )


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """A static file by its hashed name, kept a year by browsers and CDNs (the name changes with it)."""
    asset = assets.find(name)
    if asset is None:
        return problem_page(404)
    return Response(asset.body, media_type=asset.media_type, headers=IMMUTABLE_HEADERS)
