"""The dependency rules of the architecture, checked from the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _top(name: str) -> str:
    return name.split(".")[0]


# third-party library -> the only places allowed to import it (path prefixes)
CONFINED = {
    "pyshacl": ("registry/validate.py",),
    "fastapi": ("registry/api/",),
    "starlette": ("registry/api/",),
    "pyoxigraph": ("registry/store/",),
    "oxrdflib": ("registry/store/",),
    "frictionless": ("registry/export/", "registry/tabular/", "publishers/"),
    "ckanapi": ("publishers/",),
}


@pytest.mark.parametrize("path", _modules("registry") + _modules("publishers"), ids=_rel)
def test_third_party_libraries_stay_in_their_module(path: Path) -> None:
    rel = _rel(path)
    for name in _imports(path):
        allowed = CONFINED.get(_top(name))
        if allowed is not None:
            assert rel.startswith(allowed), f"{rel} imports {name}: only {allowed} may"


@pytest.mark.parametrize("path", _modules("publishers"), ids=_rel)
def test_publishers_never_import_registry(path: Path) -> None:
    assert not {n for n in _imports(path) if _top(n) == "registry"}, _rel(path)


@pytest.mark.parametrize("name", ["config", "errors", "vocab"])
def test_foundation_modules_import_nothing_from_the_project(name: str) -> None:
    path = ROOT / "registry" / f"{name}.py"
    project = {n for n in _imports(path) if _top(n) in {"registry", "publishers"}}
    assert not project, f"{name}.py imports {project}"


def test_registry_core_does_not_import_the_api_or_cli() -> None:
    # Dependencies flow one way: the API and CLI use the core, never the reverse.
    for path in _modules("registry"):
        rel = _rel(path)
        if rel.startswith(("registry/api/", "registry/cli/", "registry/web/")):
            continue
        for name in _imports(path):
            assert not name.startswith(("registry.api", "registry.cli")), f"{rel} imports {name}"
