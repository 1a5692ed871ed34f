"""Store jobs: ``dump`` (full backup as N-Quads, history included), ``restore`` (into an empty
store) and ``query`` (any SPARQL query against the configured backend).

Every command takes the same store options (``--store DIR`` for the embedded store, or the
remote endpoint URLs); they override the environment (``IAT_*``) and the TOML config file.
Other command modules may reuse :func:`open_configured_store` and the ``*_OPTION`` values.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from registry.cli import app
from registry.config import Settings, load_settings
from registry.errors import RegistryError
from registry.store import Store, open_store

EXIT_ERROR = 2
err = Console(stderr=True)

STORE_OPTION = typer.Option(
    None, "--store", help="Dossier du magasin embarqué. / Embedded store directory."
)
QUERY_URL_OPTION = typer.Option(
    None,
    "--sparql-query-url",
    help="Point d'accès SPARQL distant (active le magasin distant). / Remote SPARQL query "
    "endpoint (selects the remote store).",
)
UPDATE_URL_OPTION = typer.Option(
    None,
    "--sparql-update-url",
    help="Point d'accès SPARQL Update distant. / Remote SPARQL Update endpoint.",
)
GSP_URL_OPTION = typer.Option(
    None,
    "--sparql-graph-store-url",
    help="Graph Store HTTP Protocol distant. / Remote Graph Store HTTP Protocol endpoint.",
)
CONFIG_OPTION = typer.Option(
    None, "--config", help="Fichier de configuration TOML. / TOML settings file."
)
LANG_OPTION = typer.Option(None, "--lang", help="Langue des messages (fr, en). / Message language.")


def settings_from_options(
    store: Path | None,
    sparql_query_url: str | None,
    sparql_update_url: str | None,
    sparql_graph_store_url: str | None,
    config: Path | None,
    lang: str | None = None,
) -> Settings:
    return load_settings(
        config,
        store_path=store,
        sparql_query_url=sparql_query_url,
        sparql_update_url=sparql_update_url,
        sparql_graph_store_url=sparql_graph_store_url,
        lang=lang,
    )


def open_configured_store(settings: Settings) -> Store:
    return open_store(settings)


def describe(settings: Settings) -> str:
    if settings.backend == "remote":
        return f"serveur SPARQL / SPARQL server {settings.sparql_query_url}"
    return f"magasin embarqué / embedded store {settings.store_path}"


def fail(exc: RegistryError, lang: str) -> NoReturn:
    err.print(f"[red]Erreur / Error[/red] : {exc.message(lang)}", highlight=False)
    raise typer.Exit(EXIT_ERROR)


@contextmanager
def _bytes_progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update
        bar.update(task, completed=total if total is not None else None)


# -- dump ---------------------------------------------------------------------------------


@app.command("dump")
def dump(
    out: Path = typer.Option(
        ..., "--out", help="Fichier N-Quads à écrire (.nq). / N-Quads file to write (.nq)."
    ),
    store: Path | None = STORE_OPTION,
    sparql_query_url: str | None = QUERY_URL_OPTION,
    sparql_update_url: str | None = UPDATE_URL_OPTION,
    sparql_graph_store_url: str | None = GSP_URL_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
) -> None:
    """Sauvegarder tout le magasin (historique compris) en N-Quads. / Back up the whole store
    (history included) as N-Quads."""
    settings = settings_from_options(
        store, sparql_query_url, sparql_update_url, sparql_graph_store_url, config, lang
    )
    try:
        opened = open_configured_store(settings)
        try:
            with _bytes_progress("Export / dump", None) as progress:
                opened.dump(out, progress=progress)
        finally:
            opened.close()
    except RegistryError as exc:
        fail(exc, settings.lang)
    err.print(
        f"{out} écrit depuis le {describe(settings)} ({out.stat().st_size:,} octets). / "
        f"{out} written ({out.stat().st_size:,} bytes).",
        highlight=False,
    )


# -- restore ------------------------------------------------------------------------------


@app.command("restore")
def restore(
    dump_file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="Sauvegarde N-Quads (.nq ou .nq.gz). / N-Quads backup (.nq or .nq.gz).",
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Vider d'abord un magasin non vide (ses données sont perdues). / First empty a "
        "non-empty store (its data is lost).",
    ),
    store: Path | None = STORE_OPTION,
    sparql_query_url: str | None = QUERY_URL_OPTION,
    sparql_update_url: str | None = UPDATE_URL_OPTION,
    sparql_graph_store_url: str | None = GSP_URL_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
) -> None:
    """Restaurer une sauvegarde dans un magasin vide. / Restore a backup into an empty store."""
    settings = settings_from_options(
        store, sparql_query_url, sparql_update_url, sparql_graph_store_url, config, lang
    )
    try:
        opened = open_configured_store(settings)
        try:
            if not opened.is_empty():
                if not force:
                    err.print(
                        f"[red]Refusé / Refused[/red] : le {describe(settings)} n'est pas vide ; "
                        "relancez avec --force pour le vider d'abord. / the store is not empty; "
                        "use --force to empty it first.",
                        highlight=False,
                    )
                    raise typer.Exit(EXIT_ERROR)
                opened.clear()
            gzipped = dump_file.name.endswith(".gz")
            total = None if gzipped else dump_file.stat().st_size
            with _bytes_progress("Restauration / restore", total) as progress:
                opened.bulk_load(dump_file, progress=progress)
            opened.optimize()
        finally:
            opened.close()
    except RegistryError as exc:
        fail(exc, settings.lang)
    err.print(
        f"{dump_file} restauré dans le {describe(settings)}. / {dump_file} restored.",
        highlight=False,
    )


# -- query --------------------------------------------------------------------------------

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_COMMENT = re.compile(r"#[^\n]*")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword after the prologue
    (IRIs and comments removed first so that ``<...#select>`` cannot fool it)."""
    stripped = _COMMENT.sub("", re.sub(r"<[^>\s]*>", "<>", sparql))
    match = _FORM.search(stripped)
    return match.group(1).upper() if match else "SELECT"


_MEDIA = {
    ("SELECT", "json"): "application/sparql-results+json",
    ("ASK", "json"): "application/sparql-results+json",
    ("SELECT", "csv"): "text/csv",
    ("CONSTRUCT", "json"): "application/ld+json",
    ("DESCRIBE", "json"): "application/ld+json",
}


@app.command("query")
def query(
    sparql: str = typer.Argument(
        ..., help="Requête SPARQL 1.1 (ou @fichier.rq). / SPARQL 1.1 query (or @file.rq)."
    ),
    output_format: str = typer.Option(
        "table",
        "--format",
        help="table, json (résultats SPARQL JSON ou JSON-LD) ou csv. / table, json (SPARQL "
        "JSON results or JSON-LD) or csv.",
    ),
    timeout: float | None = typer.Option(
        None, "--timeout", help="Délai maximal en secondes. / Time budget in seconds."
    ),
    store: Path | None = STORE_OPTION,
    sparql_query_url: str | None = QUERY_URL_OPTION,
    sparql_update_url: str | None = UPDATE_URL_OPTION,
    sparql_graph_store_url: str | None = GSP_URL_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
) -> None:
    """Interroger le magasin en SPARQL. / Query the store with SPARQL."""
    settings = settings_from_options(
        store, sparql_query_url, sparql_update_url, sparql_graph_store_url, config, lang
    )
    if output_format not in ("table", "json", "csv"):
        err.print(
            f"[red]Format inconnu / Unknown format[/red] : {output_format} (table, json, csv)",
            highlight=False,
        )
        raise typer.Exit(EXIT_ERROR)
    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    form = query_form(sparql)
    try:
        opened = open_configured_store(settings)
        try:
            _run_query(opened, sparql, form, output_format, timeout)
        finally:
            opened.close()
    except RegistryError as exc:
        fail(exc, settings.lang)


def _run_query(
    store: Store, sparql: str, form: str, output_format: str, timeout: float | None
) -> None:
    media = _MEDIA.get((form, output_format))
    if media is not None:
        body, _ = store.query_raw(sparql, media, timeout_s=timeout)
        sys.stdout.write(body.decode("utf-8"))
        if not body.endswith(b"\n"):
            sys.stdout.write("\n")
        return
    if form == "ASK":
        answer = store.ask(sparql, timeout_s=timeout)
        if output_format == "csv":
            sys.stdout.write(f"boolean\n{str(answer).lower()}\n")
        else:
            typer.echo("oui / true" if answer else "non / false")
        return
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph = store.construct(sparql, timeout_s=timeout)
        header = ["s", "p", "o"]
        rows = [[t.n3() for t in triple] for triple in sorted(graph)]
    else:
        results = store.select(sparql, timeout_s=timeout)
        header = _variables(sparql, results)
        rows = [[_cell(r.get(v)) for v in header] for r in results]
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    _print_table(header, rows)


_PROJECTION = re.compile(
    r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\b|\{)", re.IGNORECASE | re.DOTALL
)


def _variables(sparql: str, rows: list[dict[str, Any]]) -> list[str]:
    """Columns in the query's projection order (``?a (COUNT(?b) AS ?n)`` gives ``a, n``);
    for ``SELECT *``, in order of first appearance."""
    match = _PROJECTION.search(_COMMENT.sub("", sparql))
    if match and not match.group(1).lstrip().startswith("*"):
        projection = re.sub(
            r"\((.*?)\bAS\s+[?$](\w+)\s*\)", r"?\2", match.group(1), flags=re.IGNORECASE | re.DOTALL
        )
        names = list(dict.fromkeys(re.findall(r"[?$](\w+)", projection)))
        if all(all(k in names for k in r) for r in rows):
            return names
    seen: dict[str, None] = {}
    for row in rows:
        for name in row:
            seen.setdefault(name, None)
    return list(seen)


def _cell(term: Any) -> str:
    if term is None:
        return ""
    return str(term)


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    table = Table(*header, show_lines=False)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    err.print(f"{len(rows)} résultat(s) / result(s)", highlight=False)
