"""Import of CSV / XLSX files through the core write path (embedded store on disk), with the
real files of tests/data/tabular/: encodings, delimiters, labels, bad input, all-or-nothing,
--partial, idempotence, organisation scope, the Etalab inventory crosswalk, the template."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from registry import history
from registry.auth import Principal
from registry.entries import EntryService
from registry.layout import Layout
from registry.shacl import CompiledValidator, default_compiled_validator
from registry.store.embedded import EmbeddedStore
from registry.tabular.importer import ImportOptions, import_file
from registry.tabular.report import ImportReport
from registry.tabular.template import write_template

DATA = Path(__file__).resolve().parents[1] / "data" / "tabular"
LAYOUT = Layout("https://w3id.org/ia-territoires/")
PLAISIR = "217804905"


@pytest.fixture(scope="module")
def validator() -> CompiledValidator:
    return default_compiled_validator()


@dataclass
class Env:
    store: EmbeddedStore
    service: EntryService

    def run(self, name: str | Path, **options: object) -> ImportReport:
        path = name if isinstance(name, Path) else DATA / name
        opts = ImportOptions(**{"organisation": PLAISIR, **options})  # type: ignore[arg-type]
        return import_file(self.service, path, opts)

    def quads(self) -> set[tuple[object, ...]]:
        return set(self.store.iter_quads())

    def versions(self, kind: str, key: str) -> int:
        return (
            len(history.list_versions(self.store, LAYOUT, kind, key))
            if history.current_version(self.store, LAYOUT, kind, key)
            else 0
        )


@pytest.fixture
def env(tmp_path: Path, validator: CompiledValidator) -> Iterator[Env]:
    store = EmbeddedStore(tmp_path / "store")
    store.bulk_load(DATA / "reference.ttl")
    service = EntryService(store, LAYOUT, validator)
    e = Env(store, service)
    seed = e.run("organisations.csv", admin=True)
    assert seed.counts["created"] == 1, seed.to_text()
    seed = e.run("systemes.csv", admin=True)
    assert seed.counts["created"] == 1, seed.to_text()
    yield e
    store.close()


def test_windows_1252_semicolons_labels_and_french_dates(env: Env) -> None:
    report = env.run("deploiements-cp1252.csv")
    assert report.encoding == "cp1252" and report.delimiter == ";"
    assert report.counts["created"] == 2, report.to_text()
    assert report.written
    _, graph = history.get_current(env.store, LAYOUT, "deploiement", "fr-plaisir-optimus")
    node = URIRef(LAYOUT.entry_iri("deploiement", "fr-plaisir-optimus"))
    ttl = graph.serialize(format="nt")
    assert "vocab/statut/en-service" in ttl  # « En service » (label, capital E)
    assert "vocab/finalite/information-usagers" in ttl  # French label
    assert '"2022-09-01"^^<http://www.w3.org/2001/XMLSchema#date>' in ttl  # 01/09/2022
    assert len(list(graph.objects(node, URIRef("http://www.w3.org/2004/02/skos/core#note")))) == 2
    courriers = history.get_current(env.store, LAYOUT, "deploiement", "fr-plaisir-courriers")[1]
    assert "gYear" in courriers.serialize(format="nt")  # 2024 → xsd:gYear
    assert "statut/experimentation" in courriers.serialize(format="nt")  # EXPÉRIMENTATION


def test_reimport_changes_nothing(env: Env) -> None:
    assert env.run("deploiements-cp1252.csv").counts["created"] == 2
    before = env.quads()
    again = env.run("deploiements-bom-tab.csv")  # same rows, UTF-8 with BOM and tabs
    assert again.encoding == "utf-8-sig" and again.delimiter == "\t"
    assert again.counts["unchanged"] == 2 and again.counts["created"] == 0, again.to_text()
    assert env.quads() == before
    assert env.versions("deploiement", "fr-plaisir-optimus") == 1


def test_entry_changed_between_check_and_write_is_not_overwritten(env: Env, tmp_path: Path) -> None:
    """Pass 1 checks the rows against the stored entries; if another writer changes one of
    them before pass 2, that row is rejected (its entry keeps the other writer's version) and
    the other rows are written."""
    assert env.run("deploiements-cp1252.csv").counts["created"] == 2
    changed = ImportOptions(organisation=PLAISIR)
    path = DATA / "deploiements-bom-tab.csv"
    text = (
        path.read_text(encoding="utf-8-sig")
        .replace("Optimus, callbot", "Optimus 2, callbot")
        .replace("Aide à la rédaction", "Aide nouvelle à la rédaction")
    )
    edited = tmp_path / "edited.csv"
    edited.write_text(text, encoding="utf-8")
    key = "fr-plaisir-optimus"
    principal = Principal.system(LAYOUT)

    def meanwhile(phase: str, done: int) -> None:
        if phase.startswith("écriture") and done == 0:  # between the two passes
            _, graph = history.get_current(env.store, LAYOUT, "deploiement", key)
            node = URIRef(LAYOUT.entry_iri("deploiement", key))
            graph.set((node, DCTERMS.title, Literal("Titre d'un autre auteur", lang="fr")))
            env.service.write(principal, "deploiement", key, graph, if_match="1")

    report = import_file(env.service, edited, changed, progress=meanwhile)
    outcomes = {r.key: r.outcome for r in report.rows}
    assert outcomes[key] == "rejected", report.to_text()
    assert outcomes["fr-plaisir-courriers"] == "updated", report.to_text()
    assert any(i.key == key and "version" in i.fr for i in report.issues), report.to_text()
    _, graph = history.get_current(env.store, LAYOUT, "deploiement", key)
    titles = {str(o) for o in graph.objects(None, DCTERMS.title)}
    assert titles == {"Titre d'un autre auteur"}
    assert env.versions("deploiement", key) == 2
    assert env.versions("deploiement", "fr-plaisir-courriers") == 2


def test_partial_import_does_not_link_to_a_rejected_system(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system row rejected in pass 1 is no longer "about to be created" for the rows checked
    after it: a deployment linking to it is rejected too, instead of being written with a
    link to nothing."""
    from registry.tabular import importer

    monkeypatch.setattr(importer, "CHECK_BATCH", 1)  # one row per batch: the system first
    folder = tmp_path / "paquet"
    folder.mkdir()
    (folder / "systemes.csv").write_text(
        "identifiant,titre,familles\nsysteme-bancal,,prediction\n",  # no title: a Violation
        encoding="utf-8",
    )
    deployments = (DATA / "deploiements-cp1252.csv").read_text(encoding="cp1252")
    header, first = deployments.splitlines()[:2]
    (folder / "deploiements.csv").write_text(
        f"{header}\n{first.replace('yelda-callbot', 'systeme-bancal')}\n", encoding="utf-8"
    )
    (folder / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "essai",
                "resources": [
                    {"name": "systemes", "path": "systemes.csv"},
                    {"name": "deploiements", "path": "deploiements.csv"},
                ],
            }
        ),
        encoding="utf-8",
    )
    report = env.run(folder, partial=True, admin=True)
    outcomes = {r.key: r.outcome for r in report.rows}
    assert outcomes == {"systeme-bancal": "rejected", "fr-plaisir-optimus": "rejected"}, (
        report.to_text()
    )
    assert env.versions("deploiement", "fr-plaisir-optimus") == 0


def test_dry_run_writes_nothing(env: Env) -> None:
    before = env.quads()
    report = env.run("deploiements-cp1252.csv", dry_run=True)
    assert report.counts["created"] == 2 and not report.written
    assert env.quads() == before


def test_all_or_nothing_reports_each_cell(env: Env, tmp_path: Path) -> None:
    before = env.quads()
    report = env.run("deploiements-invalid.csv")
    assert not report.written and env.quads() == before
    assert report.counts["rejected"] == 2 and report.counts["created"] == 1
    by_column = {(i.line, i.column): i for i in report.issues if i.severity == "Violation"}
    assert by_column[(3, "finalites")].value == "Informations usager"
    assert "information-usagers" in by_column[(3, "finalites")].suggestions
    assert by_column[(3, "decision_individuelle")].value == "peut-être"
    assert "date impossible" in by_column[(3, "date_debut")].fr
    assert by_column[(3, "statut")].value.startswith("=HYPERLINK")
    assert any(i.line == 4 and "cellules" in i.fr for i in report.issues)
    # The CSV report neutralises formulas, the JSON one keeps the raw value.
    report.write(tmp_path / "r.csv")
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    report.write(tmp_path / "r.json", "en")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["summary"]["rejected"] == 2 and data["written"] is False
    assert "Informations usager" in report.to_text("en")


def test_partial_writes_the_valid_rows(env: Env) -> None:
    report = env.run("deploiements-invalid.csv", partial=True)
    assert report.written
    assert report.counts["created"] == 1 and report.counts["rejected"] == 2
    assert env.versions("deploiement", "fr-plaisir-ok") == 1
    assert env.versions("deploiement", "fr-plaisir-bad") == 0


def test_other_organisation_refused_unless_admin(env: Env) -> None:
    report = env.run("deploiements-other-org.csv")
    assert report.counts["rejected"] == 1
    assert any(i.column == "organisation" for i in report.issues)
    admin = env.run("deploiements-other-org.csv", admin=True, organisation=None)
    assert admin.counts["created"] == 1, admin.to_text()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "vide"),
        ("header-only.csv", "aucune ligne"),
        ("unknown-column.csv", "colonne inconnue « couleur »"),
        ("duplicate-column.csv", "en double"),
        ("missing-required.csv", "colonne obligatoire absente"),
        ("garbage.csv", "binaire"),
        ("several-sheets.xlsx", "table non reconnue"),
    ],
)
def test_bad_files_are_reported_and_change_nothing(env: Env, name: str, words: str) -> None:
    before = env.quads()
    report = env.run(name)
    assert report.aborted and not report.written, report.to_text()
    assert words in report.to_text("fr"), report.to_text("fr")
    assert env.quads() == before


def test_formula_cells_are_refused(env: Env) -> None:
    before = env.quads()
    report = env.run("formula.xlsx")
    assert report.counts["rejected"] == 1
    issue = next(i for i in report.issues if i.column == "titre")
    assert "formule" in issue.fr and issue.value == '=CONCATENATE("a","b")'
    assert env.quads() == before


def test_siren_checksum(env: Env) -> None:
    report = env.run("organisations-bad-siren.csv", admin=True)
    assert report.counts["rejected"] == 1
    assert any("Luhn" in i.fr and i.column == "siren" for i in report.issues)


def test_etalab_inventory_reports_what_is_missing(env: Env) -> None:
    report = env.run("etalab-inventaire.csv", crosswalk="etalab")
    assert not report.written
    missing = {i.column for i in report.issues if i.severity == "Violation"}
    assert {"finalites", "domaines"} <= missing, report.to_text()
    assert any(i.column == "statut" and i.severity == "Warning" for i in report.issues)
    complete = env.run("etalab-inventaire-complete.csv", crosswalk="etalab")
    assert complete.written and complete.counts["created"] == 2, complete.to_text()
    key = "217804905-calcul-du-quotient-familial"
    _, graph = history.get_current(env.store, LAYOUT, "deploiement", key)
    text = graph.serialize(format="nt")
    assert "Public concerné : Familles" in text and "mailto:education@plaisir.example" in text
    again = env.run("etalab-inventaire-complete.csv", crosswalk="etalab")
    assert again.counts["unchanged"] == 2


def test_template_round_trip(env: Env, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "modele.xlsx"
    write_template(path)
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "documentation" and "deploiements" in wb.sheetnames
    ws = wb["deploiements"]
    validations = [dv for dv in ws.data_validations.dataValidation]
    assert any("listes" in str(dv.formula1) for dv in validations)
    from registry.tabular.columns import TABLES

    covered = {str(rng).split(":")[0] for dv in validations for rng in dv.sqref.ranges}
    for i, column in enumerate(TABLES["deploiements"].columns, start=1):
        if column.kind == "concept":  # every coded field has its drop-down list
            assert f"{ws.cell(row=1, column=i).column_letter}3" in covered, column.name
    # The untouched template imports nothing: its rows are examples.
    report = env.run(path, admin=True, organisation=None)
    assert report.counts["skipped"] == 4 and report.counts["created"] == 0, report.to_text()
    # A filled template: the example rows with real keys.
    for sheet, col, old, new in [
        ("deploiements", 1, "exemple-callbot-accueil", "fr-plaisir-modele"),
        ("deploiements", 4, "exemple-organisation", PLAISIR),
        ("deploiements", 5, "exemple-systeme", "yelda-callbot"),
        ("sources", 1, "exemple-callbot-accueil", "fr-plaisir-modele"),
    ]:
        cell = wb[sheet].cell(row=3, column=col)
        assert cell.value == old
        cell.value = new
    for sheet in ("systemes", "organisations"):
        wb[sheet].delete_rows(3)
    wb.save(path)
    filled = env.run(path)
    assert filled.counts["created"] == 1, filled.to_text()
    _, graph = history.get_current(env.store, LAYOUT, "deploiement", "fr-plaisir-modele")
    assert "deliberations/2024-06" in graph.serialize(format="nt")


def test_csv_template_has_the_schema_columns(tmp_path: Path) -> None:
    from registry.tabular.columns import TABLES

    path = tmp_path / "modele.csv"
    write_template(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].split(";") == TABLES["deploiements"].names


def test_principal_from_the_api_is_used(env: Env) -> None:
    principal = Principal(organisation=LAYOUT.organisation_iri(PLAISIR), siren=PLAISIR)
    report = import_file(
        env.service, DATA / "deploiements-cp1252.csv", ImportOptions(), principal=principal
    )
    assert report.counts["created"] == 2, report.to_text()
    record = history.get_current(env.store, LAYOUT, "deploiement", "fr-plaisir-optimus")[1]
    assert URIRef(LAYOUT.organisation_iri(PLAISIR)) in set(record.objects())


# ---- large files: a size limit, and streaming below it ----------------------------------------
HEADER = (
    "identifiant,titre,description,organisation,systeme,statut,classification_ai_act,"
    "finalites,domaines,decision_individuelle,intervention_humaine,date_debut\n"
)


def _row(i: int, description: str = "Description.") -> str:
    return (
        f"fr-plaisir-gros-{i},Déploiement {i},{description},{PLAISIR},yelda-callbot,envisage,"
        "non-evaluee,mobilite,mobilite-voirie,non,non-documentee,\n"
    )


def test_file_above_the_import_limit_is_refused_unread(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "deploiements.csv"
    with path.open("wb") as fh:  # 200 MB on paper, sparse on disk: nothing to write
        fh.write((HEADER + _row(1)).encode())
        fh.truncate(200_000_000)
    before = env.quads()
    report = env.run(path)
    assert report.aborted and not report.written and not report.rows
    fr, en = report.to_text("fr"), report.to_text("en")
    assert "trop volumineux (200 Mo)" in fr and "limite d'import est de 100 Mo" in fr, fr
    assert "import_max_bytes" in fr and "import limit is 100 MB" in en, en
    assert env.quads() == before


def test_import_limit_is_a_setting(env: Env, tmp_path: Path) -> None:
    from registry.config import Settings

    assert Settings(import_max_bytes=2_000).import_max_bytes == 2_000
    path = tmp_path / "deploiements.csv"
    path.write_text(HEADER + "".join(_row(i) for i in range(40)), encoding="utf-8")
    assert path.stat().st_size > 2_000
    before = env.quads()
    report = env.run(path, max_bytes=2_000)
    assert report.aborted and not report.written
    assert "limite d'import est de 2 ko" in report.to_text("fr"), report.to_text("fr")
    assert "import_max_bytes = 2000 octets" in report.to_text("fr")
    assert env.quads() == before
    assert env.run(path, max_bytes=1_000_000, dry_run=True).counts["created"] == 40


def test_large_csv_is_read_in_a_streaming_buffer(tmp_path: Path) -> None:
    import tracemalloc

    from registry.tabular.reader import open_sheets

    path = tmp_path / "deploiements.csv"
    rows = 120_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write(_row(0, "Une description de longueur ordinaire, " * 4) * rows)
    size = path.stat().st_size
    assert size > 30_000_000
    sheet = open_sheets(path)[0]
    tracemalloc.start()
    try:
        count = sum(1 for _ in sheet.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == rows
    assert peak < 1_000_000, f"peak {peak} bytes for a {size} bytes file"


def test_import_memory_does_not_grow_with_the_file(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak memory of a dry run on 3N rows is about that of N rows: rows are not held (only
    one small outcome and report per row), though each row is 90 KB of text here. Rows
    are validated in batches (the streaming buffer): small batches keep the test short."""
    import tracemalloc

    from registry.tabular import importer

    monkeypatch.setattr(importer, "CHECK_BATCH", 20)
    text = "Texte long d'un déploiement ; " * 3000  # ~90 KB per row
    peaks = []
    for n in (20, 60):
        path = tmp_path / f"deploiements-{n}.csv"
        with path.open("w", encoding="utf-8") as fh:
            fh.write(HEADER)
            for i in range(n):
                fh.write(_row(i, text))
        tracemalloc.start()
        try:
            report = env.run(path, dry_run=True)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert report.counts["created"] == n, report.to_text()
    grown = peaks[1] - peaks[0]
    added = 40 * len(text)
    assert grown < added / 4, f"peaks {peaks}: +{grown} bytes for +{added} bytes of rows"
