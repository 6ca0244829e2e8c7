"""The application: API under /api/v1, pages under /, static files, one runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from linli import __version__
from linli.config import Settings, get_settings
from linli.runtime import Runtime
from linli.web import errors, security
from linli.web.csrf import csrf_protect

STATIC = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the app for ``settings`` (the environment's when none are given)."""
    from linli.accounts import api as accounts_api
    from linli.accounts import pages as accounts_pages
    from linli.audit import api as audit_api
    from linli.audit import pages as audit_pages
    from linli.civic.councils import api as councils_api
    from linli.civic.councils import pages as councils_pages
    from linli.civic.honours import api as honours_api
    from linli.civic.honours import pages as honours_pages
    from linli.civic.stories import api as stories_api
    from linli.civic.stories import pages as stories_pages
    from linli.courses import api as courses_api
    from linli.courses import pages as courses_pages
    from linli.disputes import api as disputes_api
    from linli.disputes import pages as disputes_pages
    from linli.events import api as events_api
    from linli.events import pages as events_pages
    from linli.institutions import api as institutions_api
    from linli.institutions import inspection_pages as institutions_inspection_pages
    from linli.institutions import pages as institutions_pages
    from linli.ledger import api as ledger_api
    from linli.ledger import pages as ledger_pages
    from linli.matching import api as matching_api
    from linli.matching import pages as matching_pages
    from linli.needs import api as needs_api
    from linli.needs import pages as needs_pages
    from linli.registry import api as registry_api
    from linli.registry import pages as registry_pages
    from linli.reports import api as reports_api
    from linli.reports import pages as reports_pages
    from linli.resources import api as resources_api
    from linli.resources import pages as resources_pages
    from linli.visits import api as visits_api
    from linli.visits import pages as visits_pages
    from linli.volunteers import api as volunteers_api
    from linli.volunteers import pages as volunteers_pages
    from linli.volunteers import standing_pages as volunteers_standing_pages
    from linli.web import health, pages

    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="linli 邻里",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.runtime = Runtime(settings)
    errors.install(app)
    security.install(app)
    for router in (
        health.router,
        accounts_api.public,
        accounts_api.router,
        accounts_api.users,
        registry_api.areas_router,
        audit_api.router,
        registry_api.router,
        needs_api.public,
        needs_api.router,
        visits_api.router,
        accounts_pages.public,
        accounts_pages.router,
        pages.public,
        registry_pages.router,
        audit_pages.router,
        needs_pages.public,
        needs_pages.router,
        visits_pages.router,
        ledger_api.router,
        ledger_pages.router,
        resources_api.router,
        resources_pages.router,
        volunteers_api.router,
        volunteers_api.services_router,
        matching_api.router,
        volunteers_standing_pages.router,  # before /volunteers/{volunteer_id} would take /volunteers/teams
        volunteers_pages.router,
        matching_pages.router,
        courses_api.router,
        courses_pages.router,
        institutions_api.router,
        institutions_api.inspections_router,
        institutions_api.templates_router,
        institutions_api.findings_router,
        institutions_pages.router,
        institutions_inspection_pages.router,
        councils_api.router,
        councils_pages.router,
        honours_api.router,
        honours_pages.router,
        stories_api.router,
        stories_pages.router,
        reports_api.router,
        reports_pages.router,
        events_api.router,
        events_pages.router,
        disputes_api.router,
        disputes_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the background jobs in this process while it serves, when the settings say so."""
    from linli.needs import worker

    runtime: Runtime = app.state.runtime
    settings = runtime.settings
    app.state.scheduler = (
        worker.start_in_process(runtime, settings.sla_tick_seconds) if settings.run_jobs_in_process else None
    )
    try:
        yield
    finally:
        if app.state.scheduler is not None:
            app.state.scheduler.shutdown(wait=False)
