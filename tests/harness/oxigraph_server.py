"""A real Oxigraph SPARQL server for the remote-store tests.

Starts ``oxigraph serve --location TMPDIR --bind 127.0.0.1:PORT`` (the CLI of the PyPI package
``oxigraph``, installed with the test extra next to the interpreter), waits until it answers,
yields its endpoints and stops it. If it cannot start, the test fails (never skips).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.harness.services import free_port, service_missing


@dataclass(frozen=True)
class OxigraphServer:
    base_url: str
    location: Path

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base_url}/store"


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("oxigraph")


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            r = httpx.post(url, data={"query": "ASK {}"}, timeout=1.0, trust_env=False)
            if r.status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    binary = oxigraph_binary()
    if binary is None:
        service_missing("oxigraph CLI (pip install oxigraph: part of the test extra)")
        raise AssertionError("unreachable")
    location = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = (location.parent / "oxigraph-server.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = OxigraphServer(base_url=f"http://127.0.0.1:{port}", location=location)
    try:
        if not _wait_ready(server.query_url, process, timeout_s=30.0):
            service_missing(f"oxigraph serve on 127.0.0.1:{port} (log: {log.name})")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def clean_oxigraph_server(oxigraph_server: OxigraphServer) -> OxigraphServer:
    """The session's server, emptied before the test."""
    r = httpx.post(
        oxigraph_server.update_url,
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30.0,
        trust_env=False,
    )
    if r.status_code >= 400:
        service_missing(f"oxigraph server refused DROP ALL: {r.status_code} {r.text[:200]}")
    return oxigraph_server
