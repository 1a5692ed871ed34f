"""``POST /api/v1/imports``: the spreadsheet import over HTTP, with the organisation's token,
through the same write path as the CLI (tests/data/tabular/ files)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.auth import AuthDB
from registry.config import Settings
from registry.layout import Layout
from registry.store.embedded import EmbeddedStore

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATA = Path(__file__).resolve().parents[1] / "data" / "tabular"
BASE = "https://w3id.org/ia-territoires/"
PLAISIR = "217804905"


@dataclass
class Api:
    client: TestClient
    org_token: str
    admin_token: str

    def upload(self, name: str, token: str | None, **fields: str) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with (DATA / name).open("rb") as fh:
            response = self.client.post(
                "/api/v1/imports", files={"file": (name, fh)}, data=fields, headers=headers
            )
        return response.status_code, response.json()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    store = EmbeddedStore(tmp_path / "store")
    store.bulk_load(DATA / "reference.ttl")
    settings = Settings(store_path=tmp_path / "store", auth_db_path=tmp_path / "auth.sqlite3")
    auth = AuthDB(settings.resolved_auth_db_path, Layout(BASE))
    auth.add_organisation(PLAISIR, "Commune de Plaisir")
    _, org_token = auth.create_token(PLAISIR, label="import")
    _, admin_token = auth.create_token(None, admin=True, label="admin")
    auth.close()
    with TestClient(create_app(settings, store)) as client:
        yield Api(client, org_token, admin_token)
    store.close()


def test_import_needs_a_token(api: Api) -> None:
    status, body = api.upload("deploiements-cp1252.csv", None)
    assert status == 401, body


def test_refused_import_writes_nothing_then_the_fixed_file_is_imported(api: Api) -> None:
    for name in ("organisations.csv", "systemes.csv"):
        status, body = api.upload(name, api.admin_token)
        assert status == 200 and body["summary"]["created"] == 1, body

    status, body = api.upload("deploiements-invalid.csv", api.org_token)
    assert status == 422, body
    assert body["written"] is False and body["summary"]["rejected"] >= 1
    assert any(i["severity"] == "Violation" for i in body["issues"]), body["issues"]
    assert api.client.get("/api/v1/deployments/fr-plaisir-optimus").status_code == 404

    status, body = api.upload("deploiements-cp1252.csv", api.org_token, dry_run="oui")
    assert status == 200 and body["dryRun"] and not body["written"], body
    assert api.client.get("/api/v1/deployments/fr-plaisir-optimus").status_code == 404

    status, body = api.upload("deploiements-cp1252.csv", api.org_token)
    assert status == 200 and body["written"] and body["summary"]["created"] == 2, body
    entry = api.client.get(
        "/api/v1/deployments/fr-plaisir-optimus", headers={"Accept": "text/turtle"}
    )
    assert entry.status_code == 200 and "Optimus" in entry.text
    listing = api.client.get("/api/v1/deployments", params={"organisation": PLAISIR}).json()
    assert listing["total"] == 2  # the listing cache was invalidated by the import

    status, body = api.upload("deploiements-cp1252.csv", api.org_token)
    assert status == 200 and body["file"] == "deploiements-cp1252.csv", body
    assert body["summary"]["unchanged"] == 2, body  # re-importing the same file changes nothing
    assert body["summary"]["created"] == body["summary"]["updated"] == 0, body


def test_other_files_are_refused_with_a_clear_error(api: Api) -> None:
    response = api.client.post(
        "/api/v1/imports",
        files={"file": ("notes.txt", b"bonjour")},
        headers={"Authorization": f"Bearer {api.org_token}"},
    )
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "notes.txt" in response.json()["detail"]
