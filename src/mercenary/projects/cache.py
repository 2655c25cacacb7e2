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

# A project's entry is dropped by every write to it, so its TTL only bounds an invalidation that
# never arrived (a process that died between COMMIT and its purge). 30 min, as the ratings: reads by
# id follow Zipf's law over tens of thousands of projects, and most of the tail is read less often
# than every 5 min, so a 5 min TTL made those reads misses (for the read-heavy traffic, 200 req/s:
# a TTL cache's expected hit ratio is 77 % at 5 min, 90 % at 30 min).
PROJECT = CacheSpec("project", ttl=1800, stale_for=1800)
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
