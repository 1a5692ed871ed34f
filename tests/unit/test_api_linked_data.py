"""Dereferenceable IRIs: negotiation, extensions, Link/Vary headers, 406/404/410, escaping, and
the served documents (ontology, shapes, JSON-LD context)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from tests.harness.registry_server import HOSTILE_TITLE, SampleSizes, sample_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BASE = "https://w3id.org/ia-territoires/"
DEP = "/id/deploiement/dep-00001"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = sample_app(tmp_path_factory.mktemp("ld"), SampleSizes(12, 4, 3))
    with TestClient(app) as c:
        yield c
    store.close()


@pytest.mark.parametrize(
    ("accept", "media", "parse_as"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_accept_negotiation(client: TestClient, accept: str, media: str, parse_as: str) -> None:
    r = client.get(DEP, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert r.headers["vary"] == "Accept"
    g = Graph().parse(data=r.text, format=parse_as)
    assert (URIRef(BASE + DEP[1:]), None, None) in g


@pytest.mark.parametrize(
    ("ext", "media"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("json", "application/json"),
        ("html", "text/html"),
    ],
)
def test_extensions(client: TestClient, ext: str, media: str) -> None:
    r = client.get(f"{DEP}.{ext}", headers={"accept": "image/png"})  # the extension wins
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)


def test_link_alternates(client: TestClient) -> None:
    link = client.get(DEP).headers["link"]
    for ext in ("ttl", "jsonld", "nt", "rdf", "json", "html"):
        assert f'<{DEP}.{ext}>; rel="alternate"' in link


def test_plain_json_uses_context_keys(client: TestClient) -> None:
    data = client.get(f"{DEP}.json").json()
    context = json.loads(client.get("/context.jsonld").text)["@context"]
    assert data["id"] == BASE + DEP[1:]
    for key in ("title", "description", "deployer", "aiSystem", "status", "theme"):
        assert key in data and key in context
    assert data["individualDecision"] is False
    assert data["temporal"]["startDate"] == "2020-03"


def test_unsupported_type_is_406_problem(client: TestClient) -> None:
    r = client.get(DEP, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    assert "text/turtle" in r.json()["available"]


@pytest.mark.parametrize(
    "path",
    [
        "/id/deploiement/absent",
        "/id/inconnu/dep-00001",
        "/id/deploiement/DEP-00001",
        "/id/deploiement/..%2F..%2Fetc%2Fpasswd",
        "/id/deploiement/../../etc/passwd",
        "/vocab/statut/nope",
        "/vocab/..%2Fsecret",
        "/graph/version/deploiement/dep-00001/0",
    ],
)
def test_unknown_or_hostile_paths_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail_en"]


def test_html_escapes_hostile_text(client: TestClient) -> None:
    r = client.get("/id/deploiement/dep-00000", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert "<script>" not in r.text
    assert "&lt;script&gt;" in r.text
    assert HOSTILE_TITLE not in r.text


def test_linked_iris_become_local_links(client: TestClient) -> None:
    r = client.get(f"{DEP}.html")
    assert 'href="/id/organisation/' in r.text
    assert 'href="/vocab/statut/' in r.text


def test_vocabulary_scheme_and_concept(client: TestClient) -> None:
    g = Graph().parse(data=client.get("/vocab/statut.ttl").text, format="turtle")
    concepts = set(g.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), None))
    assert len(concepts) == 4
    r = client.get("/vocab/statut/en-service", headers={"accept": "application/ld+json"})
    assert r.status_code == 200 and "En service" in r.text


def test_documents(client: TestClient) -> None:
    for path in ("/def", "/shapes"):
        r = client.get(path, headers={"accept": "text/turtle"})
        assert r.status_code == 200
        assert len(Graph().parse(data=r.text, format="turtle")) > 10
    assert client.get("/def.jsonld").status_code == 200
    r = client.get("/context.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert "@context" in r.json()


def test_purged_entry_is_410(client: TestClient) -> None:
    store = client.app.state.api.store  # type: ignore[attr-defined]
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/registry> {{ <urn:uuid:p1> a "
        f"<http://www.w3.org/ns/prov#Activity> ; <http://www.w3.org/ns/prov#invalidated> "
        f"<{BASE}id/deploiement/gone-entry> ; <http://www.w3.org/ns/prov#endedAtTime> "
        f'"2026-01-02T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
    )
    r = client.get("/id/deploiement/gone-entry")
    assert r.status_code == 410
    assert r.json()["purged_at"].startswith("2026-01-02")


def test_unpublished_entry_with_versions_is_410_with_last_version(client: TestClient) -> None:
    store = client.app.state.api.store  # type: ignore[attr-defined]
    for n in (1, 2):
        store.update(
            f"INSERT DATA {{ GRAPH <{BASE}graph/version/deploiement/withdrawn/{n}> {{ "
            f'<{BASE}id/deploiement/withdrawn> <http://purl.org/dc/terms/title> "v{n}"@fr }} }}'
        )
    r = client.get("/id/deploiement/withdrawn")
    assert r.status_code == 410
    assert r.json()["last_version"] == "/graph/version/deploiement/withdrawn/2"
    assert 'rel="latest-version"' in r.headers["link"]
    r = client.get("/graph/version/deploiement/withdrawn/2.ttl")
    assert r.status_code == 200 and '"v2"@fr' in r.text
