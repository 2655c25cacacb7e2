"""The pages' routers, in the order they are tried (``/projects/new`` before ``/projects/{id}``)."""

from __future__ import annotations

from fastapi import APIRouter

from mercenary.pages import flows, public, rum

router = APIRouter()
for part in (flows.router, public.router, rum.router):
    router.include_router(part)
