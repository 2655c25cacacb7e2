"""The ``/metrics`` page (OBS-1): Prometheus's text format, for the networks allowed to read it.

It is not public: the series name every route and tell the traffic, so only peers in
``METRICS_ALLOW`` (loopback by default) get it and everyone else gets the same 404 as an unknown
path. The load balancer must not forward ``/metrics`` (deploy/ does not), since behind it every
request would come from the balancer's address.

With ``PROMETHEUS_MULTIPROC_DIR`` set, a scrape reads every worker's file (prometheus-client's
multiprocess collector), so the figures are the instance's whichever worker answers.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from mercenary.observability import registry

# The classic text format, which every Prometheus 2.x reads (our names need none of 1.0.0's escaping).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


def render() -> bytes:
    """Every series in the text exposition format."""
    if registry.multiprocess():
        from prometheus_client import multiprocess

        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return generate_latest(collected)
    return generate_latest(REGISTRY)
