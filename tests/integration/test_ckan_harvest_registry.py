"""A real CKAN 2.12 (ckanext-dcat 2.4.4 + ckanext-harvest 1.6.3) harvests the DCAT-AP catalogue
served by ``ia-territoires serve`` on 127.0.0.1, follows its Hydra paging, sees an entry change
made through the REST write path, and keeps a withdrawn entry's organisation dataset.

The registry holds a small subset of ``datasets/`` (three curated deployments, their systems and
organisations, and the slice of the reference data about their deployers), loaded with the
registry's own write path into a fresh store: the full ``datasets/`` takes more than a minute
to load, the subset a few seconds. Every ``xsd:date`` of the curated files is moved back to
:data:`OLD_DATE` so that an edit made today always changes the catalogue's ``dct:modified``."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef

from publishers.client import CkanClient
from publishers.errors import PortalNotFoundError
from tests.harness.ckan_portal import CkanPortal, PortalError, shared_portal
from tests.harness.registry_server import RunningServer, start_server, stop_server
from tests.harness.services import service_missing

pytestmark = [pytest.mark.integration, pytest.mark.ckan]

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "datasets" / "entries"
REFERENCE = ROOT / "datasets" / "reference" / "territoires-2026.nt.gz"
BASE = "https://w3id.org/ia-territoires/"
OLD_DATE = "2025-06-01"

# (deployment, its AI system): Plaisir is edited, Isère retired, the CNAF left alone.
DEPLOYMENTS = {
    "fr-plaisir-optimus": "yelda-callbot",
    "fr-isere-iris": "iris-isere",
    "st-cnaf-score-risque": "score-risque-allocataires-cnaf",
}
ORGANISATION_ENTRIES = ("ia-territoires", "yelda", "cnaf")
PLAISIR, ISERE, CNAF = "217804905", "223800012", "cnaf"
NATIONAL = f"{BASE}dataset/registre"
LICENCE_LABEL = "Licence Ouverte / Open Licence 2.0 (Etalab)"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
FORMATS = sorted(FILE_TYPE + t for t in ("CSV", "JSON", "JSON_LD", "RDF_TURTLE"))
MEDIA_TYPES = {
    f"https://www.iana.org/assignments/media-types/{m}"
    for m in ("text/csv", "application/json", "application/ld+json", "text/turtle")
}


def _dataset_iri(org_key: str) -> str:
    return f"{BASE}dataset/organisation/{org_key}"


# ---- the registry -----------------------------------------------------------------------------
def _reference_slice(organisations: set[str], target: Path) -> None:
    """The triples of the reference data about ``organisations`` and about the nodes they link
    to (territory, legal category, SIREN node), as N-Triples."""
    wanted = {f"<{iri}>" for iri in organisations}
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    kept: list[str] = []
    for _ in range(2):
        objects: set[str] = set()
        kept = [line for line in lines if line.split(" ", 1)[0] in wanted]
        for line in kept:
            obj = line.split(" ", 2)[2].rstrip(" .\n")
            if obj.startswith("<") or obj.startswith("_:"):
                objects.add(obj)
        wanted |= objects
    target.write_text("".join(kept), encoding="utf-8")


def _entry_files(folder: Path) -> list[Path]:
    """Copies of the curated entries with their dates moved back to OLD_DATE."""
    folder.mkdir(parents=True)
    sources = [ENTRIES / "deploiements" / f"{d}.ttl" for d in DEPLOYMENTS]
    sources += [ENTRIES / "systemes" / f"{s}.ttl" for s in DEPLOYMENTS.values()]
    sources += [ENTRIES / "organisations" / f"{o}.ttl" for o in ORGANISATION_ENTRIES]
    out = []
    for src in sources:
        text = re.sub(
            r'"\d{4}-\d{2}-\d{2}"\^\^xsd:date',
            f'"{OLD_DATE}"^^xsd:date',
            src.read_text(encoding="utf-8"),
        )
        dst = folder / f"{src.parent.name}-{src.name}"
        dst.write_text(text, encoding="utf-8")
        out.append(dst)
    return out


def _deployers(files: list[Path]) -> set[str]:
    graph = Graph()
    for f in files:
        graph.parse(f, format="turtle")
    predicate = URIRef("https://w3id.org/dpv/tech#hasDeployer")
    return {str(o) for o in graph.objects(None, predicate)}


def _build_store(tmp: Path) -> str:
    """A store holding the subset, loaded through the registry's write path (validated and
    versioned, as ``serve`` does on first start). Returns an admin API token."""
    from registry.auth import AuthDB
    from registry.config import Settings
    from registry.entries import EntryService
    from registry.layout import Layout
    from registry.loading import load, load_fixed_graph
    from registry.store import open_store
    from registry.vocab import ONTOLOGY_DIR

    entries = _entry_files(tmp / "entries")
    reference = tmp / "reference-slice.nt"
    _reference_slice(_deployers(entries), reference)
    # The embedded store whatever the environment says: the server opens this one.
    settings = Settings(
        store_path=tmp / "store", auth_db_path=tmp / "auth.sqlite3", sparql_query_url=None
    )
    layout = Layout(settings.base_iri)
    store = open_store(settings)
    try:
        service = EntryService(store, layout)
        load(service, [ONTOLOGY_DIR])
        load_fixed_graph(service, layout.reference_graph, [reference])
        report = load(service, entries)
        assert not report.invalid, f"subset entries refused: {report.to_dict()}"
        assert report.created == len(entries), report.to_dict()
    finally:
        store.close()
    auth = AuthDB(settings.resolved_auth_db_path, layout)
    try:
        _, token = auth.create_token(None, admin=True, label="moissonnage CKAN")
    finally:
        auth.close()
    return token


@dataclass
class Registry:
    server: RunningServer
    token: str
    entries: Path


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    token = _build_store(tmp_path)
    # start_server's store is tmp/"store": already filled, so nothing else is loaded.
    server = start_server(tmp_path, [])
    try:
        yield Registry(server, token, tmp_path / "entries")
    finally:
        stop_server(server.process)


@pytest.fixture(scope="session")
def ckan_portal() -> Iterator[CkanPortal]:
    try:
        with shared_portal() as portal:
            yield portal
    except PortalError as exc:
        service_missing(f"CKAN 2.12 test portal: {exc}")


# ---- CKAN side ----------------------------------------------------------------------------------
def _harvested(admin: CkanClient, source_id: str) -> dict[str, dict[str, Any]]:
    """Active datasets of the source, by their DCAT URI. package_list reads the database (not
    the approximate Solr stand-in) and lists active datasets only: a dataset the harvester
    deleted is absent, which is what the assertions on the harvested set rely on."""
    out: dict[str, dict[str, Any]] = {}
    for name in admin.call("package_list"):
        try:
            dataset = admin.call("package_show", {"id": name})
        except PortalNotFoundError:
            continue
        extras = {e["key"]: e["value"] for e in dataset.get("extras") or []}
        if extras.get("harvest_source_id") == source_id:
            out[extras["uri"]] = {**dataset, "extras_dict": extras}
    return out


def _catalogue_datasets(url: str) -> set[str]:
    """Every dataset IRI of the served catalogue, walking its Hydra pages."""
    found: set[str] = set()
    next_url: str | None = url
    hydra_next = URIRef("http://www.w3.org/ns/hydra/core#next")
    while next_url:
        response = httpx.get(next_url, timeout=30)
        assert response.status_code == 200, response.text
        graph = Graph().parse(data=response.text, format="turtle")
        found |= {
            str(s)
            for s in graph.subjects(
                URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                URIRef("http://www.w3.org/ns/dcat#Dataset"),
            )
        }
        nxt = next(graph.objects(None, hydra_next), None)
        next_url = str(nxt) if nxt is not None else None
    return found


def _harvest(portal: CkanPortal, source: str) -> None:
    log = portal.harvest(source)
    assert "iat-harvest-step-done harvester run-test" in log, log[-3000:]


def _put_title(registry: Registry, key: str, old: str, new: str) -> None:
    url = f"{registry.server.url}/api/v1/deployments/{key}"
    current = httpx.get(url, timeout=30)
    assert current.status_code == 200, current.text
    source = (registry.entries / f"deploiements-{key}.ttl").read_text(encoding="utf-8")
    assert old in source
    # No dct:modified on the deployment: the registry dates the change itself (today).
    dated = f' ;\n    dct:modified "{OLD_DATE}"^^xsd:date .\n'
    assert dated in source
    payload = source.replace(old, new).replace(dated, " .\n", 1)
    response = httpx.put(
        url,
        content=payload.encode("utf-8"),
        headers={
            "authorization": f"Bearer {registry.token}",
            "content-type": "text/turtle",
            "if-match": current.headers["etag"],
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["changed"] is True


def _retire(registry: Registry, key: str) -> None:
    url = f"{registry.server.url}/api/v1/deployments/{key}"
    current = httpx.get(url, timeout=30)
    response = httpx.post(
        f"{url}/retire",
        headers={
            "authorization": f"Bearer {registry.token}",
            "if-match": current.headers["etag"],
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text


def test_ckan_harvests_the_registry_catalogue(ckan_portal: CkanPortal, registry: Registry) -> None:
    today = datetime.now(UTC).date().isoformat()
    # Two datasets a page: the harvester must follow hydra:next to see all four.
    source_url = f"{registry.server.url}/catalog.ttl?page_size=2"
    expected = _catalogue_datasets(source_url)
    assert expected == {NATIONAL, *(_dataset_iri(k) for k in (PLAISIR, ISERE, CNAF))}
    # ckanext-dcat parses every page in the format of the first: paging links keep it.
    jsonld = httpx.get(f"{registry.server.url}/catalog.jsonld?page_size=2", timeout=30)
    assert f'"{registry.server.url}/catalog.jsonld?page=2&page_size=2"' in jsonld.text

    admin = CkanClient(ckan_portal.url, ckan_portal.token, retries=0)
    admin.call("organization_create", {"name": "itest-registre", "title": "Registre"})
    source = admin.call(
        "harvest_source_create",
        {
            "name": "itest-iat-registry",
            "title": "ia-territoires (serveur)",
            "url": source_url,
            "source_type": "dcat_rdf",
            "owner_org": "itest-registre",
            "frequency": "MANUAL",
        },
    )

    # ---- first harvest: every dataset, with its metadata --------------------------------------
    _harvest(ckan_portal, "itest-iat-registry")
    first = _harvested(admin, source["id"])
    assert set(first) == expected
    for uri, dataset in first.items():
        extras = dataset["extras_dict"]
        assert dataset["state"] == "active", uri
        assert dataset["title"], uri
        assert extras["guid"] == uri
        assert extras["identifier"].startswith("ia-territoires-"), uri
        assert extras["publisher_uri"], uri
        assert extras["publisher_name"], uri
        assert extras["modified"].startswith(OLD_DATE), (uri, extras["modified"])
        # CKAN's default licence register has no Etalab 2.0 entry: ckanext-dcat keeps the
        # dataset licence out of license_id and the licence comes on each distribution.
        assert not dataset.get("license_id"), dataset.get("license_id")
        resources = dataset["resources"]
        # DCAT-AP 3 wants URIs for formats and media types: ckanext-dcat keeps them as they are.
        assert sorted(r["format"] for r in resources) == FORMATS, uri
        assert {r["mimetype"] for r in resources} == MEDIA_TYPES, uri
        # The licence of each distribution, by the label of the dct:LicenseDocument.
        assert {r["license"] for r in resources} == {LICENCE_LABEL}, uri
        assert all(r["url"].startswith(registry.server.url) for r in resources), uri
        assert "intelligence artificielle" in {t["name"] for t in dataset["tags"]}
    # Titles and descriptions come in the portal's ckan.locale_default language (English on
    # the test portal; a French portal gets the @fr literals), the catalogue has both.
    national = first[NATIONAL]
    assert national["title"] == "Registry of AI systems used by French local governments"
    assert national["extras_dict"]["identifier"] == "ia-territoires-registre"
    plaisir = first[_dataset_iri(PLAISIR)]
    assert plaisir["title"] == "AI systems deployed by Commune de Plaisir"
    assert plaisir["extras_dict"]["identifier"] == f"ia-territoires-{PLAISIR}"
    assert plaisir["extras_dict"]["publisher_name"] == "Commune de Plaisir"
    assert plaisir["extras_dict"]["publisher_uri"] == f"{BASE}id/organisation/{PLAISIR}"
    csv = next(r for r in plaisir["resources"] if r["format"] == FILE_TYPE + "CSV")
    assert csv["url"] == f"{registry.server.url}/api/v1/deployments.csv?organisation={PLAISIR}"
    assert httpx.get(csv["url"], timeout=30).status_code == 200

    # ---- an entry changes through the REST write path, then a re-harvest ---------------------
    _put_title(registry, "fr-plaisir-optimus", "Optimus, callbot", "Optimus 2, callbot")
    _harvest(ckan_portal, "itest-iat-registry")
    second = _harvested(admin, source["id"])
    assert set(second) == expected
    plaisir2 = second[_dataset_iri(PLAISIR)]
    assert plaisir2["id"] == plaisir["id"]  # updated in place, not re-created
    assert plaisir2["name"] == plaisir["name"]
    assert plaisir2["extras_dict"]["modified"].startswith(today)
    assert second[NATIONAL]["extras_dict"]["modified"].startswith(today)
    # the organisation left alone keeps its date
    assert second[_dataset_iri(CNAF)]["extras_dict"]["modified"].startswith(OLD_DATE)

    # ---- an entry is withdrawn: its organisation's dataset stays, marked ---------------------
    _retire(registry, "fr-isere-iris")
    _harvest(ckan_portal, "itest-iat-registry")
    third = _harvested(admin, source["id"])
    assert set(third) == expected  # nothing deleted: the catalogue is never partial
    isere = third[_dataset_iri(ISERE)]
    assert isere["state"] == "active"
    assert isere["id"] == first[_dataset_iri(ISERE)]["id"]
    assert isere["extras_dict"]["modified"].startswith(today)
    assert "Of which 1 retired" in isere["notes"], isere["notes"]
    assert "retired" not in third[_dataset_iri(CNAF)]["notes"]
    assert "Of which 1 retired" in third[NATIONAL]["notes"], third[NATIONAL]["notes"]
    # the French description served alongside says the same
    french = httpx.get(f"{registry.server.url}/catalog/organisation/{ISERE}.ttl", timeout=30)
    assert "Dont 1 arrêté (retiré du service" in french.text
