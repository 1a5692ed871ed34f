"""The context of an entry: what the validator must know about the nodes the entry points to.

An entry references shared nodes (its deployer, its AI system, a territory...) by IRI. The
shapes check their types (``sh:class``) and a rule reads the AI system's family, so the
validator receives their direct triples: gathered from the input files, from the store (one
CONSTRUCT) or from the reference data (``datasets/reference/``, loaded on first need).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.store.base import Store
from registry.vocab import DEFAULT_BASE, REFERENCE_DIR

REFERENCE_SUFFIXES = (".nt", ".nq", ".ttl", ".trig", ".nt.gz", ".nq.gz", ".ttl.gz", ".trig.gz")


def referenced_iris(data: Graph) -> set[URIRef]:
    """IRIs that ``data`` points to without describing them (shared nodes, concepts...)."""
    described = set(data.subjects())
    return {
        o for _s, p, o in data if isinstance(o, URIRef) and o not in described and p != RDF.type
    }


def context_from_graph(source: Graph, data: Graph) -> Graph:
    """The direct triples, in ``source``, of the nodes ``data`` references."""
    context = Graph()
    for iri in referenced_iris(data):
        for triple in source.triples((iri, None, None)):
            context.add(triple)
    return context


def context_from_store(store: Store, data: Graph, *, timeout_s: float | None = None) -> Graph:
    """The direct triples, in any graph of ``store``, of the nodes ``data`` references: one
    CONSTRUCT, so a write costs one round trip."""
    return context_for_iris(store, referenced_iris(data), timeout_s=timeout_s)


def context_for_iris(
    store: Store, iris: Iterable[URIRef], *, timeout_s: float | None = None
) -> Graph:
    values = " ".join(f"<{iri}>" for iri in sorted(iris, key=str) if _safe_iri(iri))
    if not values:
        return Graph()
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { " + values + " } "
        "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    )
    return store.construct(query, timeout_s=timeout_s)


def unresolved_instances(
    data: Graph,
    known: Graph,
    predicates: Iterable[URIRef],
    bases: Iterable[str] = (DEFAULT_BASE,),
) -> set[URIRef]:
    """Registry resources (``{base}id/...``) that ``data`` links to through ``predicates`` (those
    whose object types the shapes check) and ``known`` does not describe: the ones to look up
    in the reference data."""
    prefixes = tuple(f"{base}id/" for base in bases)
    wanted = set(predicates)
    return {
        o
        for _s, p, o in data
        if p in wanted
        and isinstance(o, URIRef)
        and str(o).startswith(prefixes)
        and (o, None, None) not in known
    }


class ReferenceData:
    """The reference data files, bulk-loaded on first use into an in-memory store (parsing
    ~700k triples with rdflib would take a minute; the store's loader takes seconds)."""

    def __init__(self, directory: Path = REFERENCE_DIR) -> None:
        self.directory = directory
        self._store: Store | None = None

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p
            for p in self.directory.iterdir()
            if p.is_file() and p.name.lower().endswith(REFERENCE_SUFFIXES)
        )

    @property
    def loaded(self) -> bool:
        return self._store is not None

    def store(self) -> Store:
        if self._store is None:
            from registry.store.embedded import EmbeddedStore

            store = EmbeddedStore(None)
            for path in self.files():
                store.bulk_load(path)
            self._store = store
        return self._store

    def context_for(self, iris: Iterable[URIRef]) -> Graph:
        wanted = set(iris)
        if not wanted or not self.files():
            return Graph()
        return context_for_iris(self.store(), wanted)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _safe_iri(iri: URIRef) -> bool:
    # IRIs parsed from RDF cannot contain these, but a Graph built in code could.
    return not any(c in str(iri) for c in '<>"{}|^`\\ \n')
