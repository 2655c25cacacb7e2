"""DeliveryMiddleware around stub endpoints: validators and 304, gzip and its limits, the headers an
app sets itself, streamed bodies, HEAD, and the helpers' parsing rules. The API's own routes are
tested end to end in tests/api/test_http_delivery.py."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercenary.app import create_app
from mercenary.settings import Settings
from mercenary.web.middleware import cache_policy
from mercenary.web.middleware.compression import MIN_BYTES, accepts_gzip, compressible
from mercenary.web.middleware.delivery import DeliveryMiddleware
from mercenary.web.middleware.validators import entity_tag, none_match
from tests.test_request_path_budget import api_routes

BODY = b'{"items": [' + b'{"title": "Build a Django shop"}, ' * 60 + b"{}]}"  # ~2 KB of JSON
AUTH = {"Authorization": "Bearer x"}
IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
Headers = dict[str, str] | None


def stub(
    body: bytes = BODY, status: int = 200, media_type: str = "application/json", headers: Headers = None
) -> ASGIApp:
    """An endpoint answering ``body`` the way the API's routes do (one Starlette Response)."""

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(body, status, headers, media_type)(scope, receive, send)

    return endpoint


def client_for(app: ASGIApp, **options: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=DeliveryMiddleware(app, **options))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def get(
    app: ASGIApp, path: str = "/x", method: str = "GET", *, headers: Headers = None
) -> httpx.Response:
    async with client_for(app) as client:
        return await client.request(method, path, headers=headers)


async def test_a_strong_tag_of_the_body_and_304_on_a_match() -> None:
    first = await get(stub(), headers=IDENTITY)
    tag = first.headers["etag"]
    assert tag == entity_tag(BODY).decode() and tag.startswith('"') and not tag.startswith("W/")
    assert (await get(stub(), headers=IDENTITY)).headers["etag"] == tag
    assert (await get(stub(BODY + b" "), headers=IDENTITY)).headers["etag"] != tag

    for header in (tag, f'"other", {tag}', f"W/{tag}", "*", f' "a" ,W/"b",{tag} '):
        revalidated = await get(stub(), headers={**IDENTITY, "If-None-Match": header})
        assert revalidated.status_code == 304, header
        assert revalidated.content == b""
        assert revalidated.headers["etag"] == tag
        assert "content-type" not in revalidated.headers and "content-length" not in revalidated.headers
        assert revalidated.headers["cache-control"] == "public, no-cache"
        assert revalidated.headers["vary"] == "Accept-Encoding"
        assert revalidated.headers["server-timing"].startswith("app;dur=")
    for header in ('"other"', tag[:-2] + '"', tag.strip('"')):
        assert (await get(stub(), headers={**IDENTITY, "If-None-Match": header})).status_code == 200, header


async def test_only_get_and_head_200_get_a_tag() -> None:
    head = await get(stub(), method="HEAD", headers=IDENTITY)
    assert head.headers["etag"] == entity_tag(BODY).decode()
    assert (await get(stub(), method="HEAD", headers={**IDENTITY, "If-None-Match": "*"})).status_code == 304
    for response in (
        await get(stub(), method="POST", headers={**IDENTITY, "If-None-Match": "*"}),
        await get(stub(status=201), headers={**IDENTITY, "If-None-Match": "*"}),
        await get(stub(status=404), headers={**IDENTITY, "If-None-Match": "*"}),
    ):
        assert response.status_code != 304 and "etag" not in response.headers


async def test_gzip_from_one_kilobyte_when_the_client_accepts_it() -> None:
    at = BODY[:MIN_BYTES]
    packed = await get(stub(at), headers=GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == at  # httpx decodes it
    assert int(packed.headers["content-length"]) == packed.num_bytes_downloaded < MIN_BYTES
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["etag"] == entity_tag(at, gzip=True).decode()

    below = await get(stub(BODY[: MIN_BYTES - 1]), headers=GZIP)
    assert "content-encoding" not in below.headers and "vary" not in below.headers
    refused = await get(stub(at), headers={"Accept-Encoding": "gzip;q=0, deflate"})
    assert "content-encoding" not in refused.headers
    assert refused.headers["vary"] == "Accept-Encoding"  # the representation does vary with it
    assert refused.headers["etag"] == entity_tag(at).decode()


async def test_the_tag_names_the_coding_and_a_304_answers_each_coding() -> None:
    packed = await get(stub(), headers=GZIP)
    plain = await get(stub(), headers=IDENTITY)
    assert packed.headers["etag"] != plain.headers["etag"]
    assert (await get(stub(), headers={**GZIP, "If-None-Match": packed.headers["etag"]})).status_code == 304
    # The identity tag does not validate the gzip representation, and the other way round.
    assert (await get(stub(), headers={**GZIP, "If-None-Match": plain.headers["etag"]})).status_code == 200
    assert (
        await get(stub(), headers={**IDENTITY, "If-None-Match": packed.headers["etag"]})
    ).status_code == 200


async def test_bodies_that_are_not_text_or_are_coded_already_are_left_alone() -> None:
    image = await get(stub(BODY, media_type="image/png"), headers=GZIP)
    assert "content-encoding" not in image.headers and "vary" not in image.headers
    coded = gzip.compress(BODY * 2)
    already = await get(stub(coded, headers={"Content-Encoding": "gzip"}), headers=GZIP)
    assert already.headers["content-encoding"] == "gzip" and already.content == BODY * 2


async def test_credentials_are_never_compressed_nor_stored() -> None:
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/organizations/current"):
        response = await get(stub(), path, headers={**GZIP, **AUTH})
        assert "content-encoding" not in response.headers, path
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers and "vary" not in response.headers
    assert (await get(stub(), "/api/v1/projects", headers={**GZIP, **AUTH})).headers[
        "content-encoding"
    ] == "gzip"


async def test_gzip_level_zero_turns_compression_off() -> None:
    async with client_for(stub(), gzip_level=0) as client:
        response = await client.get("/x", headers=GZIP)
    assert "content-encoding" not in response.headers and "vary" not in response.headers
    assert response.headers["etag"] == entity_tag(BODY).decode()


async def test_cache_control_by_class() -> None:
    async def policy(
        path: str, status: int = 200, method: str = "GET", headers: Headers = None
    ) -> tuple[str, str]:
        response = await get(stub(status=status), path, method, headers={**IDENTITY, **(headers or {})})
        return response.headers["cache-control"], response.headers.get("vary", "")

    assert await policy("/api/v1/projects", headers=AUTH) == (
        "private, no-cache",
        "Authorization, Accept-Encoding",
    )
    assert await policy("/api/v1/projects", 404, headers=AUTH) == ("no-store", "Accept-Encoding")
    assert await policy("/health", headers=AUTH) == ("public, no-cache", "Accept-Encoding")
    assert await policy("/openapi.json") == ("public, max-age=300", "Accept-Encoding")
    assert await policy("/docs") == ("public, max-age=300", "Accept-Encoding")
    assert await policy("/something-public") == ("public, no-cache", "Accept-Encoding")
    assert await policy("/something-public", method="POST") == ("no-store", "Accept-Encoding")
    assert await policy("/openapi.json", 503) == ("no-store", "Accept-Encoding")


async def test_headers_the_app_set_itself_are_kept() -> None:
    own = stub(headers={"Cache-Control": "public, max-age=60", "ETag": 'W/"v7"', "Vary": "Accept-Language"})
    response = await get(own, headers={**GZIP, **AUTH})
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"] == 'W/"v7"'
    assert response.headers.get_list("vary") == ["Accept-Language, Accept-Encoding"]
    assert (await get(own, headers={**GZIP, **AUTH, "If-None-Match": '"v7"'})).status_code == 304
    assert (await get(stub(BODY[:10], headers={"Vary": "Origin"}), headers=AUTH)).headers.get_list(
        "vary"
    ) == ["Origin, Authorization"]


async def test_a_streamed_body_passes_through_with_its_headers() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield BODY
        yield BODY

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await StreamingResponse(chunks(), media_type="application/json")(scope, receive, send)

    response = await get(endpoint, headers={**GZIP, **AUTH})
    assert response.content == BODY * 2
    assert "content-encoding" not in response.headers and "etag" not in response.headers
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["vary"] == "Authorization"
    assert response.headers["server-timing"].startswith("app;dur=")


async def test_server_timing_on_every_response() -> None:
    for status in (200, 204, 404, 500):
        response = await get(stub(b"" if status == 204 else b"{}", status=status))
        app_part, db_part = response.headers["server-timing"].split(", ")
        assert app_part.startswith("app;dur=") and float(app_part[8:]) > 0
        assert db_part == "db;dur=0.000"


async def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    await DeliveryMiddleware(app)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (b"gzip", True),
        (b"gzip, deflate, br", True),
        (b"deflate, GZIP;q=0.5", True),
        (b"gzip;q=0", False),
        (b"gzip; q=0.000", False),
        (b"gzip;q=x", False),
        (b"br, x-gzip", False),
        (b"identity", False),
        (b"", False),
    ],
)
def test_accept_encoding(header: bytes, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_compressible_media_types() -> None:
    for media_type in (b"application/json", b"application/problem+json", b"text/html; charset=utf-8"):
        assert compressible(media_type)
    for media_type in (b"application/vnd.api+json", b"application/javascript"):
        assert compressible(media_type)
    for media_type in (b"image/png", b"application/octet-stream", b"application/gzip"):
        assert not compressible(media_type)


def test_none_match_ignores_weakness_on_both_sides() -> None:
    assert none_match(b'W/"a"', b'"a"') and none_match(b'"a"', b'W/"a"')
    assert not none_match(b'"ab"', b'"a"') and not none_match(b'"a-gzip"', b'"a"')


def test_every_public_path_is_a_get_route_of_the_app() -> None:
    app = create_app(Settings())
    routes = [*api_routes(list(app.routes)), *app.routes]
    paths = {
        getattr(route, "path", "") for route in routes if "GET" in (getattr(route, "methods", None) or ())
    }
    assert set(cache_policy.PUBLIC) <= paths


async def test_tags_and_codings_of_repeated_bodies_are_remembered_within_a_bound() -> None:
    bodies = [BODY + b" " * i for i in range(600)]
    middleware = DeliveryMiddleware(stub())
    for body in bodies:
        assert middleware._tag(body, gzip=False) == entity_tag(body)
        assert gzip.decompress(middleware._gzipped(body)) == body
    assert len(middleware._memo) == 512  # bounded: the oldest bodies were let go
    again = bodies[-1]
    coded = middleware._gzipped(again)
    assert middleware._gzipped(again) is coded  # remembered, not compressed again
    assert middleware._tag(again, gzip=True) == entity_tag(again, gzip=True)
