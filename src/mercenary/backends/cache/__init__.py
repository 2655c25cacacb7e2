"""Cache backends: ``memory://`` (in-process) and ``redis://`` (shared), chosen by URL."""

from mercenary.backends.cache.base import Cache, from_url

__all__ = ["Cache", "from_url"]
