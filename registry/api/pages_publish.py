"""Publishing pages for data officers: sign in with the organisation's token (kept server-side;
the browser holds only a random session id in a Secure, HttpOnly, SameSite=Strict cookie), a
CSRF token on every form, spreadsheet import with the row-by-row report before confirming
(:mod:`registry.tabular.importer`), and the create / edit form generated from the shapes
(:mod:`registry.web.forms`) that shows Violations and Warnings next to the fields and keeps
what was typed when the write path refuses the entry.

Sessions live in the process's memory: they end when the server restarts (sign in again), and a
deployment with several workers needs sticky sessions."""

from __future__ import annotations

import contextlib
import hmac
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph, URIRef

from registry.api.pages import html_page, language, web_data
from registry.api.rest_write import write_services
from registry.api.state import ApiState, api_state, blocking
from registry.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    RegistryError,
    ValidationFailed,
)
from registry.vocab import KEY_RE
from registry.web.forms import (
    apply_form,
    form_groups,
    messages_by_field,
    new_entry,
    values_from_form,
    values_from_graph,
)
from registry.web.i18n import MESSAGES, translator

router = APIRouter(include_in_schema=False)
COOKIE = "iat_session"
SESSION_TTL_S = 8 * 3600
MAX_UPLOAD_BYTES = 10_000_000


@dataclass
class Session:
    csrf: str
    created: float
    token: str | None = None
    organisation: str | None = None  # IRI
    siren: str | None = None
    name: str | None = None
    uploads: dict[str, tuple[Path, str]] = field(default_factory=dict)  # id -> (file, name)
    # warnings of the last save of an entry, shown once on the page the save redirects to
    saved: dict[str, Any] = field(default_factory=dict)


class Sessions:
    def __init__(self) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.folder = Path(tempfile.mkdtemp(prefix="iat-uploads-"))

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._items.get(sid)
            if session is not None and time.time() - session.created > SESSION_TTL_S:
                self._drop(sid)
                return None
            return session

    def new(self) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(csrf=secrets.token_urlsafe(32), created=time.time())
        with self._lock:
            self._items[sid] = session
        return sid, session

    def drop(self, sid: str | None) -> None:
        with self._lock:
            if sid:
                self._drop(sid)

    def _drop(self, sid: str) -> None:
        session = self._items.pop(sid, None)
        if session is not None:
            for path, _ in session.uploads.values():
                shutil.rmtree(path.parent, ignore_errors=True)


def sessions(state: ApiState) -> Sessions:
    store = state.caches_persistent
    if "web-sessions" not in store:
        store["web-sessions"] = Sessions()
    found: Sessions = store["web-sessions"]
    return found


def _set_cookie(response: Response, sid: str) -> None:
    response.set_cookie(
        COOKIE, sid, max_age=SESSION_TTL_S, secure=True, httponly=True, samesite="strict", path="/"
    )


def _current(request: Request) -> tuple[str | None, Session | None]:
    sid = request.cookies.get(COOKIE)
    return sid, sessions(api_state(request)).get(sid)


def _ensure_session(request: Request) -> tuple[str, Session, bool]:
    sid, session = _current(request)
    if sid and session:
        return sid, session, False
    sid, session = sessions(api_state(request)).new()
    return sid, session, True


async def _form(request: Request) -> Any:
    return await request.form(max_part_size=MAX_UPLOAD_BYTES)


def _csrf_ok(session: Session | None, form: Any) -> bool:
    sent = form.get("csrf")
    return session is not None and isinstance(sent, str) and hmac.compare_digest(sent, session.csrf)


def _page(
    request: Request,
    template: str,
    session: Session,
    sid: str,
    fresh: bool,
    status: int = 200,
    **context: Any,
) -> Response:
    request.state.publisher_name = session.name
    response = html_page(
        request, template, status=status, csrf=session.csrf, session=session, **context
    )
    response.headers["Cache-Control"] = "no-store"
    if fresh:
        _set_cookie(response, sid)
    return response


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _principal(request: Request, session: Session) -> Any:
    auth, _ = write_services(api_state(request))
    return auth.authenticate(session.token)


# ---- sign in / out ------------------------------------------------------------------------------
@router.get("/publier")
async def publish_home(request: Request) -> Response:
    sid, session, fresh = _ensure_session(request)
    entries: list[dict[str, str]] = []
    if session.token:
        state = api_state(request)
        data = await blocking(web_data, state)
        entries = sorted(
            (
                {"key": d.key, "title": d.title or d.key}
                for d in data.index.deployments
                if d.deployer == session.organisation
            ),
            key=lambda e: e["title"],
        )
    message = request.query_params.get("message")
    return _page(
        request,
        "publish_home.html",
        session,
        sid,
        fresh,
        entries=entries,
        error=None,
        message=message if message in ("pub.bad_token", "pub.csrf", "pub.need_signin") else None,
    )


@router.post("/publier/connexion")
async def sign_in(request: Request) -> Response:
    sid, session = _current(request)
    form = await _form(request)
    if not _csrf_ok(session, form):
        return _redirect("/publier?message=pub.csrf")
    token = str(form.get("token") or "").strip()
    auth, _ = write_services(api_state(request))
    try:
        principal = await blocking(auth.authenticate, token)
    except RegistryError:
        return _redirect("/publier?message=pub.bad_token")
    store = sessions(api_state(request))
    store.drop(sid)  # a new session id after sign-in (no session fixation)
    new_sid, fresh = store.new()
    fresh.token = token
    fresh.organisation = principal.organisation
    fresh.siren = principal.siren
    name = principal.label or principal.siren or ""
    if principal.siren:
        with contextlib.suppress(RegistryError):
            name = auth.get_organisation(principal.siren).name
    fresh.name = name
    response = _redirect("/publier")
    _set_cookie(response, new_sid)
    return response


@router.post("/publier/deconnexion")
async def sign_out(request: Request) -> Response:
    sid, session = _current(request)
    form = await _form(request)
    if _csrf_ok(session, form):
        sessions(api_state(request)).drop(sid)
    response = _redirect("/publier")
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


# ---- import -------------------------------------------------------------------------------------
def _report_view(report: Any, lang: str) -> dict[str, Any]:
    t = translator(lang)
    by_row: dict[tuple[str | None, int | None], list[dict[str, str]]] = {}
    general = []
    for issue in report.issues:
        entry = {"severity": issue.severity, "text": issue.to_text(lang)}
        if issue.line is None:
            general.append(entry)
        else:
            by_row.setdefault((issue.table, issue.line), []).append(entry)
    rows = []
    for r in report.rows:
        rows.append(
            {
                "table": r.table,
                "line": r.line,
                "key": r.key,
                "outcome": r.outcome,
                "ok": r.outcome != "rejected",
                "label": t(f"pub.import.outcome.{r.outcome}")
                if f"pub.import.outcome.{r.outcome}" in MESSAGES
                else r.outcome,
                "messages": by_row.get((r.table, r.line), []),
            }
        )
    return {
        "rows": rows,
        "general": general,
        "ok": report.ok,
        "summary": report.summary_text(lang),
        "written": report.written,
    }


def _run_import(request: Request, session: Session, path: Path, dry_run: bool) -> Any:
    from registry.tabular.importer import ImportOptions, import_file

    state = api_state(request)
    _, entries = write_services(state)
    principal = _principal(request, session)
    options = ImportOptions(organisation=session.siren, dry_run=dry_run, lang=language(request))
    return import_file(entries, path, options, principal=principal)


@router.get("/publier/import")
async def import_form(request: Request) -> Response:
    sid, session, fresh = _ensure_session(request)
    if not session.token:
        return _redirect("/publier?message=pub.need_signin")
    return _page(request, "publish_import.html", session, sid, fresh, report=None, upload=None)


@router.post("/publier/import")
async def import_check(request: Request) -> Response:
    sid, session = _current(request)
    form = await _form(request)
    if session is None or not session.token:
        return _redirect("/publier?message=pub.need_signin")
    if not _csrf_ok(session, form):
        return _redirect("/publier?message=pub.csrf")
    assert sid is not None
    lang = language(request)
    upload = form.get("file")
    confirm = form.get("upload")
    if isinstance(confirm, str) and confirm in session.uploads:
        path, filename = session.uploads.pop(confirm)
        report = await blocking(_run_import, request, session, path, False)
        shutil.rmtree(path.parent, ignore_errors=True)
        if report.written:
            api_state(request).bump()
        return _page(
            request,
            "publish_import.html",
            session,
            sid,
            False,
            report=_report_view(report, lang),
            upload=None,
            done=True,
            filename=filename,
        )
    if upload is None or not hasattr(upload, "read"):
        return _page(
            request,
            "publish_import.html",
            session,
            sid,
            False,
            status=400,
            report=None,
            upload=None,
        )
    filename = Path(str(upload.filename or "import.csv")).name
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        suffix = ".csv"
    folder = Path(tempfile.mkdtemp(dir=sessions(api_state(request)).folder))
    path = folder / f"import{suffix}"
    path.write_bytes(await upload.read())
    report = await blocking(_run_import, request, session, path, True)
    upload_id = None
    if report.ok:
        upload_id = secrets.token_urlsafe(16)
        session.uploads[upload_id] = (path, filename)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return _page(
        request,
        "publish_import.html",
        session,
        sid,
        False,
        status=200 if report.ok else 422,
        report=_report_view(report, lang),
        upload=upload_id,
        filename=filename,
    )


# ---- create / edit form -------------------------------------------------------------------------
def _systems(request: Request) -> list[tuple[str, str]]:
    data = web_data(api_state(request))
    return sorted(
        ((s.key, s.title or s.key) for s in data.index.systems.values()),
        key=lambda kv: kv[1].lower(),
    )


def _form_page(
    request: Request,
    session: Session,
    sid: str,
    fresh: bool,
    *,
    key: str | None,
    values: dict[str, list[str]],
    messages: dict[str, list[dict[str, str]]],
    general: list[dict[str, str]],
    version: str | None,
    status: int = 200,
    notice: str | None = None,
    systems: list[tuple[str, str]],
) -> Response:
    lang = language(request)
    return _page(
        request,
        "publish_form.html",
        session,
        sid,
        fresh,
        status=status,
        groups=form_groups(lang, values, messages, systems, editing=key is not None),
        key=key,
        version=version,
        general=general,
        notice=notice,
        action=f"/publier/fiches/{key}" if key else "/publier/fiches/nouvelle",
    )


@router.get("/publier/fiches/nouvelle")
async def new_form(request: Request) -> Response:
    sid, session, fresh = _ensure_session(request)
    if not session.token:
        return _redirect("/publier?message=pub.need_signin")
    systems = await blocking(_systems, request)
    return _form_page(
        request,
        session,
        sid,
        fresh,
        key=None,
        values={},
        messages={},
        general=[],
        version=None,
        systems=systems,
    )


@router.get("/publier/fiches/{key}")
async def edit_form(request: Request, key: str) -> Response:
    sid, session, fresh = _ensure_session(request)
    if not session.token:
        return _redirect("/publier?message=pub.need_signin")
    if not KEY_RE.match(key):
        return _redirect("/publier")
    state = api_state(request)
    from registry import history

    def load() -> tuple[Any, Graph, list[tuple[str, str]]]:
        info, graph = history.get_current(state.store, state.layout, "deploiement", key)
        return info, graph, _systems(request)

    try:
        info, graph, systems = await blocking(load)
    except NotFoundError:
        return _redirect("/publier")
    values = values_from_graph(graph, URIRef(state.layout.entry_iri("deploiement", key)))
    saved = request.query_params.get("enregistre")
    t = translator(language(request))
    notice = t("pub.form.saved", n=saved) if saved and saved.isdigit() else None
    warnings: dict[str, list[dict[str, str]]] = {}
    general: list[dict[str, str]] = []
    if notice:
        report = session.saved.pop(key, None)
        if report is not None:
            warnings, general = report
    return _form_page(
        request,
        session,
        sid,
        fresh,
        key=key,
        values=values,
        messages=warnings,
        general=general,
        version=str(info.number),
        notice=notice,
        systems=systems,
    )


@router.post("/publier/fiches/nouvelle")
async def create_entry(request: Request) -> Response:
    return await _save(request, None)


@router.post("/publier/fiches/{key}")
async def update_entry(request: Request, key: str) -> Response:
    if not KEY_RE.match(key):
        return _redirect("/publier")
    return await _save(request, key)


async def _save(request: Request, key: str | None) -> Response:
    sid, session = _current(request)
    form = await _form(request)
    if session is None or not session.token:
        return _redirect("/publier?message=pub.need_signin")
    if not _csrf_ok(session, form):
        return _redirect("/publier?message=pub.csrf")
    assert sid is not None
    state = api_state(request)
    lang = language(request)
    t = translator(lang)
    values = values_from_form((k, v) for k, v in form.multi_items() if isinstance(v, str))
    version = form.get("version") if isinstance(form.get("version"), str) else None
    entry_key = key or (values.get("identifier") or [""])[0]
    systems = await blocking(_systems, request)

    def refuse(
        messages: dict[str, list[dict[str, str]]], general: list[dict[str, str]], status: int
    ) -> Response:
        return _form_page(
            request,
            session,
            sid,
            False,
            key=key,
            values=values,
            messages=messages,
            general=general,
            version=version,
            status=status,
            systems=systems,
            notice=None,
        )

    if not KEY_RE.match(entry_key):
        return refuse(
            {
                "identifier": [
                    {
                        "severity": "Violation",
                        "field": "",
                        "text": t("pub.form.iri_hint", example="fr-plaisir-optimus"),
                    }
                ]
            },
            [],
            422,
        )
    base = state.settings.base_iri

    def write() -> Any:
        from registry import history

        _, entries = write_services(state)
        principal = _principal(request, session)
        node = URIRef(state.layout.entry_iri("deploiement", entry_key))
        if key is None:
            if history.current_version(state.store, state.layout, "deploiement", entry_key):
                raise ConflictError(
                    f"La fiche {entry_key} existe déjà.", f"Entry {entry_key} already exists."
                )
            graph, node = new_entry(base, entry_key, principal.organisation or "")
            if_match = None
        else:
            _, graph = history.get_current(state.store, state.layout, "deploiement", entry_key)
            if_match = version
        apply_form(graph, node, values, base)
        return entries.write(principal, "deploiement", entry_key, graph, if_match=if_match)

    try:
        result = await blocking(write)
    except ValidationFailed as exc:
        report = getattr(exc, "report", None)
        focus = state.layout.entry_iri("deploiement", entry_key)
        messages, general = messages_by_field(getattr(report, "results", []), focus, lang)
        general.insert(0, {"severity": "Violation", "text": t("pub.form.refused"), "field": ""})
        return refuse(messages, general, 422)
    except PermissionDenied:
        return refuse(
            {}, [{"severity": "Violation", "text": t("pub.form.forbidden"), "field": ""}], 403
        )
    except ConflictError as exc:
        text = t("pub.form.stale") if key else exc.message(lang)
        return refuse({}, [{"severity": "Violation", "text": text, "field": ""}], 409)
    except RegistryError as exc:
        return refuse(
            {}, [{"severity": "Violation", "text": exc.message(lang), "field": ""}], exc.http_status
        )
    state.bump()
    report = getattr(result, "report", None)
    if report is not None:
        focus = state.layout.entry_iri("deploiement", entry_key)
        warnings = [r for r in report.results if r.severity != "Violation"]
        session.saved[entry_key] = messages_by_field(warnings, focus, lang)
    return _redirect(f"/publier/fiches/{entry_key}?enregistre={result.version.number}")
