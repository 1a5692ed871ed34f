"""The shapes themselves: they parse, every shape is documented in French and English, each
file holds one severity, the generated code lists match the concept schemes."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from registry import shapes_gen
from registry.ontology import concepts_of, load_vocabulary
from registry.validate import SHAPE_FILES, default_validator
from registry.vocab import SH, SHAPES_DIR, VOCAB

SHAPES_NS = "https://w3id.org/ia-territoires/shapes#"
FILE_SEVERITY = {
    "core.ttl": SH.Violation,
    "recommended.ttl": SH.Warning,
    "optional.ttl": SH.Info,
    "in-lists.ttl": SH.Violation,
}
# The rules and their severities, as the contract (ontology/MODEL.md, issue 2) states them.
RULE_SEVERITY = {
    "rule-personal-data-legal-basis": SH.Violation,
    "rule-legal-basis-undocumented": SH.Warning,
    "rule-personal-data-dpia": SH.Warning,
    "rule-high-risk-annex-point": SH.Warning,
    "rule-high-risk-fria": SH.Warning,
    "rule-generative-minimal-risk": SH.Warning,
    "rule-in-service-start": SH.Violation,
    "rule-in-service-unknown-start": SH.Warning,
    "rule-end-before-start": SH.Violation,
}
NODE_SHAPES = {
    "DeploymentShape",
    "AISystemShape",
    "OrganisationShape",
    "PublicOrganisationShape",
    "PublicServiceShape",
    "ContactPointShape",
    "ImpactAssessmentShape",
    "CatalogRecordShape",
    "SourceDocumentShape",
}


def _parse(name: str) -> Graph:
    return Graph().parse(SHAPES_DIR / name, format="turtle")


def _langs(graph: Graph, node: URIRef, predicate: URIRef) -> set[str]:
    return {
        o.language
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal) and o.language and str(o).strip()
    }


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_shape_file_parses(name: str) -> None:
    assert len(_parse(name)) > 0


@pytest.mark.parametrize("name", sorted(FILE_SEVERITY))
def test_each_file_holds_one_severity(name: str) -> None:
    graph = _parse(name)
    severities = {(s, o) for s, o in graph.subject_objects(SH.severity)}
    assert severities, name
    for shape, severity in severities:
        assert severity == FILE_SEVERITY[name], f"{name}: {shape} is {severity}"
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        assert (shape, SH.severity, None) in graph, f"{name}: {shape} has no severity"


def test_rules_have_their_contract_severity() -> None:
    graph = _parse("rules.ttl")
    rules = {str(s).removeprefix(SHAPES_NS): o for s, o in graph.subject_objects(SH.severity)}
    assert rules == {k: v for k, v in RULE_SEVERITY.items()}


def test_each_rule_is_its_own_node_shape_with_one_sparql_constraint() -> None:
    # pySHACL ignores severity and message language on the sh:sparql node itself.
    graph = _parse("rules.ttl")
    for name in RULE_SEVERITY:
        shape = URIRef(SHAPES_NS + name)
        assert (shape, RDF.type, SH.NodeShape) in graph
        constraints = list(graph.objects(shape, SH.sparql))
        assert len(constraints) == 1, name
        assert (constraints[0], SH.severity, None) not in graph
        assert (constraints[0], SH.message, None) not in graph
        assert _langs(graph, shape, SH.message) == {"fr", "en"}, name


def test_node_shapes_exist_with_targets() -> None:
    shapes = default_validator().shapes
    for name in NODE_SHAPES:
        node = URIRef(SHAPES_NS + name)
        assert (node, RDF.type, SH.NodeShape) in shapes, name
        targets = [
            p
            for p in (SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf)
            if (node, p, None) in shapes
        ]
        assert targets, f"{name} has no target"
        assert _langs(shapes, node, SH.name) == {"fr", "en"}, name


def _property_shapes() -> list[URIRef]:
    shapes = default_validator().shapes
    return sorted((s for s in shapes.objects(None, SH.property) if isinstance(s, URIRef)), key=str)


@pytest.mark.parametrize("shape", _property_shapes(), ids=lambda s: s.removeprefix(SHAPES_NS))
def test_property_shape_is_documented(shape: URIRef) -> None:
    shapes = default_validator().shapes
    for predicate in (SH.name, SH.description, SH.message):
        assert _langs(shapes, shape, predicate) == {"fr", "en"}, f"{shape} {predicate}"
    group = shapes.value(shape, SH.group)
    assert group is not None, f"{shape}: no sh:group"
    assert (group, RDF.type, SH.PropertyGroup) in shapes, f"{shape}: {group} is not declared"
    assert _langs(shapes, group, RDFS.label) == {"fr", "en"}
    assert shapes.value(group, SH.order) is not None
    assert shapes.value(shape, SH.order) is not None, f"{shape}: no sh:order"
    assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info)
    assert shapes.value(shape, SH.path) is not None


def test_property_shapes_all_belong_to_a_node_shape() -> None:
    shapes = default_validator().shapes
    declared = set(shapes.subjects(RDF.type, SH.PropertyShape))
    attached = set(shapes.objects(None, SH.property))
    assert declared == attached, declared ^ attached


def test_generated_in_lists_are_up_to_date() -> None:
    # Fails when the concept schemes change and `python scripts/generate_shapes.py` was not run.
    on_disk = (SHAPES_DIR / "in-lists.ttl").read_text(encoding="utf-8")
    assert on_disk == shapes_gen.generate(), "shapes/in-lists.ttl is stale: regenerate it"


def test_generator_detects_a_scheme_change() -> None:
    vocabulary = load_vocabulary()
    extra = URIRef(f"{VOCAB}statut/nouveau")
    vocabulary.add(
        (extra, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), URIRef(f"{VOCAB}statut"))
    )
    assert shapes_gen.generate(vocabulary) != shapes_gen.generate()
    assert str(extra) in shapes_gen.generate(vocabulary)


@pytest.mark.parametrize("field", shapes_gen.CODED_FIELDS, ids=lambda f: f.shape)
def test_in_list_matches_the_scheme(field: shapes_gen.CodedField) -> None:
    shapes = default_validator().shapes
    node = URIRef(SHAPES_NS + field.shape)
    values = {str(v) for v in Collection(shapes, shapes.value(node, SH["in"]))}
    scheme = {str(c) for c in concepts_of(field.scheme)}
    if field.subset == "all":
        assert values == scheme
    else:
        assert values and values < scheme
    if field.shape == "deployment-risk-level-in":
        assert f"{VOCAB}classification-ai-act/non-evaluee" in values
        assert not any("annexe-iii-" in v or "/art-5-" in v for v in values)
    if field.shape == "deployment-ai-act-category-in":
        assert all("annexe-iii-" in v or "/art-5-" in v for v in values)


def test_concepts_named_in_rules_exist_in_the_vocabulary() -> None:
    text = (SHAPES_DIR / "rules.ttl").read_text(encoding="utf-8")
    named = set(re.findall(r"<(https://w3id\.org/ia-territoires/vocab/[^>]+)>", text))
    assert named
    vocabulary = load_vocabulary()
    for iri in named:
        assert (URIRef(iri), None, None) in vocabulary, f"rules.ttl names unknown concept {iri}"


def test_semic_shapes_vendored_with_their_source() -> None:
    export = SHAPES_DIR / "export"
    source = (export / "SOURCE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in source and "7c531da" in source
    for name in ("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-recommended.ttl"):
        graph = Graph().parse(export / name, format="turtle")
        assert (None, RDF.type, SH.NodeShape) in graph, name
        assert name in source


def test_validator_is_built_once_per_process() -> None:
    assert default_validator() is default_validator()
