"""Who may read ``/metrics``: the ``METRICS_ALLOW`` networks (kept apart from the exposition so that
settings can check them without importing prometheus-client)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(spec: str) -> tuple[Network, ...]:
    """``METRICS_ALLOW``: comma-separated addresses or CIDR networks (raises ValueError on a bad one)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def allowed(host: str | None, allow: Iterable[Network]) -> bool:
    """Whether a peer at ``host`` may read the metrics (no address, as on a Unix socket: no)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allow)
