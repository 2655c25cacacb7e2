"""Proposal statements. Every status change is a conditional UPDATE on the expected status, so of
two racing requests (two accepts, an accept and a withdrawal) exactly one wins."""

import sqlalchemy as sa

from mercenary.db import Query
from mercenary.proposals.tables import proposal_notices as pn
from mercenary.proposals.tables import proposals as pr

bp = sa.bindparam

COLUMNS = (
    pr.c.id,
    pr.c.project_id,
    pr.c.tenant_id,
    pr.c.freelancer_id,
    pr.c.cover_letter,
    pr.c.price,
    pr.c.status,
    pr.c.created_at,
    pr.c.updated_at,
)
SUBMITTED: sa.ColumnElement[str] = sa.literal_column("'submitted'")
LIVE = pr.c.status.in_([sa.literal_column("'submitted'"), sa.literal_column("'accepted'")])

insert_proposal = Query(
    "proposals.insert",
    sa.insert(pr)
    .values(
        project_id=bp("project_id"),
        tenant_id=bp("tenant_id"),
        freelancer_id=bp("freelancer_id"),
        cover_letter=bp("cover_letter"),
        price=bp("price"),
        status="submitted",
        created_at=bp("now"),
        updated_at=bp("now"),
    )
    .returning(*COLUMNS),
)

get_proposal = Query("proposals.get", sa.select(*COLUMNS).where(pr.c.id == bp("id")))

# Moves one submitted proposal to ``status``; RETURNING says whether this request won.
decide = Query(
    "proposals.decide",
    sa.update(pr)
    .where(pr.c.id == bp("id"), pr.c.status == SUBMITTED)
    .values(status=bp("status"), updated_at=bp("now"))
    .returning(*COLUMNS),
)

reject_pending = Query(
    "proposals.reject_pending",
    sa.update(pr)
    .where(pr.c.project_id == bp("project_id"), pr.c.status == SUBMITTED)
    .values(status="rejected", updated_at=bp("now")),
)

accepted_for = Query(
    "proposals.accepted_for",
    sa.select(pr.c.freelancer_id).where(
        pr.c.project_id == bp("project_id"), pr.c.status == sa.literal_column("'accepted'")
    ),
)

# Expanding IN over one page of projects: served by (project_id, id).
live_counts = Query(
    "proposals.live_counts",
    sa.select(pr.c.project_id, sa.func.count().label("n"))
    .where(pr.c.project_id.in_(bp("ids", expanding=True)), LIVE)
    .group_by(pr.c.project_id),
)


def _page(*where: sa.ColumnElement[bool]) -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(*COLUMNS).where(*where, pr.c.id < bp("after")).order_by(pr.c.id.desc()).limit(bp("limit"))
    )


def _lists(name: str, *where: sa.ColumnElement[bool]) -> tuple[Query, Query]:
    """A list without and with a status filter."""
    return Query(name, _page(*where)), Query(f"{name}_status", _page(*where, pr.c.status == bp("status")))


# Newest first, each served by its composite index: (freelancer_id, id), (tenant_id, id), (project_id, id).
# A status filter is applied to the index range (a freelancer or a project has few proposals; an
# organization's are read a page at a time).
by_freelancer = _lists("proposals.by_freelancer", pr.c.freelancer_id == bp("freelancer_id"))
by_tenant = _lists("proposals.by_tenant", pr.c.tenant_id == bp("tenant_id"))
by_project = _lists("proposals.by_project", pr.c.project_id == bp("project_id"))
by_project_freelancer = _lists(
    "proposals.by_project_freelancer",
    pr.c.project_id == bp("project_id"),
    pr.c.freelancer_id == bp("freelancer_id"),
)

# Whether a freelancer ever proposed on one of an organization's projects (any status): what lets
# them see that organization's members (users.service.visible_user). Walks the freelancer's
# proposals (ix_proposals_freelancer_id_id), a few dozen at most.
proposed_to_tenant = Query(
    "proposals.proposed_to_tenant",
    sa.select(sa.literal(1))
    .where(pr.c.freelancer_id == bp("freelancer_id"), pr.c.tenant_id == bp("tenant_id"))
    .limit(1),
)

notice_sent = Query(
    "proposals.notice_sent",
    sa.select(pn.c.sent_at).where(pn.c.proposal_id == bp("proposal_id"), pn.c.kind == bp("kind")),
)

record_notice = Query(
    "proposals.record_notice",
    sa.insert(pn).values(proposal_id=bp("proposal_id"), kind=bp("kind"), sent_at=bp("now")),
)

# Whether a freelancer has a live (submitted or accepted) proposal on a project: what lets them read
# its documents (documents.service). One probe of the partial unique index uq_proposals_live.
has_live = Query(
    "proposals.has_live",
    sa.select(sa.literal(1))
    .where(pr.c.project_id == bp("project_id"), pr.c.freelancer_id == bp("freelancer_id"), LIVE)
    .limit(1),
)
