"""``ia-territoires validate``: exit codes 0/1/2, report by entry, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from registry.cli import _register, app
from registry.vocab import ENTRIES_DIR

DATA = Path(__file__).resolve().parents[1] / "data"
COMPLETE = DATA / "valid" / "complete-entry.ttl"

_register()
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_valid_entry_exits_0_with_completeness() -> None:
    code, out, _ = _run(str(COMPLETE))
    assert code == 0
    assert "Fiche fx-ville-tri" in out
    assert "Complétude : 100%" in out
    assert "conforme" in out


def test_violation_exits_1_naming_field_and_value_in_french_by_default() -> None:
    code, out, _ = _run(str(DATA / "invalid" / "deployment-status-in.ttl"))
    assert code == 1
    assert "Erreur — Déploiement › Statut" in out
    assert "statut/en-production" in out


def test_english_report() -> None:
    code, out, _ = _run(str(DATA / "invalid" / "deployment-title.ttl"), "--lang", "en")
    assert code == 1
    assert "Violation — Deployment › Title: A French title is required." in out
    assert "Completeness: 100%" in out


def test_warning_only_exits_0() -> None:
    code, out, _ = _run(str(DATA / "invalid" / "rule-legal-basis-undocumented.ttl"))
    assert code == 0
    assert "Avertissement — Base légale" in out


def test_json_report_groups_by_entry() -> None:
    code, out, _ = _run(str(DATA / "invalid" / "rule-end-before-start.ttl"), "--format", "json")
    assert code == 1
    body = json.loads(out)
    assert body["conforms"] is False
    [entry] = [e for e in body["entries"] if e["entry"]]
    assert entry["key"] == "fx-ville-tri"
    [result] = entry["results"]
    assert result["severity"] == "Violation"
    assert result["field"]["fr"] == "Date de fin"
    assert result["value"] == "2022-12-31"
    assert 0.0 <= entry["completeness"][entry["entry"]]["score"] <= 1.0


def test_folder_is_searched(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.ttl").write_bytes(COMPLETE.read_bytes())
    (tmp_path / "notes.txt").write_text("not RDF")
    code, out, _ = _run(str(tmp_path))
    assert code == 0 and "1 fichier(s), 1 fiche(s)" in out


def test_syntax_error_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "x .\n')
    code, out, err = _run(str(bad))
    assert code == 2
    assert f"{bad}, ligne 2" in err
    assert "Traceback" not in out + err


def test_missing_path_and_unknown_format_exit_2(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "absent.ttl"))
    assert code == 2 and "introuvable" in err
    other = tmp_path / "entry.csv"
    other.write_text("a,b\n")
    code, _, err = _run(str(other), "--lang", "en")
    assert code == 2 and "unrecognised format" in err
    code, _, err = _run(str(COMPLETE), "--format", "xml")
    assert code == 2


def test_remote_context_exits_2(tmp_path: Path) -> None:
    doc = tmp_path / "remote.jsonld"
    doc.write_text(json.dumps({"@context": "https://schema.org/", "@id": "http://example.org/a"}))
    code, _, err = _run(str(doc))
    assert code == 2 and "contexte JSON-LD distant refusé" in err


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://a> <http://b> <http://c> .\nnot n-triples\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from registry.cli import main; main()", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{bad}, ligne 2" in proc.stderr


def test_curated_entries_have_no_violation() -> None:
    # datasets/entries/ is the project's curated content: it must always validate.
    assert any(ENTRIES_DIR.rglob("*.ttl")), "datasets/entries/ has no entry"
    code, out, err = _run(str(ENTRIES_DIR))
    assert code == 0, out[-3000:] + err


def test_pyshacl_reference_engine_gives_the_same_report_on_the_curated_entries() -> None:
    """The compiled shapes (default) and pySHACL (--pyshacl) agree on every curated entry."""
    compiled = _run(str(ENTRIES_DIR), "--format", "json")
    reference = _run(str(ENTRIES_DIR), "--format", "json", "--pyshacl")
    assert compiled[0] == reference[0] == 0
    entries = json.loads(compiled[1])["entries"]
    assert len(entries) >= 26  # one per curated deployment (with its system and organisation)
    assert json.loads(compiled[1]) == json.loads(reference[1])
