"""Reads a Frictionless data package from disk: the contract between the registry's exporter and
the publishers (described in ``publishers/README.md``). Nothing here talks to a portal."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from publishers.errors import PackageError

DESCRIPTOR = "datapackage.json"
NS = "ia_territoires:"  # prefix of the custom keys of the descriptor


@dataclass(frozen=True)
class PackageFile:
    """One file to publish: a data-package resource, or ``datapackage.json`` itself."""

    key: str  # stable key matching the portal's resource: the data-package resource name
    path: Path
    title: str
    description: str
    format: str
    mediatype: str
    sha256: str
    size: int


@dataclass(frozen=True)
class DataPackage:
    folder: Path
    descriptor: dict[str, Any]
    files: tuple[PackageFile, ...]  # resources in descriptor order, then datapackage.json

    @property
    def identifier(self) -> str:
        value = self.descriptor.get(f"{NS}identifier") or self.descriptor.get("name")
        return str(value)

    def custom(self, key: str, default: Any = None) -> Any:
        return self.descriptor.get(f"{NS}{key}", default)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file(
    key: str, path: Path, title: str, description: str, fmt: str, mediatype: str
) -> PackageFile:
    return PackageFile(
        key=key,
        path=path,
        title=title,
        description=description,
        format=fmt,
        mediatype=mediatype,
        sha256=sha256_file(path),
        size=path.stat().st_size,
    )


def _resource_path(folder: Path, resource: dict[str, Any], where: str) -> Path:
    raw = resource.get("path")
    if not isinstance(raw, str) or not raw:
        raise PackageError(
            f"{where} : « path » manquant ou multiple (un seul fichier attendu)",
            f"{where}: 'path' missing or a list (one file expected)",
        )
    rel = PurePosixPath(raw)
    # Only files inside the package: never a URL, an absolute path or a way out with "..".
    if "://" in raw or rel.is_absolute() or ".." in rel.parts:
        raise PackageError(
            f"{where} : chemin hors du paquet refusé : {raw}",
            f"{where}: path outside the package refused: {raw}",
        )
    path = folder / Path(*rel.parts)
    if not path.is_file():
        raise PackageError(
            f"{where} : fichier introuvable : {path}", f"{where}: file not found: {path}"
        )
    return path


def read_package(folder: Path) -> DataPackage:
    """Read ``folder/datapackage.json`` and hash every file it lists. Raises :class:`PackageError`
    naming the file and the field when the descriptor breaks the contract."""
    folder = folder.resolve()
    descriptor_path = folder / DESCRIPTOR
    if not descriptor_path.is_file():
        raise PackageError(
            f"{descriptor_path} introuvable : ce dossier n'est pas un paquet de données",
            f"{descriptor_path} not found: this folder is not a data package",
        )
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(
            f"{descriptor_path} : JSON illisible ({exc})",
            f"{descriptor_path}: unreadable JSON ({exc})",
        ) from exc
    if not isinstance(descriptor, dict):
        raise PackageError(
            f"{descriptor_path} : un objet JSON est attendu",
            f"{descriptor_path}: a JSON object is expected",
        )
    for key in ("name", "title", "description"):
        if not isinstance(descriptor.get(key), str) or not descriptor[key].strip():
            raise PackageError(
                f"{descriptor_path} : champ « {key} » manquant ou vide",
                f"{descriptor_path}: field '{key}' missing or empty",
            )
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise PackageError(
            f"{descriptor_path} : « resources » manquant ou vide",
            f"{descriptor_path}: 'resources' missing or empty",
        )
    files: list[PackageFile] = []
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        where = f"{descriptor_path} resources[{index}]"
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            raise PackageError(f"{where} : « name » manquant", f"{where}: 'name' missing")
        name = resource["name"]
        if name in seen or name == "datapackage":
            raise PackageError(
                f"{where} : nom en double ou réservé : {name}",
                f"{where}: duplicate or reserved name: {name}",
            )
        seen.add(name)
        path = _resource_path(folder, resource, where)
        files.append(
            _file(
                name,
                path,
                str(resource.get("title") or name),
                str(resource.get("description") or ""),
                str(resource.get("format") or path.suffix.lstrip(".")),
                str(resource.get("mediatype") or resource.get("mimetype") or ""),
            )
        )
    files.append(
        _file(
            "datapackage",
            descriptor_path,
            DESCRIPTOR,
            "Descripteur du paquet de données Frictionless (métadonnées, schémas des tables). / "
            "Frictionless data package descriptor.",
            "json",
            "application/json",
        )
    )
    return DataPackage(folder=folder, descriptor=descriptor, files=tuple(files))


def sub_packages(folder: Path) -> list[Path]:
    """The per-organisation layout: one sub-folder per organisation, each a data package."""
    if not folder.is_dir():
        raise PackageError(f"{folder} n'est pas un dossier", f"{folder} is not a folder")
    found = sorted(p.parent for p in folder.glob(f"*/{DESCRIPTOR}"))
    if not found:
        raise PackageError(
            f"{folder} : aucun sous-dossier contenant {DESCRIPTOR} (disposition par organisation)",
            f"{folder}: no sub-folder holding {DESCRIPTOR} (per-organisation layout)",
        )
    return found


def validate_package(package: DataPackage, max_errors: int = 10) -> None:
    """Frictionless validation of the package (schemas, types, constraints); raises
    :class:`PackageError` listing the first errors with their file and row."""
    import frictionless  # imported late: it is slow to import and only needed here

    report = frictionless.validate(str(package.folder / DESCRIPTOR))
    if report.valid:
        return
    lines = [f"{package.folder / DESCRIPTOR}: {e.message}" for e in report.errors]
    for task in report.tasks:
        lines.extend(f"{package.folder / task.place}: {e.message}" for e in task.errors)
    shown = "\n".join(lines[:max_errors])
    more = f"\n… (+{len(lines) - max_errors})" if len(lines) > max_errors else ""
    raise PackageError(
        f"Paquet de données invalide :\n{shown}{more}",
        f"Invalid data package:\n{shown}{more}",
        errors=lines,
    )
