"""create_app(): middleware, routers, static files, exception handlers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app.admission import Admission, request_slots
from app.api_contract import install_contract, operation_id
from app.config import Settings, get_settings
from app.etag_middleware import ETagMiddleware
from app.idempotency_middleware import IdempotencyMiddleware
from app.log import configure_logging
from app.middleware import RequestIdMiddleware, RequestSizeLimitMiddleware
from app.problems import UnhandledErrorMiddleware, install_problem_handlers
from app.routers import health
from app.routers.api.consent import requests as consent_api
from app.routers.api.disputes import disputes as disputes_api
from app.routers.api.identity import api_clients as api_clients_api
from app.routers.api.identity import oauth, whoami
from app.routers.api.identity import scim as scim_api
from app.routers.api.identity import staff as staff_api
from app.routers.api.incidents import files as incident_files_api
from app.routers.api.incidents import incidents as incidents_api
from app.routers.api.platform import audit as audit_api
from app.routers.api.roster import imports as roster_imports_api
from app.routers.api.roster import sync as roster_sync_api
from app.routers.api.sharing import check as sharing_check_api
from app.routers.api.sharing import disclosures as disclosures_api
from app.routers.api.vendors import agreements as dpas_api
from app.routers.api.vendors import registry as registry_api
from app.routers.api.vendors import vendors as vendors_api
from app.routers.api.workforce import compliance as compliance_api
from app.routers.content_type import require_media_type
from app.routers.pages.consent import family as consent_family
from app.routers.pages.consent import staff as consent_staff
from app.routers.pages.disputes import calendar
from app.routers.pages.disputes import family as disputes_family
from app.routers.pages.disputes import queue as disputes_queue
from app.routers.pages.disputes import saved_replies as disputes_saved_replies
from app.routers.pages.disputes import staff as disputes_staff
from app.routers.pages.identity import account, api_clients, provisioning_tokens, staff_admin, staff_auth
from app.routers.pages.incidents import files as incidents_files
from app.routers.pages.incidents import recipients as incidents_recipients
from app.routers.pages.incidents import staff as incidents_staff
from app.routers.pages.incidents import vendor as incidents_vendor
from app.routers.pages.platform import audit, dev, language, public
from app.routers.pages.platform.api_docs import api_docs_router
from app.routers.pages.retention import register as retention_register
from app.routers.pages.retention import staff as retention_staff
from app.routers.pages.roster import family
from app.routers.pages.roster import staff as roster_pages
from app.routers.pages.sharing import staff as sharing_staff
from app.routers.pages.vendors import agreements as dpas_staff
from app.routers.pages.vendors import portal as vendor_portal
from app.routers.pages.vendors import portal_disposal as vendor_disposal
from app.routers.pages.vendors import portal_sign_in as vendor
from app.routers.pages.vendors import refusal as vendor_refusal
from app.routers.pages.vendors import registry
from app.routers.pages.vendors import staff as vendors_staff
from app.routers.pages.workforce import compliance as compliance_pages
from app.routers.pages.workforce import offboarding as offboarding_pages
from app.routers.pages.workforce import wisp as wisp_pages
from app.routers.pages.workforce import wisp_team as wisp_team_pages
from app.security.cache_control import CacheControlMiddleware
from app.security.csrf import verify_csrf
from app.security.headers import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(
        json_lines=settings.log_json if settings.log_json is not None else settings.is_production
    )
    threads = settings.threadpool_size

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in this pool: room for every reader while writers wait their turn.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # What the application built at start-up lives as long as the process: out of the garbage
        # collector's sight, a full collection (a pause of every request) takes milliseconds, not
        # the 100-200 ms it takes when it walks the whole heap of modules, models and metadata.
        gc.collect()
        gc.freeze()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Steward",
        summary="The student-data privacy program of " + settings.district_name,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by the api_docs router, for whom the setting allows
        dependencies=[
            Depends(Admission(request_slots(settings), settings.database_pool_timeout)),
            Depends(verify_csrf),
            Depends(require_media_type),
        ],
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)
    install_contract(app)

    app.include_router(health.router)
    app.include_router(scim_api.router)
    for api_router in (
        oauth.router,
        whoami.router,
        api_clients_api.router,
        audit_api.router,
        staff_api.router,
        disputes_api.router,
        vendors_api.router,
        dpas_api.router,
        registry_api.router,
        consent_api.router,
        incidents_api.router,
        incident_files_api.router,
        roster_sync_api.router,
        roster_imports_api.router,
        sharing_check_api.router,
        disclosures_api.router,
        compliance_api.router,
    ):
        app.include_router(api_router, prefix="/api/v1")
    for page_router in (
        public.router,
        language.router,
        staff_auth.router,
        account.router,
        staff_admin.router,
        audit.router,
        api_clients.router,
        provisioning_tokens.router,
        family.router,
        vendor.router,
        disputes_family.router,
        disputes_queue.router,
        disputes_saved_replies.router,
        disputes_staff.router,
        calendar.router,
        vendors_staff.router,
        dpas_staff.router,
        vendor_portal.router,
        registry.router,
        vendor_refusal.router,
        consent_staff.router,
        consent_family.router,
        incidents_files.router,
        incidents_recipients.router,
        incidents_staff.router,
        incidents_vendor.router,
        offboarding_pages.router,
        wisp_pages.router,
        wisp_team_pages.router,
        compliance_pages.router,
        roster_pages.router,
        sharing_staff.router,
        retention_staff.router,
        retention_register.router,
        vendor_disposal.router,
    ):
        app.include_router(page_router)
    if not settings.is_production:
        app.include_router(dev.router)

    docs_router = api_docs_router(settings.api_docs_access)
    if docs_router is not None:
        app.include_router(docs_router)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added innermost first: errors caught inside the size limit, headers and request id.
    app.add_middleware(ETagMiddleware)  # innermost: tags the handler's answer
    app.add_middleware(IdempotencyMiddleware)  # remembers the answer (with its tag)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        RequestSizeLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        path_limits={
            "/api/v1/roster/": settings.roster_max_bytes,
            "/staff/roster": settings.roster_max_bytes,
        },
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    app.add_middleware(CacheControlMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
