"""REST writes and history under ``/api/v1/``, for deployments and AI systems: create (POST),
update (PUT with ``If-Match``), retire, history, one version, diff, restore. Authorisation with
``Authorization: Bearer <token>`` (401 without a usable token, 403 outside its organisation);
a write with SHACL Violations answers 422 with the report and writes nothing. The write path
itself is :mod:`registry.entries`; this module only speaks HTTP."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.api.negotiation import JSONLD, NTRIPLES, TURTLE, negotiate
from registry.api.plain_json import default_keys, graph_to_plain_json
from registry.api.problems import HttpProblem
from registry.api.rdf_views import bind_prefixes
from registry.api.state import ApiState, api_state, blocking
from registry.errors import InputError
from registry.layout import KIND_CLASSES
from registry.vocab import KEY_RE

router = APIRouter(prefix="/api/v1", tags=["API REST (écriture) / REST API (write)"])

COLLECTIONS = {"deployments": "deploiement", "systems": "systeme"}
WRITE_MEDIA = {
    "text/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "application/ld+json": "application/ld+json",
    "application/json": "application/ld+json",
    "application/n-triples": "application/n-triples",
}
ENTRY_FORMATS = (JSONLD, TURTLE, NTRIPLES)
MAX_JSON_DEPTH = 64
_services_lock = threading.Lock()


# ---- services (opened on first use) -------------------------------------------------------------
def write_services(state: ApiState) -> tuple[Any, Any]:
    """(AuthDB, EntryService), created once per app."""
    with _services_lock:
        cached = state.caches_persistent.get("services")
        if cached is None:
            from registry.auth import AuthDB
            from registry.entries import EntryService

            auth = AuthDB(state.settings.resolved_auth_db_path, state.layout)
            entries = EntryService(
                state.store, state.layout, max_payload_bytes=state.settings.max_payload_bytes
            )
            cached = (auth, entries)
            state.caches_persistent["services"] = cached
        return cached


def _kind(collection: str) -> str:
    kind = COLLECTIONS.get(collection)
    if kind is None:
        raise HttpProblem(404, "Collection inconnue.", "Unknown collection.")
    return kind


def _check_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise HttpProblem(
            400,
            f"Clé invalide : {key[:60]!r} (minuscules, chiffres et tirets).",
            f"Invalid key: {key[:60]!r} (lower-case letters, digits and hyphens).",
            field="key",
        )
    return key


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def request_principal(request: Request) -> Any:
    auth, _ = write_services(api_state(request))
    return await blocking(auth.authenticate, _token(request))


def _media_type(request: Request) -> str:
    raw = request.headers.get("content-type", "").split(";")[0].strip().lower()
    media = WRITE_MEDIA.get(raw)
    if media is None:
        raise HttpProblem(
            415,
            f"Type de contenu « {raw or 'absent'} » non pris en charge : text/turtle ou "
            "application/ld+json.",
            f"Unsupported content type '{raw or 'none'}': text/turtle or application/ld+json.",
        )
    return media


def _check_json_depth(body: bytes) -> None:
    """Refuse deeply nested JSON before any parser recurses into it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise InputError(
                    f"JSON trop imbriqué (plus de {MAX_JSON_DEPTH} niveaux).",
                    f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels).",
                )
        elif byte in (0x7D, 0x5D):
            depth -= 1


def _parse_body(state: ApiState, body: bytes, media: str) -> Graph:
    from registry.ingest.rdf import Limits, parse_graph

    if not body.strip():
        raise InputError("Corps de requête vide.", "Empty request body.")
    if media == "application/ld+json":
        _check_json_depth(body)
    try:
        return parse_graph(
            body,
            format={
                "text/turtle": "turtle",
                "application/ld+json": "json-ld",
                "application/n-triples": "nt",
            }[media],
            name="<requête>",
            base_iri=state.settings.base_iri,
            limits=Limits(max_bytes=state.settings.max_payload_bytes, max_triples=20_000),
        )
    except RecursionError as exc:
        raise InputError("Document trop imbriqué.", "Document nested too deeply.") from exc


def _key_from_payload(state: ApiState, graph: Graph, kind: str) -> str:
    prefix = f"{state.settings.base_iri}id/{kind}/"
    keys = {
        str(s)[len(prefix) :]
        for cls in KIND_CLASSES[kind]
        for s in graph.subjects(RDF.type, cls)
        if isinstance(s, URIRef) and str(s).startswith(prefix)
    }
    if len(keys) != 1:
        raise InputError(
            f"Le document doit décrire exactement une ressource <{prefix}…> typée "
            f"({len(keys)} trouvée(s)).",
            f"The document must describe exactly one typed <{prefix}…> resource "
            f"({len(keys)} found).",
        )
    return _check_key(keys.pop())


async def _written(state: ApiState, kind: str, key: str) -> None:
    """Invalidate caches after a write, refreshing the listing index for the entries touched:
    the deployment itself, or every deployment of a changed AI system."""
    from registry.index import Index, refresh

    iri = state.layout.entry_iri(kind, key)

    def refresh_index(index: Index) -> Index:
        if kind == "deploiement":
            touched = [iri]
        else:
            touched = [d.iri for d in index.deployments if d.system == iri]
        return refresh(index, state.store, touched)

    await blocking(state.after_write, refresh_index)


def _etag(n: int | str) -> str:
    return f'"{n}"'


def _write_response(state: ApiState, kind: str, key: str, result: Any, status: int) -> Response:
    report = getattr(result, "report", None)
    body = {
        "id": state.layout.entry_iri(kind, key),
        "identifier": key,
        "version": result.version.number,
        "created": bool(getattr(result, "created", False)),
        "changed": bool(getattr(result, "changed", True)),
        "report": report.to_dict() if report is not None and hasattr(report, "to_dict") else None,
    }
    return JSONResponse(
        body,
        status_code=status,
        headers={"Location": f"/id/{kind}/{key}", "ETag": _etag(result.version.number)},
    )


def _if_match(request: Request) -> str | None:
    value = request.headers.get("if-match")
    return value.strip() if value else None


# ---- routes -------------------------------------------------------------------------------------
WRITE_DOC = (
    "Corps Turtle ou JSON-LD (contexte distant refusé) ; `Authorization: Bearer <jeton>`. "
    "/ Turtle or JSON-LD body (remote contexts refused); bearer token."
)


@router.post(
    "/{collection}",
    status_code=201,
    summary="Créer une fiche / Create an entry",
    description=WRITE_DOC,
)
async def create_entry(request: Request, collection: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    principal = await request_principal(request)
    media = _media_type(request)
    body = await request.body()
    graph = await blocking(_parse_body, state, body, media)
    key = _key_from_payload(state, graph, kind)
    _, entries = write_services(state)

    def work() -> Any:
        from registry import history

        if history.current_version(state.store, state.layout, kind, key) is not None:
            raise HttpProblem(
                409,
                f"La fiche {key} existe déjà : modifiez-la avec PUT et If-Match.",
                f"Entry {key} already exists: update it with PUT and If-Match.",
            )
        return entries.write(principal, kind, key, graph)

    result = await blocking(work)
    await _written(state, kind, key)
    return _write_response(state, kind, key, result, 201)


@router.put(
    "/{collection}/{key}",
    summary="Modifier une fiche / Update an entry",
    description=WRITE_DOC + " `If-Match` obligatoire (ETag de la version courante).",
)
async def update_entry(request: Request, collection: str, key: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    principal = await request_principal(request)
    media = _media_type(request)
    body = await request.body()
    graph = await blocking(_parse_body, state, body, media)
    _, entries = write_services(state)
    result = await blocking(
        lambda: entries.write(principal, kind, key, graph, if_match=_if_match(request))
    )
    await _written(state, kind, key)
    return _write_response(state, kind, key, result, 201 if result.created else 200)


@router.post("/{collection}/{key}/retire", summary="Retirer (statut « arrêté ») / Retire")
async def retire_entry(request: Request, collection: str, key: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    principal = await request_principal(request)
    _, entries = write_services(state)
    result = await blocking(
        lambda: entries.retire(principal, kind, key, if_match=_if_match(request))
    )
    await _written(state, kind, key)
    return _write_response(state, kind, key, result, 200)


@router.post(
    "/{collection}/{key}/versions/{n}/restore", summary="Restaurer une version / Restore a version"
)
async def restore_entry(request: Request, collection: str, key: str, n: int) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    principal = await request_principal(request)
    _, entries = write_services(state)
    result = await blocking(
        lambda: entries.restore(principal, kind, key, n, if_match=_if_match(request))
    )
    await _written(state, kind, key)
    return _write_response(state, kind, key, result, 200)


def _graph_response(request: Request, graph: Graph, iri: str, etag: str | None) -> Response:
    fmt = negotiate(request.headers.get("accept"), (JSONLD, TURTLE, NTRIPLES))
    headers = {"Vary": "Accept"}
    if etag:
        headers["ETag"] = etag
    if fmt is JSONLD and "application/ld+json" not in request.headers.get("accept", ""):
        data = graph_to_plain_json(graph, URIRef(iri), default_keys())
        return JSONResponse(data, headers=headers)
    body = bind_prefixes(graph).serialize(format=fmt.name, encoding="utf-8")
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get("/{collection}/{key}", summary="Fiche courante / Current entry (ETag)")
async def get_entry(request: Request, collection: str, key: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    from registry import history

    info, graph = await blocking(history.get_current, state.store, state.layout, kind, key)
    return _graph_response(request, graph, state.layout.entry_iri(kind, key), _etag(info.number))


@router.get("/{collection}/{key}/versions", summary="Historique / History")
async def get_history(request: Request, collection: str, key: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    from registry import history

    versions = await blocking(history.list_versions, state.store, state.layout, kind, key)
    return JSONResponse({"identifier": key, "versions": [v.to_dict() for v in versions]})


@router.get("/{collection}/{key}/versions/{n}", summary="Une version / One version")
async def get_one_version(request: Request, collection: str, key: str, n: int) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    from registry import history

    graph = await blocking(history.get_version, state.store, state.layout, kind, key, n)
    return _graph_response(request, graph, state.layout.entry_iri(kind, key), _etag(n))


@router.get("/{collection}/{key}/diff", summary="Différences entre versions / Diff")
async def get_diff(request: Request, collection: str, key: str) -> Response:
    state = api_state(request)
    kind = _kind(collection)
    _check_key(key)
    params = request.query_params
    unknown = set(params.keys()) - {"from", "to"}
    if unknown or not params.get("from", "").isdigit() or not params.get("to", "").isdigit():
        raise HttpProblem(
            400,
            "Paramètres attendus : from et to (numéros de version).",
            "Expected parameters: from and to (version numbers).",
        )
    from registry import history

    diff = await blocking(
        history.diff_versions,
        state.store,
        state.layout,
        kind,
        key,
        int(params["from"]),
        int(params["to"]),
    )
    return JSONResponse(diff.to_dict())
