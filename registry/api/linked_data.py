"""Dereferenceable IRIs: ``/id/{kind}/{key}``, ``/vocab/{scheme}[/{notation}]``, the version
graphs ``/graph/version/{kind}/{key}/{n}``, and the project's documents (``/def``, ``/shapes``,
``/context.jsonld``). Accept negotiation or an extension (``.ttl .jsonld .nt .rdf .json
.html``), ``Vary: Accept``, ``Link: rel="alternate"``; 406 for anything else."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, SKOS

from registry.api.negotiation import (
    JSONLD,
    NTRIPLES,
    RESOURCE_FORMATS,
    TURTLE,
    Format,
    alternate_links,
    negotiate,
    split_extension,
)
from registry.api.plain_json import CONTEXT_FILE, load_context
from registry.api.problems import HttpProblem
from registry.api.rdf_views import LABEL_PROPERTIES, represent
from registry.api.state import ApiState, api_state, blocking
from registry.store.base import NotAcceptable
from registry.vocab import KEY_RE, ONTOLOGY_DIR, SHAPES_DIR

router = APIRouter(tags=["Données liées / Linked data"])

# Kinds of IRIs under {base}id/ (the entry kinds, catalogue records and reference territories).
ID_KINDS = ("deploiement", "systeme", "organisation", "service", "fiche", "territoire")
SCHEME_RE = KEY_RE
NOTATION_RE = KEY_RE


def _not_found(what_fr: str, what_en: str) -> HttpProblem:
    return HttpProblem(404, f"{what_fr} introuvable.", f"{what_en} not found.")


def _format_for(request: Request, name: str) -> tuple[str, Format]:
    stem, fmt = split_extension(name, RESOURCE_FORMATS)
    if fmt is None:
        fmt = negotiate(request.headers.get("accept"), RESOURCE_FORMATS)
    return stem, fmt


def describe_query(iri: str) -> str:
    """The resource, its blank-node closure (two levels: periods, annotations, identifiers) and
    the documents it cites. ``iri`` has been checked (kind enumerated, key matched)."""
    return f"""CONSTRUCT {{
  <{iri}> ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 .
}} WHERE {{
  <{iri}> ?p ?o .
  OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 .
    OPTIONAL {{ FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 }} }}
}}"""


def scheme_query(iri: str) -> str:
    return f"""CONSTRUCT {{ <{iri}> ?p ?o . ?c ?cp ?co . }} WHERE {{
  {{ <{iri}> ?p ?o }} UNION
  {{ ?c <{SKOS.inScheme}> <{iri}> ; ?cp ?co .
     VALUES ?cp {{ <{SKOS.prefLabel}> <{SKOS.notation}> <{SKOS.inScheme}>
                  <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> }} }}
}}"""


def labels_of(state: ApiState, graph: Graph) -> Graph:
    """Labels of the IRIs a description links to (for its HTML page), one query."""
    targets = sorted({str(o) for o in graph.objects() if isinstance(o, URIRef)})[:500]
    if not targets:
        return Graph()
    values = " ".join(f"<{t}>" for t in targets if ">" not in t and " " not in t)
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    return state.store.construct(
        f"CONSTRUCT {{ ?o ?p ?l }} WHERE {{ VALUES ?o {{ {values} }} VALUES ?p {{ {props} }} "
        f"?o ?p ?l FILTER(LANG(?l) = 'fr' || LANG(?l) = '') }}"
    )


def _gone_or_missing(state: ApiState, kind: str, key: str, iri: str) -> HttpProblem:
    """410 for a purged entry (its purge record) or an entry whose versions exist but which has
    left the public view (pointing at its last version); 404 otherwise."""
    layout = state.layout
    entry_kind = "deploiement" if kind == "fiche" else kind
    entry_iri = (
        layout.entry_iri(entry_kind, key)
        if entry_kind in ("deploiement", "systeme", "organisation", "service")
        else iri
    )
    rows = state.store.select(
        f"SELECT ?when ?why WHERE {{ GRAPH <{layout.registry_graph}> {{ ?purge "
        f"<{PROV.invalidated}> <{entry_iri}> . OPTIONAL {{ ?purge <{PROV.endedAtTime}> ?when }} "
        f"OPTIONAL {{ ?purge <http://purl.org/dc/terms/description> ?why }} }} }} LIMIT 1"
    )
    if rows:
        when = str(rows[0].get("when", ""))
        return HttpProblem(
            410,
            f"Cette fiche a été retirée du registre (purge du {when}).",
            f"This entry was removed from the registry (purged on {when}).",
            code="gone",
            purged_at=when or None,
        )
    if entry_kind in ("deploiement", "systeme", "organisation", "service"):
        prefix = layout.entry_version_prefix(entry_kind, key)
        numbers = sorted(
            int(parsed[2])
            for name in state.store.graph_names(prefix)
            if (parsed := layout.parse_version_graph(name)) is not None
        )
        if numbers:
            last = f"/graph/version/{entry_kind}/{key}/{numbers[-1]}"
            return HttpProblem(
                410,
                f"Cette fiche n'est plus publiée ; sa dernière version reste consultable : {last}.",
                f"This entry is no longer published; its last version remains available: {last}.",
                code="gone",
                headers={"Link": f'<{last}>; rel="latest-version"'},
                last_version=last,
            )
    return _not_found("Ressource", "Resource")


async def _describe(
    request: Request,
    iri: str,
    graph_query: str,
    url_stem: str,
    fmt: Format,
    missing: tuple[str, str, str] | None = None,
) -> Response:
    state = api_state(request)
    if fmt in (TURTLE, NTRIPLES):
        fast = await _serialised_by_store(request, iri, graph_query, url_stem, fmt, missing)
        if fast is not None:
            return fast
    graph = await blocking(state.store.construct, graph_query)
    if len(graph) == 0:
        if missing is not None:
            kind, key, _ = missing
            raise await blocking(_gone_or_missing, state, kind, key, iri)
        raise _not_found("Ressource", "Resource")
    labels = await blocking(labels_of, state, graph) if fmt.name == "html" else None
    return represent(
        graph,
        fmt,
        subject=URIRef(iri),
        url_without_ext=url_stem,
        offers=RESOURCE_FORMATS,
        base=state.settings.base_iri,
        labels=labels,
    )


async def _serialised_by_store(
    request: Request,
    iri: str,
    graph_query: str,
    url_stem: str,
    fmt: Format,
    missing: tuple[str, str, str] | None,
) -> Response | None:
    """Turtle and N-Triples written by the store's own serialiser: no rdflib graph is built, which
    keeps a dereference to a few milliseconds (the path a crawler hammers)."""
    state = api_state(request)
    try:
        body, _ = await blocking(state.store.query_raw, graph_query, fmt.media_type)
    except NotAcceptable:
        return None  # a backend without this syntax: the rdflib path answers
    if not body.strip():
        if missing is not None:
            kind, key, _ = missing
            raise await blocking(_gone_or_missing, state, kind, key, iri)
        raise _not_found("Ressource", "Resource")
    media = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(
        body,
        media_type=media,
        headers={"Vary": "Accept", "Link": alternate_links(url_stem, RESOURCE_FORMATS)},
    )


@router.get("/id/{kind}/{name}", summary="Ressource du registre / Registry resource")
async def resource(request: Request, kind: str, name: str) -> Response:
    key, fmt = _format_for(request, name)
    if kind not in ID_KINDS or not KEY_RE.match(key):
        raise _not_found("Ressource", "Resource")
    iri = f"{api_state(request).settings.base_iri}id/{kind}/{key}"
    return await _describe(
        request, iri, describe_query(iri), f"/id/{kind}/{key}", fmt, (kind, key, iri)
    )


@router.get("/vocab/{scheme}", summary="Schéma de concepts / Concept scheme")
async def concept_scheme(request: Request, scheme: str) -> Response:
    name, fmt = _format_for(request, scheme)
    if not SCHEME_RE.match(name):
        raise _not_found("Schéma de concepts", "Concept scheme")
    iri = f"{api_state(request).settings.base_iri}vocab/{name}"
    return await _describe(request, iri, scheme_query(iri), f"/vocab/{name}", fmt)


@router.get("/vocab/{scheme}/{notation}", summary="Concept")
async def concept(request: Request, scheme: str, notation: str) -> Response:
    name, fmt = _format_for(request, notation)
    if not SCHEME_RE.match(scheme) or not NOTATION_RE.match(name):
        raise _not_found("Concept", "Concept")
    iri = f"{api_state(request).settings.base_iri}vocab/{scheme}/{name}"
    return await _describe(request, iri, describe_query(iri), f"/vocab/{scheme}/{name}", fmt)


@router.get(
    "/graph/version/{kind}/{key}/{number}",
    summary="Une version d'une fiche (graphe nommé) / One version of an entry (named graph)",
)
async def version_graph(request: Request, kind: str, key: str, number: str) -> Response:
    state = api_state(request)
    n_text, fmt = _format_for(request, number)
    if (
        kind not in ("deploiement", "systeme", "organisation", "service")
        or not KEY_RE.match(key)
        or not n_text.isdigit()
        or int(n_text) < 1
    ):
        raise _not_found("Version", "Version")
    graph_iri = state.layout.version_graph(kind, key, int(n_text))
    graph = await blocking(state.store.get_graph, graph_iri)
    if len(graph) == 0:
        raise _not_found("Version", "Version")
    return represent(
        graph,
        fmt,
        subject=URIRef(state.layout.entry_iri(kind, key)),
        url_without_ext=f"/graph/version/{kind}/{key}/{n_text}",
        offers=RESOURCE_FORMATS,
        base=state.settings.base_iri,
    )


# ---- documents shipped with the project -------------------------------------------------------
@lru_cache(maxsize=8)
def _document(paths: tuple[Path, ...], stamps: tuple[float, ...]) -> Graph:
    del stamps  # part of the cache key only: a changed file is re-read
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _files(*candidates: Path) -> tuple[Path, ...]:
    return tuple(p for p in candidates if p.is_file())


def ontology_files() -> tuple[Path, ...]:
    return _files(ONTOLOGY_DIR / "iat.ttl")


def shapes_files() -> tuple[Path, ...]:
    return tuple(sorted(SHAPES_DIR.glob("*.ttl")))


def _serve_document(
    request: Request, files: tuple[Path, ...], subject: str, path: str, ext: str | None
) -> Response:
    if not files:
        raise _not_found("Document", "Document")
    fmt = split_extension(f"x.{ext}", RESOURCE_FORMATS)[1] if ext else None
    if fmt is None:
        fmt = negotiate(request.headers.get("accept"), RESOURCE_FORMATS)
    graph = _document(files, tuple(p.stat().st_mtime for p in files))
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return represent(
        copy,
        fmt,
        subject=URIRef(subject),
        url_without_ext=path,
        offers=RESOURCE_FORMATS,
        base=api_state(request).settings.base_iri,
    )


@router.get("/def", summary="Ontologie / Ontology (iat:)")
async def ontology(request: Request) -> Response:
    base = api_state(request).settings.base_iri
    return _serve_document(request, ontology_files(), f"{base}def", "/def", None)


@router.get("/def.{ext}", include_in_schema=False)
async def ontology_ext(request: Request, ext: str) -> Response:
    base = api_state(request).settings.base_iri
    return _serve_document(request, ontology_files(), f"{base}def", "/def", ext)


@router.get("/shapes", summary="Formes SHACL / SHACL shapes")
async def shapes(request: Request) -> Response:
    base = api_state(request).settings.base_iri
    return _serve_document(request, shapes_files(), f"{base}shapes", "/shapes", None)


@router.get("/shapes.{ext}", include_in_schema=False)
async def shapes_ext(request: Request, ext: str) -> Response:
    base = api_state(request).settings.base_iri
    return _serve_document(request, shapes_files(), f"{base}shapes", "/shapes", ext)


@router.get("/context.jsonld", summary="Contexte JSON-LD / JSON-LD context")
async def jsonld_context() -> Response:
    if CONTEXT_FILE.is_file():
        body = CONTEXT_FILE.read_bytes()
    else:
        body = json.dumps(load_context(), ensure_ascii=False, indent=1).encode()
    return Response(
        body,
        media_type=JSONLD.media_type,
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"},
    )
