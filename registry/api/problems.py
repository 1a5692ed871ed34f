"""One error body everywhere: RFC 9457 problem details, French first, English second.

Body members: ``type`` (an IRI naming the kind of problem), ``title`` and ``detail`` in French,
``title_en`` and ``detail_en`` in English, ``status``, ``instance`` (the request path), ``code``
(a stable machine name, e.g. ``not-found``) and, when useful, extra members such as ``report``
(the SHACL validation report of a refused write) or ``errors`` (invalid request fields).
Every :class:`~registry.errors.RegistryError` is translated here, at the HTTP boundary.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.errors import RegistryError, ValidationFailed

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("registry.api")

# status -> (code, French title, English title)
STATUS_TITLES: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "Requête invalide", "Bad request"),
    401: ("unauthorized", "Authentification requise", "Authentication required"),
    403: ("forbidden", "Accès refusé", "Forbidden"),
    404: ("not-found", "Ressource introuvable", "Not found"),
    405: ("method-not-allowed", "Méthode non autorisée", "Method not allowed"),
    406: ("not-acceptable", "Format non disponible", "Not acceptable"),
    409: ("conflict", "Conflit", "Conflict"),
    410: ("gone", "Ressource retirée", "Gone"),
    412: ("precondition-failed", "Version périmée", "Precondition failed"),
    413: ("payload-too-large", "Contenu trop volumineux", "Payload too large"),
    415: ("unsupported-media-type", "Type de contenu non pris en charge", "Unsupported media type"),
    422: ("unprocessable", "Données non valides", "Unprocessable content"),
    428: ("precondition-required", "En-tête If-Match requis", "Precondition required"),
    429: ("too-many-requests", "Trop de requêtes simultanées", "Too many requests"),
    500: ("internal-error", "Erreur interne", "Internal server error"),
    503: ("unavailable", "Service indisponible", "Service unavailable"),
    504: ("timeout", "Délai dépassé", "Timeout"),
}

DEFAULT_DETAILS: dict[int, tuple[str, str]] = {
    404: ("Aucune ressource à cette adresse.", "No resource at this address."),
    405: ("Cette méthode n'est pas permise ici.", "This method is not allowed here."),
    500: (
        "Une erreur inattendue s'est produite ; elle a été journalisée.",
        "An unexpected error occurred; it has been logged.",
    ),
}


class HttpProblem(RegistryError):
    """An error raised by the HTTP layer itself, with its status code and optional headers."""

    def __init__(
        self,
        status: int,
        message_fr: str,
        message_en: str,
        *,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message_fr, message_en, **details)
        self.http_status = status
        self.code = code or STATUS_TITLES.get(status, ("error", "", ""))[0]
        self.headers = headers or {}


def problem_response(
    request: Request,
    status: int,
    detail_fr: str,
    detail_en: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    default_code, title_fr, title_en = STATUS_TITLES.get(status, ("error", "Erreur", "Error"))
    settings = getattr(request.app.state, "settings", None)
    base = settings.base_iri if settings is not None else "https://w3id.org/ia-territoires/"
    body: dict[str, Any] = {
        "type": f"{base}problem/{code or default_code}",
        "title": title_fr,
        "title_en": title_en,
        "status": status,
        "detail": detail_fr,
        "detail_en": detail_en,
        "instance": request.url.path,
        "code": code or default_code,
    }
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def registry_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    status = int(getattr(exc, "http_status", 500))
    headers = dict(getattr(exc, "headers", {}) or {})
    extra = {k: _jsonable(v) for k, v in exc.details.items()}
    if isinstance(exc, ValidationFailed) and "report" in exc.details:
        extra["report"] = _jsonable(exc.details["report"])
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="ia-territoires"')
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.message_en)
    return problem_response(
        request, status, exc.message_fr, exc.message_en, code=exc.code, headers=headers, extra=extra
    )


async def http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    fr, en = DEFAULT_DETAILS.get(status, (str(exc.detail), str(exc.detail)))
    if status not in DEFAULT_DETAILS and isinstance(exc.detail, str):
        fr = en = exc.detail
    return problem_response(request, status, fr, en, headers=dict(exc.headers or {}))


async def validation_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    """Invalid parameters or bodies, as checked by FastAPI: 400 for query/path/header, 422 for
    a body (the resource itself is invalid), naming each field."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "message": str(err.get("msg", "")),
        }
        for err in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    in_body = any(e["field"].startswith("body") for e in errors)
    status = 422 if in_body else 400
    return problem_response(
        request,
        status,
        f"Paramètres invalides : {fields}.",
        f"Invalid parameters: {fields}.",
        extra={"errors": errors},
    )


async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    fr, en = DEFAULT_DETAILS[500]
    return problem_response(request, 500, fr, en)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RegistryError, registry_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, validation_exception_handler)
    app.add_exception_handler(Exception, unhandled_exception_handler)
