"""The DCAT-AP 3 catalogue: content, Hydra paging, per-organisation catalogues, and conformance
to the SEMIC DCAT-AP 3.0.1 shapes (pySHACL; any Violation fails)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from tests.harness.registry_server import SampleSizes, sample_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "http://registre.test"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = sample_app(
        tmp_path_factory.mktemp("catalog"), SampleSizes(40, 8, 4), public_url=PUBLIC
    )
    with TestClient(app) as c:
        yield c
    store.close()


def _graph(response: object, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=response.text, format=fmt)  # type: ignore[attr-defined]


def test_catalog_has_national_and_organisation_datasets(client: TestClient) -> None:
    r = client.get("/catalog", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    g = _graph(r)
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1 + 8  # national + one per publishing organisation
    for ds in datasets:
        assert g.value(ds, DCTERMS.identifier) is not None
        assert (
            g.value(ds, DCTERMS.publisher),
            RDF.type,
            URIRef("http://xmlns.com/foaf/0.1/Agent"),
        ) in g
        assert (g.value(ds, DCTERMS.license), RDF.type, DCTERMS.LicenseDocument) in g
        assert g.value(ds, DCAT.contactPoint) is not None
        assert (
            ds,
            DCATAP.applicableLegislation,
            URIRef("http://data.europa.eu/eli/reg/2024/1689/oj"),
        ) in g
        assert (ds, DCTERMS.conformsTo, URIRef("https://w3id.org/ia-territoires/profile/0.1")) in g
        formats = {str(g.value(d, DCAT.mediaType)) for d in g.objects(ds, DCAT.distribution)}
        assert {m.rsplit("/", 2)[-1] for m in formats} >= {"turtle", "ld+json", "csv", "json"}
    services = set(g.subjects(RDF.type, DCAT.DataService))
    assert {str(g.value(s, DCAT.endpointURL)) for s in services} == {
        f"{PUBLIC}/sparql",
        f"{PUBLIC}/api/v1/",
    }
    assert g.value(catalogs[0], HYDRA.totalItems) == Literal(9)


def test_catalog_formats(client: TestClient) -> None:
    for path, fmt in (
        ("/catalog.ttl", "turtle"),
        ("/catalog.rdf", "xml"),
        ("/catalog.jsonld", "json-ld"),
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert len(list(_graph(r, fmt).subjects(RDF.type, DCAT.Dataset))) == 9
    r = client.get("/catalog", headers={"accept": "application/rdf+xml"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    assert client.get("/catalog", headers={"accept": "text/csv"}).status_code == 406


def test_hydra_paging_is_absolute_deterministic_and_complete(client: TestClient) -> None:
    seen: list[str] = []
    url: str | None = f"{PUBLIC}/catalog?page=1&page_size=4"
    pages = 0
    while url:
        assert url.startswith(PUBLIC + "/catalog?")
        r = client.get(url.removeprefix(PUBLIC), headers={"accept": "text/turtle"})
        assert r.status_code == 200
        g = _graph(r)
        view = next(g.subjects(RDF.type, HYDRA.PartialCollectionView))
        page_datasets = sorted(str(d) for d in g.subjects(RDF.type, DCAT.Dataset))
        assert len(page_datasets) <= 4
        seen.extend(page_datasets)
        nxt = g.value(view, HYDRA.next)
        url = str(nxt) if nxt else None
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 9
    # deterministic: the same page twice is the same graph
    a = client.get("/catalog?page=2&page_size=4").text
    b = client.get("/catalog?page=2&page_size=4").text
    assert sorted(_graph_lines(a)) == sorted(_graph_lines(b))


def _graph_lines(text: str) -> list[str]:
    return Graph().parse(data=text, format="turtle").serialize(format="nt").splitlines()


def test_modified_since_filters(client: TestClient) -> None:
    g_all = _graph(client.get("/catalog"))
    g_recent = _graph(client.get("/catalog?modified_since=2025-12-01"))
    n_all = len(set(g_all.subjects(RDF.type, DCAT.Dataset)))
    n_recent = len(set(g_recent.subjects(RDF.type, DCAT.Dataset)))
    assert 0 < n_recent < n_all
    assert client.get("/catalog?modified_since=2099-01-01").status_code == 200


def test_bad_catalog_parameters(client: TestClient) -> None:
    assert client.get("/catalog?page=0").status_code == 400
    assert client.get("/catalog?page=abc").status_code == 400
    assert client.get("/catalog?page_size=100000").status_code == 400
    assert client.get("/catalog?modified_since=yesterday").status_code == 400
    assert client.get("/catalog?foo=1").status_code == 400
    assert client.get("/catalog?page=99").status_code == 404


def test_organisation_catalog(client: TestClient) -> None:
    r = client.get("/catalog/organisation/200000001", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    g = _graph(r)
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert str(g.value(datasets[0], DCTERMS.publisher)).endswith("/id/organisation/200000001")
    assert client.get("/catalog/organisation/999999999").status_code == 404
    assert client.get("/catalog/organisation/..%2F..%2Fetc").status_code == 404
    assert client.get("/catalog/organisation/200000001.jsonld").status_code == 200


def test_distributions_are_served(client: TestClient) -> None:
    r = client.get("/export/registre.ttl")
    assert r.status_code == 200 and len(_graph(r)) > 100
    r = client.get("/export/organisation/200000001.jsonld")
    assert r.status_code == 200 and len(_graph(r, "json-ld")) > 10
    r = client.get("/export/registre/datapackage.json")
    assert r.status_code == 200 and r.json()["resources"][0]["format"] == "csv"


def test_catalog_conforms_to_semic_dcat_ap_shapes(client: TestClient) -> None:
    from pyshacl import validate

    shapes = Graph()
    for name in ("dcat-ap-3.0.1-SHACL.ttl",):
        shapes.parse(ROOT / "shapes" / "export" / name, format="turtle")
    # The 3.0.1 release references property shapes it never defines (e.g. one under
    # dcat:DataServiceShape); pySHACL refuses such a graph, so dangling references are dropped.
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    for path in ("/catalog?page_size=500", "/catalog/organisation/200000003"):
        data = _graph(client.get(path, headers={"accept": "text/turtle"}))
        _conforms, report, text = validate(data, shacl_graph=shapes, inference="none")
        violations = list(report.subjects(SH.resultSeverity, SH.Violation))
        assert not violations, text


def test_large_pages_are_still_valid_turtle(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.api import catalog_routes

    monkeypatch.setattr(catalog_routes, "PRETTY_TURTLE_MAX_TRIPLES", 10)
    r = client.get("/catalog?page_size=7", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "@prefix" not in r.text  # the fast N-Triples subset of Turtle
    assert len(set(_graph(r).subjects(RDF.type, DCAT.Dataset))) == 7


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    """Harvesters (ckanext-dcat) send HEAD before each catalogue page."""
    for path in ("/catalog.ttl", "/catalog.jsonld", "/id/deploiement/dep-00001"):
        get = client.get(path, headers={"accept": "text/turtle"})
        head = client.head(path, headers={"accept": "text/turtle"})
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("content-length") == get.headers.get("content-length")
    assert client.head("/nulle-part").status_code == 404
