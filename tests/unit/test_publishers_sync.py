"""The sync plan and its application, against an in-memory fake of the CKAN action API."""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from publishers.ckan import PublishOptions, publish
from publishers.errors import PortalNotFoundError, TokenError
from publishers.mapping import MANAGED_EXTRAS, RESOURCE_HASH_KEY, RESOURCE_KEY
from publishers.plan import make_plan

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "packages"


class FakeCkan:
    """Just enough of CKAN's actions, with CKAN's semantics for patch and uploads."""

    def __init__(self, orgs: tuple[str, ...] = ("org",), refuse_writes: bool = False) -> None:
        self.url = "http://ckan.invalid"
        self.write_calls: list[str] = []
        self.orgs = set(orgs)
        self.datasets: dict[str, dict[str, Any]] = {}
        self.refuse_writes = refuse_writes

    def call(
        self,
        action: str,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> Any:
        data = dict(data or {})
        if action not in {"organization_show", "license_list", "package_show"}:
            self.write_calls.append(action)
            if self.refuse_writes:
                raise TokenError("refusé", "refused")
        return getattr(self, action)(data, files or {})

    # reads
    def license_list(self, data: dict[str, Any], files: Any) -> list[dict[str, str]]:
        return [{"id": "cc-by"}, {"id": "fr-lo"}]

    def organization_show(self, data: dict[str, Any], files: Any) -> dict[str, Any]:
        if data["id"] not in self.orgs:
            raise PortalNotFoundError("absente", "missing")
        return {"name": data["id"]}

    def package_show(self, data: dict[str, Any], files: Any) -> dict[str, Any]:
        for d in self.datasets.values():
            if data["id"] in (d["id"], d["name"]):
                return copy.deepcopy(d)
        raise PortalNotFoundError("absent", "missing")

    # writes
    def organization_create(self, data: dict[str, Any], files: Any) -> dict[str, Any]:
        self.orgs.add(data["name"])
        return {"name": data["name"]}

    def package_create(self, data: dict[str, Any], files: Any) -> dict[str, Any]:
        dataset = {
            **data,
            "id": str(uuid.uuid4()),
            "resources": [],
            "state": "active",
            "organization": {"name": data["owner_org"]},
        }
        self.datasets[dataset["id"]] = dataset
        return copy.deepcopy(dataset)

    def package_patch(self, data: dict[str, Any], files: Any) -> dict[str, Any]:
        dataset = self.datasets[data.pop("id")]
        dataset.update(data)
        if "owner_org" in data:
            dataset["organization"] = {"name": data["owner_org"]}
        return copy.deepcopy(dataset)

    def _resource(self, rid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for d in self.datasets.values():
            for r in d["resources"]:
                if r["id"] == rid:
                    return d, r
        raise PortalNotFoundError("absente", "missing")

    def resource_create(self, data: dict[str, Any], files: Mapping[str, Path]) -> dict[str, Any]:
        dataset = self.datasets[data.pop("package_id")]
        resource = {**data, "id": str(uuid.uuid4()), "bytes": files["upload"].read_bytes()}
        dataset["resources"].append(resource)
        return dict(resource)

    def resource_patch(self, data: dict[str, Any], files: Mapping[str, Path]) -> dict[str, Any]:
        _dataset, resource = self._resource(data.pop("id"))
        resource.update(data)
        if "upload" in files:
            resource["bytes"] = files["upload"].read_bytes()
        return dict(resource)

    def resource_delete(self, data: dict[str, Any], files: Any) -> None:
        dataset, resource = self._resource(data["id"])
        dataset["resources"].remove(resource)

    def package_resource_reorder(self, data: dict[str, Any], files: Any) -> None:
        dataset = self.datasets[data["id"]]
        by_id = {r["id"]: r for r in dataset["resources"]}
        dataset["resources"] = [by_id[i] for i in data["order"]] + [
            r for r in dataset["resources"] if r["id"] not in data["order"]
        ]

    def only(self) -> dict[str, Any]:
        [dataset] = self.datasets.values()
        return dataset


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "national"
    shutil.copytree(SAMPLES / "national", folder)
    return folder


def _edit_descriptor(folder: Path, **changes: Any) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.update(changes)
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def _publish(fake: FakeCkan, folder: Path, **options: Any) -> Any:
    fake.write_calls.clear()
    options.setdefault("org", "org")
    options.setdefault("validate", False)
    return publish(fake, [folder], PublishOptions(**options)).datasets[0]


def test_create_then_nothing_to_do(package: Path) -> None:
    fake = FakeCkan()
    first = _publish(fake, package)
    assert first.status == "created"
    assert fake.write_calls == ["package_create"] + ["resource_create"] * 5
    dataset = fake.only()
    assert dataset["license_id"] == "fr-lo"  # the portal lists fr-lo, not etalab-2.0
    assert [r[RESOURCE_KEY] for r in dataset["resources"]][-1] == "datapackage"
    assert dataset["resources"][0]["bytes"] == (package / "data/deploiements.csv").read_bytes()

    second = _publish(fake, package)
    assert second.status == "unchanged"
    assert fake.write_calls == []
    assert second.write_calls == 0


def test_changed_file_is_the_only_upload(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    (package / "rdf" / "registre.ttl").write_text("# changed\n", encoding="utf-8")
    report = _publish(fake, package)
    assert fake.write_calls == ["resource_patch"]
    assert report.resources["replace"] == ["registre-turtle"]
    assert report.changed_fields == []
    turtle = next(r for r in fake.only()["resources"] if r[RESOURCE_KEY] == "registre-turtle")
    assert turtle["bytes"] == b"# changed\n"


def test_metadata_only_change_patches_without_upload(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    resource = next(r for r in fake.only()["resources"] if r[RESOURCE_KEY] == "deploiements")
    resource["description"] = "edited on the portal by hand"
    resource["format"] = "csv"  # CKAN may change a format's case: not a change
    report = _publish(fake, package)
    assert fake.write_calls == ["resource_patch"]
    assert report.resources["update"] == ["deploiements"]


def test_dataset_fields_are_patched_alone_and_foreign_extras_kept(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    fake.only()["extras"].append({"key": "harvest_note", "value": "kept"})
    _edit_descriptor(package, title="Nouveau titre", keywords=["IA"])
    report = _publish(fake, package)
    # datapackage.json itself changed, so its resource is replaced too.
    assert sorted(fake.write_calls) == ["package_patch", "resource_patch"]
    assert set(report.changed_fields) == {"title", "tags"}
    dataset = fake.only()
    assert dataset["title"] == "Nouveau titre"
    assert {"key": "harvest_note", "value": "kept"} in dataset["extras"]
    assert len(dataset["resources"]) == 5


def test_managed_extra_dropped_from_the_package_is_removed(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["ia_territoires:conformsTo"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = _publish(fake, package)
    assert "extras.conforms_to" in report.changed_fields
    keys = {e["key"] for e in fake.only()["extras"]}
    assert "conforms_to" not in keys and "identifier" in keys
    assert keys <= set(MANAGED_EXTRAS)


def test_removed_resource_is_deleted_and_foreign_ones_kept(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    fake.only()["resources"].append({"id": "manual", "name": "Added by a person"})
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "organisations"]
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = _publish(fake, package)
    assert report.resources["remove"] == ["organisations"]
    names = [r.get(RESOURCE_KEY) for r in fake.only()["resources"]]
    assert "organisations" not in names
    assert None in names  # the resource a person added is still there


def test_new_resource_in_the_middle_triggers_one_reorder(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    (package / "data" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].insert(
        1, {"name": "extra", "path": "data/extra.csv", "format": "csv", "mediatype": "text/csv"}
    )
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _publish(fake, package)
    assert fake.write_calls == ["resource_create", "resource_patch", "package_resource_reorder"]
    keys = [r[RESOURCE_KEY] for r in fake.only()["resources"]]
    assert keys == [
        "deploiements",
        "extra",
        "organisations",
        "registre-turtle",
        "registre-jsonld",
        "datapackage",
    ]
    _publish(fake, package)
    assert fake.write_calls == []


def test_dry_run_plans_without_writing(package: Path) -> None:
    fake = FakeCkan()
    report = _publish(fake, package, dry_run=True)
    assert fake.write_calls == []
    assert report.status == "created" and report.dry_run
    assert report.plan is not None and "+ deploiements" in report.plan
    _publish(fake, package)
    (package / "rdf" / "registre.ttl").write_text("# changed\n", encoding="utf-8")
    report = _publish(fake, package, dry_run=True)
    assert fake.write_calls == []
    assert report.status == "updated"
    assert report.plan is not None and "~ registre-turtle" in report.plan
    assert "= deploiements" in report.plan


def test_unknown_organisation(package: Path) -> None:
    fake = FakeCkan(orgs=())
    report = _publish(fake, package, org="absente")
    assert report.status == "failed"
    assert report.error is not None and report.error["code"] == "unknown-organisation"
    assert fake.write_calls == []
    report = _publish(fake, package, org="absente", create_org=True)
    assert report.status == "created" and report.organisation_created == "absente"
    assert fake.write_calls[0] == "organization_create"


def test_refused_token_is_reported_per_dataset(package: Path) -> None:
    fake = FakeCkan(refuse_writes=True)
    report = _publish(fake, package)
    assert report.status == "failed"
    assert report.error is not None and report.error["code"] == "token-refused"
    assert fake.datasets == {}


def test_deleted_dataset_is_brought_back(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    fake.only()["state"] = "deleted"
    report = _publish(fake, package)
    assert fake.write_calls == ["package_patch"]
    assert "state" in report.changed_fields
    assert fake.only()["state"] == "active"


def test_plan_render_shows_field_diffs() -> None:
    desired = {
        "name": "n",
        "title": "B",
        "notes": "",
        "owner_org": "o",
        "license_id": "x",
        "version": "",
        "url": "",
        "private": False,
        "tags": [],
        "extras": {},
    }
    existing = {
        "id": "1",
        "name": "n",
        "title": "A",
        "notes": "",
        "organization": {"name": "o"},
        "license_id": "x",
        "private": False,
        "tags": [],
        "extras": [],
        "resources": [],
    }
    plan = make_plan(desired, [], existing)
    assert plan.action == "update"
    assert plan.patch == {"title": "B"}
    assert "~ title: A → B" in plan.render()
    existing["title"] = "B"
    assert make_plan(desired, [], existing).action == "unchanged"


def test_hash_is_what_decides_an_upload(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    turtle = next(r for r in fake.only()["resources"] if r[RESOURCE_KEY] == "registre-turtle")
    turtle[RESOURCE_HASH_KEY] = "0" * 64  # e.g. replaced on the portal by someone else
    report = _publish(fake, package)
    assert report.resources["replace"] == ["registre-turtle"]


def test_a_dataset_of_another_source_is_never_taken_over(package: Path) -> None:
    fake = FakeCkan()
    _publish(fake, package)
    dataset = fake.only()
    for extra in dataset["extras"]:
        if extra["key"] == "identifier":
            extra["value"] = "someone-else"
    report = _publish(fake, package)
    assert report.status == "failed"
    assert report.error is not None and "someone-else" in report.error["message_fr"]
    assert fake.write_calls == []
