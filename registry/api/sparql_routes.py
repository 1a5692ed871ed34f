"""``/sparql``: the SPARQL 1.1 Protocol (query operation only), its service description and a
query page with examples."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.api import sparql_results as results
from registry.api.html import render
from registry.api.negotiation import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format, negotiate
from registry.api.problems import HttpProblem
from registry.api.sparql_examples import examples
from registry.api.sparql_exec import run_query
from registry.api.state import api_state
from registry.sparql_guard import inspect_query, update_refused

router = APIRouter(tags=["SPARQL"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

# Query texts beyond this size are refused (413) before any parsing.
MAX_QUERY_CHARS = 100_000

SR_JSON = Format("srj", results.SPARQL_JSON, "srj", ("application/json",))
SR_XML = Format("srx", results.SPARQL_XML, "srx", ("application/xml", "text/xml"))
SR_CSV = Format("csv", results.SPARQL_CSV, "csv")
SR_TSV = Format("tsv", results.SPARQL_TSV, "tsv")
SOLUTION_FORMATS = (SR_JSON, SR_XML, SR_CSV, SR_TSV)
BOOLEAN_FORMATS = (SR_JSON, SR_XML, SR_CSV, SR_TSV)
GRAPH_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML)
DESCRIPTION_FORMATS = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
KNOWN_PARAMS = {
    "query",
    "default-graph-uri",
    "named-graph-uri",
    "timeout",
    "format",
    "output",
    "results",
}
# ``format=`` / ``output=`` / ``results=`` (sent by SPARQLWrapper and HTML forms) hint a format.
FORMAT_PARAM = {
    "json": SR_JSON.media_type,
    "srj": SR_JSON.media_type,
    "xml": SR_XML.media_type,
    "srx": SR_XML.media_type,
    "csv": SR_CSV.media_type,
    "tsv": SR_TSV.media_type,
    "turtle": TURTLE.media_type,
    "ttl": TURTLE.media_type,
    "json-ld": JSONLD.media_type,
    "jsonld": JSONLD.media_type,
    "nt": NTRIPLES.media_type,
    "n-triples": NTRIPLES.media_type,
    "rdf+xml": RDFXML.media_type,
    "rdf": RDFXML.media_type,
}


def _params_from(query_string: str) -> dict[str, list[str]]:
    return parse_qs(query_string, keep_blank_values=True)


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise HttpProblem(
            400,
            f"Le paramètre « {name} » ne peut être donné qu'une fois.",
            f"Parameter '{name}' may be given only once.",
        )
    return values[0]


def _check_params(params: dict[str, list[str]]) -> None:
    unknown = sorted(set(params) - KNOWN_PARAMS)
    if unknown:
        names = ", ".join(unknown)
        if "update" in unknown:
            raise update_refused()
        raise HttpProblem(
            400,
            f"Paramètre(s) inconnu(s) : {names}. Paramètres admis : "
            f"{', '.join(sorted(KNOWN_PARAMS))}.",
            f"Unknown parameter(s): {names}. Allowed: {', '.join(sorted(KNOWN_PARAMS))}.",
            unknown=unknown,
        )


def _client_timeout(raw: str | None) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise HttpProblem(
            400,
            f"Paramètre « timeout » invalide : {raw[:20]!r} (nombre de secondes > 0 attendu).",
            f"Invalid 'timeout' parameter: {raw[:20]!r} (expected seconds > 0).",
        )
    return value


async def _answer(request: Request, params: dict[str, list[str]], query: str | None) -> Response:
    state = api_state(request)
    if query is None:
        return _service_description(request)
    if len(query) > MAX_QUERY_CHARS:
        raise HttpProblem(
            413,
            f"Requête trop longue ({len(query)} caractères ; au plus {MAX_QUERY_CHARS}).",
            f"Query too long ({len(query)} characters; at most {MAX_QUERY_CHARS}).",
        )
    info = inspect_query(query)
    offers = {
        "SELECT": SOLUTION_FORMATS,
        "ASK": BOOLEAN_FORMATS,
    }.get(info.form, GRAPH_FORMATS)
    accept = request.headers.get("accept")
    hint = _single(params, "format") or _single(params, "output") or _single(params, "results")
    if hint and hint.lower() in FORMAT_PARAM:
        wanted = FORMAT_PARAM[hint.lower()]
        accept = wanted if any(f.media_type == wanted for f in offers) else accept
    fmt = negotiate(accept, offers)
    outcome = await run_query(
        state,
        query,
        info,
        fmt.media_type,
        client_timeout=_client_timeout(_single(params, "timeout")),
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
    )
    headers = {
        "Vary": "Accept",
        "X-Result-Row-Cap": str(state.settings.sparql_row_cap),
        "Cache-Control": "no-store" if request.method == "POST" else "public, max-age=60",
    }
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
    media = fmt.media_type
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return Response(outcome.body, media_type=media, headers=headers)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 (GET) / description du service",
    description=(
        "Requête SPARQL en paramètre `query` (lecture seule). Sans `query` : la description du "
        "service (Turtle) ou la page de requête (HTML). / SPARQL query in `query` (read-only). "
        "Without `query`: the service description (Turtle) or the query page (HTML)."
    ),
    response_class=Response,
    openapi_extra={
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "example": "SELECT ?d WHERE { ?d a "
                "<https://w3id.org/ia-territoires/def#Deployment> } LIMIT 10",
            },
            {
                "name": "default-graph-uri",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
            {
                "name": "named-graph-uri",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
            {
                "name": "timeout",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "example": "5",
                "description": "secondes, au plus le budget du serveur / seconds, at most the "
                "server's budget",
            },
        ]
    },
)
async def sparql_get(request: Request) -> Response:
    params = _params_from(request.url.query)
    _check_params(params)
    return await _answer(request, params, _single(params, "query"))


@router.post(
    "/sparql",
    summary="SPARQL 1.1 (POST)",
    description=(
        "Corps `application/x-www-form-urlencoded` (`query=`) ou `application/sparql-query`. "
        "/ Body `application/x-www-form-urlencoded` (`query=`) or `application/sparql-query`."
    ),
    response_class=Response,
)
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_params = _params_from(request.url.query)
    body = await request.body()
    if content_type == "application/x-www-form-urlencoded":
        params = _params_from(body.decode("utf-8", errors="replace"))
        for name, values in url_params.items():
            params.setdefault(name, []).extend(values)
        _check_params(params)
        query = _single(params, "query")
        if query is None:
            raise HttpProblem(
                400,
                "Paramètre « query » manquant dans le corps du formulaire.",
                "Missing 'query' parameter in the form body.",
            )
        return await _answer(request, params, query)
    if content_type == "application/sparql-query":
        _check_params(url_params)
        if "query" in url_params:
            raise HttpProblem(
                400,
                "La requête est dans le corps : le paramètre « query » est en trop.",
                "The query is in the body: the 'query' parameter must not be given too.",
            )
        return await _answer(request, url_params, body.decode("utf-8", errors="replace"))
    if content_type == "application/sparql-update":
        raise update_refused()
    raise HttpProblem(
        415,
        f"Type de contenu « {content_type or 'absent'} » non pris en charge : utilisez "
        "application/sparql-query ou application/x-www-form-urlencoded.",
        f"Unsupported content type '{content_type or 'none'}': use application/sparql-query "
        "or application/x-www-form-urlencoded.",
    )


def service_description_graph(endpoint: str, settings_summary: str) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("dct", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "JSON-LD",
        "N-Triples",
        "RDF_XML",
    ):
        graph.add((service, SD.resultFormat, FORMATS_NS[name]))
    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((service, DCTERMS.description, Literal(settings_summary, lang="fr")))
    return graph


def _service_description(request: Request) -> Response:
    state = api_state(request)
    settings = state.settings
    fmt = negotiate(request.headers.get("accept"), DESCRIPTION_FORMATS)
    if fmt is HTML:
        page = render(
            "sparql.html",
            examples=examples(settings.base_iri),
            timeout=f"{settings.sparql_timeout_s:g}",
            row_cap=settings.sparql_row_cap,
            max_concurrent=settings.sparql_max_concurrent,
        )
        return HTMLResponse(page, headers={"Vary": "Accept"})
    endpoint = str(request.url.replace(query=""))
    summary = (
        f"Lecture seule. Budget de {settings.sparql_timeout_s:g} s par requête (le paramètre "
        f"timeout peut le réduire), au plus {settings.sparql_row_cap} lignes (en-tête "
        f"X-Result-Truncated), {settings.sparql_max_concurrent} requêtes simultanées."
    )
    graph = service_description_graph(endpoint.rstrip("?"), summary)
    body = graph.serialize(format=fmt.name, encoding="utf-8")
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})
