"""Validate entries against the SHACL contract (``shapes/*.ttl``); the only user of pyshacl.

:meth:`Validator.load` parses the shapes and the concept schemes once; then
:meth:`Validator.validate` checks one entry (pySHACL on the entry and its context, a few dozen
triples: tens of milliseconds). The report names each problem by the field's ``sh:name`` and
the shape's ``sh:message`` in French and English, read from the shapes graph by source shape
(pySHACL loses the language tags of SPARQL messages).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

from pyshacl import Validator as _ShaclValidator
from pyshacl.graph_abstraction import RdfLibDataGraph as _ShaclDataGraph
from pyshacl.shapes_graph import ShapesGraph as _ShaclShapesGraph
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from registry.errors import RegistryError
from registry.vocab import IAT, PREFIXES, SH, SHAPES_DIR

Lang = Literal["fr", "en"]
Severity = Literal["Violation", "Warning", "Info"]

# An entry's triples: an rdflib graph, or any iterable of (s, p, o) rdflib terms.
Source = Graph | Iterable[tuple[Node, Node, Node]]
SHAPE_FILES = (
    "core.ttl",
    "recommended.ttl",
    "optional.ttl",
    "rules.ttl",
    "groups.ttl",
    "in-lists.ttl",
)
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")
SEVERITY_ORDER: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}
SEVERITY_LABELS: dict[str, dict[str, str]] = {
    "Violation": {"fr": "Erreur", "en": "Violation"},
    "Warning": {"fr": "Avertissement", "en": "Warning"},
    "Info": {"fr": "Suggestion", "en": "Info"},
}
# Entries per pySHACL run in validate_many: bounded memory, most of the saving already had.
BATCH_MAX = 200
DEPLOYMENT_SHAPE = URIRef("https://w3id.org/ia-territoires/shapes#DeploymentShape")
# Concept triples copied into the data graph: pySHACL only sees types in the data graph.
_CONCEPT_PREDICATES = (RDF.type, SKOS.inScheme, SKOS.broader, SKOS.notation, SKOS.prefLabel)

_log = logging.getLogger(__name__)


# French typography puts a space before a colon; English does not.
_COLON = {"fr": " : ", "en": ": "}
_SEMICOLON = {"fr": " ; ", "en": "; "}
_VALUE = {"fr": "valeur", "en": "value"}
_COMPLETENESS = {"fr": "Complétude", "en": "Completeness"}
_MISSING = {"fr": "manque", "en": "missing"}


def _text(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("fr") or texts.get("en") or ""


@dataclass(frozen=True)
class ShapeInfo:
    """What the report needs to know about one shape that can produce results."""

    iri: str
    severity: Severity
    kind: Literal["property", "rule"]
    name: dict[str, str]
    message: dict[str, str]
    description: dict[str, str]
    node_shape: str | None  # the node shape a property shape belongs to
    node_name: dict[str, str]
    path: str | None
    group: str | None
    order: float | None


@dataclass(frozen=True)
class ValidationResult:
    severity: Severity
    focus: str
    path: str | None
    field: dict[str, str]
    message: dict[str, str]
    value: str | None
    shape: str
    node: dict[str, str]  # name of the kind of node checked (Déploiement, Point de contact...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "field": dict(self.field),
            "message": dict(self.message),
            "value": self.value,
            "shape": self.shape,
            "node": dict(self.node),
        }

    def to_text(self, lang: Lang = "fr") -> str:
        where = _text(self.field, lang)
        node = _text(self.node, lang)
        if node and node != where:
            where = f"{node} › {where}"
        colon = _COLON[lang]
        text = f"{SEVERITY_LABELS[self.severity][lang]} — {where}{colon}{_text(self.message, lang)}"
        if self.value is not None:
            text += f" ({_VALUE[lang]}{colon}{self.value})"
        return text


@dataclass(frozen=True)
class Completeness:
    """Share of the deployment's recommended (Warning-level) property shapes it satisfies."""

    focus: str
    score: float
    satisfied: int
    total: int
    missing: list[dict[str, str]]  # {"shape", "fr", "en"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "score": round(self.score, 3),
            "satisfied": self.satisfied,
            "total": self.total,
            "missing": [dict(m) for m in self.missing],
        }


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    completeness: dict[str, Completeness] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings and Infos do not block)."""
        return not any(r.severity == "Violation" for r in self.results)

    def by_severity(self, severity: Severity) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == severity]

    def counts(self) -> dict[str, int]:
        return {s: len(self.by_severity(s)) for s in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [r.to_dict() for r in self.results],
            "completeness": {k: v.to_dict() for k, v in self.completeness.items()},
        }

    def to_text(self, lang: Lang = "fr") -> str:
        lines: list[str] = []
        for severity in SEVERITIES:
            for result in self.by_severity(severity):
                lines.append(result.to_text(lang))
        for comp in self.completeness.values():
            colon = _COLON[lang]
            line = f"{_COMPLETENESS[lang]}{colon}{comp.score:.0%} ({comp.satisfied}/{comp.total})"
            if comp.missing:
                missing = ", ".join(_text(m, lang) for m in comp.missing)
                line += f"{_SEMICOLON[lang]}{_MISSING[lang]}{colon}{missing}"
            lines.append(line)
        if not lines:
            lines.append("Conforme." if lang == "fr" else "Conforms.")
        return "\n".join(lines)


class _ParameterList(list[Any]):
    """pySHACL checks every predicate of every shape against its list of constraint parameters
    with ``in``: ~40 term comparisons each, half the time of a validation. Same list, set lookup."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _speed_up_pyshacl() -> None:
    # pySHACL caches (parameters, map) on its shape module under this name on first use.
    from pyshacl import shape as shacl_shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(shacl_shape, "CONSTRAINT_PARAMS", None)
    if current is None or not isinstance(current[0], _ParameterList):
        parameters = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        setattr(shacl_shape, "CONSTRAINT_PARAMS", parameters)  # noqa: B010
    # pySHACL writes a text description of every result for its text report (stringifying
    # nodes and paths: a tenth of a validation); this module reads only the report graph.
    from pyshacl.constraints.constraint_component import ConstraintComponent

    ConstraintComponent.make_v_result_description = _no_description  # type: ignore[method-assign]


def _no_description(*_args: Any, **_kwargs: Any) -> str:
    return ""


class _PreparedQueryDataGraph(_ShaclDataGraph):
    """pySHACL sends the text of each SHACL-SPARQL query for every focus node, and rdflib parses
    it each time (pyparsing: ~5 ms a query). Parse each distinct text once."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = _prepared_query(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=512)
def _prepared_query(text: str) -> Query:
    return prepareQuery(text)


class ShapesError(RegistryError):
    """The shapes themselves are broken (a bug of the project, not of the input)."""

    code = "shapes-error"


class Validator:
    """Shapes and concept schemes parsed once; :meth:`validate` reuses them."""

    def __init__(self, shapes: Graph, vocabulary: Graph) -> None:
        _speed_up_pyshacl()
        self.shapes = shapes
        self.shapes_info = _shape_infos(shapes)
        # pySHACL harvests shapes lazily into this object and caches them: keep one for all runs,
        # one run at a time (the API validates from a thread pool; pySHACL holds the GIL anyway).
        self._shacl = _ShaclShapesGraph(shapes)
        self._lock = threading.Lock()
        self._concepts = _concept_index(vocabulary)
        # sh:targetObjectsOf: whether a node is checked depends on triples pointing AT it.
        self._target_predicates = frozenset(
            o for o in shapes.objects(None, SH.targetObjectsOf) if isinstance(o, URIRef)
        )
        self._recommended = recommended_infos(self.shapes_info)

    @classmethod
    def load(
        cls,
        shapes_dir: Path = SHAPES_DIR,
        vocabulary: Graph | None = None,
    ) -> Validator:
        shapes = read_shapes(shapes_dir)
        return cls(shapes, vocabulary if vocabulary is not None else _load_vocabulary())

    @property
    def class_checked_predicates(self) -> frozenset[URIRef]:
        """Predicates whose objects' types the shapes check: see :func:`class_checked`."""
        return class_checked(self.shapes)

    @property
    def recommended_shapes(self) -> list[ShapeInfo]:
        return list(self._recommended)

    def validate(self, data: Source, *, context: Source | None = None) -> ValidationReport:
        """Check ``data`` (one entry, or any set of nodes) against the shapes.

        ``context``: triples about the nodes ``data`` references (types, labels), fetched by the
        caller; they answer ``sh:class`` checks but are not themselves reported on.
        """
        item = self._prepare(data, context)
        return self._report(item, list(self._results(self._run(item.graph))))

    def validate_many(
        self, items: Sequence[tuple[Source, Source | None]]
    ) -> list[ValidationReport]:
        """Check many ``(data, context)`` pairs: the same reports as :meth:`validate` on each,
        for far less. pySHACL's cost is mostly per shape and per run, so entries go through ONE
        run over the union of their graphs, as long as the union changes nothing any entry's
        checks can see: every node an entry mentions must be described (triples with it as
        subject) identically by every other entry of the run that mentions it. The shapes
        only follow paths forwards from the focus node, so each entry's checks then see exactly
        its own graph. Entries that disagree on a node go to another run."""
        prepared = [self._prepare(data, context) for data, context in items]
        reports: list[ValidationReport | None] = [None] * len(prepared)
        for batch in _batches(prepared, BATCH_MAX, self._target_predicates):
            if len(batch) == 1:
                graph = prepared[batch[0]].graph
            else:
                graph = Graph(bind_namespaces="none")
                for i in batch:
                    for triple in prepared[i].graph:
                        graph.add(triple)
            results = list(self._results(self._run(graph)))
            for i in batch:
                reports[i] = self._report(prepared[i], results)
        return [r for r in reports if r is not None]

    def _prepare(self, data: Source, context: Source | None) -> _Item:
        graph = Graph(bind_namespaces="none")  # binding ~30 prefixes per graph adds up
        for source in (data, context):
            if source is not None:
                for triple in _triples(source):
                    graph.add(triple)
        self._add_concepts(graph)
        own = {s for s, _p, _o in _triples(data)}
        deployments = {s for s, p, o in _triples(data) if p == RDF.type and o == IAT.Deployment}
        return _Item(graph, own, deployments)

    def _report(
        self, item: _Item, all_results: list[tuple[Node, ValidationResult]]
    ) -> ValidationReport:
        return build_report(
            (r for focus, r in all_results if focus in item.own_subjects),
            item.deployments,
            self._recommended,
        )

    def _add_concepts(self, graph: Graph) -> None:
        for obj in set(graph.objects()):
            triples = self._concepts.get(obj) if isinstance(obj, URIRef) else None
            if triples:
                for triple in triples:
                    graph.add(triple)

    def _run(self, graph: Graph) -> Graph:
        runner = _ShaclValidator(
            _PreparedQueryDataGraph.from_rdflib_graph(graph),
            shacl_graph=self.shapes,
            options={
                "inference": "none",
                "advanced": False,
                "allow_infos": True,
                "allow_warnings": True,
                "inplace": True,
                "logger": _log,
            },
        )
        runner.shacl_graph = self._shacl
        with self._lock:
            _conforms, report_graph, _text_report = runner.run()
        return report_graph  # type: ignore[no-any-return]

    def _results(self, report: Graph) -> Iterator[tuple[Node, ValidationResult]]:
        for node in report.objects(None, SH.result):
            source = report.value(node, SH.sourceShape)
            focus = report.value(node, SH.focusNode)
            if focus is None or source is None:
                continue
            info = self.shapes_info.get(str(source))
            if info is None:
                info = self._anonymous_info(report, node, source)
            value = report.value(node, SH.value)
            if info.kind == "rule" and value == focus:
                value = None  # pySHACL reports the focus node as value when a rule gives none
            path = report.value(node, SH.resultPath)
            yield (
                focus,
                ValidationResult(
                    severity=info.severity,
                    focus=_show(focus),
                    path=info.path or (_show_path(self.shapes, path) if path is not None else None),
                    field=info.name,
                    message=info.message,
                    value=None if value is None else _show(value),
                    shape=info.iri,
                    node=info.node_name,
                ),
            )

    def _anonymous_info(self, report: Graph, node: Node, source: Node) -> ShapeInfo:
        # A shape with no metadata (e.g. a nested blank-node shape): fall back on pySHACL's text.
        severity = report.value(node, SH.resultSeverity)
        message = str(report.value(node, SH.resultMessage) or "")
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        return ShapeInfo(
            iri=_show(source),
            severity=sev if sev in SEVERITY_ORDER else "Violation",  # type: ignore[arg-type]
            kind="property",
            name={},
            message={"fr": message, "en": message},
            description={},
            node_shape=None,
            node_name={},
            path=None,
            group=None,
            order=None,
        )


def read_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """The shapes graph: the files of :data:`SHAPE_FILES` in ``shapes_dir``."""
    shapes = Graph(store="SimpleMemory")
    for name, ns in PREFIXES.items():
        shapes.bind(name, ns)
    for name in SHAPE_FILES:
        path = shapes_dir / name
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:
            raise ShapesError(
                f"Formes SHACL illisibles : {path} ({exc}).",
                f"Unreadable SHACL shapes: {path} ({exc}).",
            ) from exc
    return shapes


def class_checked(shapes: Graph) -> frozenset[URIRef]:
    """Predicates whose objects' types the shapes check (``sh:class`` on a one-step path):
    the nodes a caller must put in the context of an entry."""
    return frozenset(
        path
        for shape in shapes.subjects(SH["class"])
        if isinstance(path := shapes.value(shape, SH.path), URIRef)
    )


@cache
def default_validator() -> Validator:
    """The process-wide validator on the project's shapes (parsed on first use)."""
    return Validator.load()


# ---------------------------------------------------------------- helpers


_TARGETED = URIRef("urn:ia-territoires:validate:targeted-by")


@dataclass(frozen=True)
class _Item:
    """One entry ready for pySHACL: its graph (entry, context, concepts), the nodes it reports
    on, and its deployments (for completeness)."""

    graph: Graph
    own_subjects: set[Node]
    deployments: set[Node]


class HasTriples(Protocol):
    """What :func:`_batches` groups: anything holding the triples an item's checks see."""

    @property
    def graph(self) -> Iterable[tuple[Node, Node, Node]]: ...


def _result_order(r: ValidationResult) -> tuple[int, str, str, str, str]:
    # Path and value break ties so that the order does not depend on pySHACL's report order.
    return (SEVERITY_ORDER[r.severity], r.focus, r.shape, r.path or "", r.value or "")


def _descriptions(
    graph: Iterable[tuple[Node, Node, Node]], targeting: frozenset[URIRef]
) -> dict[Node, frozenset[tuple[Node, Node]]]:
    """Every node the graph mentions (subject or non-literal object) → its (predicate, object)
    pairs in the graph (empty when only mentioned), plus ``(_TARGETED, p)`` when it is the
    object of a ``targeting`` predicate (``sh:targetObjectsOf``: that makes it a focus node)."""
    out: dict[Node, set[tuple[Node, Node]]] = {}
    for s, p, o in graph:
        out.setdefault(s, set()).add((p, o))
        if not isinstance(o, RDFLiteral):
            pairs = out.setdefault(o, set())
            if p in targeting:
                pairs.add((_TARGETED, p))
    return {node: frozenset(pairs) for node, pairs in out.items()}


def _batches(
    items: Sequence[HasTriples], size: int, targeting: frozenset[URIRef] = frozenset()
) -> list[list[int]]:
    """Indexes of ``items`` grouped so that, within a group, every node is described the same
    by all the items that mention it (first fit; a group holds at most ``size`` items)."""
    groups: list[tuple[list[int], dict[Node, frozenset[tuple[Node, Node]]]]] = []
    for i, item in enumerate(items):
        described = _descriptions(item.graph, targeting)
        for members, known in groups:
            if len(members) >= size:
                continue
            if all(known.get(node, pairs) == pairs for node, pairs in described.items()):
                members.append(i)
                known.update(described)
                break
        else:
            groups.append(([i], dict(described)))
    return [members for members, _ in groups]


def _triples(graph: Source) -> Iterator[tuple[Node, Node, Node]]:
    """Triples of a Graph, or of every graph of a Dataset (validation sees their union)."""
    if isinstance(graph, Dataset):
        for s, p, o, _g in graph.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from graph


def _load_vocabulary() -> Graph:
    from registry.ontology import load_vocabulary

    return load_vocabulary()


def _concept_index(vocabulary: Graph) -> dict[URIRef, list[tuple[Node, Node, Node]]]:
    index: dict[URIRef, list[tuple[Node, Node, Node]]] = {}
    for concept in set(vocabulary.subjects(SKOS.inScheme)):
        if isinstance(concept, URIRef):
            index[concept] = [
                (concept, p, o) for p in _CONCEPT_PREDICATES for o in vocabulary.objects(concept, p)
            ]
            index[concept].append((concept, RDF.type, SKOS.Concept))
    return index


def _langs(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in graph.objects(node, predicate):
        if isinstance(value, RDFLiteral):
            out.setdefault(value.language or "", str(value))
    out.pop("", None)
    return out


def _shape_infos(shapes: Graph) -> dict[str, ShapeInfo]:
    infos: dict[str, ShapeInfo] = {}
    for shape, severity in shapes.subject_objects(SH.severity):
        if not isinstance(shape, URIRef):
            continue
        path = shapes.value(shape, SH.path)
        parent = shapes.value(None, SH.property, shape)
        order = shapes.value(shape, SH.order)
        group = shapes.value(shape, SH.group)
        sev = str(severity).rsplit("#", 1)[-1]
        if sev not in SEVERITY_ORDER:
            raise ShapesError(f"Sévérité inconnue sur {shape}.", f"Unknown severity on {shape}.")
        infos[str(shape)] = ShapeInfo(
            iri=str(shape),
            severity=sev,  # type: ignore[arg-type]
            kind="property" if path is not None else "rule",
            name=_langs(shapes, shape, SH.name),
            message=_langs(shapes, shape, SH.message),
            description=_langs(shapes, shape, SH.description),
            node_shape=str(parent) if parent is not None else (None if path else str(shape)),
            node_name=_langs(shapes, parent, SH.name) if parent is not None else {},
            path=_show_path(shapes, path) if path is not None else None,
            group=str(group) if group is not None else None,
            order=float(str(order)) if order is not None else None,
        )
    return infos


def _show(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _show_path(graph: Graph, path: Node) -> str:
    """A SHACL path as text: a one-step path is its IRI; longer ones use SPARQL property-path
    syntax with bracketed IRIs (``<a>/<b>``, ``<a>|<b>``, ``^<a>``)."""
    if isinstance(path, URIRef):
        return str(path)
    return _path_expression(graph, path)


def _path_expression(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, BNode):
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(_path_expression(graph, p) for p in Collection(graph, alternatives))
        if graph.value(path, RDF.first) is not None:
            return "/".join(_path_expression(graph, p) for p in Collection(graph, path))
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _path_expression(graph, inverse)
    return str(path)


def iter_shape_infos(validator: Validator) -> Iterable[ShapeInfo]:
    return validator.shapes_info.values()


# ---------------------------------------------------------------- shared with registry.shacl
# The compiled validator (registry/shacl/) builds the very same reports: these are its entry
# points into this module's logic (one definition of ordering, completeness and display).


def recommended_infos(shapes_info: dict[str, ShapeInfo]) -> list[ShapeInfo]:
    """The deployment's recommended (Warning-level) property shapes, in form order: the
    denominator of the completeness score."""
    return sorted(
        (
            info
            for info in shapes_info.values()
            if info.kind == "property"
            and info.severity == "Warning"
            and info.node_shape == str(DEPLOYMENT_SHAPE)
        ),
        key=lambda i: (i.order or 0, i.iri),
    )


def completeness_of(
    focus: Node, results: list[ValidationResult], recommended: list[ShapeInfo]
) -> Completeness:
    shown = _show(focus)
    failed = {r.shape for r in results if r.focus == shown and r.severity == "Warning"}
    missing = [
        {"shape": info.iri, "fr": _text(info.name, "fr"), "en": _text(info.name, "en")}
        for info in recommended
        if info.iri in failed
    ]
    total = len(recommended)
    satisfied = total - len(missing)
    return Completeness(
        focus=shown,
        score=satisfied / total if total else 1.0,
        satisfied=satisfied,
        total=total,
        missing=missing,
    )


def build_report(
    results: Iterable[ValidationResult],
    deployments: Iterable[Node],
    recommended: list[ShapeInfo],
) -> ValidationReport:
    """The report of one entry from its results (already restricted to its own subjects) and
    its deployments (completeness)."""
    report = ValidationReport(results=sorted(results, key=_result_order))
    for focus in sorted(deployments, key=str):
        report.completeness[str(focus)] = completeness_of(focus, report.results, recommended)
    return report


show_node = _show
show_path = _show_path
shape_infos = _shape_infos
concept_index = _concept_index
graph_triples = _triples
batches = _batches
load_vocabulary_graph = _load_vocabulary
