"""The public HTML pages (templates and view models in :mod:`registry.web`): observatory,
register listing, entry pages on the entries' own IRIs (``/id/...`` and ``/vocab/...`` when HTML
is negotiated; every other format goes on to the linked-data routes), version diffs, and the
SPARQL query page. Publishing pages: :mod:`registry.api.pages_publish`.

Mounted by ``install(app)``, the one line the app factory calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from rdflib import Graph

from registry.api import linked_data
from registry.api.negotiation import HTML, RESOURCE_FORMATS, negotiate, split_extension
from registry.api.rest_read import deployment_json, deployments_csv, get_index
from registry.api.state import ApiState, api_state, blocking
from registry.errors import NotFoundError, RegistryError
from registry.index import Index
from registry.observatory import Extras, load_extras
from registry.vocab import KEY_RE
from registry.web import concepts as web_concepts
from registry.web.entry_view import (
    ENTRY_DOWNLOADS,
    deployment_view,
    graph_namer,
    local_href,
    resource_view,
)
from registry.web.fields import AI_SYSTEM_SHAPE
from registry.web.home import CHART_NAMES, chart_csv, home_view
from registry.web.i18n import COOKIE, LANGS, pick_language, text_in, translator
from registry.web.listing import ListingState, Prepared, listing_view, prepare
from registry.web.render import STATIC, PageContext, render

router = APIRouter(include_in_schema=False)
# HTML views of the entries' IRIs: tried before the linked-data routes on the same paths; they
# answer HTML themselves and hand every other format to the linked-data handlers.
first_router = APIRouter(include_in_schema=False)
HTML_KINDS = ("deploiement", "systeme", "organisation")


# ---- per-data-version data of the pages ---------------------------------------------------------
@dataclass
class WebData:
    index: Index
    extras: Extras
    prepared: Prepared
    completeness: dict[tuple[str, int], Any] = field(default_factory=dict)


def web_data(state: ApiState) -> WebData:
    """Blocking (call from a worker thread): the index, names and prepared listing rows, built
    once per data version (every write through the API bumps it)."""

    def build() -> WebData:
        index = get_index(state)
        extras = load_extras(state.store)
        return WebData(index, extras, prepare(index, extras))

    return state.cached("web", build)


# ---- language and rendering ---------------------------------------------------------------------
def language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(COOKIE),
        request.headers.get("accept-language"),
    )


def page_context(request: Request) -> PageContext:
    publisher = getattr(request.state, "publisher_name", None)
    return PageContext(
        lang=language(request),
        path=request.url.path,
        query=list(request.query_params.multi_items()),
        signed_in=publisher,
    )


def remember_language(request: Request, response: Response) -> Response:
    """An explicit ``?lang=`` is kept in a cookie for the next pages."""
    chosen = request.query_params.get("lang")
    if chosen in LANGS and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def html_page(
    request: Request,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    page = page_context(request)
    body = render(template, page, **context)
    response = HTMLResponse(body, status_code=status, headers=headers)
    response.headers.setdefault("Content-Language", page.lang)
    response.headers.setdefault("Vary", "Accept, Accept-Language, Cookie")
    return remember_language(request, response)


def error_page(request: Request, status: int, fr: str, en: str) -> Response:
    lang = language(request)
    return html_page(
        request, "error.html", status=status, code=status, message=en if lang == "en" else fr
    )


# ---- observatory --------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    state = api_state(request)
    lang = language(request)

    def work() -> dict[str, Any]:
        data = web_data(state)
        return state.cached(f"web-home-{lang}", lambda: home_view(data.index, data.extras, lang))

    view = await blocking(work)
    return html_page(request, "home.html", view=view)


@router.get("/observatoire/{name}.csv")
async def chart_data(request: Request, name: str) -> Response:
    if name not in CHART_NAMES:
        return error_page(request, 404, "Graphique inconnu.", "Unknown chart.")
    state = api_state(request)
    lang = language(request)

    def work() -> bytes:
        data = web_data(state)
        return chart_csv(data.index, data.extras, name, lang)

    body = await blocking(work)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="observatoire-{name}.csv"'},
    )


# ---- listing ------------------------------------------------------------------------------------
def _listing_state(request: Request) -> ListingState:
    return ListingState.parse((k, v) for k, v in request.query_params.multi_items() if k != "lang")


@router.get("/registre", response_class=HTMLResponse)
async def listing(request: Request) -> Response:
    state = api_state(request)
    lang = language(request)
    listing_state = _listing_state(request)

    def work() -> dict[str, Any]:
        return listing_view(web_data(state).prepared, listing_state, lang)

    view = await blocking(work)
    view.pop("items")
    return html_page(request, "listing.html", view=view)


@router.get("/registre.csv")
async def listing_csv(request: Request) -> Response:
    state = api_state(request)
    listing_state = _listing_state(request)

    def work() -> bytes:
        data = web_data(state)
        view = listing_view(data.prepared, listing_state, "fr")
        return deployments_csv(data.index, view["items"])

    return Response(
        await blocking(work),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="registre.csv"'},
    )


@router.get("/registre.json")
async def listing_json(request: Request) -> Response:
    state = api_state(request)
    listing_state = _listing_state(request)

    def work() -> dict[str, Any]:
        data = web_data(state)
        view = listing_view(data.prepared, listing_state, "fr")
        return {
            "total": view["total"],
            "items": [deployment_json(data.index, d) for d in view["items"]],
            "dataVersion": state.data_version,
        }

    return JSONResponse(await blocking(work))


# ---- entry pages on the entries' own IRIs -------------------------------------------------------
def _wants_html(request: Request, name: str) -> tuple[str, bool]:
    key, fmt = split_extension(name, RESOURCE_FORMATS)
    if fmt is None:
        fmt = negotiate(request.headers.get("accept"), RESOURCE_FORMATS)
    return key, fmt is HTML


@first_router.get("/id/{kind}/{name}")
async def id_page(request: Request, kind: str, name: str) -> Response:
    key, wants_html = _wants_html(request, name)
    if not wants_html or kind not in HTML_KINDS or not KEY_RE.match(key):
        return await linked_data.resource(request, kind, name)
    state = api_state(request)
    lang = language(request)
    try:
        if kind == "deploiement":
            context = await blocking(_deployment_context, state, key, lang)
            return html_page(request, "deployment.html", view=context)
        if kind == "systeme":
            context = await blocking(_system_context, state, key, lang)
        else:
            context = await blocking(_organisation_context, state, key, lang)
    except NotFoundError:
        return await linked_data.resource(request, kind, name)  # 404 or 410 as for data
    return html_page(request, "resource.html", **context)


def _completeness(state: ApiState, data: WebData, key: str, number: int, graph: Graph) -> Any:
    cache_key = (key, number)
    if cache_key not in data.completeness:
        from registry.entries import context_query, linked_nodes
        from registry.shacl import default_compiled_validator

        # The context the write path validated the entry with (EntryService._contexts).
        linked = linked_nodes(graph, state.layout)
        context = state.store.construct(context_query(linked)) if linked else Graph()
        report = default_compiled_validator().validate(graph, context=context)
        data.completeness[cache_key] = report.completeness.get(
            f"{state.settings.base_iri}id/deploiement/{key}"
        )
    return data.completeness[cache_key]


def _deployment_context(state: ApiState, key: str, lang: str) -> dict[str, Any]:
    from registry import history

    data = web_data(state)
    current = history.current_version(state.store, state.layout, "deploiement", key)
    if current is not None:
        graph = state.store.get_graph(current.graph)
        versions = history.list_versions(state.store, state.layout, "deploiement", key)
        number = current.number
    else:  # loaded in bulk, without versions: the public view is all there is
        graph = _describe(state, f"{state.settings.base_iri}id/deploiement/{key}")
        versions, number = [], 0
    labels = linked_data.labels_of(state, graph)
    return deployment_view(
        graph,
        key,
        state.settings.base_iri,
        lang,
        data.index,
        data.extras,
        graph_namer(data.index, labels, lang),
        _completeness(state, data, key, number, graph),
        versions,
    )


def _deployments_of(
    data: WebData, *, system: str | None = None, org: str | None = None
) -> list[dict[str, Any]]:
    out = []
    for d in data.index.deployments:
        if (system and d.system == system) or (org and d.deployer == org):
            organisation = data.index.organisations.get(d.deployer or "")
            out.append(
                {
                    "href": f"/id/deploiement/{d.key}",
                    "title": d.title or d.key,
                    "organisation": organisation.name if organisation else None,
                }
            )
    return sorted(out, key=lambda r: r["title"])


def _describe(state: ApiState, iri: str) -> Graph:
    graph = state.store.construct(linked_data.describe_query(iri))
    if len(graph) == 0:
        raise NotFoundError("Ressource introuvable.", "Resource not found.")
    return graph


def _downloads(path: str) -> list[dict[str, str]]:
    return [{"label": label, "href": f"{path}.{ext}"} for label, ext in ENTRY_DOWNLOADS]


def _system_context(state: ApiState, key: str, lang: str) -> dict[str, Any]:
    data = web_data(state)
    iri = f"{state.settings.base_iri}id/systeme/{key}"
    graph = _describe(state, iri)
    labels = linked_data.labels_of(state, graph)
    view = resource_view(
        graph,
        iri,
        state.settings.base_iri,
        lang,
        graph_namer(data.index, labels, lang),
        AI_SYSTEM_SHAPE,
    )
    t = translator(lang)
    return {
        "view": view,
        "kind_label": t("reuse.system"),
        "deployments": _deployments_of(data, system=iri),
        "listing": f"/registre?system={key}",
        "extra_links": [],
        "downloads": _downloads(f"/id/systeme/{key}"),
    }


def _organisation_context(state: ApiState, key: str, lang: str) -> dict[str, Any]:
    data = web_data(state)
    iri = f"{state.settings.base_iri}id/organisation/{key}"
    graph = _describe(state, iri)
    labels = linked_data.labels_of(state, graph)
    view = resource_view(
        graph, iri, state.settings.base_iri, lang, graph_namer(data.index, labels, lang)
    )
    t = translator(lang)
    deployments = _deployments_of(data, org=iri)
    links = [{"label": t("entry.catalog"), "href": f"/catalog/organisation/{key}"}]
    if deployments:
        links.append({"label": t("nav.register"), "href": f"/registre?organisation={key}"})
    return {
        "view": view,
        "kind_label": t("entry.deployer"),
        "deployments": deployments,
        "listing": f"/registre?organisation={key}",
        "extra_links": links,
        "downloads": _downloads(f"/id/organisation/{key}"),
    }


@first_router.get("/vocab/{scheme}")
async def scheme_page(request: Request, scheme: str) -> Response:
    name, wants_html = _wants_html(request, scheme)
    info = web_concepts.schemes().get(name)
    if not wants_html or info is None:
        return await linked_data.concept_scheme(request, scheme)
    lang = language(request)
    base = api_state(request).settings.base_iri
    rows = []
    for iri in info.concepts:
        c = web_concepts.concept(iri)
        if c is not None:
            rows.append(
                {
                    "notation": c.notation,
                    "label": text_in(c.label, lang),
                    "definition": text_in(c.definition, lang) if c.definition else "",
                    "href": local_href(iri, base),
                }
            )
    view = {
        "title": text_in(info.label, lang),
        "definition": text_in(info.definition, lang) if info.definition else "",
        "iri": info.iri.replace("https://w3id.org/ia-territoires/", base),
        "concepts": rows,
        "downloads": _downloads(f"/vocab/{name}"),
    }
    return html_page(request, "scheme.html", view=view)


# listing parameter per scheme, to link a concept to the deployments that use it
SCHEME_FILTERS = {
    "domaine": "theme",
    "finalite": "purpose",
    "famille-ia": "family",
    "classification-ai-act": "ai_act",
    "statut": "status",
}


@first_router.get("/vocab/{scheme}/{notation}")
async def concept_page(request: Request, scheme: str, notation: str) -> Response:
    name, wants_html = _wants_html(request, notation)
    info = web_concepts.concept_by_notation(scheme, name)
    scheme_info = web_concepts.schemes().get(scheme)
    if not wants_html or info is None or scheme_info is None:
        return await linked_data.concept(request, scheme, notation)
    state = api_state(request)
    lang = language(request)
    base = state.settings.base_iri
    param = SCHEME_FILTERS.get(scheme)
    count = None
    if param:
        prepared = (await blocking(web_data, state)).prepared
        count = sum(1 for _, values, _ in prepared.items if info.notation in values.get(param, []))
    narrower = [
        c
        for c in (web_concepts.concept(i) for i in scheme_info.concepts)
        if c is not None and info.iri in c.broader
    ]
    view = {
        "title": text_in(info.label, lang),
        "iri": info.iri,
        "notation": info.notation,
        "labels": sorted(info.label.items()),
        "definition": text_in(info.definition, lang) if info.definition else "",
        "scheme_label": text_in(scheme_info.label, lang),
        "scheme_href": f"/vocab/{scheme}",
        "broader": [
            {"label": text_in(b.label, lang), "href": local_href(b.iri, base)}
            for b in (web_concepts.concept(i) for i in info.broader)
            if b is not None
        ],
        "narrower": [
            {"label": text_in(n.label, lang), "href": local_href(n.iri, base)} for n in narrower
        ],
        "listing": f"/registre?{param}={info.notation}" if param else None,
        "count": count,
        "downloads": _downloads(f"/vocab/{scheme}/{info.notation}"),
    }
    return html_page(request, "concept.html", view=view)


# ---- history ------------------------------------------------------------------------------------
@router.get("/historique/{kind}/{key}", response_class=HTMLResponse)
async def diff_page(request: Request, kind: str, key: str) -> Response:
    if kind not in ("deploiement", "systeme") or not KEY_RE.match(key):
        return error_page(request, 404, "Page introuvable.", "Page not found.")
    state = api_state(request)
    lang = language(request)
    params = request.query_params

    def work() -> dict[str, Any]:
        from registry import history

        versions = history.list_versions(state.store, state.layout, kind, key)
        numbers = [v.number for v in versions]
        new = int(params["a"]) if params.get("a", "").isdigit() else numbers[-1]
        old = int(params["de"]) if params.get("de", "").isdigit() else max(1, new - 1)
        diff = history.diff_versions(state.store, state.layout, kind, key, old, new)
        fields = [
            {
                "label": f.name_en if lang == "en" else f.name_fr,
                "removed": f.removed,
                "added": f.added,
            }
            for f in diff.fields
        ]
        return {"numbers": numbers, "old": old, "new": new, "fields": fields}

    try:
        context = await blocking(work)
    except (NotFoundError, RegistryError) as exc:
        return error_page(request, 404, exc.message("fr"), exc.message("en"))
    return html_page(
        request,
        "diff.html",
        key=key,
        back=f"/id/{kind}/{key}",
        action=f"/historique/{kind}/{key}",
        **context,
    )


# ---- SPARQL query page --------------------------------------------------------------------------
@router.get("/requetes", response_class=HTMLResponse)
async def sparql_page(request: Request) -> Response:
    from urllib.parse import urlencode

    from registry.api.sparql_examples import examples
    from registry.api.sparql_exec import run_query
    from registry.api.sparql_results import SPARQL_JSON
    from registry.sparql_guard import inspect_query

    state = api_state(request)
    lang = language(request)
    query = request.query_params.get("query", "")
    chosen = request.query_params.get("exemple")
    samples = examples(state.settings.base_iri)
    if not query and chosen and chosen.isdigit() and int(chosen) < len(samples):
        query = samples[int(chosen)].query
    result: dict[str, Any] | None = None
    error: str | None = None
    if query.strip() and "query" in request.query_params:
        try:
            info = inspect_query(query)
            if info.form in ("SELECT", "ASK"):
                outcome = await run_query(
                    state,
                    query,
                    info,
                    SPARQL_JSON,
                    client_timeout=None,
                    default_graphs=[],
                    named_graphs=[],
                )
                result = _sparql_table(json.loads(outcome.body), state.settings.base_iri)
                result["truncated"] = outcome.truncated
            else:
                result = {"graph": True}
            result["downloads"] = [
                (label, "/sparql?" + urlencode({"query": query, "format": fmt}))
                for label, fmt in (
                    (("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv"), ("XML", "xml"))
                    if info.form in ("SELECT", "ASK")
                    else (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"))
                )
            ]
        except RegistryError as exc:
            error = exc.message(lang)
    view = {
        "query": query or samples[0].query,
        "examples": [
            {
                "title": e.title_en if lang == "en" else e.title_fr,
                "href": f"/requetes?exemple={i}&query={_quote(e.query)}",
            }
            for i, e in enumerate(samples)
        ],
        "result": result,
        "error": error,
        "endpoint": str(request.url.replace(path="/sparql", query="")),
    }
    return html_page(request, "sparql.html", view=view)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _sparql_table(result: dict[str, Any], base: str, limit: int = 500) -> dict[str, Any]:
    if "boolean" in result:
        return {"boolean": bool(result["boolean"]), "columns": [], "rows": [], "count": 1}
    columns = result.get("head", {}).get("vars", [])
    rows = []
    bindings = result.get("results", {}).get("bindings", [])
    for binding in bindings[:limit]:
        row = []
        for name in columns:
            term = binding.get(name)
            if term is None:
                row.append({"label": ""})
            elif term.get("type") == "uri":
                row.append({"label": term["value"], "href": local_href(term["value"], base)})
            else:
                row.append({"label": term.get("value", "")})
        rows.append(row)
    return {"columns": columns, "rows": rows, "count": len(bindings), "shown": len(rows)}


# ---- mounting -----------------------------------------------------------------------------------
def install(app: FastAPI) -> None:
    """Add the pages to ``app``: the routes, the static files, and the HTML views of the
    entries' IRIs placed ahead of the linked-data routes."""
    from registry.api import pages_publish

    routes = app.router.routes
    before = len(routes)
    app.include_router(first_router)
    added = routes[before:]
    del routes[before:]
    routes[0:0] = added
    app.include_router(router)
    app.include_router(pages_publish.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
