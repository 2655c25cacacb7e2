"""Proposal tables."""

from typing import Literal

import sqlalchemy as sa

from mercenary.db.metadata import UTCDateTime, created_at_column, fk_column, id_column, metadata, one_of

ProposalStatus = Literal["submitted", "accepted", "rejected", "withdrawn"]

proposals = sa.Table(
    "proposals",
    metadata,
    id_column(),
    fk_column("project_id", "projects.id"),
    # The project's (client) organization: the proposal is private to it and to its author.
    fk_column("tenant_id", "organizations.id"),
    fk_column("freelancer_id", "users.id"),
    sa.Column("cover_letter", sa.Text(), nullable=False),
    # Whole currency units.
    sa.Column("price", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    created_at_column(),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("price >= 0", name="price"),
    one_of("status", ProposalStatus),
    sa.Index("ix_proposals_project_id_id", "project_id", "id"),
    sa.Index("ix_proposals_freelancer_id_id", "freelancer_id", "id"),
    sa.Index("ix_proposals_tenant_id_id", "tenant_id", "id"),
    # At most one live proposal per freelancer per project (after a withdrawal or a rejection, a new bid
    # is allowed).
    sa.Index(
        "uq_proposals_live",
        "project_id",
        "freelancer_id",
        unique=True,
        postgresql_where=sa.text("status IN ('submitted', 'accepted')"),
        sqlite_where=sa.text("status IN ('submitted', 'accepted')"),
    ),
)

NoticeKind = Literal["received", "accepted"]

# Notification mail already sent (JOB-6): a job run twice (a worker killed after sending, the relay
# racing a commit) finds its row and sends nothing more.
proposal_notices = sa.Table(
    "proposal_notices",
    metadata,
    fk_column("proposal_id", "proposals.id", primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("sent_at", UTCDateTime(), nullable=False),
    one_of("kind", NoticeKind),
)
