"""``/catalog``: the DCAT-AP 3 catalogue (national and per organisation), with Hydra paging; and
``/export/...``: the distributions it lists (Turtle, JSON-LD, data package descriptor)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from registry.api.negotiation import JSONLD, NTRIPLES, RDFXML, TURTLE, Format, negotiate
from registry.api.problems import HttpProblem
from registry.api.rdf_views import bind_prefixes
from registry.api.state import ApiState, api_state, blocking
from registry.catalog import (
    DEFAULT_PAGE_SIZE,
    LICENCE,
    MAX_PAGE_SIZE,
    build_catalog,
    publishers,
)
from registry.vocab import IAT, KEY_RE, TECH

router = APIRouter(tags=["Catalogue DCAT-AP"])

CATALOG_FORMATS = (TURTLE, RDFXML, JSONLD, NTRIPLES)
# Above this size a Turtle page is written in the N-Triples subset of Turtle (fast to write).
PRETTY_TURTLE_MAX_TRIPLES = 1500
CATALOG_PARAMS = {"page", "page_size", "modified_since"}
EXT = {"ttl": TURTLE, "rdf": RDFXML, "jsonld": JSONLD, "nt": NTRIPLES}


def public_url(request: Request) -> str:
    configured = api_state(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _int_param(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise HttpProblem(
            400,
            f"Paramètre « {name} » invalide : entier entre {low} et {high} attendu.",
            f"Invalid '{name}' parameter: expected an integer between {low} and {high}.",
            field=name,
        )
    return int(raw)


def _catalog_params(request: Request) -> tuple[int, int, date | None]:
    params = request.query_params
    unknown = sorted(set(params.keys()) - CATALOG_PARAMS)
    if unknown:
        raise HttpProblem(
            400,
            f"Paramètre(s) inconnu(s) : {', '.join(unknown)}.",
            f"Unknown parameter(s): {', '.join(unknown)}.",
            unknown=unknown,
        )
    page = _int_param(params.get("page"), "page", 1, 1, 1_000_000)
    size = _int_param(params.get("page_size"), "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    since = None
    if params.get("modified_since"):
        try:
            since = date.fromisoformat(params["modified_since"][:10])
        except ValueError as exc:
            raise HttpProblem(
                400,
                "Paramètre « modified_since » invalide : date AAAA-MM-JJ attendue.",
                "Invalid 'modified_since' parameter: expected a YYYY-MM-DD date.",
                field="modified_since",
            ) from exc
    return page, size, since


def _format(request: Request, ext: str | None) -> Format:
    if ext is not None:
        if ext not in EXT:
            raise HttpProblem(404, "Format inconnu.", "Unknown format.")
        return EXT[ext]
    return negotiate(request.headers.get("accept"), CATALOG_FORMATS)


async def _catalog(
    request: Request, ext: str | None, organisation: str | None, path: str
) -> Response:
    state = api_state(request)
    fmt = _format(request, ext)
    page, size, since = _catalog_params(request)
    # Harvesters fetch the same pages again and again: each serialised page is kept until the
    # next write (data version), and so is the list of publishers it is built from.
    cache_key = (path, str(request.url.query), fmt.name, public_url(request))
    pages: dict[tuple[str, ...], tuple[bytes, int]] = state.cached("catalog-pages", dict)
    hit = pages.get(cache_key)
    if hit is not None:
        return _catalog_response(hit[0], fmt, path)

    def build() -> Any:
        known = state.cached(
            f"publishers:{organisation}",
            lambda: publishers(state.store, state.settings.base_iri, organisation),
        )
        return build_catalog(
            state.store,
            state.settings,
            public_url(request),
            page=page,
            page_size=size,
            modified_since=since,
            organisation=organisation,
            # Paging links keep the extension: harvesters (ckanext-dcat) parse every page in
            # the format of the first one, whatever content negotiation would give.
            catalog_path=f"{path}.{ext}" if ext else path,
            known_publishers=known,
        )

    result = await blocking(build)
    if organisation is not None and result.total == 0 and since is None:
        raise HttpProblem(
            404,
            "Aucune organisation publiant des déploiements sous cet identifiant.",
            "No organisation publishing deployments under this identifier.",
        )
    last = max(1, -(-result.total // size))
    if page > last:
        raise HttpProblem(
            404,
            f"Page {page} inexistante (dernière page : {last}).",
            f"Page {page} does not exist (last page: {last}).",
        )
    if fmt is TURTLE and len(result.graph) > PRETTY_TURTLE_MAX_TRIPLES:
        # N-Triples is valid Turtle, and rdflib writes it ~20x faster than pretty Turtle.
        body = result.graph.serialize(format="nt", encoding="utf-8")
    else:
        body = bind_prefixes(result.graph).serialize(format=fmt.name, encoding="utf-8")
    if len(pages) < 1000:
        pages[cache_key] = (body, result.total)
    return _catalog_response(body, fmt, path)


def _catalog_response(body: bytes, fmt: Format, path: str) -> Response:
    links = ", ".join(
        f'<{path}.{e}>; rel="alternate"; type="{f.media_type}"' for e, f in EXT.items()
    )
    return Response(
        body,
        media_type=fmt.media_type,
        headers={"Vary": "Accept", "Link": links, "Cache-Control": "public, max-age=60"},
    )


PAGING_DOC = (
    "Paramètres : `page` (≥ 1), `page_size` (1–500, défaut 100), `modified_since` (AAAA-MM-JJ). "
    "Pagination Hydra (`hydra:next` absolu, `hydra:totalItems`). / Parameters: `page`, "
    "`page_size`, `modified_since`; Hydra paging."
)


@router.get("/catalog", summary="Catalogue DCAT-AP 3", description=PAGING_DOC)
async def catalog(request: Request) -> Response:
    return await _catalog(request, None, None, "/catalog")


@router.get("/catalog.{ext}", include_in_schema=False)
async def catalog_ext(request: Request, ext: str) -> Response:
    return await _catalog(request, ext, None, "/catalog")


def _organisation_iri(state: ApiState, name: str) -> tuple[str, str | None]:
    key, _, ext = name.partition(".")
    if not KEY_RE.match(key):
        raise HttpProblem(404, "Organisation introuvable.", "Organisation not found.")
    return f"{state.settings.base_iri}id/organisation/{key}", ext or None


@router.get(
    "/catalog/organisation/{siren}",
    summary="Catalogue d'une organisation / One organisation's catalogue",
    description=PAGING_DOC,
)
async def organisation_catalog(request: Request, siren: str) -> Response:
    iri, ext = _organisation_iri(api_state(request), siren)
    key = iri.rsplit("/", 1)[-1]
    return await _catalog(request, ext, iri, f"/catalog/organisation/{key}")


# ---- distributions -------------------------------------------------------------------------
def _export_query(state: ApiState, organisation: str | None) -> str:
    if organisation is None:
        return "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    return f"""CONSTRUCT {{ ?d ?p ?o . ?o ?p2 ?o2 . ?sys ?sp ?so . }} WHERE {{
      ?d a <{IAT.Deployment}> ; <{TECH.hasDeployer}> <{organisation}> .
      {{ ?d ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 }} }}
      UNION {{ ?d <https://w3id.org/dpv/ai#hasAISystem> ?sys . ?sys ?sp ?so }}
    }}"""


async def _export(request: Request, organisation: str | None, ext: str) -> Response:
    state = api_state(request)
    fmt = {"ttl": TURTLE, "jsonld": JSONLD}.get(ext)
    if fmt is None:
        raise HttpProblem(404, "Format d'export inconnu.", "Unknown export format.")
    query = _export_query(state, organisation)

    def run() -> bytes:
        body, _ = state.store.query_raw(query, "application/n-triples")
        if fmt is TURTLE:
            try:
                return state.store.query_raw(query, TURTLE.media_type)[0]
            except Exception:
                pass
        from rdflib import Graph

        graph = Graph().parse(data=body.decode("utf-8"), format="nt")
        return bind_prefixes(graph).serialize(format=fmt.name, encoding="utf-8")

    body = await blocking(run)
    return Response(
        body, media_type=fmt.media_type, headers={"Cache-Control": "public, max-age=300"}
    )


@router.get("/export/registre.{ext}", summary="Export complet / Full export (ttl, jsonld)")
async def export_all(request: Request, ext: str) -> Response:
    return await _export(request, None, ext)


@router.get("/export/organisation/{name}", summary="Export d'une organisation / Export")
async def export_organisation(request: Request, name: str) -> Response:
    iri, ext = _organisation_iri(api_state(request), name)
    return await _export(request, iri, ext or "")


def _datapackage(request: Request, scope: str, organisation_key: str | None) -> Response:
    base = public_url(request)
    query = f"?organisation={organisation_key}" if organisation_key else ""
    name = f"ia-territoires-{organisation_key or 'registre'}"
    descriptor = {
        "name": name,
        "title": "Registre des systèmes d'IA des collectivités territoriales",
        "licenses": [
            {"name": "etalab-2.0", "path": LICENCE, "title": "Licence Ouverte / Open Licence 2.0"}
        ],
        "resources": [
            {
                "name": "deploiements",
                "path": f"{base}/api/v1/deployments.csv{query}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
            },
            {
                "name": "donnees-rdf",
                "path": f"{base}/export/{scope}.ttl",
                "format": "ttl",
                "mediatype": "text/turtle",
            },
        ],
    }
    return Response(
        json.dumps(descriptor, ensure_ascii=False, indent=1).encode(), media_type="application/json"
    )


@router.get("/export/registre/datapackage.json", summary="Paquet de données / Data package")
async def datapackage_all(request: Request) -> Response:
    return _datapackage(request, "registre", None)


@router.get("/export/organisation/{key}/datapackage.json", include_in_schema=False)
async def datapackage_organisation(request: Request, key: str) -> Response:
    if not KEY_RE.match(key):
        raise HttpProblem(404, "Organisation introuvable.", "Organisation not found.")
    return _datapackage(request, f"organisation/{key}", key)
