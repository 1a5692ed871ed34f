"""Publishing data packages to a real CKAN 2.12 (started by tests/harness/ckan_portal.py).

Each test publishes its own copy of the sample package under its own dataset name, so the tests
do not depend on each other's order."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from publishers.ckan import PublishOptions, publish
from publishers.client import CkanClient
from publishers.errors import PortalNotFoundError
from publishers.mapping import RESOURCE_HASH_KEY, RESOURCE_KEY
from tests.harness.ckan_portal import CkanPortal, PortalError, shared_portal
from tests.harness.services import service_missing

pytestmark = [pytest.mark.integration, pytest.mark.ckan]

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "packages"
ORG = "ia-territoires-tests"


@pytest.fixture(scope="session")
def ckan_portal() -> Iterator[CkanPortal]:
    try:
        with shared_portal() as portal:
            yield portal
    except PortalError as exc:
        service_missing(f"CKAN 2.12 test portal: {exc}")


@pytest.fixture(scope="session")
def admin(ckan_portal: CkanPortal) -> CkanClient:
    client = CkanClient(ckan_portal.url, ckan_portal.token, retries=0)
    try:
        client.call("organization_show", {"id": ORG})
    except PortalNotFoundError:
        client.call("organization_create", {"name": ORG, "title": "Tests ia-territoires"})
    return client


def _package(tmp_path: Path, identifier: str, source: Path = SAMPLES / "national") -> Path:
    """A copy of a sample package published under its own dataset name."""
    folder = tmp_path / identifier
    shutil.copytree(source, folder)
    descriptor_path = folder / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["name"] = identifier
    descriptor["ia_territoires:identifier"] = identifier
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")
    return folder


def _push(
    portal: CkanPortal, folder: Path, token: str | None = None, **options: Any
) -> tuple[CkanClient, Any]:
    client = CkanClient(portal.url, portal.token if token is None else token, retries=0)
    options.setdefault("org", ORG)
    report = publish(client, [folder], PublishOptions(**options))
    return client, report


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:  # the portal on 127.0.0.1
        return bytes(resp.read())


def _by_key(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r[RESOURCE_KEY]: r for r in dataset["resources"] if r.get(RESOURCE_KEY)}


def test_first_push_creates_the_dataset_with_every_file(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    folder = _package(tmp_path, "itest-first-push")
    client, report = _push(ckan_portal, folder)

    assert [d.status for d in report.datasets] == ["created"], report.render()
    assert client.write_calls == ["package_create"] + ["resource_create"] * 5
    dataset = admin.call("package_show", {"id": "itest-first-push"})
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert dataset["title"] == descriptor["title"]
    assert dataset["notes"] == descriptor["description"]
    assert dataset["organization"]["name"] == ORG
    assert dataset["version"] == descriptor["version"]
    assert dataset["private"] is False
    assert "intelligence artificielle" in {t["name"] for t in dataset["tags"]}
    assert "Relation aux usagers" in {t["name"] for t in dataset["tags"]}
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["identifier"] == "itest-first-push"
    assert extras["conforms_to"] == descriptor["ia_territoires:conformsTo"]
    assert extras["source_registry"] == descriptor["ia_territoires:registryUrl"]

    resources = _by_key(dataset)
    expected = {r["name"]: folder / r["path"] for r in descriptor["resources"]}
    expected["datapackage"] = folder / "datapackage.json"
    assert list(resources) == list(expected)  # same order as the package, descriptor last
    assert resources["deploiements"]["format"] == "CSV"
    assert resources["registre-turtle"]["mimetype"] == "text/turtle"
    assert resources["registre-jsonld"]["format"] == "JSON-LD"
    for key, path in expected.items():
        resource = resources[key]
        assert resource["url_type"] == "upload", key
        assert resource["url"].startswith(ckan_portal.url), resource["url"]
        assert _download(resource["url"]) == path.read_bytes(), key
        assert resource[RESOURCE_HASH_KEY] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_second_push_makes_no_write_call(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    folder = _package(tmp_path, "itest-second-push")
    _push(ckan_portal, folder)
    before = admin.call("package_show", {"id": "itest-second-push"})

    client, report = _push(ckan_portal, folder)

    assert client.write_calls == []
    assert [d.status for d in report.datasets] == ["unchanged"]
    assert report.datasets[0].write_calls == 0
    after = admin.call("package_show", {"id": "itest-second-push"})
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [(r["id"], r["metadata_modified"]) for r in after["resources"]] == [
        (r["id"], r["metadata_modified"]) for r in before["resources"]
    ]


def test_a_changed_file_replaces_only_its_resource(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    folder = _package(tmp_path, "itest-changed-file")
    _push(ckan_portal, folder)
    before = _by_key(admin.call("package_show", {"id": "itest-changed-file"}))
    turtle = folder / "rdf" / "registre.ttl"
    turtle.write_text(
        turtle.read_text(encoding="utf-8")
        + "\n<https://w3id.org/ia-territoires/id/deploiement/fr-plaisir-optimus> "
        '<http://purl.org/dc/terms/modified> "2026-11-26" .\n',
        encoding="utf-8",
    )

    client, report = _push(ckan_portal, folder)

    assert client.write_calls == ["resource_patch"], report.datasets[0].plan
    assert report.datasets[0].status == "updated"
    assert report.datasets[0].resources["replace"] == ["registre-turtle"]
    after = _by_key(admin.call("package_show", {"id": "itest-changed-file"}))
    assert list(after) == list(before)
    assert after["registre-turtle"]["id"] == before["registre-turtle"]["id"]
    assert after["registre-turtle"]["last_modified"] != before["registre-turtle"]["last_modified"]
    assert _download(after["registre-turtle"]["url"]) == turtle.read_bytes()
    for key in ("deploiements", "organisations", "registre-jsonld", "datapackage"):
        assert after[key]["id"] == before[key]["id"], key
        assert after[key]["last_modified"] == before[key]["last_modified"], key
        assert after[key][RESOURCE_HASH_KEY] == before[key][RESOURCE_HASH_KEY], key


def test_metadata_change_is_patched_and_a_dropped_resource_removed(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    folder = _package(tmp_path, "itest-metadata")
    _push(ckan_portal, folder)
    before = _by_key(admin.call("package_show", {"id": "itest-metadata"}))
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["title"] = "Registre (titre modifié)"
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "organisations"]
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")

    client, _report = _push(ckan_portal, folder)

    # The title is patched, the descriptor file (changed) replaced, the dropped table removed.
    assert sorted(client.write_calls) == ["package_patch", "resource_delete", "resource_patch"]
    dataset = admin.call("package_show", {"id": "itest-metadata"})
    assert dataset["title"] == "Registre (titre modifié)"
    after = _by_key(dataset)
    assert "organisations" not in after
    assert after["deploiements"]["id"] == before["deploiements"]["id"]
    assert len(dataset["resources"]) == 4  # a partial package_update would have dropped them


def test_a_bad_token_is_a_clear_error_and_changes_nothing(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    # A new dataset: refused on the first write, nothing created.
    folder = _package(tmp_path, "itest-bad-token")
    client, report = _push(ckan_portal, folder, token="not-a-valid-token")
    [dataset] = report.datasets
    assert dataset.status == "failed"
    assert dataset.error is not None and dataset.error["code"] == "token-refused"
    assert "jeton" in dataset.error["message_fr"] and "token" in dataset.error["message_en"]
    assert client.write_calls == ["package_create"]  # the one attempt, refused
    with pytest.raises(PortalNotFoundError):
        admin.call("package_show", {"id": "itest-bad-token"})

    # An existing dataset with a change: refused, CKAN's copy untouched.
    _push(ckan_portal, folder)
    before = admin.call("package_show", {"id": "itest-bad-token"})
    (folder / "data" / "organisations.csv").write_bytes(b"siren,iri,nom,type,territoire\n")
    _client, report = _push(ckan_portal, folder, token="not-a-valid-token", validate=False)
    assert report.datasets[0].status == "failed"
    assert report.datasets[0].error is not None
    assert report.datasets[0].error["code"] == "token-refused"
    after = admin.call("package_show", {"id": "itest-bad-token"})
    assert after["metadata_modified"] == before["metadata_modified"]


def test_dry_run_writes_nothing(ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path) -> None:
    folder = _package(tmp_path, "itest-dry-run")
    client, report = _push(ckan_portal, folder, dry_run=True)
    assert client.write_calls == []
    assert report.datasets[0].status == "created" and report.datasets[0].dry_run
    assert "+ deploiements" in (report.datasets[0].plan or "")
    with pytest.raises(PortalNotFoundError):
        admin.call("package_show", {"id": "itest-dry-run"})

    _push(ckan_portal, folder)
    before = admin.call("package_show", {"id": "itest-dry-run"})
    (folder / "rdf" / "registre.jsonld").write_text('{"@graph": []}\n', encoding="utf-8")
    client, report = _push(ckan_portal, folder, dry_run=True)
    assert client.write_calls == []
    assert report.datasets[0].resources["replace"] == ["registre-jsonld"]
    assert "~ registre-jsonld" in (report.datasets[0].plan or "")
    after = admin.call("package_show", {"id": "itest-dry-run"})
    assert after["metadata_modified"] == before["metadata_modified"]


def test_unknown_organisation_needs_create_org(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    folder = _package(tmp_path, "itest-unknown-org")
    client, report = _push(ckan_portal, folder, org="itest-no-such-org")
    assert client.write_calls == []
    assert report.datasets[0].status == "failed"
    assert report.datasets[0].error is not None
    assert report.datasets[0].error["code"] == "unknown-organisation"
    assert "itest-no-such-org" in report.datasets[0].error["message_fr"]
    assert "--create-org" in report.datasets[0].error["message_en"]
    with pytest.raises(PortalNotFoundError):
        admin.call("organization_show", {"id": "itest-no-such-org"})

    client, report = _push(ckan_portal, folder, org="itest-no-such-org", create_org=True)
    assert report.datasets[0].status == "created"
    assert client.write_calls[0] == "organization_create"
    dataset = admin.call("package_show", {"id": "itest-unknown-org"})
    assert dataset["organization"]["name"] == "itest-no-such-org"


def test_cli_per_organisation_with_report(
    ckan_portal: CkanPortal, admin: CkanClient, tmp_path: Path
) -> None:
    from registry.cli import app, publish_cmd  # noqa: F401  (registers `publish`)

    token_file = tmp_path / "token.txt"
    token_file.write_text(ckan_portal.token + "\n")
    report_file = tmp_path / "report.json"
    packages = SAMPLES / "per-organisation"
    args = [
        "publish",
        "ckan",
        str(packages),
        "--url",
        ckan_portal.url,
        "--per-organisation",
        "--create-org",
        "--report",
        str(report_file),
    ]
    runner = CliRunner()

    result = runner.invoke(app, [*args, "--token-file", str(token_file)])
    assert result.exit_code == 0, result.output
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["totals"]["failed"] == 0
    assert {d["name"] for d in data["datasets"]} == {
        "ia-territoires-217804905",
        "ia-territoires-200000001",
    }
    plaisir = admin.call("package_show", {"id": "ia-territoires-217804905"})
    assert plaisir["organization"]["name"] == "commune-de-plaisir"
    extras = {e["key"]: e["value"] for e in plaisir["extras"]}
    assert extras["publisher_identifier"] == "217804905"

    # Second run, token from the environment: everything unchanged, no write.
    result = runner.invoke(app, args, env={"IAT_CKAN_TOKEN": ckan_portal.token})
    assert result.exit_code == 0, result.output
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["totals"]["unchanged"] == 2
    assert all(d["write_calls"] == 0 for d in data["datasets"])
    assert ckan_portal.token not in result.output

    # No token at all: refused before any call.
    result = runner.invoke(app, args, env={"IAT_CKAN_TOKEN": ""})
    assert result.exit_code == 2
