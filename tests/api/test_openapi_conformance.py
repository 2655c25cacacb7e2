"""The OpenAPI document tells the truth (SEC-2): requests generated from it (valid and invalid ones)
to every operation of the app in-process get only documented statuses, content types and bodies,
never a 5xx, and no error body gives away a stack trace, SQL, a driver or a file path.

Schemathesis makes the requests from ``/openapi.json`` (``--fuzz-examples`` per operation and mode,
6 by default so the suite stays CI-sized; ``scripts/fuzz`` runs the long version), derandomized so a
run is repeatable. They go through the app on the test's event loop with httpx, on SQLite and on
PostgreSQL, signed in as a client and as a freelancer who signed up through the API, and
Schemathesis checks each response. Every finding is collected and reported together.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mercenary.settings import Settings
from mercenary_perf.rig.procs import free_port
from tests.api.helpers import bearer, signup
from tests.api.test_error_bodies import LEAKS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
Case = schemathesis.Case[Any]
REQUEST_KEYS = ("method", "url", "headers", "params", "cookies", "json", "data", "files")


@pytest.fixture(name="settings")
def settings_without_rate_limits(settings: Settings) -> Settings:
    """The suite's settings without rate limits: a long run would otherwise fuzz mostly the 429."""
    return settings.model_copy(update={"RATE_LIMIT_ENABLED": False})


def generated_cases(operation: Any, mode: GenerationMode, examples: int) -> list[Case]:
    """A few requests for ``operation``: drawn by Hypothesis, derandomized, without its database."""
    cases: list[Case] = []

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Case) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        assert mode is GenerationMode.NEGATIVE
    return cases


async def send(client: httpx.AsyncClient, case: Case, headers: dict[str, str]) -> tuple[Any, Any]:
    """``case`` exactly as Schemathesis would send it (serialized by its requests transport)."""
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in REQUEST_KEYS}).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    assert prepared.method is not None and prepared.url is not None
    assert body is None or isinstance(body, bytes)
    raw = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    response = await client.request(prepared.method, prepared.url, content=body, headers=raw)
    return response, kwargs


def leaks(response: httpx.Response, kwargs: dict[str, Any]) -> list[str]:
    """What an error body shows of the inside; a word the request itself carried (a fuzzed value
    echoed in a validation error) is not a leak."""
    if response.status_code < 400:
        return []
    sent = repr({k: v for k, v in kwargs.items() if k in REQUEST_KEYS})
    return [word for word in LEAKS if word in response.text and word not in sent]


@pytest.mark.slow
async def test_every_response_is_documented(
    request: pytest.FixtureRequest, database_url: str, app: FastAPI, client: httpx.AsyncClient
) -> None:
    examples: int = request.config.getoption("fuzz_examples")
    client_user = await signup(client, "client@example.com")
    freelancer = await signup(client, "freelancer@example.com", role="freelancer")
    # Something for small ids to point at: an open project with a proposal, and a profile.
    h = bearer(client_user["access_token"])
    project = {"title": "Fuzzed project", "description": "d", "budget": 100, "status": "open"}
    assert (await client.post("/api/v1/projects", json=project, headers=h)).status_code == 201
    f = bearer(freelancer["access_token"])
    bid = {"cover_letter": "I can do this.", "price": 90}
    assert (await client.post("/api/v1/projects/1/proposals", json=bid, headers=f)).status_code == 201
    profile = {"headline": "Python developer", "hourly_rate": 50}
    url = f"/api/v1/freelancers/{freelancer['user']['id']}/profile"
    assert (await client.put(url, json=profile, headers=f)).status_code == 200

    schema = schemathesis.openapi.from_dict(app.openapi())
    findings: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode in MODES:
            for i, case in enumerate(generated_cases(operation, mode, examples)):
                headers = h if i % 2 == 0 else f
                response, kwargs = await send(client, case, headers)
                sent += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs=kwargs)
                except FailureGroup as exc:
                    findings.append(f"{operation.label} ({mode.value}): {exc}")
                if found := leaks(response, kwargs):
                    findings.append(
                        f"{operation.label} ({mode.value}): error body shows {found}: {response.text}"
                    )
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    # The long run's figures (scripts/fuzz) are read from this line.
    print(f"\nfuzz: backend={backend} examples={examples} cases={sent} findings={len(findings)}")
    assert sent > 100
    assert not findings, "\n\n".join(findings)


class Findings:
    """What a stateful run sent and what it found."""

    def __init__(self) -> None:
        self.calls = 0
        self.found: list[str] = []
        self.followed: set[str] = set()  # the links followed with the id they carried


def stateful_run(schema: Any, base_url: str, headers: dict[str, str], examples: int, into: Findings) -> None:
    """Schemathesis's state machine over the document's links (a creation, then the operations on
    what it created), as the caller whose ``headers`` it sends; findings are collected, not raised,
    so that one run counts them all (and Hypothesis spends no time shrinking)."""
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc,valid-type]
        def step(self, input: Any) -> Any:
            if input.transition is not None and input.is_applied:
                into.followed.add(input.case.operation.label)
            return super().step(input)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers}

        def validate_response(self, response: Any, case: Case, *_: Any, **kwargs: Any) -> None:
            into.calls += 1
            label = f"{case.operation.label} (stateful)"
            try:
                case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs=kwargs)
            except FailureGroup as exc:
                into.found.append(f"{label}: {exc}")
            sent = case.as_transport_kwargs(base_url=base_url, headers=headers)
            if found := leaks(response, sent):
                into.found.append(f"{label}: error body shows {found}: {response.text}")

    Machine.run(
        settings=settings(
            max_examples=examples,
            stateful_step_count=10,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.slow
async def test_following_the_links_gets_only_documented_responses(
    request: pytest.FixtureRequest, database_url: str, app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Stateful (SEC-2): sequences that create something, then read, change or delete it through
    the document's links, on a real loopback server, as a client and as a freelancer."""
    examples: int = request.config.getoption("fuzz_examples")
    callers = {
        "client": bearer((await signup(client, "client@example.com"))["access_token"]),
        "freelancer": bearer(
            (await signup(client, "freelancer@example.com", role="freelancer"))["access_token"]
        ),
    }
    schema = schemathesis.openapi.from_dict(app.openapi())
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    findings = Findings()
    try:
        for headers in callers.values():
            # In a thread: the state machine is synchronous, the server answers on this loop.
            await asyncio.to_thread(
                stateful_run, schema, f"http://127.0.0.1:{port}", headers, examples, findings
            )
    finally:
        server.should_exit = True
        await serving
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"\nfuzz: backend={backend} stateful examples={examples} cases={findings.calls} findings={len(findings.found)} "
        f"links followed to {len(findings.followed)} operations"
    )
    assert findings.calls > 2 * examples
    # The links were followed: steps that took the id a creation answered with.
    assert findings.followed, "no link was followed"
    assert not findings.found, "\n\n".join(findings.found)
