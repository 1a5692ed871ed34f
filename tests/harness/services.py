"""Helpers for integration tests that need a real service.

A missing service is a failure, never a skip: `make test` installs and starts every service
the suite needs, so a service that is missing means the set-up is broken.
"""

from __future__ import annotations

import socket
import time

import pytest


def service_missing(what: str) -> None:
    pytest.fail(f"service required by this test is unavailable: {what}", pytrace=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30.0, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False
