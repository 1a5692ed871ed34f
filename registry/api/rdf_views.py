"""Representations of a small RDF graph (one resource, one document): RDF syntaxes, plain JSON
and a plain HTML page (escaped), with the headers of a linked-data server."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from registry.api.html import render
from registry.api.negotiation import HTML, JSON, Format, alternate_links
from registry.api.plain_json import default_keys, graph_to_plain_json
from registry.vocab import PREFIXES

LABEL_PROPERTIES = (SKOS.prefLabel, DCTERMS.title, FOAF.name, RDFS.label)


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def label_of(graph: Graph, node: URIRef | BNode, lang: str = "fr") -> str | None:
    for prop in LABEL_PROPERTIES:
        values = list(graph.objects(node, prop))
        preferred = [v for v in values if isinstance(v, Literal) and v.language == lang]
        chosen = preferred or [v for v in values if isinstance(v, Literal)]
        if chosen:
            return str(sorted(chosen)[0])
    return None


def local_href(iri: str, base: str) -> str:
    """Links to the registry's own IRIs point at this server (works on any host)."""
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def _value_cell(graph: Graph, obj: Any, base: str, labels: Graph) -> dict[str, Any]:
    if isinstance(obj, Literal):
        return {"text": str(obj), "lang": obj.language, "datatype": None}
    if isinstance(obj, BNode):
        rows = [
            {
                "predicate": _predicate_name(graph, p),
                "values": [_value_cell(graph, o, base, labels) for o in graph.objects(obj, p)],
            }
            for p in sorted(set(graph.predicates(obj)), key=str)
        ]
        return {"nested": rows}
    iri = str(obj)
    return {"href": local_href(iri, base), "iri": iri, "label": label_of(labels, obj) or iri}


def _predicate_name(graph: Graph, pred: Any) -> str:
    """``dct:title`` when a prefix fits, else the full IRI."""
    try:
        return graph.qname(str(pred))
    except Exception:  # rdflib raises several kinds for unsplittable IRIs
        return str(pred)


def html_page(
    graph: Graph,
    subject: URIRef,
    base: str,
    labels: Graph,
    title_hint: str,
    alternates: list[tuple[str, str]] | None = None,
) -> str:
    bind_prefixes(graph)
    subjects = [
        subject,
        *sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s != subject}, key=str),
    ]
    sections = []
    for node in subjects:
        rows = [
            {
                "predicate": _predicate_name(graph, p),
                "values": [
                    _value_cell(graph, o, base, labels)
                    for o in sorted(graph.objects(node, p), key=str)
                ],
            }
            for p in sorted(set(graph.predicates(node)), key=str)
        ]
        if rows:
            sections.append(
                {"iri": str(node), "label": label_of(graph, node) or str(node), "rows": rows}
            )
    return render(
        "resource.html",
        title=label_of(graph, subject) or title_hint,
        iri=str(subject),
        sections=sections,
        alternates=alternates or [],
    )


def represent(
    graph: Graph,
    fmt: Format,
    *,
    subject: URIRef,
    url_without_ext: str,
    offers: tuple[Format, ...],
    base: str,
    labels: Graph | None = None,
    status: int = 200,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    headers = {"Vary": "Accept", "Link": alternate_links(url_without_ext, offers)}
    if extra_headers:
        headers.update(extra_headers)
    if fmt is HTML:
        alternates = [
            (f.extension, f"{url_without_ext}.{f.extension}") for f in offers if f is not HTML
        ]
        body = html_page(graph, subject, base, labels or graph, str(subject), alternates).encode()
        media = "text/html; charset=utf-8"
    elif fmt is JSON:
        data = graph_to_plain_json(graph, subject, default_keys())
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        media = "application/json"
    else:
        bind_prefixes(graph)
        body = graph.serialize(format=fmt.name, encoding="utf-8")
        media = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(body, status_code=status, media_type=media, headers=headers)
