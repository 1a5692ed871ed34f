"""CKAN (ckanext-dcat 2.4.4 + ckanext-harvest 1.6.3) harvests a DCAT-AP catalogue served on
127.0.0.1: the path by which portals pull the registry.

Until the registry serves ``/catalog.ttl`` (issue 5 item 5), the catalogue is the static sample
``tests/data/packages/dcat/catalog.ttl`` served by ``python -m http.server``; swapping in
``ia-territoires serve`` only changes the URL of the harvest source."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publishers.client import CkanClient
from publishers.errors import PortalNotFoundError
from tests.harness.ckan_portal import CkanPortal, PortalError, shared_portal
from tests.harness.services import free_port, service_missing, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.ckan]

CATALOG = Path(__file__).resolve().parents[1] / "data" / "packages" / "dcat" / "catalog.ttl"
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
NATIONAL = "https://w3id.org/ia-territoires/id/jeu/ia-territoires-registre-national"
PLAISIR = "https://w3id.org/ia-territoires/id/jeu/ia-territoires-217804905"


@pytest.fixture(scope="session")
def ckan_portal() -> Iterator[CkanPortal]:
    try:
        with shared_portal() as portal:
            yield portal
    except PortalError as exc:
        service_missing(f"CKAN 2.12 test portal: {exc}")


@pytest.fixture
def served_catalog(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``catalog.ttl`` served over HTTP on 127.0.0.1 from a folder the test may edit."""
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(CATALOG, folder / "catalog.ttl")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port, 15):
            service_missing("python -m http.server for the DCAT catalogue")
        yield f"http://127.0.0.1:{port}/catalog.ttl", folder / "catalog.ttl"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _harvested(admin: CkanClient, source_id: str) -> dict[str, dict[str, Any]]:
    """Active datasets of the source, by their DCAT URI (package_list reads the database, not
    the approximate Solr stand-in)."""
    out: dict[str, dict[str, Any]] = {}
    for name in admin.call("package_list"):
        try:
            dataset = admin.call("package_show", {"id": name})
        except PortalNotFoundError:
            continue
        extras = {e["key"]: e["value"] for e in dataset.get("extras") or []}
        if extras.get("harvest_source_id") == source_id and dataset["state"] == "active":
            out[extras["uri"]] = {**dataset, "extras_dict": extras}
    return out


def test_ckan_harvests_the_dcat_catalogue(
    ckan_portal: CkanPortal, served_catalog: tuple[str, Path]
) -> None:
    url, catalog_file = served_catalog
    admin = CkanClient(ckan_portal.url, ckan_portal.token, retries=0)
    admin.call("organization_create", {"name": "itest-harvest", "title": "Moissonnage"})
    source = admin.call(
        "harvest_source_create",
        {
            "name": "itest-iat-catalog",
            "title": "ia-territoires",
            "url": url,
            "source_type": "dcat_rdf",
            "owner_org": "itest-harvest",
            "frequency": "MANUAL",
        },
    )

    log = ckan_portal.harvest("itest-iat-catalog")
    assert "iat-harvest-step-done harvester run-test" in log

    datasets = _harvested(admin, source["id"])
    assert set(datasets) == {NATIONAL, PLAISIR}
    national = datasets[NATIONAL]
    assert national["title"] == "Registre des systèmes d'IA des collectivités territoriales"
    assert national["extras_dict"]["identifier"] == "ia-territoires-registre-national"
    assert national["extras_dict"]["publisher_name"] == "ia-territoires"
    assert national["extras_dict"]["guid"] == NATIONAL
    assert "intelligence artificielle" in {t["name"] for t in national["tags"]}
    assert len(national["resources"]) == 2
    # CKAN's default licence register has no Etalab licence: ckanext-dcat keeps the licence on
    # each distribution and leaves the dataset's license_id empty (a portal whose register
    # lists the Etalab URL gets license_id too).
    assert {r["license"] for r in national["resources"]} == {ETALAB}
    assert {r["url"] for r in national["resources"]} == {
        "https://registre.ia-territoires.example/export/deploiements.csv",
        "https://registre.ia-territoires.example/export/registre.ttl",
    }
    assert datasets[PLAISIR]["extras_dict"]["publisher_name"] == "Commune de Plaisir"

    # The catalogue changes: one title edited, one dataset gone from it. Re-harvest updates the
    # first in place and DELETES the second: a catalogue must never be served partially.
    text = catalog_file.read_text(encoding="utf-8")
    text = text.replace(
        '"Registre des systèmes d\'IA des collectivités territoriales"@fr ;\n'
        '    dct:description "Les systèmes',
        '"Registre national des systèmes d\'IA (édition 2)"@fr ;\n'
        '    dct:description "Les systèmes',
    )
    text = text.replace(f",\n        <{PLAISIR}> .", " .")
    text = text[: text.index(f"<{PLAISIR}> a dcat:Dataset")]
    catalog_file.write_text(text, encoding="utf-8")

    ckan_portal.harvest("itest-iat-catalog")

    after = _harvested(admin, source["id"])
    assert set(after) == {NATIONAL}
    assert after[NATIONAL]["title"] == "Registre national des systèmes d'IA (édition 2)"
    assert after[NATIONAL]["id"] == national["id"]  # updated, not re-created
    gone = admin.call("package_show", {"id": datasets[PLAISIR]["id"]})
    assert gone["state"] == "deleted"
