"""SHACL-SPARQL constraints (``sh:sparql``), evaluated for a whole batch at once.

pySHACL runs each query once per focus node, ``$this`` pre-bound. Here each query runs once
per batch in a scratch Oxigraph store, with ``VALUES ?this { … }`` (the batch's focus nodes)
put at the head of its WHERE group: for a query whose patterns all hang off ``$this`` (ours),
joining with VALUES gives, focus node by focus node, the solutions of pre-binding, and FILTERs
of the group (EXISTS included) see ``?this`` bound. Blank-node focus nodes cannot go in VALUES:
they get one query each, pre-bound by substitution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from registry.shacl.errors import shapes_error
from registry.shacl.index import Selection
from registry.store.scratch import ScratchQueryError, ScratchStore, check_select
from registry.vocab import SH

_ALLOWED = frozenset({RDF.type, SH.select, SH.message, SH.deactivated})
# pySHACL refuses these in a constraint; $value, $PATH, $currentShape, $shapesGraph are
# pre-bound by pySHACL in cases this module does not mirror: refused too.
_REFUSED = (
    (re.compile(r"(?<![\w:-])MINUS\s*\{", re.I), "MINUS"),
    (re.compile(r"(?<![\w:-])VALUES\b", re.I), "VALUES"),
    (re.compile(r"(?<![\w:-])SERVICE\b", re.I), "SERVICE"),
    (re.compile(r"(?<![\w:-])GRAPH\b", re.I), "GRAPH"),
    (re.compile(r"\{[^}]*\bSELECT\b", re.I | re.S), "nested SELECT"),
    (
        re.compile(r"[\s{}()][\$\?](PATH|currentShape|shapesGraph)\b"),
        "$PATH/$currentShape/$shapesGraph",
    ),
)
_THIS = re.compile(r"[\s{}()][\$\?]this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_SELECT = re.compile(r"\bSELECT\b", re.I)
_RESERVED = ("this", "path", "value", "failure")


@dataclass(frozen=True)
class Row:
    """One solution: the path and value of the result, and the other projected variables
    (pySHACL tells solutions apart by all of them)."""

    path: Node | None
    value: Node | None
    rest: tuple[tuple[str, Node], ...]
    failure: bool = False


@dataclass
class SparqlRule:
    """One ``sh:sparql`` constraint of a node shape."""

    shape: Node
    text: str  # the query as pySHACL runs it
    head: str  # text up to and including the opening brace of the WHERE group
    tail: str
    selection: Selection  # the triples its patterns can match
    # Every pattern hangs off $this through forward links: a batch of entries that describe
    # every shared node alike gives each focus node the solutions of its own entry.
    forward: bool = True

    def with_focus(self, iris: Iterable[URIRef]) -> str:
        values = " ".join(f"<{iri}>" for iri in iris)
        return f"{self.head} VALUES ?this {{ {values} }} {self.tail}"

    def rows(self, store: ScratchStore, focus: list[Node]) -> dict[Node, list[Row]]:
        """Solutions per focus node, deduplicated as pySHACL does."""
        out: dict[Node, list[Row]] = {f: [] for f in focus}
        iris = [f for f in focus if isinstance(f, URIRef)]
        if iris:
            for solution in store.select(self.with_focus(iris)):
                this = solution.get("this")
                if this in out:
                    _add(out[this], solution)
        for f in focus:
            if not isinstance(f, URIRef):
                for solution in store.select(self.text, substitutions={"this": f}):
                    _add(out[f], solution)
        return out


def _add(rows: list[Row], solution: dict[str, Node]) -> None:
    if solution.get("failure") is not None:
        row = Row(None, None, (), failure=True)
    else:
        path, value = solution.get("path"), solution.get("value")
        rest = tuple(sorted((k, v) for k, v in solution.items() if k not in _RESERVED))
        row = Row(path, value, rest)
    if row not in rows:
        rows.append(row)


def compile_rules(shapes: Graph, shape: Node) -> list[SparqlRule]:
    rules: list[SparqlRule] = []
    for constraint in shapes.objects(shape, SH.sparql):
        rule = _compile_rule(shapes, shape, constraint)
        if rule is not None:
            rules.append(rule)
    return rules


def _compile_rule(shapes: Graph, shape: Node, constraint: Node) -> SparqlRule | None:
    where = f"sh:sparql de {shape}", f"sh:sparql of {shape}"
    for predicate in set(shapes.predicates(constraint)):
        if str(predicate).startswith(str(SH)) and predicate not in _ALLOWED:
            raise shapes_error(
                f"{where[0]} : {predicate} n'est pas pris en charge par le validateur compilé"
                " (déclarer les préfixes dans la requête).",
                f"{where[1]}: {predicate} is not supported by the compiled validator"
                " (declare prefixes in the query).",
            )
    deactivated = shapes.value(constraint, SH.deactivated)
    if isinstance(deactivated, Literal) and deactivated.value is True:
        return None
    selects = list(shapes.objects(constraint, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal):
        raise shapes_error(
            f"{where[0]} : un seul sh:select.", f"{where[1]}: exactly one sh:select."
        )
    text = "\n" + str(selects[0].value)  # pySHACL puts its (here empty) prefix block first
    for pattern, name in _REFUSED:
        if pattern.search(text):
            raise shapes_error(
                f"{where[0]} : {name} n'est pas pris en charge.",
                f"{where[1]}: {name} is not supported.",
            )
    if not _THIS.search(text):
        raise shapes_error(f"{where[0]} : la requête ignore $this.", f"{where[1]}: no $this.")
    try:
        query = prepareQuery(text)
    except Exception as exc:
        raise shapes_error(
            f"{where[0]} : requête illisible ({exc}).", f"{where[1]}: {exc}"
        ) from exc
    projected = {str(v) for v in dict.get(query.algebra, "PV") or ()}
    if "this" not in projected:
        raise shapes_error(
            f"{where[0]} : la requête doit projeter $this (SELECT $this …).",
            f"{where[1]}: the query must project $this (SELECT $this ...).",
        )
    head, tail = _split(text, where)
    rule = SparqlRule(shape, text, head, tail, _selection(query.algebra), _forward(query.algebra))
    try:
        check_select(rule.with_focus([URIRef("urn:ia-territoires:check")]))
    except ScratchQueryError as exc:
        raise shapes_error(
            f"{where[0]} : Oxigraph ne lit pas la requête ({exc}).",
            f"{where[1]}: Oxigraph cannot read the query ({exc}).",
        ) from exc
    return rule


def _split(text: str, where: tuple[str, str]) -> tuple[str, str]:
    match = _WHERE.search(text)
    if match is None:  # "SELECT … {" without the optional WHERE keyword
        select = _SELECT.search(text)
        brace = text.find("{", select.end()) if select else -1
        if brace < 0:
            raise shapes_error(f"{where[0]} : pas de clause WHERE.", f"{where[1]}: no WHERE.")
        return text[: brace + 1], text[brace + 1 :]
    return text[: match.end()], text[match.end() :]


def _selection(algebra: Any) -> Selection:
    """The triples the query's patterns (EXISTS included) can match: predicate -> the IRIs its
    object can be (None: anything), from the triple patterns; ``None`` (every triple) when a
    variable predicate or a negated path could match any predicate."""
    found: dict[str, set[str] | None] = {}
    unbounded = False

    def any_object(p: object) -> None:
        nonlocal unbounded
        if isinstance(p, URIRef):
            found[str(p)] = None
        elif isinstance(p, SequencePath | AlternativePath):
            for arg in p.args:
                any_object(arg)
        elif isinstance(p, InvPath):
            any_object(p.arg)
        elif isinstance(p, MulPath):
            any_object(p.path)
        else:  # a variable, a negated path, anything unknown
            unbounded = True

    def pattern(p: object, o: object) -> None:
        if isinstance(p, URIRef) and isinstance(o, URIRef):
            key = str(p)
            if key not in found:
                found[key] = {str(o)}
            elif (objects := found[key]) is not None:
                objects.add(str(o))
        else:
            any_object(p)

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            # BGP (translated) or TriplesBlock (inside EXISTS, left untranslated by rdflib)
            for triple in dict.get(node, "triples") or ():
                if isinstance(triple, list | tuple) and len(triple) == 3:
                    pattern(triple[1], triple[2])
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(algebra)
    if unbounded:
        return None
    return {p: None if o is None else frozenset(o) for p, o in found.items()}


def _patterns(algebra: Any) -> list[tuple[object, object, object]]:
    """The triple patterns of a query, those of its EXISTS included."""
    found: list[tuple[object, object, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            for triple in dict.get(node, "triples") or ():
                if isinstance(triple, list | tuple) and len(triple) == 3:
                    found.append((triple[0], triple[1], triple[2]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(algebra)
    return found


def _forward(algebra: Any) -> bool:
    """Whether every pattern's subject is ``?this`` or reached from it through the objects of
    other patterns, with no inverse path: then only triples about nodes reachable from the
    focus node can matter."""
    patterns = _patterns(algebra)

    def has_inverse(p: object) -> bool:
        if isinstance(p, InvPath):
            return True
        if isinstance(p, SequencePath | AlternativePath):
            return any(has_inverse(a) for a in p.args)
        if isinstance(p, MulPath):
            return has_inverse(p.path)
        return False

    if any(has_inverse(p) or isinstance(p, Variable) for _s, p, _o in patterns):
        return False
    reached = {Variable("this")}
    grew = True
    while grew:
        grew = False
        for s, _p, o in patterns:
            if s in reached and isinstance(o, Variable) and o not in reached:
                reached.add(o)
                grew = True
    return all(s in reached for s, _p, _o in patterns)


def merge_selections(selections: Iterable[Selection]) -> Selection:
    merged: dict[str, set[str] | None] = {}
    for selection in selections:
        if selection is None:
            return None
        for p, objects in selection.items():
            if objects is None or (p in merged and merged[p] is None):
                merged[p] = None
            else:
                current = merged.setdefault(p, set())
                assert current is not None
                current |= objects
    return {p: None if o is None else frozenset(o) for p, o in merged.items()}
