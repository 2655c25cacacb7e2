"""CV statements."""

import sqlalchemy as sa
from sqlalchemy import bindparam as bp

# PostgreSQL's INSERT construct: its ON CONFLICT clause also compiles to SQLite's identical syntax.
from sqlalchemy.dialects.postgresql import insert as upsert

from mercenary.cvs.tables import cv_shares as sh
from mercenary.cvs.tables import cv_skills as cs
from mercenary.cvs.tables import cv_versions as v
from mercenary.cvs.tables import cvs as c
from mercenary.db import Query
from mercenary.skills.tables import skills as s

# The newest versions a CV read shows (the count says how many there are in all).
MAX_VERSIONS_SHOWN = 20

CV = (c.c.id, c.c.owner_id, c.c.tenant_id, c.c.created_at, c.c.updated_at)
VERSION = (
    v.c.id,
    v.c.cv_id,
    v.c.number,
    v.c.filename,
    v.c.media_type,
    v.c.size,
    v.c.sha256,
    v.c.status,
    v.c.pages,
    v.c.failure_code,
    v.c.failure_message,
    v.c.created_at,
    v.c.parsed_at,
)

get_cv = Query("cvs.get", sa.select(*CV).where(c.c.id == bp("id")))
# The owner's CV, locked: two uploads at once number their versions one after the other.
cv_of_owner_locked = Query(
    "cvs.of_owner_locked", sa.select(*CV).where(c.c.owner_id == bp("owner_id")).with_for_update()
)
insert_cv = Query(
    "cvs.insert",
    upsert(c)
    .values(owner_id=bp("owner_id"), tenant_id=bp("tenant_id"), created_at=bp("now"), updated_at=bp("now"))
    .on_conflict_do_nothing(index_elements=["owner_id"]),
)
touch_cv = Query("cvs.touch", sa.update(c).where(c.c.id == bp("id")).values(updated_at=bp("now")))

last_number = Query(
    "cv_versions.last_number",
    sa.select(sa.func.coalesce(sa.func.max(v.c.number), 0)).where(v.c.cv_id == bp("cv_id")),
)
insert_version = Query(
    "cv_versions.insert",
    sa.insert(v)
    .values(
        cv_id=bp("cv_id"),
        number=bp("number"),
        blob_key=bp("blob_key"),
        filename=bp("filename"),
        media_type=bp("media_type"),
        size=bp("size"),
        sha256=bp("sha256"),
        status="pending",
        created_at=bp("now"),
    )
    .returning(*VERSION),
)
versions_of = Query(
    "cv_versions.of_cv",
    sa.select(*VERSION).where(v.c.cv_id == bp("cv_id")).order_by(v.c.number.desc()).limit(MAX_VERSIONS_SHOWN),
)
count_versions = Query(
    "cv_versions.count", sa.select(sa.func.count()).select_from(v).where(v.c.cv_id == bp("cv_id"))
)
# What the parse job reads: the version, its file's key, and who owns the CV.
version_to_parse = Query(
    "cv_versions.to_parse",
    sa.select(v.c.id, v.c.status, v.c.blob_key, v.c.media_type, c.c.owner_id)
    .select_from(v.join(c, c.c.id == v.c.cv_id))
    .where(v.c.id == bp("id")),
)
# Only a pending version takes a result: of two runs of one job, the first to commit wins.
finish_version = Query(
    "cv_versions.finish",
    sa.update(v)
    .where(v.c.id == bp("id"), v.c.status == "pending")
    .values(
        status=bp("status"),
        pages=bp("pages"),
        text=bp("text"),
        failure_code=bp("failure_code"),
        failure_message=bp("failure_message"),
        parsed_at=bp("now"),
    ),
)
# The newest parsed version of a CV: the one whose skills are proposed.
latest_parsed = Query(
    "cv_versions.latest_parsed",
    sa.select(v.c.id, v.c.number)
    .where(v.c.cv_id == bp("cv_id"), v.c.status == "parsed")
    .order_by(v.c.number.desc())
    .limit(1),
)

skills_of_versions = Query(
    "cv_skills.of_versions",
    sa.select(cs.c.version_id, s.c.id, s.c.slug)
    .select_from(cs.join(s, s.c.id == cs.c.skill_id))
    .where(cs.c.version_id.in_(bp("version_ids", expanding=True))),
)
insert_skill = Query(
    "cv_skills.insert", sa.insert(cs).values(version_id=bp("version_id"), skill_id=bp("skill_id"))
)

shares_of = Query(
    "cv_shares.of_cv", sa.select(sh.c.tenant_id).where(sh.c.cv_id == bp("cv_id")).order_by(sh.c.tenant_id)
)
is_shared = Query(
    "cv_shares.exists",
    sa.select(sa.literal(1)).where(sh.c.cv_id == bp("cv_id"), sh.c.tenant_id == bp("tenant_id")),
)
insert_share = Query(
    "cv_shares.insert",
    upsert(sh)
    .values(cv_id=bp("cv_id"), tenant_id=bp("tenant_id"), created_at=bp("now"))
    .on_conflict_do_nothing(index_elements=["cv_id", "tenant_id"]),
)
delete_share = Query(
    "cv_shares.delete", sa.delete(sh).where(sh.c.cv_id == bp("cv_id"), sh.c.tenant_id == bp("tenant_id"))
)
