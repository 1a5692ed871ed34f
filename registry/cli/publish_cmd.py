"""``ia-territoires publish ckan``: push data packages to a CKAN portal (see publishers/README.md).

The token comes from ``--token-file`` or the ``IAT_CKAN_TOKEN`` setting, never from the command
line, so that it stays out of shell histories, process lists and CI logs."""

from __future__ import annotations

from pathlib import Path

import typer

from publishers.ckan import PublishOptions, package_folders, publish
from publishers.client import CkanClient
from publishers.errors import PublishError
from registry.cli import app
from registry.config import load_settings

publish_app = typer.Typer(
    help="Publier les paquets de données sur des portails. / Publish data packages to portals.",
    no_args_is_help=True,
)
app.add_typer(publish_app, name="publish")


def _token(token_file: Path | None) -> str | None:
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise typer.BadParameter(
                f"jeton illisible / unreadable token: {token_file} ({exc.strerror})",
                param_hint="--token-file",
            ) from exc
        if not token:
            raise typer.BadParameter(
                f"fichier vide / empty file: {token_file}", param_hint="--token-file"
            )
        return token
    secret = load_settings().ckan_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    return token or None


@publish_app.command("ckan")
def ckan(
    package_dir: Path = typer.Argument(
        ...,
        exists=True,
        file_okay=False,
        help="Dossier du paquet (datapackage.json), ou des sous-paquets avec --per-organisation. "
        "/ Package folder (datapackage.json), or of sub-packages with --per-organisation.",
    ),
    url: str = typer.Option(
        ..., "--url", help="URL du portail CKAN. / CKAN portal URL (e.g. https://demo.ckan.org)."
    ),
    token_file: Path | None = typer.Option(
        None,
        "--token-file",
        help="Fichier contenant le jeton d'API (sinon la variable IAT_CKAN_TOKEN). / File holding "
        "the API token (else the IAT_CKAN_TOKEN variable).",
    ),
    org: str | None = typer.Option(
        None,
        "--org",
        help="Organisation CKAN (par défaut : celle du paquet, ia_territoires:publisher.slug). "
        "/ CKAN organisation (default: the package's, ia_territoires:publisher.slug).",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Afficher le plan (diff) sans rien écrire. / Print the plan (diff), write nothing.",
    ),
    per_organisation: bool = typer.Option(
        False,
        "--per-organisation",
        help="Un jeu de données par sous-dossier (un par organisation). / One dataset per "
        "sub-folder (one per organisation).",
    ),
    create_org: bool = typer.Option(
        False,
        "--create-org",
        help="Créer l'organisation si elle manque (jeton d'administrateur). / Create the "
        "organisation when missing (sysadmin token).",
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Écrire le rapport en JSON. / Write the report as JSON."
    ),
    license_id: str | None = typer.Option(
        None,
        "--license-id",
        help="Identifiant de licence du portail à imposer (ex. fr-lo). / Portal licence id to "
        "force (e.g. fr-lo).",
    ),
    no_validate: bool = typer.Option(
        False,
        "--no-validate",
        help="Ne pas valider le paquet (Frictionless) avant l'envoi. / Skip Frictionless "
        "validation before pushing.",
    ),
    lang: str = typer.Option("fr", "--lang", help="Langue des messages (fr, en)."),
) -> None:
    """Pousser des paquets de données vers CKAN, sans doublon ni écriture inutile. / Push data
    packages to CKAN, idempotently (a second run with nothing changed writes nothing)."""
    token = _token(token_file)
    if token is None and not dry_run:
        typer.echo(
            "Jeton manquant : --token-file FICHIER ou variable IAT_CKAN_TOKEN. / Missing token: "
            "--token-file FILE or the IAT_CKAN_TOKEN variable.",
            err=True,
        )
        raise typer.Exit(2)
    options = PublishOptions(
        org=org,
        create_org=create_org,
        dry_run=dry_run,
        licence_id=license_id,
        validate=not no_validate,
    )
    try:
        folders = package_folders(package_dir, per_organisation)
    except PublishError as exc:
        typer.echo(exc.message(lang), err=True)
        raise typer.Exit(2) from exc
    result = publish(CkanClient(url, token), folders, options)
    if dry_run:
        for dataset in result.datasets:
            if dataset.plan:
                typer.echo(dataset.plan)
    typer.echo(result.render(lang))
    if report is not None:
        result.write_json(report)
    if result.failed:
        raise typer.Exit(1)
