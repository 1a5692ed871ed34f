"""Settings, declared once. Read by the CLI and the app factory, never at import time.

Sources, highest priority first: explicit arguments (CLI options), environment variables
prefixed ``IAT_`` (e.g. ``IAT_STORE_PATH``), a TOML file named by ``IAT_CONFIG`` (or passed as
``config_file``), then the defaults below, which make ``ia-territoires serve`` work with no option.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_IMPORT_MAX_BYTES = 100_000_000  # 100 MB: about 250,000 rows of the template


def default_store_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ia-territoires" / "store"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IAT_", extra="ignore")

    base_iri: str = Field(
        "https://w3id.org/ia-territoires/",
        description="Base des IRI des ressources du registre / base IRI of registry resources",
    )
    public_url: str | None = Field(
        None, description="URL publique du serveur / public URL of this server (for absolute links)"
    )
    store_path: Path = Field(default_factory=default_store_path)
    # Remote store: any SPARQL 1.1 server. When query_url is set, the remote backend is used.
    sparql_query_url: str | None = None
    sparql_update_url: str | None = None
    sparql_graph_store_url: str | None = None
    sparql_user: str | None = None
    sparql_password: SecretStr | None = None
    remote_timeout_s: float = 30.0
    # Organisations and token hashes (secrets: never in the RDF store). None = beside the store.
    auth_db_path: Path | None = None

    host: str = "127.0.0.1"
    port: int = 8000
    load_datasets_on_first_start: bool = True

    sparql_timeout_s: float = Field(10.0, gt=0, description="Budget maximal d'une requête SPARQL")
    sparql_row_cap: int = Field(10_000, gt=0)
    sparql_max_concurrent: int = Field(4, gt=0)
    max_payload_bytes: int = Field(2_000_000, gt=0)
    # Largest spreadsheet an import accepts (CSV / XLSX, or each table of a data package).
    import_max_bytes: int = Field(
        DEFAULT_IMPORT_MAX_BYTES,
        gt=0,
        description="Taille maximale d'un fichier importé / largest imported file (bytes)",
    )
    lang: Literal["fr", "en"] = "fr"
    # API token for `publish ckan` (env IAT_CKAN_TOKEN), so that it never appears in argv.
    ckan_token: SecretStr | None = None

    @property
    def resolved_auth_db_path(self) -> Path:
        """``auth_db_path``, or ``<store_path>.auth.sqlite3`` beside the embedded store."""
        if self.auth_db_path is not None:
            return self.auth_db_path
        return self.store_path.with_name(self.store_path.name + ".auth.sqlite3")

    @property
    def backend(self) -> Literal["embedded", "remote"]:
        return "remote" if self.sparql_query_url else "embedded"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings: overrides > environment > TOML file > defaults."""
    path = config_file or (Path(os.environ["IAT_CONFIG"]) if os.environ.get("IAT_CONFIG") else None)
    file_values: dict[str, Any] = {}
    if path is not None:
        with path.open("rb") as fh:
            file_values = tomllib.load(fh)
    env_settings = Settings()
    explicit_env = {
        name: getattr(env_settings, name)
        for name in Settings.model_fields
        if f"IAT_{name.upper()}" in os.environ
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    values = {**file_values, **explicit_env, **given}
    return Settings(**values)
