"""The shapes graph compiled: every shape to its path, checks, property shapes and SPARQL rules;
the shapes with targets indexed by target. A parameter of the SHACL namespace this compiler does
not know raises :class:`ShapesError`: a new kind of constraint is never silently ignored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from registry.shacl.components import BUILDERS, COMPANIONS, FIRE_ON_EMPTY, Check
from registry.shacl.errors import shapes_error
from registry.shacl.index import EntryIndex, node_key
from registry.shacl.paths import PathExpr, PredicatePath, compile_path
from registry.shacl.rules import SparqlRule, compile_rules
from registry.vocab import SH

TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
# Parameters that select, describe or structure, and check nothing by themselves.
NON_VALIDATING = frozenset(
    {
        *TARGETS,
        SH.path,
        SH.property,
        SH.sparql,
        SH.deactivated,
        SH.severity,
        SH.name,
        SH.description,
        SH.message,
        SH.group,
        SH.order,
        SH.defaultValue,
    }
)
Emit = Callable[["CompiledShape", Node, Node | None], None]
_NO_VALUES: list[Node] = []
_RDF_TYPE = str(RDF.type)
_EMPTY: dict[str, list[Node]] = {}


@dataclass(eq=False)
class CompiledShape:
    node: Node
    path: PathExpr | None = None
    deactivated: bool = False
    checks: list[Check] = field(default_factory=list)
    on_empty: list[Check] = field(default_factory=list)  # the checks no value node can fire
    properties: list[CompiledShape] = field(default_factory=list)
    rules: list[SparqlRule] = field(default_factory=list)
    _predicate: str | None = field(init=False, default=None)
    # The property shapes with a one-IRI path and no property shapes of their own (nearly
    # all), unrolled: (shape, predicate, checks, checks on no value); the others.
    _simple: list[tuple[CompiledShape, str, list[Check], list[Check]]] = field(
        init=False, default_factory=list
    )
    _complex: list[CompiledShape] = field(init=False, default_factory=list)

    def freeze(self) -> None:
        """Called once the property shapes are known."""
        self._simple, self._complex = [], []
        for prop in self.properties:
            predicate = prop.predicate
            if predicate is not None and not prop.properties and not prop.deactivated:
                self._simple.append((prop, predicate, prop.checks, prop.on_empty))
            else:
                self._complex.append(prop)

    @property
    def predicate(self) -> str | None:
        """The path when it is one IRI (most shapes): values read straight off the index."""
        return self.path.predicate if isinstance(self.path, PredicatePath) else None

    def _values(self, idx: EntryIndex, node: Node, out: dict[str, list[Node]] | None) -> list[Node]:
        if self.path is None:
            return [node]
        predicate = self._predicate
        if predicate is not None:
            if out is None:
                return idx.objects(node, predicate)
            return out.get(predicate, _NO_VALUES)
        return self.path.values(idx, node)

    def __post_init__(self) -> None:
        self._predicate = self.predicate

    def conforms(self, idx: EntryIndex, node: Node) -> bool:
        """pySHACL's ``Shape.validate`` on one focus node, used as a parameter (sh:or...)."""
        if self.deactivated:
            return True
        values = self._values(idx, node, None)
        for check in self.checks if values else self.on_empty:
            if check(idx, node, values):
                return False
        return all(prop.conforms(idx, v) for prop in self.properties for v in values)

    def evaluate(
        self,
        idx: EntryIndex,
        focus: Node,
        emit: Emit,
        out: dict[str, list[Node]] | None = None,
    ) -> None:
        """Emit ``(shape, focus, value)`` for every result of this shape and its property
        shapes (the SPARQL rules are evaluated per batch, elsewhere). ``out``: the focus
        node's entry in the index, when the caller has it."""
        if self.deactivated:
            return
        values = self._values(idx, focus, out)
        for check in self.checks if values else self.on_empty:
            for value in check(idx, focus, values):
                emit(self, focus, value)
        if not self.properties:
            return
        if self.path is None:  # a node shape: its one value node is the focus node
            if out is None:
                out = idx.out.get(node_key(focus) or "", _EMPTY)
            for prop, predicate, checks, on_empty in self._simple:
                found = out.get(predicate, _NO_VALUES)
                for check in checks if found else on_empty:
                    for value in check(idx, focus, found):
                        emit(prop, focus, value)
            for prop in self._complex:
                prop.evaluate(idx, focus, emit, out)
        else:
            for prop in self.properties:
                for value_node in values:
                    prop.evaluate(idx, value_node, emit)


@dataclass
class TargetIndex:
    """Shapes by the way they select their focus nodes (keys as in :mod:`.index`)."""

    by_class: dict[str, list[CompiledShape]] = field(default_factory=dict)
    by_node: dict[str, list[CompiledShape]] = field(default_factory=dict)
    by_object_of: dict[str, list[CompiledShape]] = field(default_factory=dict)
    by_subject_of: dict[str, list[CompiledShape]] = field(default_factory=dict)

    def shapes_for(self, idx: EntryIndex, key: str) -> list[CompiledShape]:
        """The shapes whose targets select the node ``key`` (each once)."""
        found: list[CompiledShape] = []
        by_predicate = idx.out.get(key, {})
        by_class = self.by_class
        if by_class:
            for type_node in by_predicate.get(_RDF_TYPE, ()):
                if not idx.has_subclass and type(type_node) is URIRef:
                    _extend(found, by_class.get(str(type_node)))
                    continue
                for class_key in idx.classes(type_node):
                    _extend(found, by_class.get(class_key))
        _extend(found, self.by_node.get(key))
        for predicate, shapes in self.by_object_of.items():
            if key in idx.objects_of.get(predicate, ()):
                _extend(found, shapes)
        for predicate, shapes in self.by_subject_of.items():
            if predicate in by_predicate:
                _extend(found, shapes)
        return found


def _extend(found: list[CompiledShape], shapes: list[CompiledShape] | None) -> None:
    if shapes:
        for shape in shapes:
            if not any(shape is f for f in found):
                found.append(shape)


@dataclass
class CompiledShapes:
    targets: TargetIndex
    top: list[CompiledShape]  # the shapes with targets
    reporting: list[CompiledShape]  # those and their property shapes: results name them
    uses_inverse: bool

    @property
    def target_objects_of(self) -> frozenset[str]:
        return frozenset(self.targets.by_object_of)

    @property
    def rules(self) -> list[SparqlRule]:
        return [rule for shape in self.top for rule in shape.rules]


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.done: dict[Node, CompiledShape] = {}
        self.busy: set[Node] = set()
        self.nested_only: set[Node] = set()  # shapes compiled as parameters (no rules allowed)
        self.uses_inverse = False

    def shape(self, node: Node, *, nested: bool) -> CompiledShape:
        compiled = self.done.get(node)
        if compiled is not None:
            if nested and compiled.rules:
                raise _rules_not_top(node)
            return compiled
        if node in self.busy:
            raise shapes_error(
                f"{node} : forme récursive, non prise en charge par le validateur compilé.",
                f"{node}: recursive shape, not supported by the compiled validator.",
            )
        self.busy.add(node)
        g = self.shapes
        for predicate in set(g.predicates(node)):
            if (
                str(predicate).startswith(str(SH))
                and predicate not in NON_VALIDATING
                and predicate not in BUILDERS
                and predicate not in COMPANIONS
            ):
                raise shapes_error(
                    f"{node} : paramètre {predicate} inconnu du validateur compilé.",
                    f"{node}: parameter {predicate} unknown to the compiled validator.",
                )
        path_node = g.value(node, SH.path)
        path = compile_path(g, path_node, node) if path_node is not None else None
        if path is not None and path.uses_inverse:
            self.uses_inverse = True
        deactivated = g.value(node, SH.deactivated)
        compiled = CompiledShape(
            node=node,
            path=path,
            deactivated=isinstance(deactivated, Literal) and deactivated.value is True,
        )
        for predicate, build in BUILDERS.items():
            if (node, predicate, None) in g:
                checks = build(g, node, lambda member: self.shape(member, nested=True))
                compiled.checks.extend(checks)
                if predicate in FIRE_ON_EMPTY:
                    compiled.on_empty.extend(checks)
        compiled.properties = [self.shape(p, nested=nested) for p in g.objects(node, SH.property)]
        compiled.freeze()
        compiled.rules = compile_rules(g, node)
        if compiled.rules and (nested or path is not None):
            raise _rules_not_top(node)
        self.busy.discard(node)
        self.done[node] = compiled
        return compiled


def _rules_not_top(node: Node) -> Exception:
    return shapes_error(
        f"{node} : sh:sparql n'est pris en charge que sur une forme de nœud ciblée.",
        f"{node}: sh:sparql is only supported on a node shape with targets.",
    )


def compile_shapes(shapes: Graph) -> CompiledShapes:
    compiler = _Compiler(shapes)
    targets = TargetIndex()
    top: list[CompiledShape] = []
    implicit = {
        s
        for cls in (RDFS.Class, OWL.Class)
        for s in shapes.subjects(RDF.type, cls)
        if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes
    }
    targeted = {s for t in TARGETS for s in shapes.subjects(t)} | implicit
    for node in sorted(targeted, key=str):
        shape = compiler.shape(node, nested=False)
        top.append(shape)
        for cls in [*shapes.objects(node, SH.targetClass), *([node] if node in implicit else [])]:
            targets.by_class.setdefault(_key(cls, node), []).append(shape)
        for target in shapes.objects(node, SH.targetNode):
            key = node_key(target)
            if key is not None:  # a literal is never a subject: never one of our focus nodes
                targets.by_node.setdefault(key, []).append(shape)
        for predicate in shapes.objects(node, SH.targetObjectsOf):
            targets.by_object_of.setdefault(_key(predicate, node), []).append(shape)
        for predicate in shapes.objects(node, SH.targetSubjectsOf):
            targets.by_subject_of.setdefault(_key(predicate, node), []).append(shape)
    if shapes.value(None, SH.target) is not None:
        raise shapes_error(
            "sh:target (cibles SPARQL) non pris en charge par le validateur compilé.",
            "sh:target (SPARQL targets) is not supported by the compiled validator.",
        )
    # Every declared shape is compiled, reachable or not: its parameters are checked too.
    for kind in (SH.NodeShape, SH.PropertyShape):
        for node in sorted(set(shapes.subjects(RDF.type, kind)), key=str):
            if node not in compiler.done:
                compiler.shape(node, nested=False)
    reporting: list[CompiledShape] = []
    todo = list(top)
    while todo:
        shape = todo.pop()
        if not any(shape is r for r in reporting):
            reporting.append(shape)
            todo.extend(shape.properties)
    return CompiledShapes(targets, top, reporting, compiler.uses_inverse)


def _key(node: Node, shape: Node) -> str:
    key = node_key(node)
    if key is None or not isinstance(node, URIRef):
        raise shapes_error(f"{shape} : cible {node} invalide.", f"{shape}: invalid target {node}.")
    return key
