"""Who a request counts against, and under which rule (RES-1): the HTTP side of rate limiting.

Route classes, each with its own rule from the settings:

- ``sensitive``: log-in, sign-up and refresh (``SENSITIVE_PATHS``), per client IP in the middleware
  and per account in the route (:func:`check_account`), so neither many accounts from one address
  nor one account from many addresses gets more than ``RATE_LIMIT_SENSITIVE``;
- ``authenticated``: a request with a valid access token, per user;
- ``anonymous``: everything else, per client IP.

``/health`` and ``/ready`` are never limited (load balancers poll them), nor are clients inside
``RATE_LIMIT_EXEMPT``. The client IP is the TCP peer, unless the peer is one of ``TRUSTED_PROXIES``:
then ``X-Forwarded-For`` is read from the right, skipping trusted proxies, and the first address
that is not one of them is the client (anything left of it could be forged by the client).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import ip_address
from typing import TYPE_CHECKING

from mercenary.backends.ratelimit import RateLimiter, Rule, Verdict
from mercenary.errors import RateLimitedError
from mercenary.settings import Network, Settings, parse_rate

if TYPE_CHECKING:
    from starlette.types import Scope

SENSITIVE_PATHS = frozenset(
    {"/api/v1/auth/login", "/api/v1/auth/signup", "/api/v1/auth/refresh", "/login", "/signup"}
)
UNLIMITED_PATHS = frozenset({"/health", "/ready"})
# Where the middleware leaves the client's address for the routes (idempotency scopes, logs).
CLIENT_IP = "mercenary.client_ip"


def rule(name: str, rate: str) -> Rule:
    """The rule ``name`` allowing ``rate`` (``"100/minute"``)."""
    limit, period = parse_rate(rate)
    return Rule(name, limit, period)


def _member(networks: tuple[Network, ...]) -> Callable[[str], bool]:
    """A cached test of whether an address string lies in ``networks`` (False for garbage)."""

    @lru_cache(maxsize=4_096)
    def inside(address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in networks)

    return inside


@dataclass(frozen=True)
class RatePolicy:
    """The rules and networks from the settings."""

    enabled: bool
    anonymous: Rule
    authenticated: Rule
    sensitive: Rule
    exempt: tuple[Network, ...]
    trusted: tuple[Network, ...]
    is_exempt: Callable[[str], bool] = field(init=False, repr=False, compare=False)
    is_trusted: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> RatePolicy:
        """The policy ``settings`` describe."""
        return cls(
            enabled=settings.RATE_LIMIT_ENABLED,
            anonymous=rule("anonymous", settings.RATE_LIMIT_ANONYMOUS),
            authenticated=rule("authenticated", settings.RATE_LIMIT_AUTHENTICATED),
            sensitive=rule("sensitive", settings.RATE_LIMIT_SENSITIVE),
            exempt=settings.RATE_LIMIT_EXEMPT,
            trusted=settings.TRUSTED_PROXIES,
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_exempt", _member(self.exempt) if self.exempt else _never)
        object.__setattr__(self, "is_trusted", _member(self.trusted) if self.trusted else _never)

    def client_ip(self, scope: Scope) -> str:
        """The client's address (module docstring)."""
        client = scope.get("client")
        peer: str = client[0] if client else "unknown"
        if not self.is_trusted(peer):
            return peer
        hops: list[str] = [
            hop.strip()
            for name, value in scope["headers"]
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
            if hop.strip()
        ]
        for hop in reversed(hops):
            if not self.is_trusted(hop):
                return hop
        return hops[0] if hops else peer


def _never(_address: str) -> bool:
    return False


def too_many(verdict: Verdict, detail: str) -> RateLimitedError:
    """The 429 for a refused ``verdict``: ``Retry-After`` and the ``RateLimit-*`` headers."""
    headers = {name.decode(): value.decode() for name, value in verdict.headers()}
    headers["Retry-After"] = str(verdict.reset_s)
    return RateLimitedError(detail, headers=headers)


async def check_account(limiter: RateLimiter, policy: RatePolicy, account: str) -> None:
    """Count a sensitive request against ``account`` (an e-mail address, a refresh token): raises
    :class:`RateLimitedError` past ``RATE_LIMIT_SENSITIVE``. The account is hashed, so no address
    or token is written to the backend."""
    if not policy.enabled:
        return
    who = "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]
    verdict = await limiter.hit(policy.sensitive, who)
    if verdict is not None and not verdict.allowed:
        raise too_many(verdict, "Too many attempts for this account; retry later.")
