"""Cut a graph into register entries.

An entry is one ``iat:Deployment`` with what belongs to it alone: its concise bounded
description (blank nodes included), its catalogue record and the documents it cites or links to.
Shared nodes (AI system, organisations, public services) are validated on their own; an entry
only needs their types and labels: its context (:mod:`registry.ingest.context`).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF
from rdflib.term import Node

from registry.vocab import DPV, IAT

# Objects of these properties of a deployment belong to the entry when described in the input.
OWNED_LINKS = (DCTERMS.source, FOAF.page, DPV.hasImpactAssessment)


def cbd(graph: Graph, node: Node, into: Graph | None = None) -> Graph:
    """Concise bounded description: the node's triples, following blank-node objects."""
    out = into if into is not None else Graph()
    pending = [node]
    seen: set[Node] = set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for _s, p, o in graph.triples((subject, None, None)):
            out.add((subject, p, o))
            if isinstance(o, BNode):
                pending.append(o)
    return out


def split_entries(graph: Graph) -> dict[str, Graph]:
    """One graph per ``iat:Deployment`` of ``graph``, keyed by the deployment's IRI."""
    entries: dict[str, Graph] = {}
    for deployment in sorted(graph.subjects(RDF.type, IAT.Deployment), key=str):
        entry = Graph()
        for prefix, ns in graph.namespaces():
            entry.bind(prefix, ns, override=False)
        cbd(graph, deployment, entry)
        for record in graph.subjects(FOAF.primaryTopic, deployment):
            cbd(graph, record, entry)
        for link in OWNED_LINKS:
            for doc in graph.objects(deployment, link):
                if isinstance(doc, URIRef) and (doc, RDF.type, IAT.Deployment) not in graph:
                    cbd(graph, doc, entry)
        entries[str(deployment)] = entry
    return entries


def remainder(graph: Graph, entries: Iterable[Graph]) -> Graph:
    """The triples of ``graph`` about subjects that belong to no entry (shared nodes)."""
    taken: set[Node] = set()
    for entry in entries:
        taken.update(entry.subjects())
    rest = Graph()
    for prefix, ns in graph.namespaces():
        rest.bind(prefix, ns, override=False)
    for s, p, o in graph:
        if s not in taken:
            rest.add((s, p, o))
    return rest
