"""Every shape has a fixture that violates it and one that satisfies it.

The list of shapes comes from the shapes graph itself, so a new shape without fixtures fails
here. Fixture headers (see tests/data/invalid/_build.py):
``# shape:`` / ``# also:`` in tests/data/invalid/, ``# satisfies:`` in tests/data/valid/.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from registry.ingest import parse_graph
from registry.validate import ShapeInfo, ValidationReport, Validator, default_validator
from registry.vocab import SH

DATA = Path(__file__).resolve().parents[1] / "data"
SHAPES_NS = "https://w3id.org/ia-territoires/shapes#"


def _header(path: Path) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        if key in ("shape", "also", "satisfies"):
            fields[key] = value.split()
    return fields


def _fixtures(kind: str) -> dict[Path, dict[str, list[str]]]:
    return {p: _header(p) for p in sorted((DATA / kind).glob("*.ttl"))}


INVALID = _fixtures("invalid")
VALID = _fixtures("valid")


def _validator() -> Validator:
    return default_validator()


@cache
def _graph(path: Path) -> Graph:
    return parse_graph(path)


@cache
def _report(path: Path) -> ValidationReport:
    # On the cached graph: test_shacl_compiled compares its reports with these (same blank nodes).
    return _validator().validate(_graph(path))


def _shapes() -> list[ShapeInfo]:
    return sorted(default_validator().shapes_info.values(), key=lambda i: i.iri)


def _local(iri: str) -> str:
    return iri.removeprefix(SHAPES_NS)


SHAPES = _shapes()


def test_every_fixture_names_a_known_shape() -> None:
    known = {_local(i.iri) for i in SHAPES}
    for path, header in INVALID.items():
        assert header.get("shape"), f"{path.name}: no '# shape:' header"
        unknown = set(header["shape"] + header.get("also", [])) - known
        assert not unknown, f"{path.name}: unknown shapes {unknown}"
    for path, header in VALID.items():
        assert header.get("satisfies"), f"{path.name}: no '# satisfies:' header"
        unknown = set(header["satisfies"]) - known - {"*"}
        assert not unknown, f"{path.name}: unknown shapes {unknown}"


@pytest.mark.parametrize("info", SHAPES, ids=lambda i: _local(i.iri))
def test_shape_is_violated_by_its_invalid_fixture(info: ShapeInfo) -> None:
    name = _local(info.iri)
    paths = [p for p, h in INVALID.items() if h.get("shape") == [name]]
    assert paths, f"no fixture in tests/data/invalid/ violates {name}"
    for path in paths:
        report = _report(path)
        mine = [r for r in report.results if r.shape == info.iri]
        assert mine, f"{path.name}: {name} did not report"
        for result in mine:
            assert result.severity == info.severity, path.name
            assert result.message["fr"] == info.message["fr"] and result.message["fr"]
            assert result.message["en"] == info.message["en"] and result.message["en"]
            assert result.field == info.name
        expected = {name, *INVALID[path].get("also", [])}
        reported = {_local(r.shape) for r in report.results}
        assert reported == expected, f"{path.name}: expected {expected}, got {reported}"
        assert report.conforms == (
            info.severity != "Violation"
            and not any(r.severity == "Violation" for r in report.results)
        )


def _targets_something(info: ShapeInfo, graph: Graph) -> bool:
    """The shape's node shape selects at least one node of ``graph``: satisfying it means
    something (a shape that selects nothing is trivially satisfied)."""
    shapes = default_validator().shapes
    node_shape = URIRef(info.node_shape or info.iri)
    for cls in shapes.objects(node_shape, SH.targetClass):
        if (None, RDF.type, cls) in graph:
            return True
    for prop in shapes.objects(node_shape, SH.targetObjectsOf):
        if (None, prop, None) in graph:
            return True
    return False


@pytest.mark.parametrize("info", SHAPES, ids=lambda i: _local(i.iri))
def test_shape_is_satisfied_by_a_valid_fixture(info: ShapeInfo) -> None:
    name = _local(info.iri)
    paths = [p for p, h in VALID.items() if {name, "*"} & set(h.get("satisfies", []))]
    assert paths, f"no fixture in tests/data/valid/ satisfies {name}"
    for path in paths:
        assert _targets_something(info, _graph(path)), f"{path.name}: {name} selects nothing"
        report = _report(path)
        assert not [r for r in report.results if r.shape == info.iri], path.name


def test_explicit_valid_fixtures_satisfy_more_than_the_complete_entry() -> None:
    # Rules need cases near their condition (chatbot with transparency level, hasBeginning...).
    rules = [i for i in SHAPES if i.kind == "rule"]
    for info in rules:
        name = _local(info.iri)
        explicit = [p for p, h in VALID.items() if name in h.get("satisfies", [])]
        assert explicit, f"rule {name} has no targeted valid fixture"


def test_complete_entry_has_no_result_and_full_completeness() -> None:
    report = _report(DATA / "valid" / "complete-entry.ttl")
    assert report.results == []
    assert report.conforms
    [completeness] = report.completeness.values()
    assert completeness.score == 1.0 and completeness.missing == []
