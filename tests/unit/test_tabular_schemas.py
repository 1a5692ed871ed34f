"""The Table Schemas are generated from the SHACL shapes: this test fails when they drift apart
(a shape no column stands for, a column naming a missing shape, required flags or allowed values
that differ from the shapes)."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from registry.tabular.columns import COVERED_NODE_SHAPES, NOT_TABULAR, TABLES
from registry.tabular.concepts import vocabulary
from registry.tabular.schemas import SHAPES_NS, facts, shapes_graph, table_schema
from registry.vocab import SH


def _property_shapes(node_shape: str) -> set[str]:
    graph = shapes_graph()
    node = URIRef(SHAPES_NS + node_shape)
    return {str(p)[len(SHAPES_NS) :] for p in graph.objects(node, SH.property)}


def _rules() -> set[str]:
    graph = shapes_graph()
    return {
        str(s)[len(SHAPES_NS) :]
        for s in graph.subjects(RDF.type, SH.NodeShape)
        if str(s).startswith(SHAPES_NS + "rule-")
    }


@pytest.mark.parametrize("node_shape", sorted(COVERED_NODE_SHAPES))
def test_every_property_shape_has_a_column_or_a_reason(node_shape: str) -> None:
    table = TABLES[COVERED_NODE_SHAPES[node_shape]]
    claimed = {s for t in TABLES.values() for c in t.columns for s in c.shapes}
    missing = _property_shapes(node_shape) - claimed - set(table.uncovered)
    assert not missing, f"{node_shape}: no column for {sorted(missing)}"


def test_every_rule_maps_to_a_column() -> None:
    claimed = {s for c in TABLES["deploiements"].columns for s in c.shapes}
    assert _rules() - claimed == set()


def test_node_shapes_are_all_accounted_for() -> None:
    graph = shapes_graph()
    nodes = {
        str(s)[len(SHAPES_NS) :]
        for s in graph.subjects(RDF.type, SH.NodeShape)
        if str(s).startswith(SHAPES_NS) and not str(s).startswith(SHAPES_NS + "rule-")
    }
    assert nodes - set(COVERED_NODE_SHAPES) - set(NOT_TABULAR) == set()


def test_columns_name_existing_shapes() -> None:
    known = set(facts())
    for table in TABLES.values():
        for column in table.columns:
            assert set(column.shapes) <= known, (table.name, column.name)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_required_and_values_follow_the_shapes(name: str) -> None:
    table = TABLES[name]
    schema = table_schema(name)
    all_facts = facts()
    vocab = vocabulary()
    for field, column in zip(schema["fields"], table.columns, strict=True):
        assert field["name"] == column.name
        required = field.get("constraints", {}).get("required", False)
        presence = [
            all_facts[s]
            for s in column.shapes
            if s in all_facts
            and all_facts[s].path
            and all_facts[s].severity == "Violation"
            and all_facts[s].min_count
        ]
        expected = column.name in table.primary_key or (bool(presence) and column.nested is None)
        assert required == expected, column.name
        in_lists = [
            all_facts[s].in_list for s in column.shapes if s in all_facts and all_facts[s].in_list
        ]
        if in_lists and not column.multi and column.kind == "concept":
            assert sorted(field["constraints"]["enum"]) == sorted(
                vocab.notation(i) for i in in_lists[0]
            )
        if column.shapes and column.title is None:
            assert field["title"] == all_facts[column.shapes[0]].name["fr"]
            assert field["ia_territoires:titles"]["en"] == all_facts[column.shapes[0]].name["en"]


def test_keys_and_foreign_keys() -> None:
    dep = table_schema("deploiements")
    assert dep["primaryKey"] == ["identifiant"]
    targets = {fk["reference"]["resource"] for fk in dep["foreignKeys"]}
    assert targets == {"organisations", "systemes"}
    siren = next(f for f in table_schema("organisations")["fields"] if f["name"] == "siren")
    assert siren["constraints"]["pattern"] == "^[0-9]{9}$"


def test_schemas_are_valid_frictionless_descriptors() -> None:
    import frictionless

    for name in TABLES:
        schema = frictionless.Schema.from_descriptor(table_schema(name))
        assert schema.field_names == TABLES[name].names
