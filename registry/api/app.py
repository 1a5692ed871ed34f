"""The application factory. Nothing happens at import time: ``create_app`` receives the settings
(and, in tests or from ``ia-territoires serve``, an open store) and builds the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from registry.api.head import HeadAsGet
from registry.api.limits import PayloadLimit
from registry.api.problems import install_problem_handlers
from registry.api.state import ApiState, QueryGate
from registry.config import Settings
from registry.layout import Layout
from registry.store.base import Store

DESCRIPTION = """Registre ouvert des systèmes d'IA des collectivités territoriales : données liées
(IRI déréférençables), point d'accès SPARQL, API REST de publication, catalogue DCAT-AP 3.

Open registry of AI systems used by French local governments: linked data (dereferenceable
IRIs), SPARQL endpoint, REST API for publishers, DCAT-AP 3 catalogue.

Erreurs : toujours `application/problem+json` (RFC 9457) avec `title`/`detail` en français et
`title_en`/`detail_en` en anglais. / Errors: always `application/problem+json` (RFC 9457) with
French `title`/`detail` and English `title_en`/`detail_en`.
"""


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the HTTP application. Without ``store``, the store named by the settings is opened
    at start-up and closed at shutdown; a given store stays the caller's to close."""
    holder: dict[str, Store] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is None:
            from registry.store import open_store

            holder["store"] = open_store(settings)
            app.state.api.store = holder["store"]
        _warm_up(app.state.api)
        try:
            yield
        finally:
            services = app.state.api.caches_persistent.get("services")
            if services is not None:
                services[0].close()
            if "store" in holder:
                holder["store"].close()

    app = FastAPI(
        title="ia-territoires",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.api = ApiState(
        settings=settings,
        store=store,  # type: ignore[arg-type]  # set by lifespan when None
        layout=Layout(settings.base_iri),
        gate=QueryGate(settings.sparql_max_concurrent),
    )
    app.state.settings = settings
    install_problem_handlers(app)
    _include_routes(app)
    app.add_middleware(
        PayloadLimit,
        max_bytes=settings.max_payload_bytes,
        base_iri=settings.base_iri,
        upload_max_bytes=settings.import_max_bytes,
    )
    app.add_middleware(HeadAsGet)
    return app


def _warm_up(state: ApiState) -> None:
    """Build the listing index in the background at start-up, so that the first visitor of the
    REST listings or statistics does not pay for it (it is rebuilt after each write)."""
    import threading

    from registry.api.rest_read import get_index

    def build() -> None:
        try:
            get_index(state)
            from registry.catalog import publishers

            # the aggregate behind the DCAT catalogue (seconds at 100 k entries)
            state.cached(
                "publishers:None",
                lambda: publishers(state.store, state.settings.base_iri, None),
            )
        except Exception:  # logged, not fatal: the first request will try again
            logging.getLogger("registry.api").exception("index warm-up failed")

    threading.Thread(target=build, name="index-warm-up", daemon=True).start()


def _include_routes(app: FastAPI) -> None:
    from registry.api import (
        catalog_routes,
        linked_data,
        pages,
        rest_import,
        rest_read,
        rest_write,
        sparql_routes,
    )

    @app.get("/health", tags=["Service"], summary="État du service / Service health")
    async def health() -> dict[str, object]:
        return {"status": "ok", "data_version": app.state.api.data_version}

    app.include_router(sparql_routes.router)
    app.include_router(linked_data.router)
    app.include_router(catalog_routes.router)
    app.include_router(rest_read.router)
    app.include_router(rest_import.router)  # before rest_write's POST /{collection}
    app.include_router(rest_write.router)
    pages.install(app)  # public HTML pages, ahead of the linked-data HTML views
