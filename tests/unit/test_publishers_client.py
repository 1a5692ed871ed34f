"""The CKAN client's retries and error translation, against a scripted HTTP server on
127.0.0.1 (real HTTP, no CKAN)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from publishers.client import CkanClient
from publishers.errors import (
    PortalNotFoundError,
    PortalUnavailableError,
    PortalValidationError,
    TokenError,
)

Answer = tuple[int, Any, float]  # status, JSON body, delay in seconds


class Script:
    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            script.requests.append(self.path)
            status, body, delay = script.answers.pop(0) if script.answers else (500, None, 0)
            time.sleep(delay)
            payload = json.dumps(body).encode() if body is not None else b"<html>oops</html>"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def _ok(result: Any) -> Answer:
    return (200, {"success": True, "result": result}, 0)


def _client(url: str, sleeps: list[float], **kw: Any) -> CkanClient:
    return CkanClient(url, "token", backoff_s=1.0, sleep=sleeps.append, **kw)


def test_retries_5xx_with_exponential_backoff(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, None, 0), (502, None, 0), _ok({"name": "x"})]
    sleeps: list[float] = []
    assert _client(url, sleeps).call("package_show", {"id": "x"}) == {"name": "x"}
    assert sleeps == [1.0, 2.0]
    assert script.requests == ["/api/action/package_show"] * 3


def test_gives_up_after_the_retries(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, None, 0)] * 4
    sleeps: list[float] = []
    client = _client(url, sleeps, retries=3)
    with pytest.raises(PortalUnavailableError) as info:
        client.call("package_create", {"name": "x"})
    assert "HTTP 500" in info.value.message_fr and url in info.value.message_en
    assert sleeps == [1.0, 2.0, 4.0]
    assert client.write_calls == ["package_create"] * 4  # every attempt is counted


def test_timeouts_are_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"success": True, "result": 1}, 1.0), _ok(2)]
    sleeps: list[float] = []
    assert _client(url, sleeps, timeout_s=0.2).call("status_show") == 2
    assert sleeps == [1.0]


@pytest.mark.parametrize(
    "answer",
    [
        (403, {"success": False, "error": {"__type": "Authorization Error", "message": "no"}}, 0),
        (401, {"success": False, "error": {"message": "bad token"}}, 0),
    ],
)
def test_token_errors_are_not_retried(server: tuple[str, Script], answer: Answer) -> None:
    url, script = server
    script.answers = [answer]
    sleeps: list[float] = []
    with pytest.raises(TokenError) as info:
        _client(url, sleeps).call("package_create", {"name": "x"})
    assert "IAT_CKAN_TOKEN" in info.value.message_fr
    assert sleeps == []


def test_validation_error_lists_ckan_fields(server: tuple[str, Script]) -> None:
    url, script = server
    error = {
        "__type": "Validation Error",
        "name": ["That URL is already in use."],
        "owner_org": ["Organization does not exist"],
    }
    script.answers = [(409, {"success": False, "error": error}, 0)]
    with pytest.raises(PortalValidationError) as info:
        _client(url, []).call("package_create", {"name": "x"})
    assert info.value.error_dict["name"] == ["That URL is already in use."]
    assert "name: That URL is already in use." in info.value.message_fr
    assert "owner_org: Organization does not exist" in info.value.message_en


def test_not_found(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [
        (404, {"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}, 0)
    ]
    with pytest.raises(PortalNotFoundError):
        _client(url, []).call("package_show", {"id": "x"})


def test_reads_are_not_counted_as_writes(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [_ok({}), _ok([]), _ok({})]
    client = _client(url, [])
    client.call("package_show", {"id": "x"})
    client.call("license_list")
    client.call("package_patch", {"id": "x"})
    assert client.write_calls == ["package_patch"]
