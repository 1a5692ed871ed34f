"""The registry's one exception root.

Every error the registry raises on purpose derives from :class:`RegistryError` and carries a
French and an English message, so that the CLI and the HTTP API can translate it at the
boundary into one error body without knowing where it came from.

Hierarchy::

    RegistryError
    ├── InputError              unusable input: unreadable file, syntax error, bad parameter
    │   ├── RemoteContextError  a JSON-LD document names a remote @context (never fetched)
    │   └── PayloadTooLarge     a write bigger than Settings.max_payload_bytes (413)
    ├── ValidationFailed        SHACL Violations: carries the report; nothing was written
    ├── NotFoundError           unknown entry, version, organisation, token
    ├── ConflictError           stale version (optimistic concurrency), duplicate key
    │   ├── PreconditionFailed  the If-Match version is not the current one (412)
    │   └── PreconditionRequired an update that names no version (428)
    ├── PermissionDenied        token missing, revoked or outside its organisation
    └── StoreError              the store failed or is unreachable (names the URL)
"""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Root of every error the registry raises on purpose."""

    code = "registry-error"
    http_status = 500

    def __init__(self, message_fr: str, message_en: str | None = None, **details: Any) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr
        self.message_en = message_en or message_fr
        self.details = details

    def message(self, lang: str = "fr") -> str:
        return self.message_en if lang == "en" else self.message_fr


class InputError(RegistryError):
    code = "invalid-input"
    http_status = 400


class RemoteContextError(InputError):
    code = "remote-context"


class ValidationFailed(RegistryError):
    code = "validation-failed"
    http_status = 422


class NotFoundError(RegistryError):
    code = "not-found"
    http_status = 404


class ConflictError(RegistryError):
    code = "conflict"
    http_status = 409


class PreconditionFailed(ConflictError):
    code = "precondition-failed"
    http_status = 412


class PreconditionRequired(ConflictError):
    code = "precondition-required"
    http_status = 428


class PayloadTooLarge(InputError):
    code = "payload-too-large"
    http_status = 413


class PermissionDenied(RegistryError):
    code = "forbidden"
    http_status = 403


class StoreError(RegistryError):
    code = "store-error"
    http_status = 503
