"""``ia-territoires orgs ...`` and ``ia-territoires tokens ...``: the organisations allowed to
publish and their API tokens (stored hashed in ``Settings.auth_db_path``; a token is printed
once, at creation)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from registry.auth import AuthDB, check_siren
from registry.cli import app
from registry.cli.store_cmd import (
    CONFIG_OPTION,
    GSP_URL_OPTION,
    LANG_OPTION,
    QUERY_URL_OPTION,
    STORE_OPTION,
    UPDATE_URL_OPTION,
    fail,
    open_configured_store,
    settings_from_options,
)
from registry.config import Settings
from registry.entries import EntryService
from registry.errors import RegistryError
from registry.layout import Layout

out = Console()

orgs_app = typer.Typer(
    help="Organisations autorisées à publier. / Organisations allowed to publish.",
    no_args_is_help=True,
)
tokens_app = typer.Typer(
    help="Jetons d'accès à l'API (stockés hachés). / API access tokens (stored hashed).",
    no_args_is_help=True,
)
app.add_typer(orgs_app, name="orgs")
app.add_typer(tokens_app, name="tokens")

AUTH_DB_OPTION = typer.Option(
    None,
    "--auth-db",
    help="Base SQLite des jetons (défaut : à côté du magasin). / Token SQLite database "
    "(default: beside the store).",
)


def _settings(
    store: Path | None,
    query_url: str | None,
    update_url: str | None,
    gsp_url: str | None,
    config: Path | None,
    lang: str | None,
    auth_db: Path | None,
) -> Settings:
    settings = settings_from_options(store, query_url, update_url, gsp_url, config, lang)
    if auth_db is not None:
        settings = settings.model_copy(update={"auth_db_path": auth_db})
    return settings


def _auth(settings: Settings) -> AuthDB:
    return AuthDB(settings.resolved_auth_db_path, Layout(settings.base_iri))


@orgs_app.command("add")
def orgs_add(
    siren: str = typer.Argument(..., help="SIREN (9 chiffres). / SIREN (9 digits)."),
    name: str | None = typer.Option(
        None,
        "--name",
        help="Nom (défaut : celui des données de référence). / Name (default: from the "
        "reference data).",
    ),
    store: Path | None = STORE_OPTION,
    sparql_query_url: str | None = QUERY_URL_OPTION,
    sparql_update_url: str | None = UPDATE_URL_OPTION,
    sparql_graph_store_url: str | None = GSP_URL_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
    auth_db: Path | None = AUTH_DB_OPTION,
) -> None:
    """Autoriser une organisation à publier (décrite dans les données de référence, sinon
    créée comme fiche publique). / Allow an organisation to publish (described by the reference
    data, else created as a public entry)."""
    settings = _settings(
        store, sparql_query_url, sparql_update_url, sparql_graph_store_url, config, lang, auth_db
    )
    try:
        siren = check_siren(siren)
        opened = open_configured_store(settings)
        try:
            service = EntryService(opened, Layout(settings.base_iri))
            resolved = service.ensure_organisation(siren, name)
        finally:
            opened.close()
        auth = _auth(settings)
        try:
            org = auth.add_organisation(siren, resolved)
        finally:
            auth.close()
    except RegistryError as exc:
        fail(exc, settings.lang)
    iri = Layout(settings.base_iri).organisation_iri(org.siren)
    out.print(f"Organisation {org.siren} : {org.name} — <{iri}>", highlight=False)


@orgs_app.command("list")
def orgs_list(
    store: Path | None = STORE_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
    auth_db: Path | None = AUTH_DB_OPTION,
) -> None:
    """Lister les organisations autorisées à publier. / List the organisations allowed to
    publish."""
    settings = _settings(store, None, None, None, config, lang, auth_db)
    auth = _auth(settings)
    try:
        orgs = auth.list_organisations()
        tokens = auth.list_tokens()
    finally:
        auth.close()
    table = Table()
    table.add_column("SIREN", no_wrap=True, min_width=9)
    for header in ("Nom / name", "Jetons actifs / active tokens", "Ajoutée / added"):
        table.add_column(header)
    for org in orgs:
        active = sum(1 for t in tokens if t.siren == org.siren and t.active)
        table.add_row(org.siren, org.name, str(active), org.created_at)
    out.print(table)


@tokens_app.command("create")
def tokens_create(
    org: str | None = typer.Option(
        None, "--org", help="SIREN de l'organisation. / The organisation's SIREN."
    ),
    admin: bool = typer.Option(
        False, "--admin", help="Jeton administrateur (tous droits). / Administrator token."
    ),
    label: str = typer.Option("", "--label", help="Libellé. / Label."),
    store: Path | None = STORE_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
    auth_db: Path | None = AUTH_DB_OPTION,
) -> None:
    """Créer un jeton : il est affiché UNE SEULE FOIS. / Create a token: it is shown ONCE."""
    settings = _settings(store, None, None, None, config, lang, auth_db)
    auth = _auth(settings)
    try:
        info, token = auth.create_token(org, admin=admin, label=label)
    except RegistryError as exc:
        fail(exc, settings.lang)
    finally:
        auth.close()
    typer.echo(token)
    Console(stderr=True).print(
        f"Jeton {info.id} créé ({'administrateur' if info.is_admin else info.siren}) : "
        "conservez-le, il ne sera plus affiché. / Token created: keep it, it will not be shown "
        "again."
    )


@tokens_app.command("list")
def tokens_list(
    org: str | None = typer.Option(None, "--org", help="Filtrer par SIREN. / Filter by SIREN."),
    store: Path | None = STORE_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
    auth_db: Path | None = AUTH_DB_OPTION,
) -> None:
    """Lister les jetons (jamais leur secret). / List tokens (never their secret)."""
    settings = _settings(store, None, None, None, config, lang, auth_db)
    auth = _auth(settings)
    try:
        tokens = auth.list_tokens(org)
    finally:
        auth.close()
    table = Table()
    # Ids and SIRENs are what people copy: never wrapped or cut.
    table.add_column("ID", no_wrap=True, min_width=12)
    table.add_column("SIREN", no_wrap=True, min_width=9)
    for header in (
        "Admin",
        "Libellé / label",
        "Créé / created",
        "Dernier usage / last used",
        "Révoqué / revoked",
    ):
        table.add_column(header)
    for t in tokens:
        table.add_row(
            t.id,
            t.siren or "—",
            "oui / yes" if t.is_admin else "",
            t.label,
            t.created_at,
            t.last_used_at or "—",
            t.revoked_at or "",
        )
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: str = typer.Argument(..., help="Identifiant du jeton. / Token id."),
    store: Path | None = STORE_OPTION,
    config: Path | None = CONFIG_OPTION,
    lang: str | None = LANG_OPTION,
    auth_db: Path | None = AUTH_DB_OPTION,
) -> None:
    """Révoquer un jeton (effet immédiat). / Revoke a token (takes effect at once)."""
    settings = _settings(store, None, None, None, config, lang, auth_db)
    auth = _auth(settings)
    try:
        info = auth.revoke(token_id)
    except RegistryError as exc:
        fail(exc, settings.lang)
    finally:
        auth.close()
    out.print(f"Jeton {info.id} révoqué le {info.revoked_at}. / Token revoked.")
