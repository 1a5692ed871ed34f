"""Conversion between pyoxigraph and rdflib terms. Kept inside ``store/`` so that nothing above
it imports pyoxigraph (tests/unit/test_architecture.py checks this).

Literals follow RDF 1.1: a simple literal is an ``xsd:string`` literal. pyoxigraph always
reports the ``xsd:string`` datatype; rdflib distinguishes ``Literal("a")`` from
``Literal("a", datatype=XSD.string)``, so both map to the plain rdflib literal (and back).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from registry.errors import InputError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_OX_XSD_STRING = ox.NamedNode(XSD_STRING)
DEFAULT_GRAPH = ox.DefaultGraph()

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxGraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def to_rdflib(term: object) -> Identifier:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=_datatype(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise InputError(
        f"Terme RDF non pris en charge (RDF-star ?) : {term!r}",
        f"Unsupported RDF term (RDF-star?): {term!r}",
    )


@lru_cache(maxsize=256)
def _datatype(iri: str) -> URIRef:
    return URIRef(iri)


def graph_to_rdflib(name: object) -> Identifier | None:
    """A pyoxigraph graph name; ``None`` for the default graph."""
    if isinstance(name, ox.DefaultGraph):
        return None
    return to_rdflib(name)


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None or str(term.datatype) == XSD_STRING:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise InputError(
        f"Terme RDF non pris en charge : {term!r}",
        f"Unsupported RDF term: {term!r}",
    )


def graph_name_to_ox(graph: str | Identifier | None) -> OxGraphName:
    """A graph IRI (string or rdflib term) or ``None`` (the default graph)."""
    if graph is None:
        return DEFAULT_GRAPH
    if isinstance(graph, BNode):
        return ox.BlankNode(str(graph))
    return ox.NamedNode(str(graph))


def triples_to_rdflib(triples: Iterable[ox.Triple], graph: Graph | None = None) -> Graph:
    out = graph if graph is not None else Graph()
    add = out.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return out


def quads_from_rdflib(
    rows: Iterable[tuple[Node | None, ...]], graph: OxGraphName = DEFAULT_GRAPH
) -> Iterator[ox.Quad]:
    """Quads from (s, p, o) or (s, p, o, g) tuples; triples go to ``graph``."""
    for row in rows:
        s, p, o = row[0], row[1], row[2]
        g: OxGraphName = graph
        if len(row) > 3:
            g = _context_to_ox(row[3])
        if s is None or p is None or o is None:
            continue
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)  # type: ignore[arg-type]


def _context_to_ox(context: object) -> OxGraphName:
    """rdflib Dataset contexts are Graph objects (or identifiers); the default graph has the
    identifier ``urn:x-rdflib:default``."""
    ident = getattr(context, "identifier", context)
    if ident is None or str(ident) == "urn:x-rdflib:default":
        return DEFAULT_GRAPH
    if isinstance(ident, BNode):
        return ox.BlankNode(str(ident))
    return ox.NamedNode(str(ident))
