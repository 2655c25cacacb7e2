"""Which traces are started (docs/tracing.md): requests and job runs, not background chatter.

A root span that is neither a server span (a request) nor a consumer span (a job run) is a Redis
command or a statement that no request or job asked for: the rate limiter's flush every 0.1 s, the
outbox relay, a worker polling its queues. Recorded, each would be a one-span trace several times a
second per process, drowning the traces worth reading. Children follow their parent (``ParentBased``).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

ROOTS = frozenset({SpanKind.SERVER, SpanKind.CONSUMER})


class RequestsAndJobs(Sampler):
    """Samples every root span of a request or a job run, and no other root."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        decision = Decision.RECORD_AND_SAMPLE if kind in ROOTS else Decision.DROP
        return SamplingResult(decision, attributes if decision is Decision.RECORD_AND_SAMPLE else None)

    def get_description(self) -> str:
        return "RequestsAndJobs"
