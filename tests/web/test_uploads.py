"""Which routes take uploads (web/uploads.py): declared by their OpenAPI body, matched with their
routers' prefixes, for the body-limit and deadline layers."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from mercenary.app import create_app
from mercenary.web.uploads import MULTIPART, UploadRoutes, is_upload, upload_body
from tests.conftest import make_settings


def test_upload_routes_are_matched_by_method_and_full_path() -> None:
    router = APIRouter(prefix="/api/things")

    @router.post("/{thing_id}/files", openapi_extra=upload_body("A file.", {"title": "Its title."}))
    async def upload() -> None: ...

    @router.get("/{thing_id}/files")
    async def listing() -> None: ...

    app = FastAPI()
    app.include_router(router)
    uploads = UploadRoutes(app.routes)
    assert uploads.match("POST", "/api/things/7/files")
    assert not uploads.match("GET", "/api/things/7/files")
    assert not uploads.match("POST", "/api/things/7/files/extra")
    assert not uploads.match("POST", "/things/7/files")
    schema = upload_body("A file.", {"title": "Its title."})["requestBody"]["content"][MULTIPART]["schema"]
    assert schema["required"] == ["file"] and schema["properties"]["title"]["maxLength"] == 1000
    assert not any(is_upload(route) for route in app.router.routes if not hasattr(route, "original_router"))


def test_the_app_knows_its_upload_routes() -> None:
    uploads = UploadRoutes(create_app(make_settings("sqlite:///unused.db")).routes)
    assert uploads.match("POST", "/api/v1/projects/1/documents")
    assert not uploads.match("POST", "/api/v1/projects")
