"""What the projects domain caches (CACHE-3, CACHE-4) and when it is invalidated.

- ``PROJECT``: a project by id with its skills, read-through. The entry holds the row (for the
  visibility check, which runs on every read: the entry is the same for every caller, the 404 for a
  private project is not cached) and its JSON body. Invalidated after any committed change to the
  project, and by any change to the skill taxonomy (it shows slugs).
- ``PAGES``: pages of project lists and searches, as response bodies. The market's pages (and
  searches, which only find open projects) share the family ``market``, invalidated after any
  committed change that an open project's reader could see; an organization's own lists share the
  family ``tenant:<id>``. A page with ``?include=`` is not cached (its proposal counts change with
  every bid).

Ids are global, so a project's key is its id; the tenant is part of every list key that depends on it.
"""

from __future__ import annotations

from mercenary.backends.cache import CacheSpec, CacheStore
from mercenary.backends.cache.store import AfterCommit
from mercenary.skills.service import TAXONOMY, TAXONOMY_FAMILY

PROJECT = CacheSpec("project", ttl=300, stale_for=900)
PAGES = CacheSpec("projects.pages", ttl=60, stale_for=300)
MARKET = "market"
SKILLS = ((TAXONOMY, TAXONOMY_FAMILY),)


def tenant_family(tenant_id: int) -> str:
    """The family of an organization's own project lists."""
    return f"tenant:{tenant_id}"


def changed_after_commit(
    conn: AfterCommit, cache: CacheStore, project_id: int, tenant_id: int, *, public: bool
) -> None:
    """Once ``conn``'s transaction commits, drop the cached project ``project_id`` and the lists it
    appears in: its organization's, and the market's when ``public`` (it is or was open)."""
    pairs = [(PROJECT, str(project_id)), (PAGES, tenant_family(tenant_id))]
    if public:
        pairs.append((PAGES, MARKET))
    cache.invalidate_many_after_commit(conn, pairs)  # one round trip
