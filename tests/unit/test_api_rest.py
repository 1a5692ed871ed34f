"""The REST API: listings (filters, search, facets, sort, cursor paging, CSV), statistics with
their per-version cache, and the write path over HTTP (auth, If-Match, 422 report, history)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.api.rest_read import csv_safe
from tests.harness.registry_server import SampleSizes, sample_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/ia-territoires/"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = sample_app(tmp_path_factory.mktemp("rest"), SampleSizes(30, 8, 6))
    with TestClient(app) as c:
        yield c
    store.close()


def _all_pages(client: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    r = client.get("/api/v1/deployments", params=params)
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["items"])
        if not body["next"]:
            return items
        r = client.get(body["next"])


def test_listing_pages_cover_everything_once(client: TestClient) -> None:
    items = _all_pages(client, {"limit": 7})
    keys = [i["identifier"] for i in items]
    assert len(keys) == 30 == len(set(keys))
    assert keys == sorted(keys)


@pytest.mark.parametrize("sort", ["title", "-title", "modified", "-modified", "start", "-start"])
def test_sorted_paging_is_stable(client: TestClient, sort: str) -> None:
    whole = client.get("/api/v1/deployments", params={"sort": sort, "limit": 500}).json()["items"]
    paged = _all_pages(client, {"sort": sort, "limit": 4})
    assert [i["identifier"] for i in paged] == [i["identifier"] for i in whole]
    field = {"title": "title", "modified": "modified", "start": "startDate"}[sort.lstrip("-")]
    values = [i[field] for i in whole]
    if field != "title":
        assert values == sorted(values, reverse=sort.startswith("-"))


def test_filters(client: TestClient) -> None:
    def total(**params: str) -> int:
        r = client.get("/api/v1/deployments", params=params)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert total(departement="38") + total(departement="78") + total(departement="69") == 30
    assert total(region="84") == total(departement="38") + total(departement="69")
    assert total(ai_act="haut-risque-annexe-iii") == 10
    assert total(individual_decision="true") == 8
    assert total(status="en-service", theme="action-sociale") <= total(status="en-service")
    assert total(organisation="200000001") == total(organisation=f"{BASE}id/organisation/200000001")
    assert total(provider="editeur-a") + total(provider="editeur-b") == 30
    assert total(family="llm") > 0
    assert total(purpose="mobilite") == 10


def test_search_folds_accents_and_case(client: TestClient) -> None:
    r = client.get("/api/v1/deployments", params={"q": "ELEVE orleans"}).json()
    assert r["total"] == 30
    r = client.get("/api/v1/deployments", params={"q": "évaluation"}).json()
    assert [i["identifier"] for i in r["items"]] == ["dep-00000"]
    assert client.get("/api/v1/deployments", params={"q": "zzzz"}).json()["total"] == 0


def test_facets_count_the_filtered_set(client: TestClient) -> None:
    body = client.get("/api/v1/deployments", params={"departement": "38"}).json()
    facets = body["facets"]
    assert sum(f["count"] for f in facets["departement"]) == body["total"]
    assert {f["value"] for f in facets["region"]} == {"84"}
    labels = {f["value"]: f["label"] for f in facets["status"]}
    assert labels.get("en-service") == "En service"
    assert "facets" not in client.get("/api/v1/deployments", params={"facets": "false"}).json()


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"bogus": "1"},
        {"limit": "0"},
        {"limit": "100000"},
        {"sort": "password"},
        {"individual_decision": "maybe"},
        {"format": "xml"},
    ],
)
def test_bad_listing_parameters_are_400(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/v1/deployments", params=params)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"


def test_cursor_from_other_filters_is_refused(client: TestClient) -> None:
    nxt = client.get("/api/v1/deployments", params={"limit": 2}).json()["nextCursor"]
    r = client.get("/api/v1/deployments", params={"cursor": nxt, "departement": "38"})
    assert r.status_code == 400


def test_csv_is_complete_and_formula_safe(client: TestClient) -> None:
    r = client.get("/api/v1/deployments.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 30
    assert rows[0]["title"].startswith("<script>")  # CSV is data: not HTML-escaped
    assert client.get("/api/v1/deployments", params={"format": "csv"}).text.count("\n") == 31
    for dangerous in ('=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tcmd"):
        assert csv_safe(dangerous).startswith("'")
    assert csv_safe("ordinary") == "ordinary"


def test_systems_and_organisations(client: TestClient) -> None:
    systems = client.get("/api/v1/systems", params={"sort": "-organisations"}).json()
    counts = [s["organisations"] for s in systems["items"]]
    assert counts == sorted(counts, reverse=True) and systems["total"] == 6
    assert sum(s["deployments"] for s in systems["items"]) == 30
    orgs = client.get("/api/v1/organisations", params={"departement": "38"}).json()
    assert orgs["total"] == 3 and all(o["departement"] == "38" for o in orgs["items"])
    assert client.get("/api/v1/organisations", params={"q": "saint etienne"}).json()["total"] == 1


def test_statistics(client: TestClient) -> None:
    stats = client.get("/api/v1/statistics").json()
    assert stats["deployments"] == 30
    assert sum(f["count"] for f in stats["byRiskLevel"]) == 30
    assert sum(f["count"] for f in stats["byStartYear"]) == 30
    for key in (
        "byTheme",
        "byPurpose",
        "byFamily",
        "byStatus",
        "byOrganisationType",
        "byDepartement",
        "byRegion",
    ):
        assert key in stats
    assert client.get("/api/v1/statistics", params={"x": "1"}).status_code == 400


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/deployments",
        "/api/v1/statistics",
        "/sparql",
        "/catalog",
        "/api/v1/{collection}/{key}",
    ):
        assert path in spec["paths"], path


# ---- writes --------------------------------------------------------------------------------
ENTRY = (ROOT / "ontology" / "examples" / "entry-example.ttl").read_text(encoding="utf-8")
DEPLOYMENT_PART, SHARED_PART = ENTRY.split("# Shared nodes")
PREFIXES = "".join(line + "\n" for line in ENTRY.splitlines() if line.startswith("@prefix"))
KEY = "fr-plaisir-optimus"


@pytest.fixture()
def writer(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    """A client over a store holding the example's shared nodes, with a token of the deploying
    organisation (217804905) and one of another organisation."""
    from registry.auth import AuthDB
    from registry.layout import Layout

    app, store = sample_app(tmp_path, SampleSizes(3, 2, 1))
    shared = tmp_path / "shared.ttl"
    shared.write_text(PREFIXES + SHARED_PART.split("\n", 1)[1], encoding="utf-8")
    store.bulk_load(shared)
    store.update(
        f"INSERT DATA {{ <{BASE}id/organisation/217804905> a <http://xmlns.com/foaf/0.1/"
        f'Organization> ; <http://xmlns.com/foaf/0.1/name> "Commune de Plaisir" }}'
    )
    auth = AuthDB(tmp_path / "auth.db", Layout(BASE))
    auth.add_organisation("217804905", "Commune de Plaisir")
    auth.add_organisation("223800012", "Département de l'Isère")
    _, own = auth.create_token("217804905")
    _, other = auth.create_token("223800012")
    auth.close()
    with TestClient(app) as c:
        yield c, own, other
    store.close()


def _h(token: str, **extra: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": "text/turtle", **extra}


def test_write_lifecycle(writer: tuple[TestClient, str, str]) -> None:
    c, token, _ = writer
    r = c.post("/api/v1/deployments", content=DEPLOYMENT_PART, headers=_h(token))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/id/deploiement/{KEY}"
    assert r.headers["etag"] == '"1"'
    assert r.json()["report"]["conforms"] is True
    # the new entry is listed (caches invalidated by the write)
    assert c.get("/api/v1/deployments", params={"q": "optimus"}).json()["total"] == 1
    assert c.get(f"/id/deploiement/{KEY}.ttl").status_code == 200
    # second POST of the same entry: conflict
    assert (
        c.post("/api/v1/deployments", content=DEPLOYMENT_PART, headers=_h(token)).status_code == 409
    )
    changed = DEPLOYMENT_PART.replace("Optimus, callbot", "Optimus 2, callbot")
    assert (
        c.put(f"/api/v1/deployments/{KEY}", content=changed, headers=_h(token)).status_code == 428
    )
    r = c.put(
        f"/api/v1/deployments/{KEY}", content=changed, headers=_h(token, **{"if-match": '"9"'})
    )
    assert r.status_code == 412
    r = c.put(
        f"/api/v1/deployments/{KEY}", content=changed, headers=_h(token, **{"if-match": '"1"'})
    )
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    r = c.get(f"/api/v1/deployments/{KEY}")
    assert r.headers["etag"] == '"2"' and "Optimus 2" in r.json()["title"]
    versions = c.get(f"/api/v1/deployments/{KEY}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    diff = c.get(f"/api/v1/deployments/{KEY}/diff", params={"from": 1, "to": 2}).json()
    assert any("Optimus 2" in line for line in diff["added"])
    r = c.get(f"/api/v1/deployments/{KEY}/versions/1", headers={"accept": "text/turtle"})
    assert r.status_code == 200 and "Optimus, callbot" in r.text
    r = c.post(f"/api/v1/deployments/{KEY}/retire", headers=_h(token, **{"if-match": '"2"'}))
    assert r.status_code == 200 and r.json()["version"] == 3
    assert c.get(f"/api/v1/deployments/{KEY}").json()["status"].endswith("/statut/arrete")
    r = c.post(
        f"/api/v1/deployments/{KEY}/versions/1/restore", headers=_h(token, **{"if-match": '"3"'})
    )
    assert r.status_code == 200 and r.json()["version"] == 4
    assert "Optimus, callbot" in c.get(f"/api/v1/deployments/{KEY}").json()["title"]


def test_write_auth(writer: tuple[TestClient, str, str]) -> None:
    c, _, other = writer
    r = c.post(
        "/api/v1/deployments", content=DEPLOYMENT_PART, headers={"content-type": "text/turtle"}
    )
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = c.post("/api/v1/deployments", content=DEPLOYMENT_PART, headers=_h("iat_wrong"))
    assert r.status_code == 401
    r = c.post("/api/v1/deployments", content=DEPLOYMENT_PART, headers=_h(other))
    assert r.status_code == 403
    assert c.get(f"/api/v1/deployments/{KEY}").status_code == 404


def test_invalid_writes_change_nothing(writer: tuple[TestClient, str, str]) -> None:
    c, token, _ = writer
    without_title = DEPLOYMENT_PART.replace(
        'dct:title "Optimus, callbot du standard téléphonique de la mairie"@fr ;', ""
    )
    r = c.post("/api/v1/deployments", content=without_title, headers=_h(token))
    assert r.status_code == 422
    report = r.json()["report"]
    assert report["conforms"] is False
    assert any(res["severity"] == "Violation" for res in report["results"])
    cases = [
        ('{"@context": "http://evil.example/ctx.jsonld", "@id": "x"}', "application/ld+json", 400),
        ("[" * 2000 + "]" * 2000, "application/ld+json", 400),
        ("@prefix broken", "text/turtle", 400),
        ("", "text/turtle", 400),
        ("<a/>", "application/xml", 415),
    ]
    for body, media, status in cases:
        r = c.post(
            "/api/v1/deployments", content=body, headers={**_h(token), "content-type": media}
        )
        assert r.status_code == status, (body[:30], r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert c.get(f"/api/v1/deployments/{KEY}").status_code == 404
    assert c.get("/api/v1/deployments").json()["total"] == 3


def test_hostile_text_is_escaped_in_html_but_kept_in_data(
    writer: tuple[TestClient, str, str],
) -> None:
    c, token, _ = writer
    hostile = DEPLOYMENT_PART.replace(
        "Optimus, callbot du standard", "<img src=x onerror=alert(1)> Optimus"
    )
    assert c.post("/api/v1/deployments", content=hostile, headers=_h(token)).status_code == 201
    page = c.get(f"/id/deploiement/{KEY}.html").text
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "<img src=x" in c.get(f"/api/v1/deployments/{KEY}").json()["title"]


def test_index_refresh_equals_a_full_rebuild(tmp_path: Path) -> None:
    from registry.index import build_index, refresh
    from tests.harness.registry_server import sample_store

    store = sample_store(tmp_path, SampleSizes(6, 3, 2))
    before = build_index(store)
    dep = f"{BASE}id/deploiement/dep-00002"
    new = f"{BASE}id/deploiement/zz-new"
    store.update(
        f"DELETE WHERE {{ <{dep}> <http://purl.org/dc/terms/title> ?t }} ;"
        f'INSERT DATA {{ <{dep}> <http://purl.org/dc/terms/title> "Titre changé"@fr .'
        f" <{new}> a <https://w3id.org/ia-territoires/def#Deployment> ;"
        f' <http://purl.org/dc/terms/identifier> "zz-new" ;'
        f" <https://w3id.org/dpv/tech#hasDeployer> <{BASE}id/organisation/999999999> ."
        f' <{BASE}id/organisation/999999999> <http://xmlns.com/foaf/0.1/name> "Nouvelle" }} ;'
        f"DELETE WHERE {{ <{BASE}id/deploiement/dep-00004> ?p ?o }}"
    )
    refreshed = refresh(before, store, [dep, new, f"{BASE}id/deploiement/dep-00004"])
    rebuilt = build_index(store)
    assert [vars(d) for d in refreshed.deployments] == [vars(d) for d in rebuilt.deployments]
    assert refreshed.organisations[f"{BASE}id/organisation/999999999"].name == "Nouvelle"
    assert len(before.deployments) == 6  # the old index is untouched
    store.close()
