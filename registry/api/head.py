"""HEAD answered like GET, without the body (RFC 9110, 9.3.2).

FastAPI routes declared for GET refuse HEAD with 405; harvesters (ckanext-dcat) and link
checkers send HEAD before fetching a catalogue page or a resource."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Run a HEAD request as GET and drop the body: same status and headers (Content-Length,
    ETag, Content-Type) as the GET would have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
