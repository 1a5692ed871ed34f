"""The sync plan: what must change on the portal so that it shows the data package, computed by
comparing the desired state (:mod:`publishers.mapping`) with the portal's ``package_show``.

Pure: no portal calls. An empty plan means the sync makes no write call at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from publishers.mapping import (
    DATASET_FIELDS,
    MANAGED_EXTRAS,
    RESOURCE_FIELDS,
    RESOURCE_HASH_KEY,
    RESOURCE_KEY,
)
from publishers.package import PackageFile

DatasetAction = Literal["create", "update", "unchanged"]
ResourceAction = Literal["add", "replace", "update", "remove", "keep"]
RESOURCE_ACTIONS: tuple[ResourceAction, ...] = ("add", "replace", "update", "remove", "keep")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class ResourceStep:
    action: ResourceAction
    key: str
    name: str
    resource_id: str | None = None  # None for "add"
    file: PackageFile | None = None  # None for "remove"
    fields: dict[str, str] = field(default_factory=dict)  # what to send (add/replace/update)
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class Plan:
    name: str
    action: DatasetAction
    dataset_fields: dict[str, Any]  # full desired dataset (for package_create)
    patch: dict[str, Any]  # only what changed (for package_patch)
    changes: list[FieldChange]
    resources: list[ResourceStep]
    reorder: bool = False  # the resources' order differs from the package's
    dataset_id: str | None = None
    create_org: str | None = None  # organisation to create first

    @property
    def writes(self) -> bool:
        return self.action != "unchanged" or self.create_org is not None

    def steps(self, *actions: ResourceAction) -> list[ResourceStep]:
        return [s for s in self.resources if s.action in actions]

    def render(self) -> str:
        """The plan as a diff, for --dry-run (one line per change)."""
        mark = {"create": "+", "update": "~", "unchanged": "="}[self.action]
        label = {
            "create": "création / create",
            "update": "mise à jour / update",
            "unchanged": "inchangé / unchanged",
        }[self.action]
        lines = []
        if self.create_org:
            lines.append(f"+ organisation {self.create_org} (création / create)")
        lines.append(f"{mark} jeu de données / dataset {self.name} ({label})")
        if self.action == "create":
            for key, value in self.dataset_fields.items():
                lines.append(f"    + {key}: {_show(value)}")
        for change in self.changes:
            lines.append(f"    ~ {change.field}: {_show(change.old)} → {_show(change.new)}")
        if self.resources:
            lines.append("  ressources / resources:")
        for step in self.resources:
            lines.extend(_render_step(step))
        if self.reorder:
            lines.append(
                "  ~ ordre des ressources / resource order → "
                + ", ".join(s.key for s in self.resources if s.action != "remove")
            )
        return "\n".join(lines)


def _show(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return f"{text[:limit]}…" if len(text) > limit else text


def _render_step(step: ResourceStep) -> list[str]:
    size = f", {step.file.size} o/B, sha256 {step.file.sha256[:12]}…" if step.file else ""
    if step.action == "add":
        filename = step.file.path.name if step.file else ""
        return [f"    + {step.key} « {step.name} » (fichier / file {filename}{size})"]
    if step.action == "remove":
        return [f"    - {step.key} « {step.name} » (id {step.resource_id})"]
    if step.action == "keep":
        return [f"    = {step.key}"]
    verb = (
        "remplacer le fichier / replace file"
        if step.action == "replace"
        else "métadonnées / metadata"
    )
    out = [f"    ~ {step.key} ({verb}{size if step.action == 'replace' else ''})"]
    out += [f"        {c.field}: {_show(c.old)} → {_show(c.new)}" for c in step.changes]
    return out


# ------------------------------------------------------------------------- comparison


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _existing_org(existing: dict[str, Any]) -> str:
    org = existing.get("organization")
    if isinstance(org, dict) and org.get("name"):
        return str(org["name"])
    return _text(existing.get("owner_org"))


def _existing_extras(existing: dict[str, Any]) -> dict[str, str]:
    return {
        str(e["key"]): _text(e.get("value"))
        for e in existing.get("extras") or []
        if isinstance(e, dict) and "key" in e
    }


def _dataset_changes(
    desired: dict[str, Any], existing: dict[str, Any]
) -> tuple[list[FieldChange], dict[str, Any]]:
    changes: list[FieldChange] = []
    patch: dict[str, Any] = {}
    for name in DATASET_FIELDS:
        if name == "owner_org":
            old: Any = _existing_org(existing)
        elif name == "private":
            old = bool(existing.get("private"))
        else:
            old = _text(existing.get(name))
        new = desired[name]
        if old != new:
            changes.append(FieldChange(name, old, new))
            patch[name] = new
    if existing.get("state", "active") != "active":
        # A deleted dataset keeps its name: bring it back rather than fail on create.
        changes.append(FieldChange("state", existing.get("state"), "active"))
        patch["state"] = "active"
    old_tags = sorted(str(t["name"]) for t in existing.get("tags") or [] if isinstance(t, dict))
    new_tags = sorted(desired["tags"])
    if old_tags != new_tags:
        changes.append(FieldChange("tags", old_tags, new_tags))
        patch["tags"] = [{"name": t} for t in desired["tags"]]
    old_extras = _existing_extras(existing)
    new_extras: dict[str, str] = desired["extras"]
    extra_changes = [
        FieldChange(f"extras.{k}", old_extras.get(k), new_extras.get(k))
        for k in MANAGED_EXTRAS
        if old_extras.get(k) != new_extras.get(k)
    ]
    if extra_changes:
        changes.extend(extra_changes)
        # package_patch replaces the whole extras list: keep the extras we do not manage.
        kept = {k: v for k, v in old_extras.items() if k not in MANAGED_EXTRAS}
        patch["extras"] = [{"key": k, "value": v} for k, v in {**kept, **new_extras}.items()]
    return changes, patch


def _same_field(name: str, old: Any, new: str) -> bool:
    if name == "format":  # CKAN may change the case of known formats
        return _text(old).casefold() == new.casefold()
    return _text(old) == new


def _resource_steps(
    files: list[tuple[PackageFile, dict[str, str]]], existing: list[dict[str, Any]]
) -> tuple[list[ResourceStep], bool]:
    by_key = {str(r[RESOURCE_KEY]): r for r in existing if r.get(RESOURCE_KEY)}
    steps: list[ResourceStep] = []
    for file, fields in files:
        current = by_key.get(file.key)
        if current is None:
            steps.append(ResourceStep("add", file.key, fields["name"], None, file, fields))
            continue
        changes = [
            FieldChange(n, current.get(n), fields[n])
            for n in RESOURCE_FIELDS
            if not _same_field(n, current.get(n), fields[n])
        ]
        rid = str(current["id"])
        if _text(current.get(RESOURCE_HASH_KEY)) != file.sha256:
            changes.append(
                FieldChange(RESOURCE_HASH_KEY, current.get(RESOURCE_HASH_KEY), file.sha256)
            )
            steps.append(
                ResourceStep("replace", file.key, fields["name"], rid, file, fields, changes)
            )
        elif changes:
            steps.append(
                ResourceStep("update", file.key, fields["name"], rid, file, fields, changes)
            )
        else:
            steps.append(ResourceStep("keep", file.key, fields["name"], rid, file))
    wanted = {f.key for f, _ in files}
    for key, current in by_key.items():
        if key not in wanted:
            steps.append(
                ResourceStep("remove", key, _text(current.get("name")), str(current["id"]))
            )
    # Order after the steps run: managed resources already there keep their place, new ones go
    # at the end. If that is not the package's order, one reorder call fixes it.
    after = [
        str(r[RESOURCE_KEY])
        for r in existing
        if r.get(RESOURCE_KEY) and str(r[RESOURCE_KEY]) in wanted
    ]
    after += [s.key for s in steps if s.action == "add"]
    reorder = after != [f.key for f, _ in files]
    return steps, reorder


def make_plan(
    desired: dict[str, Any],
    files: list[tuple[PackageFile, dict[str, str]]],
    existing: dict[str, Any] | None,
    create_org: str | None = None,
) -> Plan:
    """Compare; ``existing`` is the portal's ``package_show`` result, or None when absent."""
    if existing is None:
        steps = [ResourceStep("add", f.key, fields["name"], None, f, fields) for f, fields in files]
        return Plan(desired["name"], "create", desired, {}, [], steps, False, None, create_org)
    changes, patch = _dataset_changes(desired, existing)
    steps, reorder = _resource_steps(files, list(existing.get("resources") or []))
    busy = bool(patch) or reorder or any(s.action != "keep" for s in steps)
    return Plan(
        desired["name"],
        "update" if busy else "unchanged",
        desired,
        patch,
        changes,
        steps,
        reorder,
        str(existing["id"]),
        create_org,
    )
