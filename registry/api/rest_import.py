"""``POST /api/v1/imports``: a CSV/XLSX spreadsheet imported through the core write path, with
the organisation's token, answering the row-by-row report (the same as ``ia-territoires
import``). The import itself is :func:`registry.tabular.importer.import_file`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from registry.api.problems import HttpProblem
from registry.api.rest_write import request_principal, write_services
from registry.api.state import api_state, blocking

router = APIRouter(prefix="/api/v1", tags=["API REST (écriture) / REST API (write)"])

SUFFIXES = (".csv", ".xlsx")
TRUE = {"1", "true", "oui", "yes", "on"}

IMPORT_DOC = """Formulaire multipart : `file` (CSV ou XLSX, modèle de `ia-territoires template`),
`dry_run` (vérifier sans écrire), `partial` (écrire les lignes valides), `format` (`etalab` pour
l'inventaire Etalab), `lang` (`fr`/`en`). Jeton `Authorization: Bearer` de l'organisation (un jeton
d'administrateur peut importer plusieurs organisations). Réponse : le rapport ligne par ligne ;
200 si rien n'a été refusé, 422 sinon (rien n'est écrit par défaut : tout ou rien). /
Multipart form: `file`, `dry_run`, `partial`, `format`, `lang`; the organisation's token. Answers
the row-by-row report: 200 when nothing was refused, 422 otherwise (all or nothing by default)."""


def _flag(form: Any, name: str) -> bool:
    value = form.get(name)
    return isinstance(value, str) and value.strip().lower() in TRUE


@router.post(
    "/imports",
    summary="Importer un tableur / Import a spreadsheet",
    description=IMPORT_DOC,
)
async def import_spreadsheet(request: Request) -> Response:
    from registry.tabular.importer import ImportOptions, import_file

    state = api_state(request)
    principal = await request_principal(request)
    form = await request.form(max_part_size=state.settings.import_max_bytes)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HttpProblem(
            400,
            "Champ « file » manquant : joignez un fichier CSV ou XLSX.",
            "Missing `file` field: attach a CSV or XLSX file.",
        )
    name = Path(upload.filename or "import.csv").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise HttpProblem(
            415,
            f"{name} : seuls les fichiers .csv et .xlsx sont importés.",
            f"{name}: only .csv and .xlsx files are imported.",
        )
    crosswalk = form.get("format")
    lang = form.get("lang")
    options = ImportOptions(
        organisation=principal.siren,
        admin=principal.is_admin,
        dry_run=_flag(form, "dry_run"),
        partial=_flag(form, "partial"),
        lang=lang if lang in ("fr", "en") else "fr",
        crosswalk=crosswalk if crosswalk == "etalab" else None,
        max_bytes=state.settings.import_max_bytes,
    )
    folder = Path(tempfile.mkdtemp(prefix="iat-import-"))
    try:
        path = folder / name
        with path.open("wb") as out:
            await blocking(shutil.copyfileobj, upload.file, out)
        _, entries = write_services(state)
        report = await blocking(lambda: import_file(entries, path, options, principal=principal))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.file = name  # not the server's temporary path
    if report.written:
        state.bump()
    return JSONResponse(report.to_dict(), status_code=200 if report.ok else 422)
