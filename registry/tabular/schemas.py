"""Frictionless Table Schemas generated from the tables (:mod:`columns`) and the SHACL shapes.

What comes from the shapes: each field's title and description (``sh:name``, ``sh:description``,
French, English kept under ``ia_territoires:titles`` / ``ia_territoires:descriptions``),
``required`` (a Violation-level shape with a minimum count), the allowed values (the ``sh:in`` list
of the field's ``-in`` shape, as the concepts' notations) and the key pattern (``sh:pattern``).
What the tables add: the field names, the list separator, primary and foreign keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS

from registry.tabular.columns import (
    DATE_PATTERN,
    SEPARATOR,
    SIREN_PATTERN,
    TABLES,
    Column,
    Table,
)
from registry.tabular.concepts import vocabulary
from registry.vocab import SH, SHAPES_DIR

SHAPES_NS = "https://w3id.org/ia-territoires/shapes#"
NS = "ia_territoires:"
SHAPE_FILES = ("core.ttl", "recommended.ttl", "optional.ttl", "rules.ttl", "in-lists.ttl")
REF_PATTERNS = {
    "organisation": "^([0-9]{9}|[a-z0-9][a-z0-9-]{0,99})$",
    "systeme": "^[a-z0-9][a-z0-9-]{0,99}$",
    "deploiement": "^[a-z0-9][a-z0-9-]{0,99}$",
    "territoire": "^[a-z]+-[0-9A-Za-z]+$",
    "categorie-juridique": "^[0-9]{4}$",
}


@dataclass(frozen=True)
class ShapeFacts:
    iri: str
    severity: str
    min_count: int
    path: str | None
    name: dict[str, str]
    description: dict[str, str]
    pattern: str | None
    in_list: tuple[URIRef, ...]


@cache
def shapes_graph(shapes_dir: Path = SHAPES_DIR) -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(shapes_dir / name, format="turtle")
    return graph


def shape_facts(graph: Graph) -> dict[str, ShapeFacts]:
    """Facts about every shape with a severity, by local name."""
    facts: dict[str, ShapeFacts] = {}
    for shape, severity in graph.subject_objects(SH.severity):
        if not isinstance(shape, URIRef) or not str(shape).startswith(SHAPES_NS):
            continue
        counts = [graph.value(shape, SH.minCount), graph.value(shape, SH.qualifiedMinCount)]
        in_node = graph.value(shape, SH["in"])
        path = graph.value(shape, SH.path)
        pattern = graph.value(shape, SH.pattern)
        facts[str(shape)[len(SHAPES_NS) :]] = ShapeFacts(
            iri=str(shape),
            severity=str(severity).rsplit("#", 1)[-1],
            min_count=max((int(str(c)) for c in counts if c is not None), default=0),
            path=str(path) if isinstance(path, URIRef) else ("complex" if path else None),
            name=_langs(graph, shape, SH.name),
            description=_langs(graph, shape, SH.description),
            pattern=str(pattern) if pattern is not None else None,
            in_list=tuple(x for x in Collection(graph, in_node) if isinstance(x, URIRef))
            if isinstance(in_node, BNode)
            else (),
        )
    return facts


def _langs(graph: Graph, node: URIRef, predicate: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in graph.objects(node, predicate):
        lang = getattr(value, "language", None)
        if lang:
            out.setdefault(lang, str(value))
    return out


@cache
def facts() -> dict[str, ShapeFacts]:
    return shape_facts(shapes_graph())


# ---- one field --------------------------------------------------------------------------------
def is_required(table: Table, column: Column, all_facts: dict[str, ShapeFacts]) -> bool:
    """Required in every row: a key, or a Violation-level shape with a minimum count on the entry
    itself (a nested node, e.g. a contact point, is optional as a whole)."""
    if column.name in table.primary_key:
        return True
    if column.nested is not None:
        return False
    for name in column.shapes:
        f = all_facts.get(name)
        if f is not None and f.path is not None and f.severity == "Violation" and f.min_count:
            return True
    return False


def allowed_values(column: Column, all_facts: dict[str, ShapeFacts]) -> list[str]:
    """The notations of the ``sh:in`` list of the column's shapes (empty if none)."""
    vocab = vocabulary()
    for name in column.shapes:
        f = all_facts.get(name)
        if f is not None and f.in_list:
            return sorted(vocab.notation(iri) for iri in f.in_list)
    return []


def texts(
    column: Column, all_facts: dict[str, ShapeFacts]
) -> tuple[dict[str, str], dict[str, str]]:
    """(titles, descriptions) in fr and en: the column's own title when the shape's is too broad,
    else the first shape's sh:name; the description is the shape's, plus how to fill the cell."""
    first = next((all_facts[n] for n in column.shapes if n in all_facts), None)
    if column.title is not None:
        titles = {"fr": column.title[0], "en": column.title[1]}
    elif first is not None:
        titles = dict(first.name)
    else:
        titles = {"fr": column.name, "en": column.name}
    descriptions = dict(first.description) if first is not None else {"fr": "", "en": ""}
    if column.hint is not None:
        for i, lang in enumerate(("fr", "en")):
            descriptions[lang] = f"{descriptions.get(lang, '')} {column.hint[i]}".strip()
    if column.multi:
        for lang, hint in (
            ("fr", "Plusieurs valeurs séparées par « | »."),
            ("en", "Several values separated by ' | '."),
        ):
            descriptions[lang] = f"{descriptions.get(lang, '')} {hint}".strip()
    return titles, descriptions


def field_schema(
    table: Table, column: Column, lang: str = "fr", all_facts: dict[str, ShapeFacts] | None = None
) -> dict[str, Any]:
    all_facts = all_facts if all_facts is not None else facts()
    titles, descriptions = texts(column, all_facts)
    out: dict[str, Any] = {
        "name": column.name,
        "type": "string",
        "title": titles.get(lang) or titles.get("fr", column.name),
        "description": descriptions.get(lang) or descriptions.get("fr", ""),
    }
    constraints: dict[str, Any] = {}
    if is_required(table, column, all_facts):
        constraints["required"] = True
    if table.primary_key == (column.name,):
        constraints["unique"] = True
    values = allowed_values(column, all_facts)
    pattern = _pattern(column, all_facts)
    if column.kind == "bool":
        out["type"] = "boolean"
        out["trueValues"] = ["oui"]
        out["falseValues"] = ["non"]
    elif column.name == "date_mise_a_jour":
        out["type"] = "date"
    elif values and not column.multi:
        constraints["enum"] = values
    elif values:
        alternatives = "|".join(values)  # notations: [a-z0-9-] only
        constraints["pattern"] = f"^({alternatives})( \\| ({alternatives}))*$"
    if pattern and "pattern" not in constraints and column.kind != "bool":
        constraints["pattern"] = pattern
    if column.kind in ("url",) and not column.multi:
        out["format"] = "uri"
    if constraints:
        out["constraints"] = constraints
    out[f"{NS}titles"] = titles
    out[f"{NS}descriptions"] = descriptions
    out[f"{NS}shapes"] = [f"{SHAPES_NS}{n}" for n in column.shapes]
    if column.multi:
        out[f"{NS}separator"] = SEPARATOR
    if column.scheme:
        out[f"{NS}scheme"] = f"https://w3id.org/ia-territoires/vocab/{column.scheme}"
    if column.example:
        out[f"{NS}example"] = column.example
    return out


def _pattern(column: Column, all_facts: dict[str, ShapeFacts]) -> str | None:
    if column.multi:
        return None
    if column.kind == "key":
        shaped = [all_facts[n].pattern for n in column.shapes if n in all_facts]
        return next((p for p in shaped if p), "^[a-z0-9][a-z0-9-]{0,99}$")
    if column.kind == "siren":
        return SIREN_PATTERN
    if column.name == "date_debut":
        return DATE_PATTERN[:-1].replace("^", "^(", 1) + "|inconnue)$"
    if column.kind == "date" and column.name != "date_mise_a_jour":
        return DATE_PATTERN
    if column.kind == "email":
        return r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    if column.kind == "ref" and column.ref_kind in REF_PATTERNS:
        return REF_PATTERNS[column.ref_kind]
    return None


# ---- one table --------------------------------------------------------------------------------
def table_schema(table: Table | str, lang: str = "fr") -> dict[str, Any]:
    """The Frictionless Table Schema of one table."""
    t = TABLES[table] if isinstance(table, str) else table
    all_facts = facts()
    schema: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "title": t.title[0] if lang == "fr" else t.title[1],
        "description": t.description[0] if lang == "fr" else t.description[1],
        "fields": [field_schema(t, c, lang, all_facts) for c in t.columns],
        "primaryKey": list(t.primary_key),
        "missingValues": [""],
    }
    if t.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [fk.column], "reference": {"resource": fk.table, "fields": [fk.target]}}
            for fk in t.foreign_keys
        ]
    return schema


def concept_label(column: Column, notation: str, lang: str = "fr") -> str:
    vocab = vocabulary()
    if column.scheme is None:
        return notation
    for c in vocab.scheme(column.scheme):
        if c.notation == notation:
            return (c.label_en if lang == "en" else c.label_fr) or c.label_fr
    return notation


def scheme_concepts(column: Column) -> list[tuple[str, str, str]]:
    """(notation, French label, English label) of the allowed values, in scheme order."""
    if column.scheme is None:
        return []
    vocab = vocabulary()
    return [
        (c.notation, c.label_fr, c.label_en) for c in vocab.allowed(column.scheme, column.subset)
    ]


__all__ = ["SKOS", "field_schema", "is_required", "shape_facts", "table_schema"]
