"""Indexes on the blob keys of CV versions and profile PDFs, for the orphan sweep
(``worker/sweep.py``: which stored blobs does no row refer to). Project documents have one already
(their unique constraint).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 13:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cv_versions_blob_key", "cv_versions", ["blob_key"])
    op.create_index("ix_profile_pdfs_blob_key", "profile_pdfs", ["blob_key"])


def downgrade() -> None:
    op.drop_index("ix_profile_pdfs_blob_key", table_name="profile_pdfs")
    op.drop_index("ix_cv_versions_blob_key", table_name="cv_versions")
