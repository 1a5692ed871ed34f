"""The ``load``, ``orgs`` and ``tokens`` commands, end to end on an embedded store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry.cli import _register, app
from registry.vocab import PROJECT_ROOT

pytestmark = pytest.mark.integration

REFERENCE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://w3id.org/ia-territoires/id/organisation/217804905> a foaf:Organization ;
    foaf:name "Commune de Plaisir" .
"""


def _flat(output: str) -> str:
    """The output with line wrapping undone: rich wraps at the terminal width, so where a
    message breaks depends on the length of the temporary paths it quotes."""
    return " ".join(output.split())


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def test_load_orgs_tokens(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "example.ttl").write_text(
        (PROJECT_ROOT / "ontology/examples/entry-example.ttl").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (entries / "README.md").write_text("pas du RDF", encoding="utf-8")
    opts = ["--store", str(store)]
    # The deployer is not described yet: the deployment fails validation, the others load.
    result = runner.invoke(app, ["load", str(entries), *opts])
    assert result.exit_code == 2, result.output
    assert "deploiement/fr-plaisir-optimus" in _flat(result.output)
    assert "2 fiche(s) créée(s)" in _flat(result.output)

    result = runner.invoke(app, ["orgs", "add", "217804905", *opts])
    assert result.exit_code == 2 and "--name" in _flat(result.output)
    result = runner.invoke(app, ["orgs", "add", "217804905", "--name", "Commune de Plaisir", *opts])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["load", str(entries), *opts])
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "1 fiche(s) créée(s)" in out and "2 inchangée(s)" in out

    result = runner.invoke(app, ["orgs", "add", "123", *opts])
    assert result.exit_code == 2 and "SIREN" in _flat(result.output)

    result = runner.invoke(app, ["tokens", "create", "--org", "217804905", "--label", "dpo", *opts])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("iat_")
    token_id = token.split("_")[1]
    db = store.with_name(store.name + ".auth.sqlite3")
    rows = sqlite3.connect(db).execute("SELECT secret_hash FROM tokens").fetchall()
    assert len(rows) == 1 and token.split("_", 2)[2] not in rows[0][0]

    listed = runner.invoke(app, ["tokens", "list", *opts])
    assert listed.exit_code == 0 and token_id in listed.output and token not in listed.output
    orgs = runner.invoke(app, ["orgs", "list", *opts])
    assert "Commune de Plaisir" in orgs.output

    revoked = runner.invoke(app, ["tokens", "revoke", token_id, *opts])
    assert revoked.exit_code == 0, revoked.output
    assert runner.invoke(app, ["tokens", "revoke", "000000000000", *opts]).exit_code == 2
    assert runner.invoke(app, ["tokens", "create", *opts]).exit_code == 2  # neither org nor admin
