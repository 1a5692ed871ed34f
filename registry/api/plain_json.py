"""RDF to *plain* JSON, keyed by the short terms of the published JSON-LD context.

The ``.json`` representation of a resource and the REST listings use the same keys, so a
developer who never heard of RDF reads ``{"id": ..., "type": [...], "title": ...}``. Blank
nodes (periods, annotations) are nested; IRIs stay strings; literals become JSON values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from registry.vocab import ONTOLOGY_DIR, PREFIXES

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"


def load_context() -> dict[str, Any]:
    """The published JSON-LD context (``{"@context": {...}}``). Prefers
    ``registry.ontology.context()``, then ``ontology/context.jsonld``, else a context made of the
    project's prefixes only."""
    try:
        from registry import ontology

        ctx = ontology.context()
        if isinstance(ctx, Mapping):
            return dict(ctx) if "@context" in ctx else {"@context": dict(ctx)}
    except (ImportError, AttributeError, OSError):
        pass
    if CONTEXT_FILE.is_file():
        data = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
        return data if "@context" in data else {"@context": data}
    return {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}}


class ShortKeys:
    """IRI -> short key, from a JSON-LD context (terms first, then ``prefix:local``)."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        body = context.get("@context", context)
        if isinstance(body, list):
            merged: dict[str, Any] = {}
            for part in body:
                if isinstance(part, Mapping):
                    merged.update(part)
            body = merged
        self.prefixes: dict[str, str] = {}
        for term, value in body.items():
            if isinstance(value, str) and value.endswith(("/", "#")) and not term.startswith("@"):
                self.prefixes[term] = value
        for prefix, ns in PREFIXES.items():
            self.prefixes.setdefault(prefix, str(ns))
        self.terms: dict[str, str] = {}
        self.id_key = "@id"
        self.type_key = "@type"
        for term, value in body.items():
            if term.startswith("@"):
                continue
            iri = value.get("@id") if isinstance(value, Mapping) else value
            if not isinstance(iri, str):
                continue
            if iri == "@id":
                self.id_key = term
                continue
            if iri == "@type":
                self.type_key = term
                continue
            if term in self.prefixes:
                continue
            full = self.expand(iri)
            # the first term declared for an IRI wins (contexts list the preferred one first)
            self.terms.setdefault(full, term)

    def expand(self, curie: str) -> str:
        prefix, sep, local = curie.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return curie

    def key(self, iri: str) -> str:
        if iri in self.terms:
            return self.terms[iri]
        best = ""
        chosen = iri
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best):
                best = ns
                chosen = f"{prefix}:{iri[len(ns) :]}"
        return chosen


@lru_cache(maxsize=1)
def default_keys() -> ShortKeys:
    return ShortKeys(load_context())


def literal_value(lit: Literal) -> Any:
    if lit.datatype in (XSD.boolean,):
        return lit.toPython() if isinstance(lit.toPython(), bool) else str(lit)
    if lit.datatype in (XSD.integer, XSD.int, XSD.long, XSD.decimal, XSD.double, XSD.float):
        value = lit.toPython()
        return value if isinstance(value, int | float) else str(lit)
    return str(lit)


def node_to_json(
    graph: Graph, node: URIRef | BNode, keys: ShortKeys, _seen: frozenset[Any] = frozenset()
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(node, URIRef):
        out[keys.id_key.lstrip("@") if keys.id_key == "@id" else keys.id_key] = str(node)
    types = sorted(keys.key(str(t)) for t in graph.objects(node, RDF.type))
    if types:
        out["type" if keys.type_key == "@type" else keys.type_key] = types
    grouped: dict[str, list[Any]] = {}
    for pred, obj in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
        if pred == RDF.type:
            continue
        name = keys.key(str(pred))
        if isinstance(obj, BNode) and obj not in _seen:
            value: Any = node_to_json(graph, obj, keys, _seen | {node})
        elif isinstance(obj, Literal):
            value = literal_value(obj)
        else:
            value = str(obj)
        grouped.setdefault(name, []).append(value)
    for name, values in grouped.items():
        out[name] = values[0] if len(values) == 1 else values
    return out


def graph_to_plain_json(graph: Graph, subject: URIRef, keys: ShortKeys | None = None) -> dict:
    """The subject as a plain JSON object; other named subjects of the graph under
    ``"related"`` (e.g. the sources a deployment cites)."""
    keys = keys or default_keys()
    main = node_to_json(graph, subject, keys)
    others = sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and s != subject}, key=str
    )
    if others:
        main["related"] = [node_to_json(graph, s, keys) for s in others]
    return main
