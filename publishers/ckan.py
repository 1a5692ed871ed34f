"""Publish data packages to a CKAN portal: idempotent, with a dry run and a report.

    client = CkanClient(url, token)
    report = publish(client, [Path("export/national")], PublishOptions(org="ia-territoires"))

For each package: read (and validate) it, map it to the desired dataset, read what the portal
has, plan the difference (:mod:`publishers.plan`), then apply only that plan. A package whose
dataset is already up to date costs read calls only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publishers import mapping
from publishers.client import CkanApi
from publishers.errors import (
    OrganisationMissingError,
    PackageError,
    PortalError,
    PortalNotFoundError,
    PublishError,
)
from publishers.package import DataPackage, read_package, sub_packages, validate_package
from publishers.plan import RESOURCE_ACTIONS, DatasetAction, Plan, make_plan
from publishers.report import DatasetReport, PublishReport, Status

_STATUS: dict[DatasetAction, Status] = {
    "create": "created",
    "update": "updated",
    "unchanged": "unchanged",
}


@dataclass(frozen=True)
class PublishOptions:
    org: str | None = None  # CKAN organisation; default: the package's publisher slug
    create_org: bool = False  # create the organisation when the portal lacks it
    dry_run: bool = False
    licence_id: str | None = None  # force the portal's licence id
    validate: bool = True  # run Frictionless validation before publishing


def package_folders(folder: Path, per_organisation: bool) -> list[Path]:
    """The packages to publish: the folder itself, or its sub-packages (one per organisation)."""
    return sub_packages(folder) if per_organisation else [folder]


def publish(client: CkanApi, folders: list[Path], options: PublishOptions) -> PublishReport:
    """Publish every package; a failure is reported for its dataset and the others go on."""
    report = PublishReport(portal=client.url, dry_run=options.dry_run)
    licences = None
    for folder in folders:
        before = len(client.write_calls)
        name: str | None = None
        try:
            package = read_package(folder)
            name = mapping.ckan_name(package.identifier)
            if options.validate:
                validate_package(package)
            if licences is None:
                licences = _known_licences(client)
            dataset = sync_package(client, package, options, licences)
            dataset.package = str(folder)  # as the user named it
            report.datasets.append(dataset)
        except PublishError as exc:
            report.datasets.append(
                DatasetReport.failure(
                    str(folder), name, exc, options.dry_run, len(client.write_calls) - before
                )
            )
        except ValueError as exc:  # no CKAN name can be made from the identifier
            err = PackageError(f"{folder} : {exc}", f"{folder}: {exc}")
            report.datasets.append(DatasetReport.failure(str(folder), name, err, options.dry_run))
    return report


def _known_licences(client: CkanApi) -> list[str] | None:
    try:
        result = client.call("license_list")
    except PublishError:
        return None  # a portal without the action: pass the package's licence through
    return [str(item["id"]) for item in result if isinstance(item, dict) and "id" in item]


def _organisation(
    client: CkanApi, package: DataPackage, options: PublishOptions
) -> tuple[str, str | None]:
    """The organisation's name, and the name to create first (None when it exists)."""
    name = options.org or mapping.default_org_name(package)
    if not name:
        raise PackageError(
            f"{package.folder} : aucune organisation CKAN (donner --org, ou "
            "« ia_territoires:publisher.slug » dans datapackage.json)",
            f"{package.folder}: no CKAN organisation (give --org, or "
            "'ia_territoires:publisher.slug' in datapackage.json)",
        )
    try:
        client.call("organization_show", {"id": name, "include_datasets": False})
        return name, None
    except PortalNotFoundError:
        if options.create_org:
            return name, name
        raise OrganisationMissingError(
            f"L'organisation « {name} » n'existe pas sur {client.url} : la créer sur le portail, "
            "ou relancer avec --create-org (jeton d'administrateur requis).",
            f"Organisation '{name}' does not exist on {client.url}: create it on the portal, or "
            "run again with --create-org (needs a sysadmin token).",
            organisation=name,
        ) from None


def _existing(client: CkanApi, name: str) -> dict[str, Any] | None:
    try:
        result = client.call("package_show", {"id": name})
    except PortalNotFoundError:
        return None
    return result if isinstance(result, dict) else None


def build_plan(
    client: CkanApi, package: DataPackage, options: PublishOptions, licences: list[str] | None
) -> Plan:
    """Read-only: everything the sync will do for this package."""
    org, to_create = _organisation(client, package, options)
    licence = options.licence_id or mapping.ckan_licence(mapping.package_licence(package), licences)
    desired = mapping.dataset_fields(package, org, licence)
    files = [(f, mapping.resource_fields(f)) for f in package.files]
    existing = _existing(client, desired["name"])
    if existing is not None:
        _check_same_dataset(client, existing, package)
    return make_plan(desired, files, existing, to_create)


def _check_same_dataset(client: CkanApi, existing: dict[str, Any], package: DataPackage) -> None:
    """Refuse to take over a dataset of the same name that another source published."""
    extras = {e.get("key"): e.get("value") for e in existing.get("extras") or []}
    other = extras.get("identifier")
    if other is not None and other != package.identifier:
        raise PortalError(
            f"Le nom « {existing.get('name')} » est déjà pris sur {client.url} par un autre jeu "
            f"de données (identifiant « {other} ») : rien n'a été modifié.",
            f"Name '{existing.get('name')}' is already taken on {client.url} by another dataset "
            f"(identifier '{other}'): nothing was changed.",
            dataset=existing.get("name"),
        )


def sync_package(
    client: CkanApi, package: DataPackage, options: PublishOptions, licences: list[str] | None
) -> DatasetReport:
    before = len(client.write_calls)
    plan = build_plan(client, package, options, licences)
    if not options.dry_run:
        try:
            apply_plan(client, package, plan)
        except PublishError as exc:
            # Say what was attempted (the last call is the one that failed). A next run picks
            # up from what the portal then has: the plan is recomputed from scratch.
            exc.details.setdefault("write_calls", client.write_calls[before:])
            exc.details.setdefault("plan", plan.render())
            raise
    status: Status = _STATUS[plan.action]
    return DatasetReport(
        package=str(package.folder),
        name=plan.name,
        status=status,
        dry_run=options.dry_run,
        owner_org=plan.dataset_fields["owner_org"],
        dataset_url=f"{client.url}/dataset/{plan.name}",
        changed_fields=[c.field for c in plan.changes],
        resources={a: [s.key for s in plan.steps(a)] for a in RESOURCE_ACTIONS},
        organisation_created=plan.create_org,
        write_calls=len(client.write_calls) - before,
        plan=plan.render(),
    )


def apply_plan(client: CkanApi, package: DataPackage, plan: Plan) -> None:
    if plan.create_org:
        client.call("organization_create", mapping.organisation_fields(package, plan.create_org))
    if plan.action == "create":
        fields = dict(plan.dataset_fields)
        fields["tags"] = [{"name": t} for t in fields["tags"]]
        fields["extras"] = [{"key": k, "value": v} for k, v in fields["extras"].items()]
        created = client.call("package_create", fields)
        dataset_id = str(created["id"])
    elif plan.action == "update":
        assert plan.dataset_id is not None
        dataset_id = plan.dataset_id
        if plan.patch:
            client.call("package_patch", {"id": dataset_id, **plan.patch})
    else:
        return
    ids: dict[str, str] = {}
    for step in plan.resources:
        if step.action == "add":
            assert step.file is not None
            made = client.call(
                "resource_create",
                {"package_id": dataset_id, **step.fields},
                files={"upload": step.file.path},
            )
            ids[step.key] = str(made["id"])
        elif step.action == "replace":
            assert step.file is not None and step.resource_id is not None
            client.call(
                "resource_patch",
                {"id": step.resource_id, **step.fields},
                files={"upload": step.file.path},
            )
        elif step.action == "update":
            client.call("resource_patch", {"id": step.resource_id, **step.fields})
        elif step.action == "remove":
            client.call("resource_delete", {"id": step.resource_id})
        if step.resource_id:
            ids.setdefault(step.key, step.resource_id)
    if plan.reorder:
        order = [ids[s.key] for s in plan.resources if s.action != "remove"]
        client.call("package_resource_reorder", {"id": dataset_id, "order": order})
