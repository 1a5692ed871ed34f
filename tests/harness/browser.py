"""Browser test harness: Debian's Chromium (``/usr/bin/chromium``, installed by
scripts/setup-test-env.sh) driven by Playwright for Python, never a downloaded browser; a real
``ia-territoires serve`` on 127.0.0.1 over a temp store loaded with ``datasets/``; axe-core
(vendored in tests/browser/vendor/) injected in pages. A missing browser or server FAILS."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.harness.registry_server import ROOT, stop_server
from tests.harness.services import free_port, service_missing

CHROMIUM = Path(os.environ.get("IAT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "tests" / "browser" / "vendor" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# Organisation of a curated entry (Région Île-de-France, fr-idf-spirit): the publisher the
# browser tests sign in as.
PUBLISHER_SIREN = "237500079"
PUBLISHER_NAME = "Région Île-de-France"
PUBLISHER_ENTRY = "fr-idf-spirit"


def launch_chromium(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        service_missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        return playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # Playwright raises its own Error type for launch failures
        service_missing(f"Chromium at {CHROMIUM} did not start: {exc}")
        raise


@dataclass
class Registry:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path


STORE_CACHE = ROOT / ".cache" / "browser-store"


def _data_digest() -> str:
    """Changes whenever what the first start loads changes (datasets, vocabulary, shapes).
    Delete .cache/browser-store after changing how entries are stored."""
    digest = hashlib.sha256()
    for folder in ("datasets", "ontology", "shapes"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(ROOT)}:{path.stat().st_size}".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_store(store_path: Path) -> Path | None:
    """A copy of a store already loaded with these datasets, if an earlier session left one:
    loading the reference data and versioning every curated entry takes a minute or more."""
    cached = STORE_CACHE / _data_digest()
    if not cached.is_dir():
        return cached
    shutil.copytree(cached, store_path)
    return None


def keep_store(store_path: Path, cache_to: Path | None) -> None:
    """After the loading server stopped, before any test wrote: keep its store for the next
    sessions."""
    if cache_to is None or cache_to.exists():
        return
    staging = cache_to.with_name(cache_to.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(store_path, staging)
    staging.rename(cache_to)


def start_registry(tmp: Path, timeout_s: float = 600.0) -> Registry:
    """``ia-territoires serve`` over a fresh store (the curated ``datasets/`` loaded on first
    start, each entry versioned, or a cached copy of such a store), with a publisher token for
    :data:`PUBLISHER_SIREN`."""
    from registry.auth import AuthDB
    from registry.layout import Layout
    from registry.vocab import DEFAULT_BASE

    store_path = tmp / "store"
    cache_to = cached_store(store_path)
    if cache_to is not None:
        # First load in a server of its own, stopped at once, so that the cache holds a store
        # no test has written to; then serve a copy.
        first = _spawn(tmp / "first", store_path, tmp / "first-auth.sqlite3", timeout_s)
        stop_server(first.process)
        keep_store(store_path, cache_to)
    auth_path = tmp / "auth.sqlite3"
    auth = AuthDB(auth_path, Layout(DEFAULT_BASE))
    try:
        auth.add_organisation(PUBLISHER_SIREN, PUBLISHER_NAME)
        _, token = auth.create_token(PUBLISHER_SIREN, label="browser tests")
    finally:
        auth.close()
    server = _spawn(tmp, store_path, auth_path, timeout_s)
    return Registry(server.url, token, server.process, server.log)


def _spawn(tmp: Path, store_path: Path, auth_path: Path, timeout_s: float) -> Registry:
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "IAT_STORE_PATH": str(store_path),
        "IAT_AUTH_DB_PATH": str(auth_path),
        "IAT_PUBLIC_URL": f"http://127.0.0.1:{port}/",
    }
    env.pop("IAT_SPARQL_QUERY_URL", None)
    log = tmp / "server.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from registry.cli import main; main()",
            "serve",
            "--store",
            str(store_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return Registry(url, "", process, log)
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(process)
    service_missing(
        "ia-territoires serve with datasets/: "
        + log.read_text(encoding="utf-8", errors="replace")[-3000:]
    )
    raise AssertionError("unreachable")


def axe_violations(
    page: Any, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA rules) in the page; the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
             runOnly: {type: 'tag',
                       values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
             resultTypes: ['violations']})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v.get("impact") in impacts
    ]


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
