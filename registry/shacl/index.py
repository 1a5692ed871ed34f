"""One entry's triples (entry, context, concepts) indexed for the compiled checks.

Mirrors ``Validator._prepare``: the data graph of an entry is its triples, its context's, and
the vocabulary triples of every concept some triple points at (one level, as pySHACL sees them).
Nodes are keyed by plain strings (an IRI, ``_:`` + a blank node id): rdflib terms hash and
compare in Python code (~0.5 µs a lookup), plain strings in C.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from registry.validate import graph_triples
from registry.vocab import IAT

Triple = tuple[Node, Node, Node]
# subject key -> predicate IRI -> objects (no duplicates: a graph is a set)
Out = dict[str, dict[str, list[Node]]]
# The triples the SPARQL rules can match: predicate -> keys of the objects they can match
# (None: any object); None for the whole: every triple.
Selection = Mapping[str, frozenset[str] | None] | None

RDF_TYPE = str(RDF.type)
SUBCLASS_OF = str(RDFS.subClassOf)
_DEPLOYMENT = str(IAT.Deployment)
_EMPTY: dict[str, list[Node]] = {}
_NOT_SELECTED: frozenset[str] = frozenset()  # a predicate no rule matches: no object selected
_NO_VALUES: list[Node] = []


def node_key(node: Node) -> str | None:
    """The index key of a node that can be a subject; ``None`` for a literal."""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return "_:" + node
    return None


def triples_of(source: Graph | Iterable[Triple]) -> Iterable[Triple]:
    """An rdflib Graph (a Dataset: the union of its graphs) or any iterable of triples."""
    if isinstance(source, Graph):
        return graph_triples(source)
    return source


@dataclass(frozen=True)
class Concepts:
    """The vocabulary triples of each concept, indexed once per validator."""

    out: Mapping[str, dict[str, list[Node]]]  # concept IRI -> its predicate -> objects
    triples: Mapping[str, list[Triple]]  # concept IRI -> its triples
    selected: Mapping[str, list[Triple]]  # concept IRI -> its triples the SPARQL rules can see

    @classmethod
    def build(cls, index: Mapping[URIRef, list[Triple]], selection: Selection) -> Concepts:
        out: dict[str, dict[str, list[Node]]] = {}
        triples: dict[str, list[Triple]] = {}
        for concept, concept_triples in index.items():
            key = str(concept)
            described: dict[str, list[Node]] = {}
            kept: list[Triple] = []
            for triple in concept_triples:
                values = described.setdefault(str(triple[1]), [])
                if triple[2] not in values:  # a graph would hold it once
                    values.append(triple[2])
                    kept.append(triple)
            out[key] = described
            triples[key] = kept
        selected = {
            key: [t for t in kept if selects(selection, t)] for key, kept in triples.items()
        }
        return cls(out, triples, selected)


@dataclass
class EntryIndex:
    """What the checks of one entry look at."""

    out: Out
    own: dict[str, Node]  # subjects of the entry itself (results are about them only)
    deployments: list[Node]  # own subjects typed iat:Deployment in the entry (completeness)
    has_subclass: bool  # some rdfs:subClassOf triple: class checks follow it
    objects_of: dict[str, set[str]]  # predicate -> keys of its objects (sh:targetObjectsOf)
    inverse: Out | None  # object key -> predicate -> subjects, when a path needs it
    selected: list[Triple] = field(default_factory=list)  # triples the SPARQL rules can see

    def objects(self, node: Node, predicate: str) -> list[Node]:
        key = node_key(node)
        if key is None:
            return _NO_VALUES
        return self.out.get(key, _EMPTY).get(predicate, _NO_VALUES)

    def subjects(self, node: Node, predicate: str) -> list[Node]:
        assert self.inverse is not None, "inverse paths need an inverse index"
        key = node_key(node) or _literal_key(node)
        return self.inverse.get(key, _EMPTY).get(predicate, _NO_VALUES)

    def classes(self, type_node: Node) -> Iterator[str]:
        """Keys of ``type_node`` and of its superclasses (rdfs:subClassOf*, in the data)."""
        key = node_key(type_node)
        if key is None:
            return
        yield key
        if not self.has_subclass:
            return
        seen = {key}
        todo = [key]
        while todo:
            for parent in self.out.get(todo.pop(), _EMPTY).get(SUBCLASS_OF, _NO_VALUES):
                parent_key = node_key(parent)
                if parent_key is not None and parent_key not in seen:
                    seen.add(parent_key)
                    todo.append(parent_key)
                    yield parent_key


def _literal_key(node: Node) -> str:
    # Literals are only ever objects: the inverse index keys them by their N-Triples form.
    return node.n3()


def build_index(
    data: Graph | Iterable[Triple],
    context: Graph | Iterable[Triple] | None,
    concepts: Concepts,
    *,
    target_objects_of: frozenset[str],
    selection: Selection,
    with_inverse: bool,
) -> EntryIndex:
    """Index ``data`` + ``context`` + the concepts they point at.

    ``selection``: the triples the SPARQL rules can match; kept in :attr:`EntryIndex.selected`
    for the rules' scratch store."""
    out: Out = {}
    own: dict[str, Node] = {}
    deployments: list[Node] = []
    objects_of: dict[str, set[str]] = {p: set() for p in target_objects_of}
    referenced: dict[str, None] = {}
    selected: list[Triple] = []
    has_subclass = False
    concept_out = concepts.out
    uri, bnode = URIRef, BNode
    for is_data, source in ((True, data), (False, context)):
        if source is None:
            continue
        for triple in triples_of(source):
            s, p, o = triple
            s_type = type(s)
            if s_type is uri or (s_type is not bnode and isinstance(s, URIRef)):
                s_key = str(s)
            elif isinstance(s, BNode):
                s_key = "_:" + s
            else:
                continue  # not a valid triple; rdflib would have refused it
            p_key = str(p)
            by_predicate = out.get(s_key)
            if by_predicate is None:
                by_predicate = out[s_key] = {}
            if is_data and s_key not in own:
                own[s_key] = s
            values = by_predicate.get(p_key)
            if values is None:
                by_predicate[p_key] = [o]
            elif o in values:
                continue  # a duplicate: a graph holds a triple once
            else:
                values.append(o)
            o_type = type(o)
            if o_type is uri or (
                o_type is not Literal and o_type is not bnode and isinstance(o, URIRef)
            ):
                iri = str(o)
                o_key: str | None = iri
                if iri in concept_out:
                    referenced[iri] = None
                if is_data and p_key == RDF_TYPE and iri == _DEPLOYMENT:
                    deployments.append(s)
            elif o_type is bnode or isinstance(o, BNode):
                o_key = "_:" + str(o)
            else:
                o_key = None
            if o_key is not None and p_key in objects_of:
                objects_of[p_key].add(o_key)
            if p_key == SUBCLASS_OF:
                has_subclass = True
            if selection is None:
                selected.append(triple)
            else:
                allowed = selection.get(p_key, _NOT_SELECTED)
                if allowed is None or o_key in allowed:
                    selected.append(triple)
    for concept in referenced:
        _add_concept(out, concept, concepts, selected, selection)
        if SUBCLASS_OF in concept_out[concept]:
            has_subclass = True
    inverse = _inverse(out) if with_inverse else None
    return EntryIndex(out, own, deployments, has_subclass, objects_of, inverse, selected)


def selects(selection: Selection, triple: Triple) -> bool:
    """Whether a SPARQL rule can match ``triple``."""
    if selection is None:
        return True
    allowed = selection.get(str(triple[1]), _NOT_SELECTED)
    return allowed is None or node_key(triple[2]) in allowed


def _add_concept(
    out: Out,
    concept: str,
    concepts: Concepts,
    selected: list[Triple],
    selection: Selection,
) -> None:
    mine = out.get(concept)
    if mine is None:
        out[concept] = concepts.out[
            concept
        ]  # shared, never mutated: the entry does not describe it
        selected.extend(concepts.selected[concept])
        return
    for triple in concepts.triples[concept]:
        p_key = str(triple[1])
        values = mine.setdefault(p_key, [])
        if triple[2] not in values:
            values.append(triple[2])
            if selects(selection, triple):
                selected.append(triple)


def _inverse(out: Out) -> Out:
    inverse: Out = {}
    for by_predicate in out.values():
        for p_key, values in by_predicate.items():
            for o in values:
                key = node_key(o)
                if key is None:
                    key = _literal_key(o)
                inverse.setdefault(key, {}).setdefault(p_key, [])
    for s_key, by_predicate in out.items():
        subject: Node = BNode(s_key[2:]) if s_key.startswith("_:") else URIRef(s_key)
        for p_key, values in by_predicate.items():
            for o in values:
                key = node_key(o)
                if key is None:
                    key = _literal_key(o)
                inverse[key][p_key].append(subject)
    return inverse
