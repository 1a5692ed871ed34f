"""``ia-territoires serve``: open the store (loading ``datasets/`` on first start) and serve the
HTTP API with uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from registry.cli import app
from registry.config import Settings, load_settings
from registry.store.base import Store

log = logging.getLogger("registry.serve")


def first_start_load(store: Store, settings: Settings) -> int:
    """Load the project's vocabulary, reference data and curated entries (each entry validated
    and versioned) into an empty store. Returns the number of files loaded."""
    from registry.loading import load_all

    report = load_all(store, settings)
    if report.invalid:
        log.warning("entries refused on first load: %s", ", ".join(sorted(report.invalid)))
    return report.files


@app.command("serve")
def serve(
    store: Path | None = typer.Option(
        None, "--store", help="Dossier du magasin embarqué. / Embedded store directory."
    ),
    host: str | None = typer.Option(None, "--host", help="Adresse d'écoute. / Bind address."),
    port: int | None = typer.Option(None, "--port", help="Port d'écoute. / Port."),
    reload: str = typer.Option(
        "no",
        "--reload",
        help="Rechargement automatique (non pris en charge). / Auto-reload (not supported: 'no').",
    ),
    datasets: bool = typer.Option(
        True,
        "--datasets/--no-datasets",
        help="Charger datasets/ au premier démarrage (magasin vide). / Load datasets/ on first "
        "start (empty store).",
    ),
    load: list[Path] = typer.Option(
        [],
        "--load",
        help="Charger aussi ce fichier RDF si le magasin est vide (répétable). / Also load this "
        "RDF file when the store is empty (repeatable).",
        exists=True,
        dir_okay=False,
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Fichier de configuration TOML. / TOML settings file."
    ),
) -> None:
    """Servir le registre (données liées, SPARQL, API REST, catalogue DCAT). / Serve the
    registry (linked data, SPARQL, REST API, DCAT catalogue)."""
    import uvicorn

    from registry.api.app import create_app
    from registry.store import open_store

    if reload != "no":
        raise typer.BadParameter(
            "seule la valeur « no » est admise. / only 'no' is supported.", param_hint="--reload"
        )
    settings = load_settings(config, store_path=store, host=host, port=port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    opened = open_store(settings)
    try:
        if opened.is_empty():
            count = 0
            if datasets and settings.load_datasets_on_first_start:
                count += first_start_load(opened, settings)
            for path in load:
                opened.bulk_load(path)
                count += 1
            typer.echo(
                f"Magasin initialisé : {count} fichier(s) chargé(s). / Store initialised: "
                f"{count} file(s) loaded."
            )
        api = create_app(settings, opened)
        typer.echo(f"http://{settings.host}:{settings.port}/")
        uvicorn.run(
            api, host=settings.host, port=settings.port, log_level="info", proxy_headers=False
        )
    finally:
        opened.close()
