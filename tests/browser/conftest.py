"""One Chromium and one registry server per test session; a fresh browser context per test;
a full-page screenshot under test-artifacts/browser/ when a test fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.browser import Registry, launch_chromium, screenshot, start_registry
from tests.harness.registry_server import stop_server


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    server = start_registry(tmp_path_factory.mktemp("browser-registry"))
    try:
        yield server
    finally:
        stop_server(server.process)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(chromium: Any, registry: Registry, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=registry.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    # Nothing but the registry: any request elsewhere is refused (tests never leave 127.0.0.1).
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        if request.node.stash.get(_FAILED, False):
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            screenshot(page, f"FAILED-{name}")
        context.close()


def artifacts_dir() -> Path:
    from tests.harness.browser import ARTIFACTS

    return ARTIFACTS
