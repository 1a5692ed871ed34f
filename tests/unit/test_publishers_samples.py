"""The sample data packages (tests/data/packages/) are valid and match their generator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import frictionless
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "packages"
PACKAGES = [SAMPLES / "national", *sorted((SAMPLES / "per-organisation").iterdir())]


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_sample_passes_frictionless_validate(folder: Path) -> None:
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_turtle_and_jsonld_hold_the_same_graph(folder: Path) -> None:
    ttl = Graph().parse(folder / "rdf" / "registre.ttl", format="turtle")
    jsonld = Graph().parse(folder / "rdf" / "registre.jsonld", format="json-ld")
    assert len(ttl) > 10
    assert isomorphic(ttl, jsonld)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    rows = (folder / "data" / "deploiements.csv").read_text(encoding="utf-8").splitlines()
    assert descriptor["ia_territoires:entryCount"] == len(rows) - 1


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for sub in ("national", "per-organisation")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


def test_samples_are_what_the_generator_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("build_samples", SAMPLES / "build_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    generated, committed = _files(tmp_path), _files(SAMPLES)
    assert sorted(generated) == sorted(committed)
    stale = [name for name, data in generated.items() if committed[name] != data]
    assert not stale, f"run tests/data/packages/build_samples.py again: {stale}"
