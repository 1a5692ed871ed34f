"""``ia-territoires load [PATH...]``: vocabulary, reference data and entries into the store, with
a progress bar. Without PATH: the curated data (``ontology/``, ``datasets/reference``,
``datasets/entries``)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from registry.cli import app
from registry.cli.store_cmd import (
    CONFIG_OPTION,
    EXIT_ERROR,
    GSP_URL_OPTION,
    LANG_OPTION,
    QUERY_URL_OPTION,
    STORE_OPTION,
    UPDATE_URL_OPTION,
    describe,
    fail,
    open_configured_store,
    settings_from_options,
)
from registry.errors import RegistryError
from registry.loading import load_all

err = Console(stderr=True)


@app.command("load")
def load(
    paths: list[Path] = typer.Argument(
        None,
        help="Fichiers ou dossiers RDF (Turtle, JSON-LD, N-Triples, N-Quads). Défaut : les "
        "données du projet. / RDF files or folders. Default: the project's curated data.",
    ),
    validate: bool = typer.Option(
        True,
        "--validate/--no-validate",
        help="Valider chaque nouvelle fiche (défaut). / Validate every new entry (default).",
    ),
    store: Path | None = STORE_OPTION,
    sparql_query_url: str | None = QUERY_URL_OPTION,
    sparql_update_url: str | None = UPDATE_URL_OPTION,
    sparql_graph_store_url: str | None = GSP_URL_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
) -> None:
    """Charger vocabulaire, données de référence et fiches (version 1, ou nouvelle version si
    la fiche a changé). / Load the vocabulary, reference data and entries (version 1, or a new
    version when an entry changed)."""
    settings = settings_from_options(
        store, sparql_query_url, sparql_update_url, sparql_graph_store_url, config, lang
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        opened = open_configured_store(settings)
        try:
            with Progress(*columns, console=err) as bar:
                tasks: dict[str, object] = {}

                def progress(phase: str, done: int, total: int) -> None:
                    if phase not in tasks:
                        tasks[phase] = bar.add_task(phase, total=total)
                    bar.update(tasks[phase], completed=done, total=total)  # type: ignore[arg-type]

                report = load_all(
                    opened, settings, paths or None, validate=validate, progress=progress
                )
            if report.created or report.updated:
                opened.optimize()  # bulk-loaded files leave the indexes fragmented
        finally:
            opened.close()
    except RegistryError as exc:
        fail(exc, settings.lang)
    err.print(
        f"{describe(settings)} : {report.created} fiche(s) créée(s) / created, "
        f"{report.updated} mise(s) à jour / updated, {report.unchanged} inchangée(s) / "
        f"unchanged; {report.vocabulary_files} fichier(s) de vocabulaire / vocabulary file(s), "
        f"{report.reference_files} de référence / reference file(s)."
    )
    if report.leftover_triples:
        err.print(
            f"[yellow]{report.leftover_triples} triplet(s) hors de toute fiche ignoré(s). / "
            "triple(s) outside any entry ignored.[/yellow]"
        )
    for name, problem in sorted(report.invalid.items()):
        text = (
            problem.to_text(settings.lang)
            if hasattr(problem, "to_text")
            else (
                problem.message(settings.lang)
                if isinstance(problem, RegistryError)
                else str(problem)
            )
        )
        err.print(f"[red]{name}[/red] : non chargée / not loaded\n{text}", highlight=False)
    if report.invalid:
        raise typer.Exit(EXIT_ERROR)
