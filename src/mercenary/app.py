"""``create_app(settings)`` builds the ASGI app: routers, middleware, and a lifespan that opens
and closes the backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mercenary.auth.routes import router as auth_router
from mercenary.cvs.routes import router as cvs_router
from mercenary.db.timing import observe_statements
from mercenary.documents.routes import router as documents_router
from mercenary.health.routes import router as health_router
from mercenary.observability import tracing
from mercenary.observability.logs import AccessLog
from mercenary.observability.logs import configure as configure_logging
from mercenary.observability.networks import networks
from mercenary.observability.publish import Publisher
from mercenary.observability.registry import DB_STATEMENT_DURATION
from mercenary.pages.render import problem_page
from mercenary.pages.routes import router as pages_router
from mercenary.profiles.routes import router as profiles_router
from mercenary.projects.routes import router as projects_router
from mercenary.projects.routes import search_router as projects_search_router
from mercenary.proposals.routes import router as proposals_router
from mercenary.reviews.routes import router as reviews_router
from mercenary.settings import Settings
from mercenary.skills.routes import router as skills_router
from mercenary.state import AppState
from mercenary.tenants.routes import router as tenants_router
from mercenary.users.routes import router as users_router
from mercenary.web import docs, errors, openapi
from mercenary.web.limits import RatePolicy
from mercenary.web.middleware.body_limit import BodyLimitMiddleware
from mercenary.web.middleware.deadline import DeadlineMiddleware
from mercenary.web.middleware.delivery import DeliveryMiddleware
from mercenary.web.middleware.observe import ObserveMiddleware
from mercenary.web.middleware.protocol import ProtocolMiddleware
from mercenary.web.middleware.rate_limit import RateLimitMiddleware
from mercenary.web.uploads import UploadRoutes


def create_app(settings: Settings) -> FastAPI:
    """The Mercenary API for ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = app.state.mercenary = await AppState.open(settings)
        publisher = app.state.metrics = Publisher(
            state.cache,
            state.db,
            state.limiter,
            state.overload,
            state.queue,
            breakers=(state.blobs.breaker,),
        )
        app.state.metrics_allow = networks(settings.METRICS_ALLOW)
        observe_statements(DB_STATEMENT_DURATION.observe)
        publisher.start()
        sentinel = None
        if settings.MEMORY_SENTINEL_S > 0:
            from mercenary.observability.memory import MemorySentinel

            sentinel = MemorySentinel(settings.MEMORY_SENTINEL_S, frames=settings.MEMORY_SENTINEL_FRAMES)
            sentinel.start()
        state.overload.start()
        try:
            yield
        finally:
            if sentinel is not None:
                await sentinel.stop()
            await publisher.stop()
            await state.close()

    app = FastAPI(
        title="Mercenary",
        version="0.1.0",
        summary="A freelance marketplace API built to published performance standards.",
        lifespan=lifespan,
        # Served by web/docs.py, each page with a Content-Security-Policy of its own.
        docs_url=None,
        redoc_url=None,
        # FastAPI's built-in OpenTelemetry is off: otherwise every request asks the global providers
        # whether anyone is listening. Tracing is switched on by configuration where it is wanted.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # A browser navigating to a path no route serves, or refused by the rate limit, gets a page.
    errors.install(app, page=problem_page)
    # FastAPI tries routes in order, so the busiest go first (no two routers' paths overlap): each
    # router passed over costs a prefix test, each route a regex match, on every request.
    for router in (
        projects_router,
        users_router,
        skills_router,
        reviews_router,
        projects_search_router,
        proposals_router,
        documents_router,
        profiles_router,
        cvs_router,
        tenants_router,
        auth_router,
        health_router,
        # Last: the pages' paths do not overlap the API's, and an API request never tries them.
        pages_router,
    ):
        app.include_router(router)
    uploads = UploadRoutes(app.routes)  # they cap their own bodies, and may take longer to arrive
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES, exempt=uploads.match)
    if settings.DATABASE_REPLICA_URL:
        # DB-8: each request's read session, and the commit LSN handed back to the caller who wrote.
        from mercenary.web.middleware.read_your_writes import ReadYourWritesMiddleware

        app.add_middleware(
            ReadYourWritesMiddleware, keys=settings.secret_keys, max_age_s=settings.READ_YOUR_WRITES_S
        )
    # Before the body limit and the app: a refused request costs no reading, parsing or database work.
    app.add_middleware(RateLimitMiddleware, policy=RatePolicy.from_settings(settings), page=problem_page)
    # Inside the delivery layer, so its 503 leaves like any response (security headers, no-store).
    app.add_middleware(
        DeadlineMiddleware,
        timeout_s=settings.REQUEST_TIMEOUT_S,
        slow=uploads.match,
        slow_timeout_s=settings.UPLOAD_TIMEOUT_S,
        page=problem_page,
    )
    # Added last, so it runs first: its timing covers the whole request and its headers reach every
    # response the app writes, the body limit's 413 included.
    app.add_middleware(DeliveryMiddleware, gzip_level=settings.GZIP_LEVEL, hsts=settings.HSTS)
    # HEAD is a GET to every layer inside, and it answers what nothing else handled.
    app.add_middleware(ProtocolMiddleware)
    # Profiling and tracing layers exist only when switched on: off, they cost nothing per request.
    if settings.PROFILE_REQUESTS > 0:
        from mercenary.web.middleware.profile import ProfileMiddleware

        app.add_middleware(ProfileMiddleware, requests=settings.PROFILE_REQUESTS, folder=settings.PROFILE_DIR)
    if tracing.setup(settings, role="api"):
        # Inside the observing layer: the span is current while every other layer and the app run.
        from mercenary.web.middleware.trace import TraceMiddleware

        app.add_middleware(TraceMiddleware)
    # Outermost: the request histogram and the access line cover everything below (the protocol
    # layer's crash answers included), and the correlation id is set before any other layer may log.
    access = settings.ACCESS_LOG and settings.LOG_LEVEL in ("DEBUG", "INFO")
    app.add_middleware(ObserveMiddleware, access_log=AccessLog(settings.LOG_FORMAT) if access else None)
    openapi.install(app)
    docs.install(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment, logging as they say (each
    worker process configures its own)."""
    settings = Settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    return create_app(settings)
