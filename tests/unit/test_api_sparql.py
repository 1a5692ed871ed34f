"""The SPARQL endpoint in-process: protocol, formats, read-only guard, limits, errors."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.harness.registry_server import SampleSizes, sample_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

COUNT_DEPLOYMENTS = (
    "PREFIX iat: <https://w3id.org/ia-territoires/def#>\n"
    "SELECT (COUNT(?d) AS ?n) WHERE { ?d a iat:Deployment }"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = sample_app(tmp_path_factory.mktemp("sparql"), SampleSizes(), sparql_row_cap=7)
    with TestClient(app) as c:
        yield c
    store.close()


def _count(response: Any) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_select_json(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT_DEPLOYMENTS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert _count(r) == 30
    assert "x-result-truncated" not in r.headers


def test_post_urlencoded_and_sparql_query_agree(client: TestClient) -> None:
    a = client.post("/sparql", data={"query": COUNT_DEPLOYMENTS})
    b = client.post(
        "/sparql", content=COUNT_DEPLOYMENTS, headers={"content-type": "application/sparql-query"}
    )
    assert a.status_code == b.status_code == 200
    assert _count(a) == _count(b) == 30


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_result_formats(client: TestClient, accept: str, media: str) -> None:
    q = (
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        "SELECT ?d ?t WHERE { ?d dct:identifier 'dep-00001' ; dct:title ?t }"
    )
    r = client.get("/sparql", params={"query": q}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert "Déploiement 1 de démonstration" in r.text
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["d", "t"] and len(rows) == 2
    if media == "text/tab-separated-values":
        lines = r.text.strip().split("\n")
        assert lines[0] == "?d\t?t"
        assert '"Déploiement 1 de démonstration"@fr' in lines[1]


@pytest.mark.parametrize(
    ("accept", "marker"),
    [
        ("text/turtle", "@prefix"),
        ("application/n-triples", "<https://w3id.org/ia-territoires/id/deploiement/dep-00002>"),
        ("application/ld+json", '"@id"'),
        ("application/rdf+xml", "rdf:RDF"),
    ],
)
def test_construct_formats(client: TestClient, accept: str, marker: str) -> None:
    q = "CONSTRUCT WHERE { <https://w3id.org/ia-territoires/id/deploiement/dep-00002> ?p ?o }"
    r = client.get("/sparql", params={"query": q}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    assert marker in r.text


def test_ask(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?s a ?o }"})
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}


def test_unacceptable_format_is_406(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT_DEPLOYMENTS}, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    r = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": "text/csv"},
    )
    assert r.status_code == 406


def test_row_cap_truncates_and_says_so(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 7
    assert r.headers["x-result-truncated"] == "true"
    assert r.headers["x-result-row-cap"] == "7"
    # a query asking for fewer rows than the cap is not cut
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert len(r.json()["results"]["bindings"]) == 3
    assert "x-result-truncated" not in r.headers
    # CSV too
    r = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"}
    )
    assert len(list(csv.reader(io.StringIO(r.text)))) == 8
    assert r.headers["x-result-truncated"] == "true"


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX x: <urn:x#>\n# a comment SELECT\nDELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "LOAD <http://example.org/data.ttl>",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    ],
)
def test_updates_are_refused_and_change_nothing(client: TestClient, update: str) -> None:
    before = _count(client.get("/sparql", params={"query": COUNT_DEPLOYMENTS}))
    for r in (
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-query"}
        ),
    ):
        assert r.status_code in (400, 403), r.text
        assert r.headers["content-type"] == "application/problem+json"
    r = client.post("/sparql", data={"update": update})
    assert r.status_code == 403
    r = client.post(
        "/sparql", content=update, headers={"content-type": "application/sparql-update"}
    )
    assert r.status_code == 403
    assert _count(client.get("/sparql", params={"query": COUNT_DEPLOYMENTS})) == before


def test_plain_update_is_403_with_bilingual_problem(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert r.status_code == 403
    body = r.json()
    assert body["status"] == 403 and "lecture seule" in body["detail"]
    assert "read-only" in body["detail_en"]
    assert body["instance"] == "/sparql"


def test_malformed_query_is_400_with_parser_message(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    body = r.json()
    assert body["parser_message"]
    assert body["parser_message"] in body["detail"]
    r = client.get("/sparql", params={"query": 'SELECT ?s WHERE { ?s ?p "unterminated }'})
    assert r.status_code == 400


def test_huge_query_is_413(client: TestClient) -> None:
    q = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 150_000
    r = client.post("/sparql", content=q, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_payload_limit_is_413(tmp_path: Path) -> None:
    app, store = sample_app(tmp_path, SampleSizes(3, 2, 1), max_payload_bytes=1000)
    with TestClient(app) as c:
        r = c.post(
            "/sparql",
            content="SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000,
            headers={"content-type": "application/sparql-query"},
        )
    store.close()
    assert r.status_code == 413
    assert r.json()["detail_en"].startswith("The request body exceeds")


def test_bad_parameters(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": COUNT_DEPLOYMENTS, "foo": "1"}).status_code == 400
    assert (
        client.get("/sparql", params={"query": COUNT_DEPLOYMENTS, "timeout": "-3"}).status_code
        == 400
    )
    r = client.post("/sparql", content="x", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert client.delete("/sparql").status_code == 405
    assert client.delete("/sparql").headers["content-type"] == "application/problem+json"


def test_protocol_dataset_parameters(client: TestClient) -> None:
    # default-graph-uri naming an empty graph: nothing is seen
    r = client.get(
        "/sparql",
        params={"query": COUNT_DEPLOYMENTS, "default-graph-uri": "urn:x-empty:graph"},
    )
    assert r.status_code == 200 and _count(r) == 0
    r = client.get(
        "/sparql",
        params={"query": COUNT_DEPLOYMENTS, "default-graph-uri": "bad iri<>"},
    )
    assert r.status_code == 400


def test_service_description_and_page(client: TestClient) -> None:
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and "sd:Service" in r.text
    from rdflib import Graph

    g = Graph().parse(data=r.text, format="turtle")
    assert len(g) > 5
    r = client.get("/sparql", headers={"accept": "text/html"})
    assert r.status_code == 200 and "<textarea" in r.text
    assert "haut risque" in r.text.lower()


def test_example_queries_run(client: TestClient) -> None:
    from registry.api.sparql_examples import examples

    for example in examples("https://w3id.org/ia-territoires/"):
        r = client.get("/sparql", params={"query": example.query})
        assert r.status_code == 200, (example.title_en, r.text)
        assert r.json()["results"]["bindings"], example.title_en


def test_client_timeout_can_lower_the_budget_and_answers_504(tmp_path: Path) -> None:
    app, store = sample_app(tmp_path, SampleSizes(300, 20, 5), sparql_timeout_s=30)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with TestClient(app) as c:
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": heavy, "timeout": "0.3"})
        elapsed = time.monotonic() - t0
    store.close()
    assert r.status_code in (503, 504), r.text
    assert elapsed < 5
    assert r.headers["content-type"] == "application/problem+json"


def test_concurrency_limit_answers_429(tmp_path: Path) -> None:
    app, store = sample_app(tmp_path, SampleSizes(3, 2, 1), sparql_max_concurrent=1)
    gate = app.state.api.gate
    assert gate.try_acquire()  # one query "running"
    try:
        with TestClient(app) as c:
            r = c.get("/sparql", params={"query": COUNT_DEPLOYMENTS})
        assert r.status_code == 429
        assert r.headers["retry-after"] == "1"
    finally:
        gate.release()
    with TestClient(app) as c:
        assert c.get("/sparql", params={"query": COUNT_DEPLOYMENTS}).status_code == 200
    store.close()


def test_slot_is_released_after_errors(client: TestClient) -> None:
    gate = client.app.state.api.gate  # type: ignore[attr-defined]
    for _ in range(10):
        client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert gate.running == 0


def test_parallel_queries_all_answer(client: TestClient) -> None:
    results: list[int] = []

    def run() -> None:
        results.append(client.get("/sparql", params={"query": COUNT_DEPLOYMENTS}).status_code)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code in (200, 429) for code in results) and 200 in results
    assert json.loads(client.get("/health").text)["status"] == "ok"
