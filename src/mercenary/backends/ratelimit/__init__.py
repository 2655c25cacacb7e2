"""Rate limiting (RES-1): counters in ``memory://`` (per process) or ``redis://`` (shared), chosen by
URL, behind a fixed-window limiter that fails open (see ``limiter.py``)."""

from mercenary.backends.ratelimit.base import RateLimitBackend
from mercenary.backends.ratelimit.limiter import RateLimitCounters, RateLimiter, Rule, Verdict

__all__ = ["RateLimitBackend", "RateLimitCounters", "RateLimiter", "Rule", "Verdict"]
