"""Row ↔ RDF graph of one entry, for every table, with the same column descriptions both ways:
:meth:`RowMapper.to_graph` (import) and :meth:`RowMapper.to_row` (export).

Intermediate nodes (period of service, contact point, impact assessments, quality annotation,
SIREN identifier) are blank nodes with labels derived from the entry key, so that the same row
always gives the same graph (the importer relies on it to validate once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, RDF, XSD
from rdflib.term import Node

from registry.layout import Layout
from registry.tabular import cells
from registry.tabular.cells import CellError
from registry.tabular.columns import (
    CV_PUBLIC_ORGANISATION,
    SOURCES,
    Column,
    Nested,
    Table,
)
from registry.tabular.concepts import Vocabulary, curie
from registry.vocab import AI, IAT, KEY_RE, TIME, entry_graph, fold

START_COLUMN = "date_debut"
# What to type for an explicit beginning of unknown date (the first is written on export).
UNKNOWN_START = ("inconnue", "inconnu", "unknown", "date inconnue")

ROW_TYPES: dict[str, tuple[URIRef, ...]] = {
    "deploiement": (IAT.Deployment,),
    "systeme": (AI.AISystem,),
    "organisation": (FOAF.Organization, ORG.Organization),
}


@dataclass(frozen=True)
class CellIssue:
    column: str
    value: str
    severity: str  # Violation, Warning, Info
    fr: str
    en: str
    suggestions: tuple[str, ...] = ()


@dataclass
class MappedRow:
    key: str | None
    graph: Graph
    issues: list[CellIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.key is not None and not any(i.severity == "Violation" for i in self.issues)


class TripleSource(Protocol):
    """What :meth:`RowMapper.to_row` reads: an rdflib ``Graph``, or the export's lighter index
    (building an rdflib graph cost the export most of its time)."""

    def objects(
        self, subject: Node | None = ..., predicate: Node | None = ..., unique: bool = ...
    ) -> Iterator[Node]: ...

    def __contains__(self, triple: object) -> bool: ...


class RowMapper:
    def __init__(self, layout: Layout, vocab: Vocabulary) -> None:
        self.layout = layout
        self.vocab = vocab

    # ---- import: row → graph ------------------------------------------------------------------
    def to_graph(
        self,
        table: Table,
        row: dict[str, str],
        sources: list[dict[str, str]] | None = None,
    ) -> MappedRow:
        assert table.kind is not None
        kind = table.kind
        issues: list[CellIssue] = []
        raw_key = row.get("identifiant", "").strip()
        if kind == "organisation" and not raw_key and row.get("siren", "").strip():
            raw_key = row["siren"].strip()
        if not KEY_RE.match(raw_key):
            issues.append(
                CellIssue(
                    "identifiant",
                    raw_key,
                    "Violation",
                    "identifiant obligatoire : minuscules, chiffres et tirets "
                    "(ex. fr-ville-callbot)"
                    if not raw_key
                    else f"identifiant « {raw_key} » invalide : minuscules, chiffres et tirets",
                    "identifier required: lower-case letters, digits and hyphens"
                    if not raw_key
                    else f"invalid identifier '{raw_key}': lower-case letters, digits and hyphens",
                )
            )
            return MappedRow(None, entry_graph(), issues)
        key = raw_key
        node = URIRef(self.layout.entry_iri(kind, key))
        graph = entry_graph()
        for t in ROW_TYPES[kind]:
            graph.add((node, RDF.type, t))
        nested_nodes: dict[str, BNode] = {}
        for column in table.columns:
            text = row.get(column.name, "")
            text = cells.unneutralise(text.strip()) if text else ""
            if column.kind == "key":
                if column.predicate is not None:
                    graph.add((node, column.predicate, Literal(key)))
                continue
            if not text:
                continue
            if column.name == "publique":
                try:
                    if cells.parse_bool(text):
                        graph.add((node, RDF.type, CV_PUBLIC_ORGANISATION))
                except CellError as exc:
                    issues.append(_issue(column, text, exc))
                continue
            values = cells.split_values(text) if column.multi else [text]
            if column.multi and len(values) != len(set(values)):
                values = list(dict.fromkeys(values))
            if (
                not column.multi
                and "|" in text.replace("\\|", "")
                and column.kind not in ("text", "string")
            ):
                issues.append(
                    CellIssue(
                        column.name,
                        text,
                        "Violation",
                        "une seule valeur attendue dans cette colonne",
                        "only one value expected in this column",
                    )
                )
                continue
            subject: Node = node
            if column.nested is not None:
                subject = self._nested(graph, node, key, column.nested, nested_nodes)
            if column.name == START_COLUMN and fold(text) in UNKNOWN_START:
                # An explicit beginning whose date is unknown (ontology/MODEL.md).
                instant = BNode(f"{subject}i")
                graph.add((subject, TIME.hasBeginning, instant))
                graph.add((instant, RDF.type, TIME.Instant))
                continue
            for value in values:
                try:
                    term = self.parse(column, value, issues)
                except CellError as exc:
                    issues.append(_issue(column, value, exc))
                    continue
                if term is None:
                    continue
                assert column.predicate is not None
                graph.add((subject, column.predicate, term))
                for t in column.value_types:
                    graph.add((term, RDF.type, t))
        if sources:
            self._add_sources(graph, node, sources, issues)
        return MappedRow(key, graph, issues)

    def _nested(
        self, graph: Graph, node: URIRef, key: str, nested: Nested, made: dict[str, BNode]
    ) -> BNode:
        if nested.name not in made:
            digest = hashlib.sha1(key.encode()).hexdigest()[:12]
            bnode = BNode(f"n{digest}{nested.name.replace('-', '')}")
            made[nested.name] = bnode
            graph.add((node, nested.predicate, bnode))
            for t in nested.types:
                graph.add((bnode, RDF.type, t))
            for p, o in nested.extra:
                graph.add((bnode, p, o))
        return made[nested.name]

    def parse(self, column: Column, value: str, issues: list[CellIssue]) -> Node | None:
        kind = column.kind
        if kind == "text":
            return Literal(value, lang="fr")
        if kind == "string":
            return Literal(value)
        if kind == "bool":
            return Literal(cells.parse_bool(value), datatype=XSD.boolean)
        if kind == "date":
            return cells.parse_date(value)
        if kind == "url":
            return cells.parse_url(value)
        if kind == "resource":
            if value.startswith(("http://", "https://")):
                return cells.parse_url(value)
            return Literal(value)
        if kind == "email":
            return cells.parse_email(value)
        if kind == "siren":
            return Literal(cells.parse_siren(value))
        if kind == "ref":
            return self._ref(column, value)
        if kind == "concept":
            assert column.scheme is not None
            resolved = self.vocab.resolve(column.scheme, column.subset, value)
            if resolved.iri is None:
                hint = ", ".join(resolved.suggestions)
                raise CellError(
                    f"valeur inconnue « {value} »"
                    + (f" ; valeurs proches : {hint}" if hint else " (voir la liste des valeurs)"),
                    f"unknown value '{value}'"
                    + (f"; closest valid values: {hint}" if hint else " (see the list of values)"),
                    resolved.suggestions,
                )
            return resolved.iri
        if kind == "curie":
            resolved = self.vocab.resolve_curie(column.curie_prefixes, value)
            if resolved.iri is None:
                hint = ", ".join(resolved.suggestions)
                prefixes = ", ".join(f"{p}:" for p in column.curie_prefixes)
                raise CellError(
                    f"concept inconnu « {value} » (attendu : {prefixes}…"
                    + (f" ; valeurs proches : {hint}" if hint else "")
                    + ")",
                    f"unknown concept '{value}' (expected: {prefixes}..."
                    + (f"; closest: {hint}" if hint else "")
                    + ")",
                    resolved.suggestions,
                )
            if resolved.unknown_but_allowed:
                issues.append(
                    CellIssue(
                        column.name,
                        value,
                        "Warning",
                        f"« {value} » est absent des libellés du vocabulaire : "
                        "vérifier l'orthographe",
                        f"'{value}' is not among the vocabulary's labels: check the spelling",
                    )
                )
            return resolved.iri
        raise AssertionError(kind)

    def _ref(self, column: Column, value: str) -> URIRef:
        ref_kind = column.ref_kind
        assert ref_kind is not None
        text = value.strip()
        prefix = f"{self.layout.base}id/{ref_kind}/"
        if text.startswith(prefix):
            text = text[len(prefix) :]
        if ref_kind == "organisation" and text.replace(" ", "").isdigit():
            text = cells.parse_siren(text)
        if ref_kind in ("territoire", "categorie-juridique"):
            if not text or any(c in text for c in ' /#?<>"') or not text.isascii():
                raise CellError(f"clé invalide « {value} »", f"invalid key '{value}'")
            return URIRef(prefix + text)
        if not KEY_RE.match(text):
            raise CellError(
                f"identifiant invalide « {value} » (minuscules, chiffres et tirets)",
                f"invalid identifier '{value}' (lower-case letters, digits and hyphens)",
            )
        return URIRef(prefix + text)

    def _add_sources(
        self, graph: Graph, node: URIRef, sources: list[dict[str, str]], issues: list[CellIssue]
    ) -> None:
        for source in sources:
            try:
                url = cells.parse_url(source.get("url", ""))
            except CellError as exc:
                issues.append(
                    CellIssue("sources.url", source.get("url", ""), "Violation", exc.fr, exc.en)
                )
                continue
            graph.add((node, SOURCES.column("deploiement").predicate, url))  # type: ignore[arg-type]
            graph.add((url, RDF.type, FOAF.Document))
            for column in SOURCES.columns[2:]:
                text = cells.unneutralise(source.get(column.name, "").strip())
                if not text:
                    continue
                try:
                    term = self.parse(column, text, issues)
                except CellError as exc:
                    issues.append(_issue(column, text, exc, prefix="sources."))
                    continue
                assert column.predicate is not None and term is not None
                graph.add((url, column.predicate, term))

    # ---- export: graph → row ------------------------------------------------------------------
    def to_row(self, table: Table, graph: TripleSource, node: URIRef) -> dict[str, str]:
        assert table.kind is not None
        row: dict[str, str] = {}
        key = self.key_of(table.kind, node, graph)
        for column in table.columns:
            if column.kind == "key":
                row[column.name] = key
                continue
            if column.name == "publique":
                row[column.name] = cells.format_bool(
                    (node, RDF.type, CV_PUBLIC_ORGANISATION) in graph
                )
                continue
            subject: Node | None = node
            if column.nested is not None:
                subject = find_nested(graph, node, column.nested)
            if subject is None or column.predicate is None:
                row[column.name] = ""
                continue
            formatted = [self.format(column, o) for o in graph.objects(subject, column.predicate)]
            values = sorted(v for v in formatted if v is not None)
            if (
                column.name == START_COLUMN
                and not values
                and next(iter(graph.objects(subject, TIME.hasBeginning)), None) is not None
            ):
                values = [UNKNOWN_START[0]]
            if column.multi:
                row[column.name] = cells.join_values(values)
            else:
                row[column.name] = values[0] if values else ""
        return row

    def source_rows(self, graph: TripleSource, node: URIRef, key: str) -> list[dict[str, str]]:
        rows = []
        predicate = SOURCES.column("deploiement").predicate
        for url in sorted(o for o in graph.objects(node, predicate) if isinstance(o, URIRef)):
            row = {"deploiement": key, "url": str(url)}
            for column in SOURCES.columns[2:]:
                assert column.predicate is not None
                values = sorted(
                    v
                    for v in (self.format(column, o) for o in graph.objects(url, column.predicate))
                    if v is not None
                )
                row[column.name] = values[0] if values else ""
            rows.append(row)
        return rows

    def key_of(self, kind: str, node: URIRef, graph: TripleSource) -> str:
        prefix = f"{self.layout.base}id/{kind}/"
        text = str(node)
        return text[len(prefix) :] if text.startswith(prefix) else text

    def format(self, column: Column, term: Node) -> str | None:
        kind = column.kind
        if kind == "text":
            if isinstance(term, Literal) and term.language in (None, "fr"):
                return str(term)
            return None
        if kind in ("string", "siren", "resource", "url"):
            return str(term)
        if kind == "bool":
            if isinstance(term, Literal) and isinstance(term.toPython(), bool):
                return cells.format_bool(bool(term.toPython()))
            return str(term)
        if kind == "date":
            return cells.format_date(term) if isinstance(term, Literal) else str(term)
        if kind == "email":
            return cells.format_email(str(term))
        if kind == "ref":
            prefix = f"{self.layout.base}id/{column.ref_kind}/"
            text = str(term)
            return text[len(prefix) :] if text.startswith(prefix) else text
        if kind == "concept":
            return self.vocab.notation(term) if isinstance(term, URIRef) else str(term)
        if kind == "curie":
            return curie(term) if isinstance(term, URIRef) else str(term)
        raise AssertionError(kind)


def find_nested(graph: TripleSource, node: URIRef, nested: Nested) -> Node | None:
    candidates = sorted(graph.objects(node, nested.predicate), key=str)
    for candidate in candidates:
        if nested.match is None or (candidate, RDF.type, nested.match) in graph:
            return candidate
    return None


def _issue(column: Column, value: str, exc: CellError, prefix: str = "") -> CellIssue:
    return CellIssue(f"{prefix}{column.name}", value, "Violation", exc.fr, exc.en, exc.suggestions)
