"""The pages' forms (FE-1): sign up, log in, log out, post a project, send a proposal, accept one.

Each post is checked for CSRF first, then read with the API's own request schema and handed to the
same service call as the API route, in a transaction of its own; success answers ``303 See Other``
(the browser then loads the page with a GET, so a reload does not post twice), a form that cannot be
used is shown again with what is wrong (4xx), and the domains' other errors are problem pages
(``render.PageRoute``). Sign-up and log-in are limited per account, as on the API.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from mercenary.auth.errors import EmailTakenError, InvalidCredentialsError, InvalidRefreshTokenError
from mercenary.auth.schemas import LoginRequest, SignupRequest
from mercenary.auth.service import Auth
from mercenary.db import run_transaction
from mercenary.errors import InvalidRequestError
from mercenary.pages.forms import parse, read_form, split_list, whole_number
from mercenary.pages.public import Session, project_page
from mercenary.pages.render import PageRoute, redirect, render
from mercenary.pages.session import REFRESH_COOKIE, PageSession
from mercenary.projects import service as projects
from mercenary.projects.schemas import ProjectCreate
from mercenary.proposals import service as proposals
from mercenary.proposals.schemas import ProposalCreate
from mercenary.security.principal import Principal, require_role
from mercenary.skills.errors import UnknownSkillError
from mercenary.state import AppState
from mercenary.web.deps import ObjectId
from mercenary.web.limits import check_account

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Next = Annotated[str | None, Query(max_length=512)]
LOGIN_LABELS = {"email": "E-mail", "password": "Password"}
SIGNUP_LABELS = {"email": "E-mail", "password": "Password", "name": "Your name", "organization": "Company"}
PROJECT_LABELS = {"title": "Title", "description": "Description", "budget": "Budget", "skills": "Skills"}
PROPOSAL_LABELS = {"price": "Your price", "cover_letter": "Cover letter"}


def local(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/`` (no open redirect to ``//evil``)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _auth(state: AppState) -> Auth:
    return Auth(state.db, state.hasher, state.tokens, state.settings)


def _signed_in(session: PageSession, back: str) -> Principal | Response:
    """The signed-in user, or the way to the log-in page (and back here afterwards)."""
    if session.principal is None:
        return redirect(session, f"/login?next={back}")
    return session.principal


@router.get("/login")
async def login_form(session: Session, next: Next = None) -> Response:
    """The log-in form."""
    return render(session, "login.html", route="/login", title="Log in", next=local(next), form={}, errors=[])


@router.post("/login")
async def login(session: Session) -> Response:
    """Sign in with e-mail and password: the session gets the API's token pair."""
    form = await read_form(session.request)
    session.check_csrf(form)
    target = local(form.get("next"))
    shown = {"email": form.get("email", "")}
    body = parse(LoginRequest, {"email": form.get("email"), "password": form.get("password")}, LOGIN_LABELS)
    if isinstance(body, list):
        return render(
            session, "login.html", 422, route="/login", title="Log in", next=target, form=shown, errors=body
        )
    state = session.state
    await check_account(state.limiter, state.rate_policy, body.email.strip().lower())
    try:
        pair = await _auth(state).login(body.email, body.password)
    except InvalidCredentialsError as exc:
        errors = [exc.detail]
        return render(
            session, "login.html", 401, route="/login", title="Log in", next=target, form=shown, errors=errors
        )
    session.sign_in(pair)
    return redirect(session, target)


@router.post("/logout")
async def logout(session: Session) -> Response:
    """End the session: its refresh token's family is revoked, as by the API's log-out."""
    form = await read_form(session.request)
    session.check_csrf(form)
    refresh = session.request.cookies.get(REFRESH_COOKIE)
    if refresh:
        # Already gone (revoked, expired): the cookies are cleared all the same.
        with suppress(InvalidRefreshTokenError):
            await _auth(session.state).logout(refresh)
    session.sign_out()
    return redirect(session, "/")


@router.get("/signup")
async def signup_form(session: Session) -> Response:
    """The sign-up form."""
    return render(session, "signup.html", route="/signup", title="Sign up", form={}, errors=[])


@router.post("/signup")
async def signup(session: Session) -> Response:
    """Create an account (a client with a new organization, or a freelancer) and sign it in."""
    form = await read_form(session.request)
    session.check_csrf(form)
    role = form.get("role")
    values = {k: form.get(k) for k in ("email", "password", "name", "role")}
    if role == "client":
        values["organization"] = form.get("organization") or None
    shown = {k: form.get(k, "") for k in ("email", "name", "role", "organization")}

    def again(status: int, errors: list[str]) -> Response:
        return render(
            session, "signup.html", status, route="/signup", title="Sign up", form=shown, errors=errors
        )

    body = parse(SignupRequest, values, SIGNUP_LABELS)
    if isinstance(body, list):
        return again(422, body)
    state = session.state
    await check_account(state.limiter, state.rate_policy, str(body.email).lower())
    try:
        result = await _auth(state).signup(body)
    except (EmailTakenError, InvalidRequestError) as exc:
        return again(exc.status, [exc.detail])
    session.sign_in(result)
    # A client goes on to post a project; a new freelancer (no profile yet) to the market.
    return redirect(session, "/projects/new" if role == "client" else "/")


@router.get("/projects/new")
async def new_project_form(session: Session) -> Response:
    """The form to post a project (clients)."""
    me = _signed_in(session, "/projects/new")
    if isinstance(me, Response):
        return me
    require_role(me, "client")
    return render(
        session, "new_project.html", route="/projects/new", title="Post a project", form={}, errors=[]
    )


@router.post("/projects/new")
async def post_project(session: Session) -> Response:
    """Post a project for the client's organization; it opens at once unless kept as a draft."""
    me = _signed_in(session, "/projects/new")
    if isinstance(me, Response):
        return me
    form = await read_form(session.request)
    session.check_csrf(form)
    require_role(me, "client")
    values = {
        "title": form.get("title"),
        "description": form.get("description"),
        "budget": whole_number(form.get("budget")),
        "skills": split_list(form.get("skills")),
        "status": form.get("status") or "open",
    }
    shown = {k: form.get(k, "") for k in ("title", "description", "budget", "skills", "status")}

    def again(status: int, errors: list[str]) -> Response:
        context = {"route": "/projects/new", "title": "Post a project", "form": shown, "errors": errors}
        return render(session, "new_project.html", status, **context)

    body = parse(ProjectCreate, values, PROJECT_LABELS)
    if isinstance(body, list):
        return again(422, body)
    state = session.state
    try:
        created = await run_transaction(
            state.db, lambda conn: projects.post_project(conn, state.cache, me, body), what="a project"
        )
    except UnknownSkillError as exc:
        return again(exc.status, [exc.detail])
    return redirect(session, f"/projects/{created['id']}")


@router.post("/projects/{project_id}/proposals")
async def submit_proposal(session: Session, project_id: ObjectId) -> Response:
    """Send a proposal on an open project (freelancers)."""
    me = _signed_in(session, f"/projects/{project_id}")
    if isinstance(me, Response):
        return me
    form = await read_form(session.request)
    session.check_csrf(form)
    values = {"cover_letter": form.get("cover_letter"), "price": whole_number(form.get("price"))}
    body = parse(ProposalCreate, values, PROPOSAL_LABELS)
    if isinstance(body, list):
        shown = {k: form.get(k, "") for k in ("cover_letter", "price")}
        return await project_page(session, project_id, status=422, errors=body, form=shown)
    state = session.state
    await run_transaction(
        state.db,
        lambda conn: proposals.submit_proposal(conn, state.queue, me, project_id, body),
        what="a proposal",
    )
    return redirect(session, f"/projects/{project_id}")


@router.post("/proposals/{proposal_id}/accept")
async def accept_proposal(session: Session, proposal_id: ObjectId) -> Response:
    """Accept a proposal on one of the client's organization's projects: the project closes."""
    me = _signed_in(session, "/")
    if isinstance(me, Response):
        return me
    form = await read_form(session.request)
    session.check_csrf(form)
    state = session.state
    accepted = await run_transaction(
        state.db,
        lambda conn: proposals.accept_proposal(conn, state.cache, state.queue, me, proposal_id),
        what="an acceptance",
    )
    return redirect(session, f"/projects/{accepted['project_id']}")
