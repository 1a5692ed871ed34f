"""A small CKAN action client over ckanapi: retries with backoff on 5xx and timeouts, errors
translated into :mod:`publishers.errors`, and a log of every write call (the tests and the
report use it to prove that an unchanged dataset costs no write)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol

import ckanapi
import requests

from publishers.errors import (
    PortalError,
    PortalNotFoundError,
    PortalUnavailableError,
    PortalValidationError,
    TokenError,
)

# Actions that only read. Every other action counts as a write.
READ_ACTIONS = frozenset(
    {
        "status_show",
        "package_show",
        "organization_show",
        "resource_show",
        "license_list",
        "package_list",
        "package_search",
        "organization_list",
        "user_show",
        "site_read",
    }
)


class CkanApi(Protocol):
    """What the sync needs from a portal (the real client, or a fake in unit tests)."""

    url: str
    write_calls: list[str]

    def call(
        self,
        action: str,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> Any: ...


class _RecordingCKAN(ckanapi.RemoteCKAN):  # type: ignore[misc]
    """RemoteCKAN that remembers the HTTP status of the last answer (ckanapi drops it)."""

    last_status: int = 0

    def _request_fn(
        self, url: str, data: Any, headers: Any, files: Any, requests_kwargs: Any
    ) -> tuple[int, str]:
        status, text = super()._request_fn(url, data, headers, files, requests_kwargs)
        self.last_status = int(status)
        return status, text


class CkanClient:
    """``CkanClient(url, token).call("package_show", {"id": name})``."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        retries: int = 3,
        backoff_s: float = 1.0,
        timeout_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.write_calls: list[str] = []
        self._sleep = sleep
        self._ckan = _RecordingCKAN(
            self.url, apikey=token or None, user_agent="ia-territoires-publisher"
        )

    def call(
        self,
        action: str,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return self._call_once(action, data, files)
            except PortalUnavailableError:
                attempt += 1
                if attempt > self.retries:
                    raise
                # Exponential backoff: 1 s, 2 s, 4 s by default.
                self._sleep(self.backoff_s * 2 ** (attempt - 1))

    def _call_once(
        self, action: str, data: Mapping[str, Any] | None, files: Mapping[str, Path] | None
    ) -> Any:
        if action not in READ_ACTIONS:
            self.write_calls.append(action)
        self._ckan.last_status = 0
        with ExitStack() as stack:
            # Files are opened for each attempt: a retried upload must resend from byte 0.
            opened = {k: stack.enter_context(p.open("rb")) for k, p in (files or {}).items()}
            try:
                return self._ckan.call_action(
                    action,
                    dict(data or {}),
                    files=opened or None,
                    requests_kwargs={"timeout": self.timeout_s},
                )
            except ckanapi.NotAuthorized as exc:
                raise _token_error(self.url, action) from exc
            except ckanapi.ValidationError as exc:
                error_dict = exc.error_dict if isinstance(exc.error_dict, dict) else {}
                raise PortalValidationError(action, error_dict) from exc
            except ckanapi.NotFound as exc:
                raise PortalNotFoundError(
                    f"{action} : introuvable sur {self.url} ({exc})",
                    f"{action}: not found on {self.url} ({exc})",
                ) from exc
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise PortalUnavailableError(
                    f"{action} : le portail {self.url} ne répond pas ({type(exc).__name__})",
                    f"{action}: portal {self.url} does not answer ({type(exc).__name__})",
                ) from exc
            except ckanapi.CKANAPIError as exc:
                raise self._status_error(action, exc) from exc

    def _status_error(self, action: str, exc: Exception) -> PortalError:
        status = self._ckan.last_status
        if status in (401, 403):
            return _token_error(self.url, action)
        if status == 404:
            return PortalNotFoundError(
                f"{action} : introuvable sur {self.url} (HTTP 404)",
                f"{action}: not found on {self.url} (HTTP 404)",
            )
        if status >= 500 or status == 0:
            return PortalUnavailableError(
                f"{action} : erreur du portail {self.url} (HTTP {status or '?'})",
                f"{action}: portal error at {self.url} (HTTP {status or '?'})",
            )
        return PortalError(
            f"{action} : réponse inattendue de {self.url} (HTTP {status}) : {exc}",
            f"{action}: unexpected answer from {self.url} (HTTP {status}): {exc}",
        )


def _token_error(url: str, action: str) -> TokenError:
    return TokenError(
        f"{action} : accès refusé par {url}. Le jeton d'API est absent, invalide ou expiré, ou "
        "son utilisateur n'a pas les droits sur l'organisation (vérifier --token-file / "
        "IAT_CKAN_TOKEN).",
        f"{action}: access denied by {url}. The API token is missing, invalid or expired, or its "
        "user lacks rights on the organisation (check --token-file / IAT_CKAN_TOKEN).",
        action=action,
    )
