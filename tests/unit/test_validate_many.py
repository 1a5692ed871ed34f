"""Batch validation (``Validator.validate_many``) gives, entry by entry, the very reports of
``Validator.validate``: on the shape fixtures (which share their IRIs, so they cannot all share
one pySHACL run) and on the curated entries (each with its context from the others)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from registry import vocab
from registry.ingest import parse_graph
from registry.layout import Layout, split_entries
from registry.validate import _batches, default_validator

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _fixtures() -> list[Graph]:
    files = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))
    return [parse_graph(f) for f in files]


def _renamed(graph: Graph, suffix: str) -> Graph:
    """The same entry under other IRIs, so that renamed fixtures can share a run."""

    def rename(term: object) -> object:
        if isinstance(term, URIRef) and str(term).startswith(vocab.ID):
            return URIRef(f"{term}-{suffix}")
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))  # type: ignore[arg-type]
    return out


def _same_reports(items: list[tuple[Graph, Graph | None]]) -> None:
    validator = default_validator()
    single = [validator.validate(data, context=context).to_dict() for data, context in items]
    many = [r.to_dict() for r in validator.validate_many(items)]
    assert len(many) == len(single)
    for i, (a, b) in enumerate(zip(single, many, strict=True)):
        assert a == b, f"item {i}"


def test_batch_equals_single_on_fixtures() -> None:
    graphs = _fixtures()
    renamed = [_renamed(g, f"b{i}") for i, g in enumerate(graphs)]
    items: list[tuple[Graph, Graph | None]] = [(g, None) for g in graphs + renamed]
    validator = default_validator()
    prepared = [validator._prepare(d, c) for d, c in items]
    batches = _batches(prepared, 200, validator._target_predicates)
    # The originals conflict with one another; the renamed copies mostly share a run.
    assert max(len(b) for b in batches) > len(graphs) // 2
    assert len(batches) > 1
    assert not all(r["conforms"] for r in (validator.validate(g).to_dict() for g in graphs))
    _same_reports(items)


def test_batch_equals_single_on_curated_entries() -> None:
    layout = Layout(vocab.DEFAULT_BASE)
    data = Graph()
    for f in sorted((ROOT / "datasets" / "entries").rglob("*.ttl")):
        data += parse_graph(f, base_iri=layout.base)
    entries, _ = split_entries(data, layout)
    assert len(entries) > 10
    items: list[tuple[Graph, Graph | None]] = []
    for content in entries.values():
        subjects = set(content.subjects())
        context = Graph()
        for o in {o for o in content.objects() if isinstance(o, URIRef) and o not in subjects}:
            for t in data.triples((o, None, None)):
                context.add(t)
        items.append((content, context))
    _same_reports(items)
