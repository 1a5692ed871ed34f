"""``CompiledValidator``: the reports of ``registry.validate.Validator`` (pySHACL), from shapes
compiled once into plain Python checks, for a small fraction of the time.

Per entry, the core constraints run on an index of the entry's triples (entry, context, the
concepts they point at), only for the focus nodes the report keeps (the entry's own subjects).
The SHACL-SPARQL rules run once per batch in a scratch Oxigraph store (:mod:`.rules`); entries
that describe a shared node differently go to different batches, by the grouping rule of
``Validator.validate_many`` applied to the triples the rules can match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from registry.shacl.errors import shapes_error
from registry.shacl.index import Concepts, EntryIndex, Triple, build_index, node_key
from registry.shacl.rules import SparqlRule, merge_selections
from registry.shacl.shapes import CompiledShape, compile_shapes
from registry.store.scratch import ScratchStore
from registry.validate import (
    ShapeInfo,
    Source,
    ValidationReport,
    ValidationResult,
    batches,
    build_report,
    class_checked,
    concept_index,
    load_vocabulary_graph,
    read_shapes,
    recommended_infos,
    shape_infos,
    show_node,
    show_path,
)
from registry.vocab import SHAPES_DIR

# Entries per scratch store: one store and one run of each rule per batch.
BATCH_MAX = 1000


@dataclass(frozen=True)
class _Selected:
    """An entry's triples visible to the rules, as ``batches`` groups them."""

    graph: list[Triple]


class CompiledValidator:
    """Same interface and reports as ``registry.validate.Validator``."""

    def __init__(self, shapes: Graph, vocabulary: Graph) -> None:
        self.shapes = shapes
        self.shapes_info = shape_infos(shapes)
        self._compiled = compile_shapes(shapes)
        self._recommended = recommended_infos(self.shapes_info)
        self._infos = self._result_infos()
        self._selection = merge_selections(rule.selection for rule in self._compiled.rules)
        self._batchable = all(rule.forward for rule in self._compiled.rules)
        self._concepts = Concepts.build(concept_index(vocabulary), self._selection)

    def _result_infos(self) -> dict[CompiledShape, ShapeInfo]:
        """The report metadata of every shape that can give a result (pySHACL would fall back
        on its own English text for a shape without them: refused here)."""
        infos: dict[CompiledShape, ShapeInfo] = {}
        for shape in self._compiled.reporting:
            if not shape.checks and not shape.rules:
                continue
            info = self.shapes_info.get(str(shape.node)) if isinstance(shape.node, URIRef) else None
            if info is None:
                raise shapes_error(
                    f"{shape.node} : une forme qui contrôle doit être nommée (IRI) et avoir"
                    " sh:severity, sh:name, sh:message.",
                    f"{shape.node}: a shape that checks must be named (IRI) and have"
                    " sh:severity, sh:name, sh:message.",
                )
            infos[shape] = info
        return infos

    @classmethod
    def load(
        cls, shapes_dir: Path = SHAPES_DIR, vocabulary: Graph | None = None
    ) -> CompiledValidator:
        return cls(
            read_shapes(shapes_dir),
            vocabulary if vocabulary is not None else load_vocabulary_graph(),
        )

    @property
    def class_checked_predicates(self) -> frozenset[URIRef]:
        """Predicates whose objects' types the shapes check: see :func:`class_checked`."""
        return class_checked(self.shapes)

    @property
    def recommended_shapes(self) -> list[ShapeInfo]:
        return list(self._recommended)

    def validate(self, data: Source, *, context: Source | None = None) -> ValidationReport:
        """Check ``data`` (one entry, or any set of nodes) against the shapes; ``context``:
        triples about the nodes ``data`` references, not themselves reported on."""
        return self.validate_many([(data, context)])[0]

    def validate_many(
        self, items: Sequence[tuple[Source, Source | None]]
    ) -> list[ValidationReport]:
        """The reports of :meth:`validate` on each ``(data, context)`` pair."""
        entries = [self._index(data, context) for data, context in items]
        results: list[list[ValidationResult]] = [[] for _ in entries]
        pending: list[list[tuple[SparqlRule, CompiledShape, Node]]] = [[] for _ in entries]
        for i, idx in enumerate(entries):
            self._check(idx, results[i], pending[i])
        waiting = [i for i, p in enumerate(pending) if p]
        if waiting:
            if self._batchable:
                groups = batches([_Selected(entries[i].selected) for i in waiting], BATCH_MAX)
            else:  # a rule may look beyond what its focus node reaches: one entry at a time
                groups = [[g] for g in range(len(waiting))]
            for group in groups:
                self._run_rules([waiting[g] for g in group], entries, pending, results)
        return [
            build_report(results[i], idx.deployments, self._recommended)
            for i, idx in enumerate(entries)
        ]

    # ------------------------------------------------------------ one entry

    def _index(self, data: Source, context: Source | None) -> EntryIndex:
        return build_index(
            data,
            context,
            self._concepts,
            target_objects_of=self._compiled.target_objects_of,
            selection=self._selection,
            with_inverse=self._compiled.uses_inverse,
        )

    def _check(
        self,
        idx: EntryIndex,
        results: list[ValidationResult],
        pending: list[tuple[SparqlRule, CompiledShape, Node]],
    ) -> None:
        own = idx.own
        infos = self._infos

        def emit(shape: CompiledShape, focus: Node, value: Node | None) -> None:
            key = node_key(focus)
            if key is not None and key in own:
                results.append(self._result(infos[shape], focus, value, None))

        targets = self._compiled.targets
        for key, node in own.items():
            for shape in targets.shapes_for(idx, key):
                shape.evaluate(idx, node, emit, idx.out[key])
                if not shape.deactivated:
                    pending.extend((rule, shape, node) for rule in shape.rules)

    def _result(
        self, info: ShapeInfo, focus: Node, value: Node | None, path: Node | None
    ) -> ValidationResult:
        if info.kind == "rule" and value is not None and (value is focus or value == focus):
            value = None  # pySHACL reports the focus node as value when a rule gives none
        return ValidationResult(
            severity=info.severity,
            focus=show_node(focus),
            path=info.path or (show_path(self.shapes, path) if path is not None else None),
            field=info.name,
            message=info.message,
            value=None if value is None else show_node(value),
            shape=info.iri,
            node=info.node_name,
        )

    # ------------------------------------------------------------ the rules, per batch

    def _run_rules(
        self,
        members: list[int],
        entries: list[EntryIndex],
        pending: list[list[tuple[SparqlRule, CompiledShape, Node]]],
        results: list[list[ValidationResult]],
    ) -> None:
        store = ScratchStore(chain.from_iterable(entries[i].selected for i in members))
        focus_by_rule: dict[int, tuple[SparqlRule, dict[str, Node]]] = {}
        for i in members:
            for rule, _shape, focus in pending[i]:
                key = node_key(focus)
                if key is not None:
                    focus_by_rule.setdefault(id(rule), (rule, {}))[1].setdefault(key, focus)
        rows = {
            rule_id: rule.rows(store, list(focus.values()))
            for rule_id, (rule, focus) in focus_by_rule.items()
        }
        for i in members:
            for rule, shape, focus in pending[i]:
                info = self._infos[shape]
                for row in rows[id(rule)].get(focus, ()):
                    value = focus if row.failure or row.value is None else row.value
                    path = None if row.failure else row.path
                    results[i].append(self._result(info, focus, value, path))


@cache
def default_compiled_validator() -> CompiledValidator:
    """The process-wide compiled validator on the project's shapes (built on first use)."""
    return CompiledValidator.load()
