"""An in-memory Oxigraph store for evaluating SPARQL queries over a batch of rdflib triples.

The compiled SHACL validator (``registry/shacl/``) runs each SHACL-SPARQL rule once over a batch
of entries here. Loading goes through N-Quads text: building pyoxigraph terms one by one costs
~7 µs a triple (``Quad`` alone ~4 µs), writing and parsing the text ~3 µs.

The N-Quads parser gives blank nodes fresh identities; each blank node of the input therefore
gets a label triple in a separate named graph (invisible to queries on the default graph), which
maps the blank nodes of the answers back to the caller's ``BNode`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from registry.store.terms import to_ox, to_rdflib

Triple = tuple[Node, Node, Node]

_LABEL = "urn:ia-territoires:scratch:label"
_LABEL_GRAPH = "urn:ia-territoires:scratch:labels"
_OX_LABEL = ox.NamedNode(_LABEL)
_OX_LABEL_GRAPH = ox.NamedNode(_LABEL_GRAPH)
# Characters an N-Triples IRIREF must escape (as \\uXXXX) and that a literal must escape.
_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LITERAL_ESCAPE = re.compile(r'["\\\n\r]')


class ScratchQueryError(ValueError):
    """A query Oxigraph cannot parse or evaluate (the caller names the query's source)."""


def _iri(value: str) -> str:
    if _IRI_ESCAPE.search(value):
        value = _IRI_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)
    return f"<{value}>"


def _literal(term: Literal) -> str:
    lexical = str(term)
    if _LITERAL_ESCAPE.search(lexical):
        lexical = (
            lexical.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    if term.language:
        return f'"{lexical}"@{term.language}'
    if term.datatype is not None:
        return f'"{lexical}"^^{_iri(str(term.datatype))}'
    return f'"{lexical}"'


class ScratchStore:
    """The triples of one batch, loaded once, queried several times, then dropped."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._store = ox.Store()
        self._bnodes: dict[BNode, int] = {}
        self._from_store: dict[str, BNode] | None = None
        lines: list[str] = []
        append = lines.append
        text = self._text
        for s, p, o in triples:
            append(f"{text(s)} {text(p)} {text(o)} .\n")
        for label in self._bnodes.values():
            append(f'_:b{label} <{_LABEL}> "{label}" <{_LABEL_GRAPH}> .\n')
        if lines:
            self._store.load("".join(lines), ox.RdfFormat.N_QUADS, lenient=True)

    def _text(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return _iri(str(term))
        if isinstance(term, Literal):
            return _literal(term)
        if isinstance(term, BNode):
            label = self._bnodes.get(term)
            if label is None:
                label = self._bnodes[term] = len(self._bnodes)
            return f"_:b{label}"
        raise TypeError(f"unsupported RDF term {term!r}")

    def select(
        self, query: str, substitutions: Mapping[str, Node] | None = None
    ) -> list[dict[str, Node]]:
        """The solutions of a SELECT query as ``{variable: rdflib term}`` (unbound variables
        left out); ``substitutions`` pre-binds variables (SEP-0007), blank nodes included."""
        bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = None
        if substitutions:
            bound = {
                ox.Variable(name): self._to_store(term) for name, term in substitutions.items()
            }
        try:
            solutions = self._store.query(query, substitutions=bound)
        except (SyntaxError, OSError, RuntimeError) as exc:
            raise ScratchQueryError(str(exc)) from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise ScratchQueryError("not a SELECT query")
        names = [v.value for v in solutions.variables]
        rows: list[dict[str, Node]] = []
        for solution in solutions:
            row: dict[str, Node] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = self._back(term)
            rows.append(row)
        return rows

    def _to_store(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, BNode):
            label = self._bnodes.get(term)
            if label is not None:
                for quad in self._store.quads_for_pattern(
                    None, _OX_LABEL, ox.Literal(str(label)), _OX_LABEL_GRAPH
                ):
                    if isinstance(quad.subject, ox.BlankNode):
                        return quad.subject
        return to_ox(term)

    def _back(self, term: object) -> Node:
        if isinstance(term, ox.BlankNode):
            if self._from_store is None:
                labels = {label: bnode for bnode, label in self._bnodes.items()}
                self._from_store = {}
                for quad in self._store.quads_for_pattern(None, _OX_LABEL, None, _OX_LABEL_GRAPH):
                    if isinstance(quad.subject, ox.BlankNode) and isinstance(
                        quad.object, ox.Literal
                    ):
                        self._from_store[quad.subject.value] = labels[int(quad.object.value)]
            original = self._from_store.get(term.value)
            if original is not None:
                return original
        return to_rdflib(term)


def check_select(query: str) -> list[str]:
    """Parse and run ``query`` on an empty store; its projected variables. Raises
    :class:`ScratchQueryError` if Oxigraph cannot take it."""
    try:
        solutions = ox.Store().query(query)
    except SyntaxError as exc:
        raise ScratchQueryError(str(exc)) from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise ScratchQueryError("not a SELECT query")
    return [v.value for v in solutions.variables]
