"""``create_app(settings)`` builds the ASGI app: routers, middleware, and a lifespan that opens
and closes the backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mercenary.auth.passwords import PasswordHasher
from mercenary.auth.routes import router as auth_router
from mercenary.auth.tokens import TokenService
from mercenary.backends import cache as cache_backends
from mercenary.db import open_database
from mercenary.health.routes import router as health_router
from mercenary.profiles.routes import router as profiles_router
from mercenary.projects.routes import router as projects_router
from mercenary.proposals.routes import router as proposals_router
from mercenary.reviews.routes import router as reviews_router
from mercenary.search.projects import router as project_search_router
from mercenary.settings import Settings
from mercenary.skills.routes import router as skills_router
from mercenary.tenants.routes import router as tenants_router
from mercenary.users.routes import router as users_router
from mercenary.web import errors
from mercenary.web.deps import AppState
from mercenary.web.middleware.body_limit import BodyLimitMiddleware
from mercenary.web.pagination import CursorCodec


def create_app(settings: Settings) -> FastAPI:
    """The Mercenary API for ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = open_database(settings)
        await db.connect()
        cache = cache_backends.from_url(settings.cache_url)
        app.state.mercenary = AppState(
            settings=settings,
            db=db,
            cache=cache,
            hasher=PasswordHasher(
                settings.ARGON2_MEMORY_KIB,
                settings.ARGON2_TIME_COST,
                settings.PASSWORD_HASH_CONCURRENCY,
                settings.PASSWORD_HASH_QUEUE,
            ),
            tokens=TokenService(settings.SECRET_KEY, settings.ACCESS_TOKEN_TTL_S),
            cursors=CursorCodec(settings.SECRET_KEY),
        )
        try:
            yield
        finally:
            await cache.close()
            await db.close()

    app = FastAPI(
        title="Mercenary",
        version="0.1.0",
        summary="A freelance marketplace API built to published performance standards.",
        lifespan=lifespan,
    )
    errors.install(app)
    for router in (
        health_router,
        auth_router,
        users_router,
        tenants_router,
        projects_router,
        proposals_router,
        reviews_router,
        project_search_router,
        skills_router,
        profiles_router,
    ):
        app.include_router(router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment."""
    return create_app(Settings())
