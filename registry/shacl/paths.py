"""SHACL property paths compiled to value-node functions, as pySHACL follows them
(``value_nodes_from_path``: an inverse path flips the direction of every step below it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from registry.shacl.errors import shapes_error
from registry.shacl.index import EntryIndex
from registry.vocab import SH

_UNSUPPORTED = (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


class PathExpr(Protocol):
    uses_inverse: bool

    def values(self, idx: EntryIndex, node: Node, inverse: bool = False) -> list[Node]:
        """The value nodes (no duplicates). The list may be the index's own: never mutate it."""
        ...


@dataclass
class PredicatePath:
    predicate: str
    uses_inverse: bool = False

    def values(self, idx: EntryIndex, node: Node, inverse: bool = False) -> list[Node]:
        if inverse:
            return idx.subjects(node, self.predicate)
        return idx.objects(node, self.predicate)


@dataclass
class SequencePath:
    steps: list[PathExpr]
    uses_inverse: bool = False

    def values(self, idx: EntryIndex, node: Node, inverse: bool = False) -> list[Node]:
        nodes = [node]
        for step in self.steps:
            found: list[Node] = []
            for current in nodes:
                _union(found, step.values(idx, current, inverse))
            nodes = found
        return nodes


@dataclass
class AlternativePath:
    alternatives: list[PathExpr]
    uses_inverse: bool = False

    def values(self, idx: EntryIndex, node: Node, inverse: bool = False) -> list[Node]:
        found: list[Node] = []
        for alternative in self.alternatives:
            _union(found, alternative.values(idx, node, inverse))
        return found


@dataclass
class InversePath:
    path: PathExpr
    uses_inverse: bool = True

    def values(self, idx: EntryIndex, node: Node, inverse: bool = False) -> list[Node]:
        return self.path.values(idx, node, not inverse)


def _union(acc: list[Node], values: list[Node]) -> None:
    for value in values:
        if value not in acc:
            acc.append(value)


def compile_path(shapes: Graph, path: Node, shape: Node, depth: int = 0) -> PathExpr:
    where = f"sh:path de {shape}", f"sh:path of {shape}"
    if depth >= 10:
        raise shapes_error(f"{where[0]} : chemin trop profond.", f"{where[1]}: path too deep.")
    if isinstance(path, URIRef):
        return PredicatePath(str(path))
    if isinstance(path, Literal) or not isinstance(path, BNode):
        raise shapes_error(f"{where[0]} : un littéral.", f"{where[1]}: a literal.")
    if shapes.value(path, RDF.first) is not None:
        steps = [compile_path(shapes, step, shape, depth + 1) for step in shapes.items(path)]
        if len(steps) < 2 and depth == 0:
            raise shapes_error(
                f"{where[0]} : une séquence d'au moins deux pas est attendue.",
                f"{where[1]}: a sequence needs at least two steps.",
            )
        return SequencePath(steps, any(s.uses_inverse for s in steps))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return InversePath(compile_path(shapes, inverse, shape, depth + 1))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [compile_path(shapes, a, shape, depth + 1) for a in shapes.items(alternatives)]
        if len(options) < 2:
            raise shapes_error(
                f"{where[0]} : sh:alternativePath demande au moins deux chemins.",
                f"{where[1]}: sh:alternativePath needs at least two paths.",
            )
        return AlternativePath(options, any(o.uses_inverse for o in options))
    for kind in _UNSUPPORTED:
        if shapes.value(path, kind) is not None:
            raise shapes_error(
                f"{where[0]} : {kind} n'est pas pris en charge par le validateur compilé.",
                f"{where[1]}: {kind} is not supported by the compiled validator.",
            )
    raise shapes_error(f"{where[0]} : chemin illisible.", f"{where[1]}: unreadable path.")
