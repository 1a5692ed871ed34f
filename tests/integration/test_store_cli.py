"""``ia-territoires dump`` / ``restore`` / ``query`` on both backends."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry.cli import _register, app
from registry.store.embedded import EmbeddedStore
from tests.harness.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.integration

EX = "https://example.org/"
G = "https://w3id.org/ia-territoires/graph/version/deploiement/a/1"
NQ = (
    f'<{EX}a> <{EX}label> "Système A"@fr <{G}> .\n'
    f'<{EX}a> <{EX}label> "Système A"@fr .\n'
    f'<{EX}a> <{EX}n> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    f"<{EX}a> <{EX}when> _:t .\n"
    f'_:t <{EX}start> "2022-09"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .\n'
)

runner = CliRunner()
_register()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_restore_refuses_a_non_empty_store_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "in.nq"
    source.write_text(NQ, encoding="utf-8")
    store = str(tmp_path / "store")
    assert _invoke("restore", str(source), "--store", store)[0] == 0
    code, _, stderr = _invoke("restore", str(source), "--store", store)
    assert code == 2
    assert "--force" in stderr
    assert _invoke("restore", str(source), "--store", store, "--force")[0] == 0
    with EmbeddedStore(Path(store)) as opened:
        # forced restore replaced the content instead of adding a second blank node
        assert len(opened.select(f"SELECT ?t WHERE {{ ?s <{EX}when> ?t }}")) == 1


def test_dump_then_restore_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "in.nq"
    source.write_text(NQ, encoding="utf-8")
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    assert _invoke("restore", str(source), "--store", first)[0] == 0
    out = tmp_path / "backup.nq"
    code, _, stderr = _invoke("dump", "--out", str(out), "--store", first)
    assert code == 0, stderr
    assert _invoke("restore", str(out), "--store", second)[0] == 0
    with EmbeddedStore(Path(second)) as opened:
        assert opened.graph_names() == [G]
        assert len(opened.get_graph(None)) == 4


def test_query_formats(tmp_path: Path) -> None:
    source = tmp_path / "in.nq"
    source.write_text(NQ, encoding="utf-8")
    store = str(tmp_path / "store")
    assert _invoke("restore", str(source), "--store", store)[0] == 0
    select = f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }}"

    code, out, _ = _invoke("query", select, "--store", store, "--format", "json")
    assert code == 0
    assert json.loads(out)["results"]["bindings"][0]["l"]["value"] == "Système A"

    code, out, _ = _invoke("query", select, "--store", store, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["s", "l"], [f"{EX}a", "Système A"]]

    code, out, _ = _invoke("query", select, "--store", store)
    assert code == 0 and "Système A" in out

    code, out, _ = _invoke("query", f"ASK {{ <{EX}a> ?p ?o }}", "--store", store)
    assert "true" in out

    code, out, _ = _invoke(
        "query", f"CONSTRUCT WHERE {{ <{EX}a> <{EX}n> ?o }}", "--store", store, "--format", "json"
    )
    assert json.loads(out)[0]["@id"] == f"{EX}a"

    code, _, stderr = _invoke("query", "SELECT nonsense", "--store", store)
    assert code == 2 and "syntax" in stderr


def test_query_and_dump_against_the_remote_backend(
    tmp_path: Path, clean_oxigraph_server: OxigraphServer
) -> None:
    server = clean_oxigraph_server
    source = tmp_path / "in.nq"
    source.write_text(NQ, encoding="utf-8")
    remote = [
        "--sparql-query-url",
        server.query_url,
        "--sparql-update-url",
        server.update_url,
        "--sparql-graph-store-url",
        server.graph_store_url,
    ]
    code, _, stderr = _invoke("restore", str(source), *remote)
    assert code == 0, stderr
    code, out, _ = _invoke(
        "query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", *remote, "--format", "csv"
    )
    assert code == 0 and G in out
    out_file = tmp_path / "remote.nq"
    assert _invoke("dump", "--out", str(out_file), *remote)[0] == 0
    assert _invoke("restore", str(out_file), "--store", str(tmp_path / "local"))[0] == 0
    with EmbeddedStore(tmp_path / "local") as opened:
        assert opened.graph_names() == [G]
        assert opened.ask(
            f'ASK {{ <{EX}a> <{EX}when> ?t . ?t <{EX}start> ?d FILTER(STR(?d) = "2022-09") }}'
        )
