"""Concept schemes and concepts with their fr/en labels, read once from ``ontology/`` (never from
the network): what the pages need to label a coded value, link it to its concept page and fill
a drop-down."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from registry.ontology import SCHEMES, concepts_of, load_vocabulary
from registry.vocab import VOCAB


@dataclass(frozen=True)
class ConceptInfo:
    iri: str
    scheme: str
    notation: str
    label: dict[str, str]
    definition: dict[str, str] = field(default_factory=dict)
    broader: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemeInfo:
    name: str
    iri: str
    label: dict[str, str]
    definition: dict[str, str]
    concepts: tuple[str, ...]  # concept IRIs in display order


def _texts(graph: Graph, node: URIRef, *props: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for prop in props:
        for value in graph.objects(node, prop):
            if isinstance(value, Literal):
                out.setdefault(value.language or "fr", str(value))
    return out


@lru_cache(maxsize=1)
def catalogue() -> tuple[dict[str, SchemeInfo], dict[str, ConceptInfo]]:
    graph = load_vocabulary()
    schemes: dict[str, SchemeInfo] = {}
    concepts: dict[str, ConceptInfo] = {}
    for name in SCHEMES:
        scheme = URIRef(f"{VOCAB}{name}")
        members = concepts_of(name)
        schemes[name] = SchemeInfo(
            name=name,
            iri=str(scheme),
            label=_texts(graph, scheme, SKOS.prefLabel, DCTERMS.title, RDFS.label) or {"fr": name},
            definition=_texts(graph, scheme, SKOS.definition, DCTERMS.description),
            concepts=tuple(str(c) for c in members),
        )
        for concept in members:
            notation = graph.value(concept, SKOS.notation)
            concepts[str(concept)] = ConceptInfo(
                iri=str(concept),
                scheme=name,
                notation=str(notation) if notation else str(concept).rsplit("/", 1)[-1],
                label=_texts(graph, concept, SKOS.prefLabel) or {"fr": str(concept)},
                definition=_texts(graph, concept, SKOS.definition),
                broader=tuple(str(b) for b in graph.objects(concept, SKOS.broader)),
            )
    return schemes, concepts


def schemes() -> dict[str, SchemeInfo]:
    return catalogue()[0]


def concept(iri: str) -> ConceptInfo | None:
    return catalogue()[1].get(iri)


def concept_by_notation(scheme: str, notation: str) -> ConceptInfo | None:
    info = catalogue()[1].get(f"{VOCAB}{scheme}/{notation}")
    if info is not None:
        return info
    for iri in schemes().get(scheme, SchemeInfo(scheme, "", {}, {}, ())).concepts:
        candidate = catalogue()[1][iri]
        if candidate.notation == notation:
            return candidate
    return None


def label(scheme: str, notation: str, lang: str) -> str:
    """The label of ``scheme``/``notation`` in ``lang`` (else French, else the notation)."""
    info = concept_by_notation(scheme, notation)
    if info is None:
        return notation
    return info.label.get(lang) or info.label.get("fr") or notation
