"""The cache: ``memory://`` (in-process) or ``redis://`` (shared, with an in-process copy), chosen by
URL, behind one read-through store with versioned keys (see ``store.py``)."""

from mercenary.backends.cache.store import CacheCounters, CacheSpec, CacheStore

__all__ = ["CacheCounters", "CacheSpec", "CacheStore"]
