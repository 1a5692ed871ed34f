"""Shared fixtures. Services needed by integration tests are started by the project's own
harness (tests/harness/); when one cannot be started the test fails: it never skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.oxigraph_server import (  # noqa: F401 (fixtures for the store tests)
    clean_oxigraph_server,
    oxigraph_server,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
