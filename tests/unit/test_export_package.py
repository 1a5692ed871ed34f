"""Store → Frictionless data package: valid for `frictionless validate`, readable by the CKAN
publisher, safe against formula injection, withdrawn entries kept, and a round trip
(export → import into an empty store → export) giving identical CSVs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from publishers.package import read_package
from registry.auth import Principal
from registry.entries import EntryService
from registry.export.package import ExportOptions, export_package
from registry.layout import Layout, closure
from registry.shacl import CompiledValidator, default_compiled_validator
from registry.store.embedded import EmbeddedStore
from registry.tabular.importer import ImportOptions, import_file

DATA = Path(__file__).resolve().parents[1] / "data" / "tabular"
LAYOUT = Layout("https://w3id.org/ia-territoires/")
FIXED = ExportOptions(created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
TABLES = ("deploiements", "systemes", "organisations", "sources")


@pytest.fixture(scope="module")
def validator() -> CompiledValidator:
    return default_compiled_validator()


def _service(path: Path, validator: CompiledValidator) -> tuple[EmbeddedStore, EntryService]:
    store = EmbeddedStore(path)
    return store, EntryService(store, LAYOUT, validator)


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, validator: CompiledValidator
) -> Iterator[Path]:
    """A registry with two deployments (one retired), one of them with a formula-like title,
    and its export."""
    root = tmp_path_factory.mktemp("export")
    store, service = _service(root / "store", validator)
    store.bulk_load(DATA / "reference.ttl")
    for name in ("organisations.csv", "systemes.csv"):
        assert import_file(service, DATA / name, ImportOptions(admin=True)).written
    report = import_file(
        service, DATA / "deploiements-cp1252.csv", ImportOptions(organisation="217804905")
    )
    assert report.counts["created"] == 2, report.to_text()
    rows = (DATA / "deploiements-invalid.csv").read_text(encoding="utf-8").splitlines()
    formula = root / "formule.csv"
    formula.write_text(
        rows[0] + "\n" + rows[1].replace("Un déploiement valide", "=1+2") + "\n", encoding="utf-8"
    )
    assert import_file(service, formula, ImportOptions(organisation="217804905")).written
    current = service.current("deploiement", "fr-plaisir-courriers")[0]
    service.retire(
        Principal.system(LAYOUT),
        "deploiement",
        "fr-plaisir-courriers",
        if_match=current.etag,
        end=datetime(2026, 1, 1).date(),
    )
    export_package(store, LAYOUT, root / "package", FIXED)
    store.close()
    yield root


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_frictionless_validate_passes(seeded: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "frictionless"),
            "validate",
            "--json",
            str(seeded / "package" / "datapackage.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["valid"], result.stdout[:2000]
    assert result.returncode == 0


def test_descriptor_follows_the_publisher_contract(seeded: Path) -> None:
    package = read_package(seeded / "package")
    d = package.descriptor
    assert package.identifier == "ia-territoires-registre-national"
    assert d["licenses"][0]["name"] == "etalab-2.0"
    for key in ("title", "description", "version", "created", "sources", "contributors"):
        assert d[key], key
    assert d["created"] == "2026-01-02T03:04:05Z"
    assert package.custom("entryCount") == 3
    assert {t["notation"] for t in package.custom("themes")} == {
        "relation-usagers",
        "mobilite-voirie",
    }
    names = [f.key for f in package.files]
    assert names[:4] == list(TABLES) and "registre-turtle" in names
    assert "Ce que les tables ne couvrent pas" in (seeded / "package" / "README.md").read_text()


def test_formula_cells_are_neutralised(seeded: Path) -> None:
    titles = {r["identifiant"]: r["titre"] for r in _rows(seeded / "package", "deploiements")}
    assert titles["fr-plaisir-ok"] == "'=1+2"


def test_withdrawn_entries_are_included_with_their_status(seeded: Path) -> None:
    row = next(
        r
        for r in _rows(seeded / "package", "deploiements")
        if r["identifiant"] == "fr-plaisir-courriers"
    )
    assert row["statut"] == "arrete" and row["date_fin"] == "2026-01-01"


def test_rdf_dumps_are_the_same_graph(seeded: Path) -> None:
    ttl = Graph().parse(seeded / "package" / "rdf" / "registre.ttl")
    jsonld = Graph().parse(seeded / "package" / "rdf" / "registre.jsonld", format="json-ld")
    assert len(ttl) > 50 and isomorphic(ttl, jsonld)
    assert (URIRef(LAYOUT.entry_iri("deploiement", "fr-plaisir-optimus")), None, None) in ttl


def test_round_trip_gives_identical_csvs(seeded: Path, validator: CompiledValidator) -> None:
    store, service = _service(seeded / "store2", validator)
    try:
        report = import_file(service, seeded / "package", ImportOptions(admin=True))
        assert report.written and report.counts["rejected"] == 0, report.to_text()
        export_package(store, LAYOUT, seeded / "package2", FIXED)
        for table in TABLES:
            first = (seeded / "package" / "data" / f"{table}.csv").read_bytes()
            assert first == (seeded / "package2" / "data" / f"{table}.csv").read_bytes(), table
        # The graphs agree on what the tables cover: each deployment's own description.
        one = Graph().parse(seeded / "package" / "rdf" / "registre.ttl")
        two = Graph().parse(seeded / "package2" / "rdf" / "registre.ttl")
        for key in ("fr-plaisir-optimus", "fr-plaisir-ok"):
            node = URIRef(LAYOUT.entry_iri("deploiement", key))
            assert isomorphic(closure(one, [node], LAYOUT), closure(two, [node], LAYOUT)), key
        again = import_file(service, seeded / "package2", ImportOptions(admin=True))
        assert again.counts["unchanged"] == report.counts["created"] + report.counts["unchanged"]
    finally:
        store.close()
