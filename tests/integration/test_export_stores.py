"""The data-package export gives the same package from both store backends: the embedded
pyoxigraph store and a remote SPARQL server (``oxigraph serve``). The export reads the tables
as SPARQL TSV results and the RDF dumps as Turtle / JSON-LD serialised by the store, so this
checks that nothing in it depends on the embedded store's own serialisers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from benchmarks.generate import generate
from registry.export.package import ExportOptions, export_package
from registry.layout import HAS_CURRENT_VERSION, Layout
from registry.store import Store
from registry.store.embedded import EmbeddedStore
from registry.store.remote import RemoteStore
from tests.harness.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.integration

LAYOUT = Layout("https://w3id.org/ia-territoires/")
FIXED = ExportOptions(created=datetime(2026, 1, 2, tzinfo=UTC))
TABLES = ("deploiements", "systemes", "organisations", "sources")


def _seed(store: Store, folder: Path) -> None:
    """A generated registry of 30 deployments, with the version metadata the entry service
    writes (the RDF dumps read each entry's current version graph through it)."""
    nq = folder / "registry.nq"
    with nq.open("w", encoding="utf-8") as fh:
        generate(30, fh)
    store.bulk_load(nq)
    meta = folder / "metadata.nq"
    with meta.open("w", encoding="utf-8") as fh:
        for graph in store.graph_names(LAYOUT.version_prefix):
            kind, key, _n = graph[len(LAYOUT.version_prefix) :].split("/")
            subject = f"{LAYOUT.base}id/{'fiche' if kind == 'deploiement' else kind}/{key}"
            fh.write(f"<{subject}> <{HAS_CURRENT_VERSION}> <{graph}> <{LAYOUT.registry_graph}> .\n")
    store.bulk_load(meta)


@pytest.fixture
def remote(clean_oxigraph_server: OxigraphServer) -> Iterator[Store]:
    server = clean_oxigraph_server
    store = RemoteStore(server.query_url, server.update_url, server.graph_store_url, timeout_s=30)
    yield store
    store.close()


def test_both_backends_export_the_same_package(tmp_path: Path, remote: Store) -> None:
    embedded = EmbeddedStore(tmp_path / "embedded")
    try:
        _seed(embedded, tmp_path)
        one = export_package(embedded, LAYOUT, tmp_path / "one", FIXED)
    finally:
        embedded.close()
    _seed(remote, tmp_path)
    two = export_package(remote, LAYOUT, tmp_path / "two", FIXED)
    assert one.counts == two.counts and one.counts["deploiements"] == 30
    for table in TABLES:
        first = (tmp_path / "one" / "data" / f"{table}.csv").read_bytes()
        assert first == (tmp_path / "two" / "data" / f"{table}.csv").read_bytes(), table
    assert (tmp_path / "one" / "datapackage.json").read_bytes() == (
        tmp_path / "two" / "datapackage.json"
    ).read_bytes()
    for name, fmt in (("registre.ttl", "turtle"), ("registre.jsonld", "json-ld")):
        a = Graph().parse(tmp_path / "one" / "rdf" / name, format=fmt)
        b = Graph().parse(tmp_path / "two" / "rdf" / name, format=fmt)
        assert len(a) > 30 * 30 and isomorphic(a, b), name
