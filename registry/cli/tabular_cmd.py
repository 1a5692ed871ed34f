"""``ia-territoires template | import | export``: spreadsheets in, data packages out."""

from __future__ import annotations

from pathlib import Path

import typer

from registry.cli import app
from registry.config import load_settings
from registry.errors import RegistryError


def _progress_bar(label: str):  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(label + " {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    )


@app.command("template")
def template(
    out: Path = typer.Option(
        ..., "--out", help="Fichier à écrire (.csv ou .xlsx). / File to write (.csv or .xlsx)."
    ),
    lang: str = typer.Option("fr", "--lang", help="Langue de l'aide (fr, en). / Help language."),
    table: str = typer.Option(
        "deploiements",
        "--table",
        help="Table du modèle CSV "
        "(deploiements, systemes, organisations, sources). / Table of the "
        "CSV template.",
    ),
) -> None:
    """Écrire un modèle prêt à remplir. / Write a ready-to-fill template."""
    from registry.tabular.columns import TABLES
    from registry.tabular.template import write_template

    if table not in TABLES:
        raise typer.BadParameter(f"table inconnue / unknown table: {table}", param_hint="--table")
    try:
        write_template(out, lang=lang, table=table)
    except RegistryError as exc:
        typer.echo(exc.message(lang), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Modèle écrit / template written: {out}")


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(
        ...,
        help="Fichier CSV ou XLSX, ou dossier d'un paquet exporté. "
        "/ CSV or XLSX file, or an exported package folder.",
    ),
    org: str | None = typer.Option(
        None,
        "--org",
        help="SIREN (ou clé) de l'organisation qui "
        "importe. / SIREN (or key) of the importing organisation.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Vérifier sans rien écrire. / Check, write nothing."
    ),
    partial: bool = typer.Option(
        False,
        "--partial",
        help="Écrire les lignes valides et signaler "
        "les autres (défaut : tout ou rien). / Write the valid rows and "
        "report the others (default: all or nothing).",
    ),
    admin: bool = typer.Option(
        False,
        "--admin",
        help="Import administrateur : plusieurs "
        "organisations (restauration d'un export). / Administrator "
        "import: several organisations (restoring an export).",
    ),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Écrire le rapport (.csv ou .json). / Write the report (.csv or .json).",
    ),
    crosswalk: str | None = typer.Option(
        None,
        "--format",
        help="« etalab » : inventaire Etalab "
        "des traitements algorithmiques. / 'etalab': the Etalab "
        "inventory of public algorithms.",
    ),
    lang: str = typer.Option("fr", "--lang", help="Langue du rapport (fr, en). / Report language."),
    store: Path | None = typer.Option(
        None, "--store", help="Dossier du magasin embarqué. / Embedded store directory."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Fichier de configuration TOML. / TOML settings file."
    ),
) -> None:
    """Importer un tableur dans le registre, ligne par ligne, avec un rapport. / Import a
    spreadsheet into the registry, row by row, with a report."""
    from registry.entries import EntryService
    from registry.layout import Layout
    from registry.store import open_store
    from registry.tabular.importer import ImportOptions, import_file

    if crosswalk not in (None, "etalab"):
        raise typer.BadParameter("valeur admise / allowed value: etalab", param_hint="--format")
    settings = load_settings(config, store_path=store)
    opened = open_store(settings)
    try:
        service = EntryService(
            opened, Layout(settings.base_iri), max_payload_bytes=settings.max_payload_bytes
        )
        options = ImportOptions(
            organisation=org,
            admin=admin,
            dry_run=dry_run,
            partial=partial,
            lang=lang,
            crosswalk=crosswalk,
            max_bytes=settings.import_max_bytes,
        )
        with _progress_bar("import") as bar:
            task = bar.add_task("", total=None)

            def progress(phase: str, done: int) -> None:
                bar.update(task, description=phase, completed=done)

            result = import_file(service, file, options, progress=progress)
    finally:
        opened.close()
    typer.echo(result.to_text(lang))
    if report is not None:
        result.write(report, lang)
    if not result.ok:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    out: Path = typer.Option(
        ..., "--out", help="Dossier du paquet à écrire. / Package folder to write."
    ),
    org: str | None = typer.Option(
        None,
        "--org",
        help="Seulement cette organisation (SIREN ou "
        "clé). / Only this organisation (SIREN or key).",
    ),
    per_organisation: bool = typer.Option(
        False,
        "--per-organisation",
        help="Un paquet par "
        "organisation (sous-dossiers). / One package per "
        "organisation (sub-folders).",
    ),
    store: Path | None = typer.Option(
        None, "--store", help="Dossier du magasin embarqué. / Embedded store directory."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Fichier de configuration TOML. / TOML settings file."
    ),
) -> None:
    """Exporter le registre en paquet de données Frictionless (CSV, schémas, Turtle, JSON-LD).
    / Export the registry as a Frictionless data package (CSV, schemas, Turtle, JSON-LD)."""
    from registry.export.package import ExportOptions, export_package, export_per_organisation
    from registry.layout import Layout
    from registry.store import open_store

    settings = load_settings(config, store_path=store)
    opened = open_store(settings)
    try:
        layout = Layout(settings.base_iri)
        options = ExportOptions(organisation=org, registry_url=settings.public_url)
        with _progress_bar("export") as bar:
            task = bar.add_task("", total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            if per_organisation:
                results = export_per_organisation(opened, layout, out, options, progress=progress)
            else:
                results = [export_package(opened, layout, out, options, progress=progress)]
    except RegistryError as exc:
        typer.echo(exc.message("fr"), err=True)
        raise typer.Exit(2) from exc
    finally:
        opened.close()
    for result in results:
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        typer.echo(f"Paquet écrit / package written: {result.folder} ({counts})")
