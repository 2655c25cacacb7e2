"""Project lists (API-2): the market (open projects of every organization) and an organization's own
projects, filtered by status, required skills (all of them) and full-text query.

Without a query the order is newest first with a keyset cursor on ``id``. The market walks the partial
index ``ix_projects_open_id``; an organization's list walks ``(tenant_id, id)`` or
``(tenant_id, status, id)``; each skill is an EXISTS probe into ``project_skills``' primary key (or
driven from ``(skill_id, project_id)``, as the planner prefers). These statements are compiled once per
shape (scope, status given or not, number of skills, first page or not).

With a query the order is relevance (rank descending, then id descending) and the cursor is a keyset on
``(rank, id)``, compared as a row value. The market searches ``fts_open_projects``, an index of the open
projects alone (an FTS5 table on SQLite, a table of ids and tsvectors with a GIN index on PostgreSQL,
both kept by triggers): it holds only what the market can return and is read without ``projects``,
which gives only the page's rows. An organization's own search covers every status and reads the
index of all projects (SQLite) or its projects' stored tsvectors (PostgreSQL).

Only the newest :data:`RANKED_MATCHES` matches (after every filter) are ranked, so a page costs at
most that many rank computations however broad the words. The trade-off: a query matching more
projects than that ranks the newest of them and never shows older ones (nor pages past them); it is
narrowed with another word or a skill. With the harness's query mix on the full dataset a third of the
searches match more than 1,000 open projects; 71 % of first pages (SQLite) and 92 % (PostgreSQL) are
those of an exhaustive ranking, and the others keep 99 % and 94 % of its summed rank on average: a
broad word has many near-equal matches (docs/performance.md).

Why a keyset and not a signed offset: an offset shifts when projects are posted or closed between two
pages (items repeat or go missing) and ``OFFSET n`` still computes and sorts the first n rows on every
page; a keyset resumes exactly after the last item served. Deep pages cost what the first does.
PostgreSQL's ``ts_rank_cd`` depends only on the row and the query, so a row keeps its rank between
pages (SQLite's bm25 also weighs corpus statistics, so there a burst of writes between two pages may
move a row across the cursor); a matching project posted between two pages shifts the window of
ranked matches by one, so the oldest of them may drop out of the later pages. The rank travels in the
cursor as the exact float the database returned (a 4-byte real on PostgreSQL, a double on SQLite;
JSON round-trips both), and the cursor's signed scope includes the filters and the query's words, so
it cannot be replayed against another search.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from mercenary.db import Executor, Query
from mercenary.db.fulltext import SEARCH_PARAM, SearchTarget, ranked_candidates, terms
from mercenary.db.keyset import Keyset, Slice
from mercenary.projects.errors import InvalidFilterError
from mercenary.projects.queries import COLUMNS, IS_OPEN
from mercenary.projects.tables import project_skills as ps
from mercenary.projects.tables import projects as p
from mercenary.security.principal import Principal
from mercenary.skills import service as skills

# The market searches the index of open projects; an organization its own projects in every status.
OPEN_PROJECTS = SearchTarget(p, "id", "fts_open_projects", partial=True)
ALL_PROJECTS = SearchTarget(p, "id", "fts_projects")
# How many matches a search ranks at most: the newest ones (see the module's docstring).
RANKED_MATCHES = 1000
Scope = Literal["market", "mine"]
bp = sa.bindparam


@dataclass(frozen=True)
class ProjectFilter:
    """What a project list asks for (skills as given by the client: slugs or aliases)."""

    scope: Scope = "market"
    status: str | None = None
    skills: tuple[str, ...] = ()
    text: str | None = None

    @property
    def ranked(self) -> bool:
        """Whether the list is ordered by relevance, keyed on ``(rank, id)`` (else on ``(id,)``)."""
        return self.text is not None

    def cursor_scope(self) -> str:
        """The list's identity, the scope its cursors are signed for: a cursor only resumes the list
        it came from."""
        words = " ".join(terms(self.text)) if self.text else ""
        skills_key = ",".join(sorted(s.strip().lower() for s in self.skills))
        return f"projects:{self.scope}:{self.status or ''}:{skills_key}:{words}"


def _where(
    scope: Scope, has_status: bool, n_skills: int, key: ColumnElement[Any]
) -> list[ColumnElement[bool]]:
    """The filters beside the text: the organization (and status) of its own list, the skills (on
    ``key``, the project's id as the statement reads it). Open-only is the caller's: ``IS_OPEN`` on a
    list, the index of open projects on a search."""
    where: list[ColumnElement[bool]] = [p.c.tenant_id == bp("tenant_id")] if scope == "mine" else []
    if has_status:
        where.append(p.c.status == bp("status"))
    for i in range(n_skills):
        where.append(sa.exists().where(ps.c.project_id == key, ps.c.skill_id == bp(f"skill_{i}")))
    return where


@functools.lru_cache(maxsize=128)
def _newest_first(scope: Scope, has_status: bool, n_skills: int, has_after: bool) -> Query:
    where = [IS_OPEN] if scope == "market" else []
    where += _where(scope, has_status, n_skills, p.c.id)
    if has_after:
        where.append(p.c.id < bp("after"))
    stmt = sa.select(*COLUMNS).where(*where).order_by(p.c.id.desc()).limit(bp("limit"))
    return Query(f"projects.list.{scope}.{int(has_status)}.{n_skills}.{int(has_after)}", stmt)


@functools.lru_cache(maxsize=128)
def _by_relevance(scope: Scope, has_status: bool, n_skills: int, has_after: bool) -> Query:
    build = functools.partial(_relevance_statement, scope, has_status, n_skills, has_after)
    return Query(f"projects.search.{scope}.{int(has_status)}.{n_skills}.{int(has_after)}", build)


def _relevance_statement(
    scope: Scope, has_status: bool, n_skills: int, has_after: bool, dialect_name: str
) -> sa.Select[Any]:
    target = OPEN_PROJECTS if scope == "market" else ALL_PROJECTS
    where = functools.partial(_where, scope, has_status, n_skills)
    candidates = ranked_candidates(dialect_name, target, where, RANKED_MATCHES)
    page = sa.select(candidates.c.id, candidates.c.rank)
    if has_after:
        after = sa.tuple_(bp("after_rank"), bp("after"))
        page = page.where(sa.tuple_(candidates.c.rank, candidates.c.id) < after)
    cut = page.order_by(candidates.c.rank.desc(), candidates.c.id.desc()).limit(bp("limit")).subquery("page")
    # Only the page's rows are read from projects.
    return (
        sa.select(*COLUMNS, cut.c.rank)
        .select_from(cut.join(p, p.c.id == cut.c.id))
        .order_by(cut.c.rank.desc(), cut.c.id.desc())
    )


async def list_projects(db: Executor, principal: Principal, f: ProjectFilter, page: Keyset) -> Slice:
    """A page of projects, after the key ``(id,)``, or ``(rank, id)`` when :attr:`ProjectFilter.ranked`."""
    if f.scope == "market" and f.status not in (None, "open"):
        raise InvalidFilterError("The market lists open projects only; use scope=mine for other statuses.")
    skill_ids = sorted(set((await skills.resolve_skills(db, f.skills)).values())) if f.skills else []
    status = f.status if f.scope == "mine" else None
    params: dict[str, Any] = {f"skill_{i}": s for i, s in enumerate(skill_ids)}
    params.update(limit=page.fetch, tenant_id=principal.tenant_id, status=status)
    if page.after is not None:
        params["after"] = page.after[-1]
        if f.ranked:
            params["after_rank"] = page.after[0]
    shape = (f.scope, status is not None, len(skill_ids), page.after is not None)
    if f.text is not None:
        params[SEARCH_PARAM] = terms(f.text)
        stmt = _by_relevance(*shape)
    else:
        stmt = _newest_first(*shape)
    rows = await db.fetch_all(stmt, **params)
    if not f.ranked:
        return page.cut(rows, ("id",))
    found = page.cut(rows, ("rank", "id"))
    return Slice([{k: v for k, v in r.items() if k != "rank"} for r in found.items], found.next_after)
