"""The history of entries: which versions exist, any version's content, and what changed between
two versions (triples added / removed, and per field with the shapes' ``sh:name`` labels).

Read-only: writing a version (including restoring an old one) is :mod:`registry.entries`.
Version metadata lives in ``{base}graph/registry`` (see :mod:`registry.layout`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Node

from registry.errors import NotFoundError
from registry.layout import HAS_CURRENT_VERSION, HAS_VERSION, Layout, comparable
from registry.store.base import Store
from registry.vocab import ADMS, PREFIXES, SH, SHAPES_DIR


@dataclass(frozen=True)
class VersionInfo:
    kind: str
    key: str
    number: int
    graph: str
    generated_at: datetime | None = None
    attributed_to: str | None = None
    token_id: str | None = None
    summary_fr: str = ""
    summary_en: str = ""
    status: str | None = None
    current: bool = False

    @property
    def etag(self) -> str:
        """The entity tag of this version (HTTP ``ETag`` / ``If-Match``): its number."""
        return str(self.number)

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.number,
            "graph": self.graph,
            "generatedAt": self.generated_at.isoformat() if self.generated_at else None,
            "attributedTo": self.attributed_to,
            "token": self.token_id,
            "summary": {"fr": self.summary_fr, "en": self.summary_en},
            "status": self.status,
            "current": self.current,
        }


def _iri(value: str) -> str:
    return f"<{value}>"


def current_version(store: Store, layout: Layout, kind: str, key: str) -> VersionInfo | None:
    """The current version of an entry, or None if it does not exist (or was purged)."""
    meta = layout.metadata_subject(kind, key)
    rows = store.select(
        f"SELECT ?v WHERE {{ GRAPH {_iri(layout.registry_graph)} "
        f"{{ {_iri(meta)} <{HAS_CURRENT_VERSION}> ?v }} }}"
    )
    numbers = []
    for row in rows:
        parsed = layout.parse_version_graph(str(row["v"]))
        if parsed is not None:
            numbers.append(parsed[2])
    if not numbers:
        return None
    n = max(numbers)
    return VersionInfo(kind, key, n, layout.version_graph(kind, key, n), current=True)


def current_versions(
    store: Store, layout: Layout, entries: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], VersionInfo]:
    """:func:`current_version` of many entries with one query (absent ones are left out)."""
    by_meta = {layout.metadata_subject(kind, key): (kind, key) for kind, key in entries}
    if not by_meta:
        return {}
    values = " ".join(_iri(m) for m in sorted(by_meta))
    rows = store.select(
        f"SELECT ?m ?v WHERE {{ GRAPH {_iri(layout.registry_graph)} "
        f"{{ VALUES ?m {{ {values} }} ?m <{HAS_CURRENT_VERSION}> ?v }} }}"
    )
    numbers: dict[tuple[str, str], int] = {}
    for row in rows:
        entry = by_meta.get(str(row["m"]))
        parsed = layout.parse_version_graph(str(row["v"]))
        if entry is not None and parsed is not None:
            numbers[entry] = max(numbers.get(entry, 0), parsed[2])
    return {
        (kind, key): VersionInfo(kind, key, n, layout.version_graph(kind, key, n), current=True)
        for (kind, key), n in numbers.items()
    }


def get_graphs(store: Store, names: Iterable[str]) -> dict[str, Graph]:
    """The content of many graphs with one query (an empty graph for a name without triples)."""
    wanted = sorted(set(names))
    out = {name: Graph(store="SimpleMemory", identifier=name) for name in wanted}
    if not wanted:
        return out
    values = " ".join(_iri(name) for name in wanted)
    for row in store.select(
        f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    ):
        out[str(row["g"])].add((row["s"], row["p"], row["o"]))
    return out


def list_versions(store: Store, layout: Layout, kind: str, key: str) -> list[VersionInfo]:
    """Every version of an entry, oldest first; NotFoundError if it has none."""
    meta = layout.metadata_subject(kind, key)
    rows = store.select(
        f"""SELECT ?v ?current ?time ?agent ?token ?descr ?status WHERE {{
          GRAPH {_iri(layout.registry_graph)} {{
            {_iri(meta)} <{HAS_VERSION}> ?v .
            OPTIONAL {{ {_iri(meta)} <{HAS_CURRENT_VERSION}> ?current FILTER(?current = ?v) }}
            OPTIONAL {{ ?v <{PROV.generatedAtTime}> ?time }}
            OPTIONAL {{ ?v <{PROV.wasAttributedTo}> ?agent }}
            OPTIONAL {{ ?v <{PROV.qualifiedAttribution}>/<{DCTERMS.identifier}> ?token }}
            OPTIONAL {{ ?v <{DCTERMS.description}> ?descr }}
            OPTIONAL {{ ?v <{ADMS.status}> ?status }}
          }} }}"""
    )
    by_number: dict[int, dict[str, object]] = {}
    for row in rows:
        parsed = layout.parse_version_graph(str(row["v"]))
        if parsed is None:
            continue
        n = parsed[2]
        info = by_number.setdefault(n, {"fr": "", "en": ""})
        if "current" in row:
            info["current"] = True
        for name in ("time", "agent", "token", "status"):
            if name in row:
                info[name] = row[name]
        descr = row.get("descr")
        if isinstance(descr, Literal):
            info["en" if descr.language == "en" else "fr"] = str(descr)
    if not by_number:
        raise _not_found(kind, key)
    out = []
    for n in sorted(by_number):
        info = by_number[n]
        time = info.get("time")
        out.append(
            VersionInfo(
                kind,
                key,
                n,
                layout.version_graph(kind, key, n),
                generated_at=_datetime(time),
                attributed_to=str(info["agent"]) if "agent" in info else None,
                token_id=str(info["token"]) if "token" in info else None,
                summary_fr=str(info["fr"]),
                summary_en=str(info["en"]),
                status=str(info["status"]) if "status" in info else None,
                current=bool(info.get("current")),
            )
        )
    return out


def get_version(store: Store, layout: Layout, kind: str, key: str, n: int) -> Graph:
    """The content of version ``n`` of an entry."""
    if n < 1:
        raise _not_found(kind, key, n)
    graph = store.get_graph(layout.version_graph(kind, key, n))
    if len(graph) == 0:
        raise _not_found(kind, key, n)
    return graph


def get_current(store: Store, layout: Layout, kind: str, key: str) -> tuple[VersionInfo, Graph]:
    current = current_version(store, layout, kind, key)
    if current is None:
        raise _not_found(kind, key)
    return current, store.get_graph(current.graph)


# ---- diff -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """What changed for one property: values removed and added (as N-Triples-like strings)."""

    path: str
    name_fr: str
    name_en: str
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": {"fr": self.name_fr, "en": self.name_en},
            "removed": self.removed,
            "added": self.added,
        }


@dataclass(frozen=True)
class Diff:
    old: int | None
    new: int
    removed: Graph
    added: Graph
    fields: list[FieldChange]

    @property
    def unchanged(self) -> bool:
        return len(self.removed) == 0 and len(self.added) == 0

    def to_dict(self) -> dict[str, object]:
        return {
            "from": self.old,
            "to": self.new,
            "removed": sorted(_nt(t) for t in self.removed),
            "added": sorted(_nt(t) for t in self.added),
            "fields": [f.to_dict() for f in self.fields],
        }


def diff_graphs(old: Graph, new: Graph, *, old_n: int | None = None, new_n: int = 0) -> Diff:
    """Triples removed and added (blank nodes compared by structure), grouped per property."""
    _, removed, added = graph_diff(to_isomorphic(old), to_isomorphic(new))
    changes: dict[str, FieldChange] = {}
    for graph, bucket in ((removed, "removed"), (added, "added")):
        for _s, p, o in graph:
            labels = field_labels().get(str(p))
            name_fr, name_en = labels if labels else (curie(str(p)), curie(str(p)))
            change = changes.setdefault(str(p), FieldChange(str(p), name_fr, name_en))
            getattr(change, bucket).append(_value(o))
    fields = sorted(changes.values(), key=lambda c: c.name_fr)
    for c in fields:
        c.removed.sort()
        c.added.sort()
    return Diff(old_n, new_n, removed, added, fields)


def diff_versions(store: Store, layout: Layout, kind: str, key: str, a: int, b: int) -> Diff:
    """What people changed between versions ``a`` and ``b`` (the catalogue record's
    ``dct:modified`` and revision link, rewritten at every write, are left out)."""
    return diff_graphs(
        comparable(get_version(store, layout, kind, key, a), layout, kind, key),
        comparable(get_version(store, layout, kind, key, b), layout, kind, key),
        old_n=a,
        new_n=b,
    )


def summarise(diff: Diff) -> tuple[str, str]:
    """A one-line change summary (fr, en): the fields that changed."""
    if diff.old is None:
        return "Création de la fiche.", "Entry created."
    return _summary(diff.fields)


def summarise_change(old: Graph | None, new: Graph) -> tuple[str, str]:
    """The same summary as :func:`summarise`, computed without canonicalising blank nodes (the
    write path's budget is a few milliseconds): a property changed when its values differ,
    blank nodes counted as anonymous values."""
    if old is None:
        return "Création de la fiche.", "Entry created."

    def signature(graph: Graph) -> dict[str, Counter[tuple[str, str]]]:
        out: dict[str, Counter[tuple[str, str]]] = {}
        for s, p, o in graph:
            key = ("_" if isinstance(s, BNode) else str(s), "_" if isinstance(o, BNode) else o.n3())
            out.setdefault(str(p), Counter())[key] += 1
        return out

    a, b = signature(old), signature(new)
    changed = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
    fields = []
    for p in changed:
        labels = field_labels().get(p)
        name_fr, name_en = labels if labels else (curie(p), curie(p))
        fields.append(FieldChange(p, name_fr, name_en))
    return _summary(sorted(fields, key=lambda f: f.name_fr))


def _summary(fields: list[FieldChange]) -> tuple[str, str]:
    if not fields:
        return "Aucun changement.", "No change."
    fr = ", ".join(dict.fromkeys(f.name_fr for f in fields))
    en = ", ".join(dict.fromkeys(f.name_en for f in fields))
    return f"Champs modifiés : {fr}.", f"Changed fields: {en}."


def same_content(a: Graph, b: Graph) -> bool:
    """Graph isomorphism, with the cheap answers first (canonicalising blank nodes is slow)."""
    if len(a) != len(b):
        return False
    ground_a = {t for t in a if not any(isinstance(x, BNode) for x in t)}
    ground_b = {t for t in b if not any(isinstance(x, BNode) for x in t)}
    if ground_a != ground_b:
        return False
    if len(ground_a) == len(a):
        return True
    tree_a, tree_b = _tree_form(a), _tree_form(b)
    if tree_a is not None and tree_b is not None:
        return tree_a == tree_b
    return isomorphic(a, b)


def _tree_form(graph: Graph) -> Counter[tuple[str, ...]] | None:
    """The triples with each blank node replaced by a digest of what it says (its outgoing
    triples, recursively): the same multiset for two graphs exactly when they are isomorphic,
    as long as blank nodes do not form a cycle (entries' blank nodes hang from the entry like a
    tree: a period, a contact point...). None when they do: rdflib's general algorithm then."""
    out: dict[BNode, list[tuple[Node, Node]]] = {}
    for s, p, o in graph:
        if isinstance(s, BNode):
            out.setdefault(s, []).append((p, o))
    digests: dict[BNode, str] = {}
    visiting: set[BNode] = set()

    def digest(node: BNode) -> str | None:
        known = digests.get(node)
        if known is not None:
            return known
        if node in visiting:
            return None  # a cycle
        visiting.add(node)
        parts = []
        for p, o in out.get(node, ()):
            value = digest(o) if isinstance(o, BNode) else o.n3()
            if value is None:
                return None
            parts.append(f"{p.n3()} {value}")
        visiting.discard(node)
        text = "_:" + hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
        digests[node] = text
        return text

    form: Counter[tuple[str, ...]] = Counter()
    for t in graph:
        if not any(isinstance(x, BNode) for x in t):
            continue
        terms = []
        for x in t:
            value = digest(x) if isinstance(x, BNode) else x.n3()
            if value is None:
                return None
            terms.append(value)
        form[tuple(terms)] += 1
    return form


@lru_cache(maxsize=1)
def field_labels(shapes_dir: Path = SHAPES_DIR) -> dict[str, tuple[str, str]]:
    """``sh:path`` IRI → (sh:name@fr, sh:name@en) from the shapes (first seen wins)."""
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        try:
            graph.parse(path, format="turtle")
        except Exception:  # a broken shapes file is the validator's to report, not history's
            continue
    labels: dict[str, tuple[str, str]] = {}
    for shape, sh_path in graph.subject_objects(SH.path):
        if not isinstance(sh_path, URIRef) or str(sh_path) in labels:
            continue
        names = {
            n.language: str(n) for n in graph.objects(shape, SH.name) if isinstance(n, Literal)
        }
        if names:
            fr = names.get("fr") or next(iter(names.values()))
            labels[str(sh_path)] = (fr, names.get("en") or fr)
    labels.setdefault(str(RDF.type), ("type", "type"))
    return labels


def curie(iri: str) -> str:
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and (best is None or len(str(ns)) > len(str(PREFIXES[best]))):
            best = prefix
    return f"{best}:{iri[len(str(PREFIXES[best])) :]}" if best else iri


def _value(term: Node) -> str:
    if isinstance(term, BNode):
        return "[…]"
    if isinstance(term, Literal):
        return f"{term}@{term.language}" if term.language else str(term)
    return str(term)


def _nt(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(t.n3() for t in triple) + " ."


def _datetime(value: object) -> datetime | None:
    parsed = value.toPython() if isinstance(value, Literal) else None
    return parsed if isinstance(parsed, datetime) else None


def _not_found(kind: str, key: str, n: int | None = None) -> NotFoundError:
    what_fr = f"{kind}/{key}" + (f", version {n}" if n is not None else "")
    what_en = f"{kind}/{key}" + (f", version {n}" if n is not None else "")
    return NotFoundError(
        f"Fiche introuvable : {what_fr}.", f"Entry not found: {what_en}.", kind=kind, key=key
    )
