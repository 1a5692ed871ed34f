"""Rows → entries, through the core write path (:class:`registry.entries.EntryService`), so
that validation, versions and provenance are those of the API.

Two passes, memory flat in the file size (apart from the keys seen, to catch duplicates, and
one small outcome per row). Pass 1 streams the file: each row is mapped, then checked with its
batch of ``CHECK_BATCH`` rows (:meth:`EntryService.check_many`: one query for the current
versions, one for the linked nodes, one validator run), and each valid row's update is
prepared (:meth:`EntryService.prepare`) and kept in a temporary file. Nothing is written. Pass 2
applies the prepared updates, ``WRITE_BATCH`` entries per update request
(:meth:`EntryService.apply`). All or nothing by default: one Violation and pass 2 does not run.
With ``partial`` the valid rows are written and the others reported.

Each prepared update is guarded by the version pass 1 checked against: an entry someone else
changed between the two passes is not overwritten; its row is reported rejected, the others
are written (the limit of "all or nothing" across concurrent writers).

Call :func:`import_file` from the CLI or the API (``POST /api/v1/imports``).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS
from rdflib.term import Node

from registry import history
from registry.auth import Principal
from registry.config import DEFAULT_IMPORT_MAX_BYTES
from registry.entries import Checked, EntryService, Prepared, WriteRequest, WriteResult
from registry.errors import InputError, RegistryError
from registry.tabular import cells
from registry.tabular.columns import IMPORT_ORDER, SOURCES, TABLES, Table
from registry.tabular.concepts import vocabulary
from registry.tabular.mapping import ROW_TYPES, MappedRow, RowMapper
from registry.tabular.reader import RawRow, Sheet, open_sheets
from registry.tabular.report import ImportReport, Issue, RowOutcome
from registry.tabular.schemas import facts, is_required, texts
from registry.vocab import fold

Progress = Callable[[str, int], None]  # (phase, rows done)
EXAMPLE_PREFIX = "exemple-"  # keys reserved for the template's example rows
# Columns a file may leave out: filled by the importer or the write path.
AUTO_FILLED = {("deploiements", "organisation"), ("deploiements", "date_mise_a_jour")}
CHECK_BATCH = 200  # rows of pass 1 validated together (memory stays bounded in the file size)
SUMMARY = ("Import d'un tableur.", "Spreadsheet import.")  # of each version written
WRITE_BATCH = 2000  # prepared entries per update request in pass 2


@dataclass
class ImportOptions:
    organisation: str | None = None  # key (SIREN or slug) of the organisation importing
    admin: bool = False  # may span several organisations
    dry_run: bool = False
    partial: bool = False
    lang: str = "fr"
    crosswalk: str | None = None  # "etalab": the Etalab inventory of public algorithms
    max_bytes: int = DEFAULT_IMPORT_MAX_BYTES  # Settings.import_max_bytes, per file read


@dataclass
class TableRows:
    table: Table
    sheet: Sheet
    columns: list[str | None]  # header position → column name (None: ignored)
    adapter: Callable[[dict[str, str]], tuple[dict[str, str], list[Issue]]] | None = None

    def rows(self) -> Iterator[tuple[RawRow, dict[str, str], list[Issue]]]:
        for raw in self.sheet.rows():
            row: dict[str, str] = {}
            issues: list[Issue] = []
            if len(raw.values) > len(self.columns):
                extra = [v for v in raw.values[len(self.columns) :] if v.strip()]
                if extra:
                    issues.append(
                        Issue(
                            "Violation",
                            f"ligne de {len(raw.values)} cellules, l'en-tête en a "
                            f"{len(self.columns)}",
                            f"row of {len(raw.values)} cells, the header has {len(self.columns)}",
                            value=extra[0],
                        )
                    )
            for i, name in enumerate(self.columns):
                if name is None:
                    continue
                if i in raw.formulas:
                    issues.append(
                        Issue(
                            "Violation",
                            "formule refusée : remplacer par sa valeur "
                            "(copier, coller les valeurs)",
                            "formula refused: replace it by its value (copy, paste values)",
                            column=name,
                            value=raw.formulas[i],
                        )
                    )
                    continue
                row[name] = raw.values[i] if i < len(raw.values) else ""
            if self.adapter is not None:
                row, more = self.adapter(row)
                issues.extend(more)
            yield raw, row, issues


@dataclass
class _Deferred:
    """A row of pass 1 checked but for SHACL validation, which runs in batches."""

    table: Table
    line: int
    key: str
    row: dict[str, str]
    problems: list[Issue]
    content: Graph


# ---- entry point ------------------------------------------------------------------------------
def import_file(
    service: EntryService,
    path: Path,
    options: ImportOptions,
    *,
    principal: Principal | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV / XLSX file, or a data package folder (or its ``datapackage.json``).

    ``principal``: who writes (the API passes the token's); by default the CLI's: the
    registry itself with ``options.admin``, else the organisation ``options.organisation``.
    Raises nothing for bad input: file-level problems are in the report (``aborted``)."""
    report = ImportReport(
        file=str(path),
        dry_run=options.dry_run,
        partial=options.partial,
        admin=options.admin,
        organisation=options.organisation,
    )
    try:
        principal = principal or _principal(service, options)
        report.admin = principal.is_admin
        job = _Import(service, options, principal, report, progress)
        try:
            job.run(path)
        finally:
            job.spill.close()
    except InputError as exc:
        report.aborted = True
        report.add_issue(
            Issue("Violation", exc.message_fr, exc.message_en, line=exc.details.get("line"))
        )
    return report


def _principal(service: EntryService, options: ImportOptions) -> Principal:
    layout = service.layout
    if options.admin:
        return Principal.system(layout)
    if not options.organisation:
        raise InputError(
            "Indiquez l'organisation qui importe (--org SIREN), ou --admin.",
            "Name the importing organisation (--org SIREN), or use --admin.",
            field="org",
        )
    org = options.organisation.strip()
    if org.isdigit():
        org = cells.parse_siren(org) if len(org) == 9 else org
    iri = layout.organisation_iri(org)
    if not service.store.ask(f"ASK {{ <{iri}> a <{FOAF.Organization}> }}"):
        raise InputError(
            f"Organisation inconnue du registre : {org} (ni dans le référentiel, ni en fiche).",
            f"Organisation unknown to the registry: {org} (neither reference data nor entry).",
            field="org",
        )
    return Principal(organisation=iri, siren=org if org.isdigit() else None, label=f"import {org}")


class _Import:
    def __init__(
        self,
        service: EntryService,
        options: ImportOptions,
        principal: Principal,
        report: ImportReport,
        progress: Progress | None,
    ) -> None:
        self.options = options
        self.principal = principal
        self.report = report
        self.progress = progress
        self.service = service
        self.store = service.store
        self.layout = service.layout
        self.mapper = RowMapper(service.layout, vocabulary())
        self.facts = facts()
        # Entries this import creates, known before they are written (pass 1): their types.
        self.pending: dict[URIRef, tuple[URIRef, ...]] = {}
        # Pass 1 keeps each valid row's prepared update here (a temporary file: memory stays
        # flat), pass 2 applies them; each is guarded by the version pass 1 checked against,
        # so an entry changed by someone else in between is not overwritten.
        self.spill: IO[bytes] = tempfile.TemporaryFile(prefix="iat-import-")  # noqa: SIM115  closed by close()
        # Pass 1 holds each row's issues until its validation (in batches) is done, so that the
        # report lists them in file order.
        self._buffer: list[Issue] | None = None
        self.org_key = (
            principal.organisation[len(self.layout.base) + len("id/organisation/") :]
            if principal.organisation and not principal.is_admin
            else options.organisation
        )

    # ---- plan ------------------------------------------------------------------------------------
    def run(self, path: Path) -> None:
        tables, sources = self._open(path)
        report = self.report
        report.tables = [t.table.name for t in tables] + (["sources"] if sources else [])
        if report.aborted:
            return
        source_rows = self._read_sources(sources) if sources else {}
        if report.aborted:
            return
        # Pass 1: check every row and prepare its update; nothing is written.
        outcomes = self._pass(tables, source_rows)
        if not outcomes:
            self._file_issue(
                "aucune ligne de données sous l'en-tête",
                "no data row under the header",
                tables[0].sheet,
            )
            return
        if self.options.dry_run:
            for o in outcomes:
                report.add_row(o)
            return
        if not self.options.partial and any(o.outcome == "rejected" for o in outcomes):
            for o in outcomes:
                report.add_row(o)
            return
        # Pass 2: write the valid rows' prepared updates.
        for o in self._apply(outcomes):
            report.add_row(o)
        report.written = True

    def _open(self, path: Path) -> tuple[list[TableRows], TableRows | None]:
        if path.is_dir() or path.name == "datapackage.json":
            sheets = _package_sheets(path, self.options.max_bytes)
        else:
            check_size(path, self.options.max_bytes)
            sheets = open_sheets(path)
        first = sheets[0]
        self.report.encoding = first.encoding
        self.report.delimiter = first.delimiter
        found: dict[str, TableRows] = {}
        for sheet in sheets:
            if self.options.crosswalk == "etalab":
                from registry.tabular.etalab import etalab_tables

                candidates = etalab_tables(sheet, self.report, self.org_key)
            else:
                one = self._table_rows(sheet)
                candidates = [one] if one is not None else []
            for table_rows in candidates:
                if table_rows.table.name in found:
                    self._file_issue(
                        f"deux feuilles pour la table « {table_rows.table.name} »",
                        f"two sheets for table '{table_rows.table.name}'",
                        sheet,
                    )
                    continue
                found[table_rows.table.name] = table_rows
        tables = [found[name] for name in IMPORT_ORDER if name in found]
        if not tables and not self.report.aborted:
            self._file_issue("aucune table à importer", "no table to import", first)
        return tables, found.get("sources")

    def _table_rows(self, sheet: Sheet) -> TableRows | None:
        table = _detect_table(sheet)
        if table is None:
            self._file_issue(
                f"table non reconnue (feuille ou fichier « {sheet.name} ») : attendu "
                f"{', '.join(TABLES)}",
                f"unrecognised table (sheet or file '{sheet.name}'): expected {', '.join(TABLES)}",
                sheet,
            )
            return None
        names: list[str | None] = []
        lookup = _header_lookup(table)
        seen: dict[str, int] = {}
        for position, cell in enumerate(sheet.header, start=1):
            if not cell.strip():
                names.append(None)
                continue
            name = lookup.get(fold(cell))
            if name is None:
                close = _close(fold(cell), list(lookup))
                self._file_issue(
                    f"colonne inconnue « {cell} » (position {position})"
                    + (f" ; vouliez-vous dire : {', '.join(close)} ?" if close else ""),
                    f"unknown column '{cell}' (position {position})"
                    + (f"; did you mean: {', '.join(close)}?" if close else ""),
                    sheet,
                    column=cell,
                )
                names.append(None)
                continue
            if name in seen:
                self._file_issue(
                    f"colonne « {cell} » en double (positions {seen[name]} et {position})",
                    f"duplicated column '{cell}' (positions {seen[name]} and {position})",
                    sheet,
                    column=name,
                )
            seen[name] = position
            names.append(name)
        for column in table.columns:
            if (table.name, column.name) in AUTO_FILLED or column.name in seen:
                continue
            if is_required(table, column, self.facts):
                self._file_issue(
                    f"colonne obligatoire absente : {column.name}",
                    f"required column missing: {column.name}",
                    sheet,
                    column=column.name,
                )
        return TableRows(table, sheet, names)

    def _file_issue(self, fr: str, en: str, sheet: Sheet, column: str | None = None) -> None:
        self.report.aborted = True
        self.report.add_issue(
            Issue(
                "Violation",
                f"{sheet.path.name} : {fr}",
                f"{sheet.path.name}: {en}",
                table=sheet.name,
                column=column,
            )
        )

    def _read_sources(self, sources: TableRows) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for raw, row, issues in sources.rows():
            if row.get("deploiement", "").strip().startswith(EXAMPLE_PREFIX):
                self.report.add_row(
                    RowOutcome("sources", raw.number, row["deploiement"], "skipped")
                )
                continue
            for issue in issues:
                self._row_issue(issue, "sources", raw.number, row.get("deploiement"))
            key = row.get("deploiement", "").strip()
            if issues or not key:
                self.report.aborted = self.report.aborted or bool(issues)
                continue
            out.setdefault(key, []).append(row)
        return out

    # ---- passes ---------------------------------------------------------------------------------
    def _pass(
        self, tables: list[TableRows], sources: dict[str, list[dict[str, str]]]
    ) -> list[RowOutcome]:
        outcomes: list[RowOutcome] = []
        held: list[tuple[RowOutcome | _Deferred, list[Issue]]] = []
        waiting = 0  # deferred rows in held
        done = 0
        phase = "vérification / checking"
        for table_rows in tables:
            table = table_rows.table
            seen: set[str] = set()
            for raw, row, issues in table_rows.rows():
                done += 1
                if self.progress is not None and done % 50 == 0:
                    self.progress(phase, done)
                self._buffer = []
                checked = self._row(table, raw, row, issues, sources, seen)
                if checked is not None:
                    held.append((checked, self._buffer))
                    waiting += isinstance(checked, _Deferred)
                self._buffer = None
                if waiting >= CHECK_BATCH:
                    outcomes += self._release(held)
                    held, waiting = [], 0
        outcomes += self._release(held)
        if self.progress is not None:
            self.progress(phase, done)
        return outcomes

    def _release(self, held: list[tuple[RowOutcome | _Deferred, list[Issue]]]) -> list[RowOutcome]:
        """Check the deferred rows of ``held`` together (one context query, one validator run:
        :meth:`EntryService.check_many`), then report every row in order."""
        deferred = [h for h, _ in held if isinstance(h, _Deferred)]
        checked = self.service.check_many(
            self.principal,
            [
                WriteRequest(
                    d.table.kind or "", d.key, d.content, summary=SUMMARY, check_version=False
                )
                for d in deferred
            ],
            extra_context=self._pending_context,
        )
        results = dict(zip(map(id, deferred), checked, strict=True))
        outcomes = []
        for item, issues in held:
            self._buffer = issues
            if isinstance(item, _Deferred):
                item = self._finish(item, results[id(item)])
            self._buffer = None
            for issue in issues:
                self.report.add_issue(issue)
            outcomes.append(item)
        return outcomes

    def _row(
        self,
        table: Table,
        raw: RawRow,
        row: dict[str, str],
        issues: list[Issue],
        sources: dict[str, list[dict[str, str]]],
        seen: set[str],
    ) -> RowOutcome | _Deferred | None:
        kind = table.kind
        assert kind is not None
        key = row.get("identifiant", "").strip() or (
            row.get("siren", "").strip() if kind == "organisation" else ""
        )
        line = raw.number
        if key.startswith(EXAMPLE_PREFIX):
            self._row_issue(
                Issue(
                    "Info", "ligne d'exemple du modèle : ignorée", "template example row: skipped"
                ),
                table.name,
                line,
                key,
            )
            return RowOutcome(table.name, line, key, "skipped")
        if kind == "deploiement" and not row.get("organisation", "").strip() and self.org_key:
            row["organisation"] = self.org_key
        mapped = self.mapper.to_graph(
            table, row, sources.get(key) if kind == "deploiement" else None
        )
        problems = list(issues) + [
            Issue(i.severity, i.fr, i.en, column=i.column, value=i.value, suggestions=i.suggestions)
            for i in mapped.issues
        ]
        if mapped.key is not None:
            if mapped.key in seen:
                problems.append(
                    Issue(
                        "Violation",
                        f"identifiant « {mapped.key} » déjà vu plus haut dans le fichier",
                        f"identifier '{mapped.key}' already seen above in the file",
                        column="identifiant",
                        value=mapped.key,
                    )
                )
            seen.add(mapped.key)
            problems += self._scope(table, row, mapped)
        return self._check(table, line, row, mapped, problems)

    def _scope(self, table: Table, row: dict[str, str], mapped: MappedRow) -> list[Issue]:
        """A token (or --org) writes its own organisation's deployments only."""
        if table.kind != "deploiement" or self.principal.is_admin:
            return []
        org = row.get("organisation", "").strip()
        if org and org != self.org_key:
            return [
                Issue(
                    "Violation",
                    f"déploiement d'une autre organisation ({org}) : seul {self.org_key} est "
                    "autorisé (un administrateur peut importer plusieurs organisations "
                    "avec --admin)",
                    f"deployment of another organisation ({org}): only {self.org_key} is allowed "
                    "(an administrator may import several organisations with --admin)",
                    column="organisation",
                    value=org,
                )
            ]
        return []

    # ---- pass 1: check ---------------------------------------------------------------------------
    def _check(
        self,
        table: Table,
        line: int,
        row: dict[str, str],
        mapped: MappedRow,
        problems: list[Issue],
    ) -> RowOutcome | _Deferred:
        """Everything but SHACL validation: a row left to validate comes back as a
        :class:`_Deferred`, finished by :meth:`_finish` once its batch is validated."""
        kind = table.kind
        assert kind is not None
        key = mapped.key
        if key is None or any(p.severity == "Violation" for p in problems):
            return self._reject(table, line, key, row, problems)
        node = URIRef(self.layout.entry_iri(kind, key))
        if kind == "organisation" and self._is_reference(kind, key, node):
            problems.append(
                Issue(
                    "Info",
                    "organisation du référentiel territorial : laissée telle quelle",
                    "organisation of the territorial reference data: left as it is",
                )
            )
            self._emit(table.name, line, key, row, problems)
            self.pending[node] = ROW_TYPES[kind]
            return RowOutcome(table.name, line, key, "unchanged")
        self.pending[node] = ROW_TYPES[kind]
        return _Deferred(table, line, key, row, problems, mapped.graph)

    def _finish(
        self, item: _Deferred, checked: Checked | WriteResult | RegistryError
    ) -> RowOutcome:
        table, line, key, row = item.table, item.line, item.key, item.row
        problems = item.problems
        if isinstance(checked, RegistryError):
            problems.append(Issue("Violation", checked.message_fr, checked.message_en))
            return self._reject(table, line, key, row, problems)
        if isinstance(checked, WriteResult):  # same content as the stored entry
            self._emit(table.name, line, key, row, problems)
            return RowOutcome(table.name, line, key, "unchanged")
        problems += self._validation_issues(table, row, checked.report)
        if not checked.report.conforms:
            return self._reject(table, line, key, row, problems)
        if not self.options.dry_run:
            prepared = self.service.prepare(self.principal, checked)
            pickle.dump((table.name, line, replace(prepared, report=None)), self.spill)
        self._emit(table.name, line, key, row, problems)
        return RowOutcome(table.name, line, key, "updated" if checked.current else "created")

    def _is_reference(self, kind: str, key: str, node: URIRef) -> bool:
        """Described in the public view without being an entry (reference data)."""
        if history.current_version(self.store, self.layout, kind, key) is not None:
            return False
        return self.store.ask(f"ASK {{ <{node}> ?p ?o }}")

    def _pending_context(self, wanted: set[URIRef]) -> Iterator[tuple[Node, Node, Node]]:
        """Types and a label of the linked entries this import creates but has not written."""
        for node in wanted:
            for t in self.pending.get(node, ()):
                yield node, RDF.type, t
                yield node, RDFS.label, Literal(str(node).rsplit("/", 1)[-1])

    def _reject(
        self,
        table: Table,
        line: int,
        key: str | None,
        row: dict[str, str],
        problems: list[Issue],
    ) -> RowOutcome:
        if key is not None and table.kind is not None:
            # Rows checked after this one must not take the rejected entry for a coming one.
            self.pending.pop(URIRef(self.layout.entry_iri(table.kind, key)), None)
        self._emit(table.name, line, key, row, problems)
        return RowOutcome(table.name, line, key, "rejected")

    def _emit(
        self, table: str, line: int, key: str | None, row: dict[str, str], problems: list[Issue]
    ) -> None:
        for p in problems:
            value = p.value
            if value is None and p.column and p.column in row:
                value = row[p.column]
            self._row_issue(
                Issue(p.severity, p.fr, p.en, table, line, key, p.column, value, p.suggestions),
                table,
                line,
                key,
            )

    def _row_issue(self, issue: Issue, table: str, line: int, key: str | None) -> None:
        add = self._buffer.append if self._buffer is not None else self.report.add_issue
        add(
            Issue(
                issue.severity,
                issue.fr,
                issue.en,
                issue.table or table,
                issue.line if issue.line is not None else line,
                issue.key or key,
                issue.column,
                issue.value,
                issue.suggestions,
            )
        )

    def _validation_issues(self, table: Table, row: dict[str, str], result: Any) -> list[Issue]:
        out = []
        for r in result.results:
            local = r.shape.rsplit("#", 1)[-1]
            column = _column_for_shape(table, local)
            message = r.message or {}
            fr = message.get("fr") or message.get("en") or ""
            en = message.get("en") or fr
            value = row.get(column) if column and column in row else r.value
            out.append(Issue(r.severity, fr, en, column=column, value=value or None))
        return out

    # ---- pass 2: write ---------------------------------------------------------------------------
    def _apply(self, outcomes: list[RowOutcome]) -> list[RowOutcome]:
        """Apply the prepared updates, WRITE_BATCH entries per update request; a row whose
        entry changed since pass 1 is reported rejected (nothing of it is written)."""
        self.spill.seek(0)
        if self.progress is not None:
            self.progress("écriture / writing", 0)
        failed: dict[tuple[str, int], RowOutcome] = {}
        batch: list[tuple[str, int, Prepared]] = []
        done = 0
        while True:
            try:
                batch.append(pickle.load(self.spill))
            except EOFError:
                break
            if len(batch) >= WRITE_BATCH:
                done += len(batch)
                self._apply_batch(batch, failed)
                batch = []
                if self.progress is not None:
                    self.progress("écriture / writing", done)
        self._apply_batch(batch, failed)
        return [failed.get((o.table, o.line), o) for o in outcomes]

    def _apply_batch(
        self, batch: list[tuple[str, int, Prepared]], failed: dict[tuple[str, int], RowOutcome]
    ) -> None:
        results = self.service.apply([prepared for _, _, prepared in batch])
        for (table, line, prepared), result in zip(batch, results, strict=True):
            if isinstance(result, RegistryError):
                key = prepared.version.key
                self._row_issue(
                    Issue("Violation", result.message_fr, result.message_en), table, line, key
                )
                failed[(table, line)] = RowOutcome(table, line, key, "rejected")


# ---- helpers -------------------------------------------------------------------------------------
def _column_for_shape(table: Table, shape: str) -> str | None:
    for column in table.columns:
        if shape in column.shapes:
            return column.name
    for column in SOURCES.columns:
        if shape in column.shapes and table.name == "deploiements":
            return f"sources.{column.name}"
    return None


def _header_lookup(table: Table) -> dict[str, str]:
    """Folded header text → column name: the name itself, or its French or English title."""
    all_facts = facts()
    lookup: dict[str, str] = {}
    for column in table.columns:
        titles, _ = texts(column, all_facts)
        for text in (
            column.name,
            titles.get("fr", ""),
            titles.get("en", ""),
            column.name.replace("_", " "),
        ):
            if text:
                lookup.setdefault(fold(text), column.name)
    return lookup


def _close(wanted: str, options: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(wanted, options, n=3, cutoff=0.6)


def _detect_table(sheet: Sheet) -> Table | None:
    name = fold(sheet.name)
    for table in TABLES.values():
        if name in (table.name, fold(table.title[0]), fold(table.title[1])):
            return table
    header = {fold(h) for h in sheet.header}
    if {"statut", "finalites"} & header or ("titre" in header and "systeme" in header):
        return TABLES["deploiements"]
    if "familles" in header:
        return TABLES["systemes"]
    if "url" in header and "deploiement" in header:
        return TABLES["sources"]
    if "nom" in header or "siren" in header:
        return TABLES["organisations"]
    if len(sheet.header) and "identifiant" in header:
        return TABLES["deploiements"]
    return None


def check_size(path: Path, limit: int) -> None:
    """Refuse a file above the import limit before reading a byte of it (a 200 MB file would
    take long to check, and is most likely a mistake: split it, or raise the limit)."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # missing file: the reader says so
    if size > limit:
        raise InputError(
            f"{path.name} : fichier trop volumineux ({_size(size, 'fr')}), la limite d'import "
            f"est de {_size(limit, 'fr')} (réglage import_max_bytes = {limit} octets). "
            "Découpez le fichier ou relevez la limite.",
            f"{path.name}: file too large ({_size(size, 'en')}), the import limit is "
            f"{_size(limit, 'en')} (setting import_max_bytes = {limit} bytes). Split the file "
            "or raise the limit.",
            file=str(path),
            size=size,
            limit=limit,
        )


def _size(n: int, lang: str) -> str:
    units = ("octets", "ko", "Mo", "Go") if lang == "fr" else ("bytes", "kB", "MB", "GB")
    value = float(n)
    for unit in units:
        if value < 1000 or unit == units[-1]:
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text.replace('.', ',') if lang == 'fr' else text} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _package_sheets(path: Path, max_bytes: int = DEFAULT_IMPORT_MAX_BYTES) -> list[Sheet]:
    """The CSV tables of a data package (an export), by resource name."""
    import json

    folder = path if path.is_dir() else path.parent
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        raise InputError(f"{folder} : pas de datapackage.json.", f"{folder}: no datapackage.json.")
    try:
        data = json.loads(descriptor.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(
            f"{descriptor} : JSON illisible ({exc}).", f"{descriptor}: unreadable JSON ({exc})."
        ) from exc
    sheets = []
    for resource in data.get("resources", []):
        name = resource.get("name")
        rel = resource.get("path")
        if name in TABLES and isinstance(rel, str) and ".." not in rel and "://" not in rel:
            check_size(folder / rel, max_bytes)
            for sheet in open_sheets(folder / rel):
                sheet.name = name
                sheets.append(sheet)
    if not sheets:
        raise InputError(
            f"{descriptor} : aucune table du registre.", f"{descriptor}: no table of the registry."
        )
    return sheets


__all__ = ["ImportOptions", "ImportReport", "import_file"]
