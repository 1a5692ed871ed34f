"""Where things live in the quad store: the graph layout (documented in README.md,
section "Organisation des graphes / Graph layout").

- Each entry (a deployment, an AI system, an organisation, a public service) has one immutable
  named graph per version: ``{base}graph/version/{kind}/{key}/{n}``, n = 1, 2, ...
- The default graph is the public view: the latest version of every entry that is not purged,
  plus the vocabulary and the reference data (which also have their own named graphs) and the
  public version metadata. Researchers query it without FROM / GRAPH.
- ``{base}graph/registry`` holds the version metadata of every version (history) and the
  purge records.

This module only names things; it reads and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF
from rdflib.term import Node

from registry.vocab import AI, CPSV, IAT, KEY_RE, entry_graph

# DCAT 3 (rdflib's DCAT namespace object predates dcat:hasVersion and warns on it).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HAS_VERSION: Final = URIRef(DCAT + "hasVersion")
HAS_CURRENT_VERSION: Final = URIRef(DCAT + "hasCurrentVersion")
DCAT_VERSION: Final = URIRef(DCAT + "version")
CATALOG_RECORD: Final = URIRef(DCAT + "CatalogRecord")
# Triples the registry writes on a deployment's catalogue record at every write: ignored when
# comparing versions (an unchanged entry makes no new version; diffs show what people changed).
MANAGED_ON_RECORD: Final = (DCTERMS.modified, PROV.wasRevisionOf)

KINDS: Final = ("deploiement", "systeme", "organisation", "service")
RECORD_KIND: Final = "fiche"

# The classes that make a node an entry of each kind (any one is enough).
KIND_CLASSES: Final[dict[str, tuple[URIRef, ...]]] = {
    "deploiement": (IAT.Deployment,),
    "systeme": (AI.AISystem,),
    "organisation": (FOAF.Organization, ORG.Organization),
    "service": (CPSV.PublicService,),
}
ENTRY_CLASSES: Final = frozenset(c for classes in KIND_CLASSES.values() for c in classes) | {
    CATALOG_RECORD
}


@dataclass(frozen=True)
class Layout:
    """The IRIs of one installation (its base IRI is configurable)."""

    base: str

    # ---- fixed graphs -------------------------------------------------------------------
    @property
    def vocabulary_graph(self) -> str:
        return f"{self.base}graph/vocabulary"

    @property
    def reference_graph(self) -> str:
        return f"{self.base}graph/reference"

    @property
    def registry_graph(self) -> str:
        return f"{self.base}graph/registry"

    @property
    def version_prefix(self) -> str:
        return f"{self.base}graph/version/"

    @property
    def registry_agent(self) -> str:
        """The registry itself, to which administrators' writes are attributed."""
        return f"{self.base}id/organisation/ia-territoires"

    # ---- entries --------------------------------------------------------------------------
    def entry_iri(self, kind: str, key: str) -> str:
        check_kind(kind)
        check_key(key)
        return f"{self.base}id/{kind}/{key}"

    def record_iri(self, key: str) -> str:
        """The catalogue record (fiche) of a deployment."""
        check_key(key)
        return f"{self.base}id/{RECORD_KIND}/{key}"

    def metadata_subject(self, kind: str, key: str) -> str:
        """The node that carries ``dcat:hasVersion`` / ``dcat:hasCurrentVersion``: the
        catalogue record for a deployment, the node itself for the other kinds (they have no
        catalogue record in the model)."""
        return self.record_iri(key) if kind == "deploiement" else self.entry_iri(kind, key)

    def organisation_iri(self, siren_or_slug: str) -> str:
        return self.entry_iri("organisation", siren_or_slug)

    def version_graph(self, kind: str, key: str, n: int) -> str:
        if n < 1:
            raise ValueError(f"version numbers start at 1, got {n}")
        return f"{self.entry_version_prefix(kind, key)}{n}"

    def entry_version_prefix(self, kind: str, key: str) -> str:
        check_kind(kind)
        check_key(key)
        return f"{self.version_prefix}{kind}/{key}/"

    # ---- parsing IRIs back ------------------------------------------------------------------
    def parse_entry_iri(self, iri: str) -> tuple[str, str] | None:
        """(kind, key) of an entry IRI under this base, the catalogue record of a deployment
        counting as the deployment; None for any other IRI."""
        prefix = f"{self.base}id/"
        if not iri.startswith(prefix):
            return None
        parts = iri[len(prefix) :].split("/")
        if len(parts) != 2 or not KEY_RE.match(parts[1]):
            return None
        kind, key = parts
        if kind == RECORD_KIND:
            return ("deploiement", key)
        return (kind, key) if kind in KINDS else None

    def parse_version_graph(self, iri: str) -> tuple[str, str, int] | None:
        if not iri.startswith(self.version_prefix):
            return None
        m = _VERSION_RE.match(iri[len(self.version_prefix) :])
        if m is None or m["kind"] not in KINDS:
            return None
        return m["kind"], m["key"], int(m["n"])

    def is_under_base(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def is_instance_iri(self, iri: str) -> bool:
        return iri.startswith(f"{self.base}id/")


_VERSION_RE = re.compile(r"^(?P<kind>[a-z]+)/(?P<key>[a-z0-9][a-z0-9-]{0,99})/(?P<n>[1-9][0-9]*)$")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown entry kind {kind!r} (expected one of {', '.join(KINDS)})")
    return kind


def check_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise ValueError(f"invalid key {key!r}")
    return key


def kind_of_types(types: set[URIRef]) -> str | None:
    """The entry kind that a set of rdf:type values designates, if any."""
    for kind, classes in KIND_CLASSES.items():
        if types.intersection(classes):
            return kind
    return None


# ---- what a version graph holds ------------------------------------------------------------
def entry_roots(layout: Layout, kind: str, key: str) -> list[URIRef]:
    """The nodes an entry is made of: the node itself, and for a deployment its catalogue
    record."""
    roots = [URIRef(layout.entry_iri(kind, key))]
    if kind == "deploiement":
        roots.append(URIRef(layout.record_iri(key)))
    return roots


def closure(graph: Graph, roots: Iterable[URIRef], layout: Layout) -> Graph:
    """The triples of an entry: its roots, then, transitively, the blank nodes and the external
    resources (source documents, pages, contacts...) they describe. Other registry resources
    (another entry, a concept, a territory) are linked to, never included: each has its own
    life."""
    out = entry_graph()
    seen: set[Node] = set()
    todo: list[Node] = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in graph.triples((node, None, None)):
            out.add((s, p, o))
            if isinstance(o, BNode) or (isinstance(o, URIRef) and not layout.is_under_base(str(o))):
                todo.append(o)
    return out


def split_entries(graph: Graph, layout: Layout) -> tuple[dict[tuple[str, str], Graph], Graph]:
    """Split a graph holding many entries (a curated file, a folder) into one graph per entry.

    Returns ``{(kind, key): graph}`` and the leftover triples that belong to no entry. A shared
    external resource (a source cited by two deployments) goes into both entries."""
    keys: set[tuple[str, str]] = set()
    for s in set(graph.subjects()):
        if not isinstance(s, URIRef):
            continue
        parsed = layout.parse_entry_iri(str(s))
        if parsed is None:
            continue
        if parsed[0] == "deploiement" or kind_of_types(set(graph.objects(s, RDF.type))):  # type: ignore[arg-type]
            keys.add(parsed)
    entries: dict[tuple[str, str], Graph] = {}
    used: set[tuple[Node, Node, Node]] = set()
    for kind, key in sorted(keys):
        g = closure(graph, entry_roots(layout, kind, key), layout)
        entries[(kind, key)] = g
        used.update(g)
    leftover = Graph()
    for t in graph:
        if t not in used:
            leftover.add(t)
    return entries, leftover


def comparable(graph: Graph, layout: Layout, kind: str, key: str) -> Graph:
    """An entry's content without what the registry rewrites on every write."""
    out = entry_graph()
    record = URIRef(layout.record_iri(key)) if kind == "deploiement" else None
    for s, p, o in graph:
        if record is not None and s == record and p in MANAGED_ON_RECORD:
            continue
        out.add((s, p, o))
    return out
