"""The project's vocabulary as Python objects: the ontology graph, concept lists, JSON-LD context.

Everything is read from ``ontology/`` on disk (never fetched): ``iat.ttl`` (minted terms),
``vocabularies/*.ttl`` (the concept schemes) and ``labels/*.ttl`` (French and English labels of the
reused DPV / EU concepts). ``alignments.ttl`` (mappings to AIRO, VAIR and other registers' models)
is left out by default: nothing in validation, forms or the API needs it, and it is published as
its own document; pass ``include_alignments=True`` to get it too.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from registry.errors import InputError
from registry.vocab import ONTOLOGY_DIR, VOCAB, VOCABULARIES_DIR

LABELS_DIR = ONTOLOGY_DIR / "labels"
ALIGNMENTS_FILE = ONTOLOGY_DIR / "alignments.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"

# The eleven concept schemes of ontology/MODEL.md (the one list of them in the code).
SCHEMES: tuple[str, ...] = (
    "statut",
    "classification-ai-act",
    "supervision",
    "famille-ia",
    "finalite",
    "domaine",
    "mode-acquisition",
    "type-document",
    "role",
    "confiance",
    "base-legale",
)


class UnknownSchemeError(InputError):
    code = "unknown-scheme"


def vocabulary_files(include_alignments: bool = False) -> list[Path]:
    """The Turtle files that make up the vocabulary, in a stable order."""
    files = [ONTOLOGY_DIR / "iat.ttl"]
    files += sorted(VOCABULARIES_DIR.glob("*.ttl"))
    files += sorted(LABELS_DIR.glob("*.ttl"))
    if include_alignments and ALIGNMENTS_FILE.exists():
        files.append(ALIGNMENTS_FILE)
    return files


@lru_cache(maxsize=2)
def _triples(include_alignments: bool) -> tuple[tuple[Any, Any, Any], ...]:
    graph = Graph()
    for path in vocabulary_files(include_alignments):
        graph.parse(path, format="turtle")
    return tuple(graph)


def load_vocabulary(include_alignments: bool = False) -> Graph:
    """A fresh graph of the vocabulary (parsed once per process; callers may modify their copy)."""
    graph = Graph()
    for triple in _triples(include_alignments):
        graph.add(triple)
    for prefix, namespace in _prefixes().items():
        graph.bind(prefix, namespace)
    return graph


def scheme_iri(scheme: str) -> URIRef:
    if scheme not in SCHEMES:
        raise UnknownSchemeError(
            f"Schéma de concepts inconnu : {scheme!r} (attendus : {', '.join(SCHEMES)}).",
            f"Unknown concept scheme: {scheme!r} (expected: {', '.join(SCHEMES)}).",
            scheme=scheme,
        )
    return URIRef(f"{VOCAB}{scheme}")


def concepts_of(scheme: str) -> list[URIRef]:
    """The concepts of a scheme: top concepts first, then narrower ones, each group by notation.

    Includes the reused DPV concepts that the scheme lists (``base-legale``)."""
    iri = scheme_iri(scheme)
    graph = _scheme_graph()
    members = {s for s in graph.subjects(SKOS.inScheme, iri) if isinstance(s, URIRef)}

    def order(concept: URIRef) -> tuple[int, str]:
        is_top = (concept, SKOS.topConceptOf, iri) in graph
        return (0 if is_top else 1, str(graph.value(concept, SKOS.notation) or concept))

    return sorted(members, key=order)


@lru_cache(maxsize=1)
def _scheme_graph() -> Graph:
    graph = Graph()
    for triple in _triples(False):
        graph.add(triple)
    return graph


@lru_cache(maxsize=1)
def _context_document() -> dict[str, Any]:
    with CONTEXT_FILE.open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def context() -> dict[str, Any]:
    """The JSON-LD 1.1 context of the API (the value of ``@context`` in ontology/context.jsonld).

    A deep copy: callers may embed or extend it. Use it as ``{"@context": context()}``."""
    inner: dict[str, Any] = _context_document()["@context"]
    return copy.deepcopy(inner)


def _prefixes() -> dict[str, str]:
    """Prefix → namespace pairs declared in the context (to bind on graphs for readable output)."""
    pairs: dict[str, str] = {}
    for key, value in _context_document()["@context"].items():
        if isinstance(value, str) and value.endswith(("#", "/")) and not key.startswith("@"):
            pairs[key] = value
    return pairs
