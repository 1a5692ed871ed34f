"""Payload limit (413) as plain ASGI middleware: checked against ``Content-Length`` before the
body is read, and counted while it streams (chunked bodies have no length)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.problems import PROBLEM_JSON

# Spreadsheet uploads: their own, larger limit (Settings.import_max_bytes).
UPLOAD_PATHS = ("/api/v1/imports", "/publier/import")


class PayloadLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int, base_iri: str, upload_max_bytes: int | None = None
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes
        self.base_iri = base_iri

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope.get("path", "") in UPLOAD_PATHS
        max_bytes = self.upload_max_bytes if upload else self.default_max_bytes
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None and declared > max_bytes:
            await self._refuse(scope, send, max_bytes)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not response_started:
                await self._refuse(scope, send, max_bytes)

    async def _refuse(self, scope: Scope, send: Send, max_bytes: int) -> None:
        body = json.dumps(
            {
                "type": f"{self.base_iri}problem/payload-too-large",
                "title": "Contenu trop volumineux",
                "title_en": "Payload too large",
                "status": 413,
                "detail": f"Le corps de la requête dépasse {max_bytes} octets.",
                "detail_en": f"The request body exceeds {max_bytes} bytes.",
                "instance": scope.get("path", ""),
                "code": "payload-too-large",
                "max_bytes": max_bytes,
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLargeError(Exception):
    pass
