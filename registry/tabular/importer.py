"""Rows → entries, each through the core write path (:class:`registry.entries.EntryService`), so
that validation, versions and provenance are those of the API.

Two passes over the file, both streamed (memory does not grow with the file, apart from the set
of keys seen, to catch duplicates): the first builds and validates every row (nothing written);
the second writes. All or nothing by default: one Violation and nothing is written. With
``partial`` the valid rows are written and the others reported. Pass 1 validates its rows in
batches of ``CHECK_BATCH`` (one pySHACL run for many entries:
:meth:`registry.validate.Validator.validate_many`, same reports as one by one). Each validation
report is remembered by a digest of the entry, so that pass 2 (the write path validates again)
costs no second SHACL run.

Limit of "all or nothing": the write path writes one entry per request; if a write fails in
pass 2 (another writer changed the same entry in between), the rows before it stay written and
the report says which.

Call :func:`import_file` from the CLI or the API (``POST /api/v1/imports``).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS
from rdflib.term import BNode, Node

from registry import history
from registry.auth import Principal
from registry.config import DEFAULT_IMPORT_MAX_BYTES
from registry.entries import EntryService, context_query
from registry.errors import InputError, RegistryError, ValidationFailed
from registry.layout import comparable
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
MEMO_MAX = 500_000
CHECK_BATCH = 200  # rows of pass 1 validated together (memory stays bounded in the file size)


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
    context: Graph
    existed: bool


class _MemoValidator:
    """The service's validator, remembering reports by a digest of (entry, context): the write
    path validates again what pass 1 validated."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.memo: dict[bytes, Any] = {}

    def validate(self, data: Graph, *, context: Graph | None = None) -> Any:
        return self.validate_many([(data, context)])[0]

    def validate_many(self, items: list[tuple[Graph, Graph | None]]) -> list[Any]:
        """Reports for many (entry, context) pairs; the ones not yet known in one batch when
        the validator can (pySHACL costs less per entry over many entries at once)."""
        keys = [digest(data, context) for data, context in items]
        missing = [i for i, key in enumerate(keys) if key not in self.memo]
        fresh: dict[int, Any] = {}
        if missing:
            batch = getattr(self.inner, "validate_many", None)
            todo = [items[i] for i in missing]
            reports = (
                batch(todo)
                if batch is not None
                else [self.inner.validate(data, context=context) for data, context in todo]
            )
            for i, report in zip(missing, reports, strict=True):
                fresh[i] = report
                if len(self.memo) < MEMO_MAX:
                    self.memo[keys[i]] = report
        return [fresh[i] if i in fresh else self.memo[keys[i]] for i in range(len(items))]


def digest(data: Graph, context: Graph | None) -> bytes:
    h = hashlib.sha256()
    for part in (data, context if context is not None else Graph()):
        for line in sorted(_nt(t) for t in part):
            h.update(line.encode())
        h.update(b"\x00")
    return h.digest()


def _nt(t: tuple[Node, Node, Node]) -> str:
    return " ".join(f"_:{x}" if isinstance(x, BNode) else x.n3() for x in t)


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
        job.run(path)
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
        self.memo = _MemoValidator(service.validator)
        self.service = EntryService(
            service.store,
            service.layout,
            self.memo,
            max_payload_bytes=service.max_payload_bytes,
            clock=getattr(service, "_clock", None),
        )
        self.store = service.store
        self.layout = service.layout
        self.mapper = RowMapper(service.layout, vocabulary())
        self.facts = facts()
        # Entries this import creates, known before they are written (pass 1): their types.
        self.pending: dict[URIRef, tuple[URIRef, ...]] = {}
        self.rejected: set[tuple[str, str]] = set()
        # Rows pass 1 found identical to the stored entry (with its version): pass 2 skips them
        # unless that entry changed in between (then the write path decides).
        self.unchanged: dict[tuple[str, str], str] = {}
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
        # Pass 1: check every row; nothing is written.
        outcomes = self._pass(tables, source_rows, write=False)
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
        # Pass 2: write (the valid rows).
        written = self._pass(tables, source_rows, write=True)
        for o in written:
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
        self,
        tables: list[TableRows],
        sources: dict[str, list[dict[str, str]]],
        *,
        write: bool,
    ) -> list[RowOutcome]:
        outcomes: list[RowOutcome] = []
        held: list[tuple[RowOutcome | _Deferred, list[Issue]]] = []
        done = 0
        phase = "écriture / writing" if write else "vérification / checking"
        for table_rows in tables:
            table = table_rows.table
            seen: set[str] = set()
            for raw, row, issues in table_rows.rows():
                done += 1
                if self.progress is not None and done % 50 == 0:
                    self.progress(phase, done)
                if write:
                    if done % CHECK_BATCH == 0:
                        _collect()
                    written = self._row(table, raw, row, issues, sources, seen, write)
                    if written is not None:
                        assert isinstance(written, RowOutcome)  # pass 2 defers nothing
                        outcomes.append(written)
                    continue
                self._buffer = []
                checked = self._row(table, raw, row, issues, sources, seen, write)
                if checked is not None:
                    held.append((checked, self._buffer))
                self._buffer = None
                if sum(isinstance(h, _Deferred) for h, _ in held) >= CHECK_BATCH:
                    outcomes += self._release(held)
                    held = []
                    _collect()
        outcomes += self._release(held)
        if self.progress is not None:
            self.progress(phase, done)
        return outcomes

    def _release(self, held: list[tuple[RowOutcome | _Deferred, list[Issue]]]) -> list[RowOutcome]:
        """Validate the deferred rows of ``held`` in one batch, then report every row in order."""
        deferred = [h for h, _ in held if isinstance(h, _Deferred)]
        reports = self.memo.validate_many([(d.content, d.context) for d in deferred])
        results = dict(zip(map(id, deferred), reports, strict=True))
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
        write: bool,
    ) -> RowOutcome | _Deferred | None:
        kind = table.kind
        assert kind is not None
        key = row.get("identifiant", "").strip() or (
            row.get("siren", "").strip() if kind == "organisation" else ""
        )
        line = raw.number
        if key.startswith(EXAMPLE_PREFIX):
            if not write:
                self._row_issue(
                    Issue(
                        "Info",
                        "ligne d'exemple du modèle : ignorée",
                        "template example row: skipped",
                    ),
                    table.name,
                    line,
                    key,
                )
            return RowOutcome(table.name, line, key, "skipped")
        if write and (table.name, key) in self.rejected:
            return RowOutcome(table.name, line, key, "rejected")
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
        if write:
            return self._write(table, line, row, mapped, problems)
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
        try:
            current = history.current_version(self.store, self.layout, kind, key)
            old = self.store.get_graph(current.graph) if current else None
            content = mapped.graph
            self.service._authorise(self.principal, kind, key, content, old, current)
            self.service.complete(
                self.principal, kind, key, content, current, old, self.service._clock()
            )
            if old is not None and history.same_content(
                comparable(old, self.layout, kind, key), comparable(content, self.layout, kind, key)
            ):
                assert current is not None
                self.unchanged[(table.name, key)] = current.etag
                self._emit(table.name, line, key, row, problems)
                return RowOutcome(table.name, line, key, "unchanged")
            context = self._context(content)
        except RegistryError as exc:
            problems.append(Issue("Violation", exc.message_fr, exc.message_en))
            return self._reject(table, line, key, row, problems)
        self.pending[node] = ROW_TYPES[kind]
        return _Deferred(table, line, key, row, problems, content, context, current is not None)

    def _finish(self, item: _Deferred, result: Any) -> RowOutcome:
        table, line, key, row = item.table, item.line, item.key, item.row
        problems = item.problems + self._validation_issues(table, row, result)
        if not result.conforms:
            return self._reject(table, line, key, row, problems)
        self._emit(table.name, line, key, row, problems)
        return RowOutcome(table.name, line, key, "updated" if item.existed else "created")

    def _is_reference(self, kind: str, key: str, node: URIRef) -> bool:
        """Described in the public view without being an entry (reference data)."""
        if history.current_version(self.store, self.layout, kind, key) is not None:
            return False
        return self.store.ask(f"ASK {{ <{node}> ?p ?o }}")

    def _context(self, content: Graph) -> Graph:
        subjects = set(content.subjects())
        linked = {o for o in content.objects() if isinstance(o, URIRef) and o not in subjects}
        linked -= set(content.objects(None, RDF.type))
        context = self.store.construct(context_query(linked)) if linked else Graph()
        for node in linked:
            for t in self.pending.get(node, ()):
                context.add((node, RDF.type, t))
                context.add((node, RDFS.label, Literal(str(node).rsplit("/", 1)[-1])))
        return context

    def _reject(
        self,
        table: Table,
        line: int,
        key: str | None,
        row: dict[str, str],
        problems: list[Issue],
    ) -> RowOutcome:
        if key is not None:
            self.rejected.add((table.name, key))
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
    def _write(
        self,
        table: Table,
        line: int,
        row: dict[str, str],
        mapped: MappedRow,
        problems: list[Issue],
    ) -> RowOutcome:
        kind = table.kind
        assert kind is not None
        key = mapped.key
        if key is None or any(p.severity == "Violation" for p in problems):
            return RowOutcome(table.name, line, key, "rejected")
        node = URIRef(self.layout.entry_iri(kind, key))
        if kind == "organisation" and self._is_reference(kind, key, node):
            return RowOutcome(table.name, line, key, "unchanged")
        current = history.current_version(self.store, self.layout, kind, key)
        if current is not None and self.unchanged.get((table.name, key)) == current.etag:
            return RowOutcome(table.name, line, key, "unchanged")  # checked by pass 1
        try:
            result = self.service.write(
                self.principal,
                kind,
                key,
                mapped.graph,
                if_match=current.etag if current else None,
                summary=("Import d'un tableur.", "Spreadsheet import."),
            )
        except ValidationFailed as exc:
            report = getattr(exc, "report", None)
            issues = (
                self._validation_issues(table, row, report)
                if report is not None
                else [Issue("Violation", exc.message_fr, exc.message_en)]
            )
            self._emit(table.name, line, key, row, issues)
            return RowOutcome(table.name, line, key, "rejected")
        except RegistryError as exc:
            self._emit(
                table.name, line, key, row, [Issue("Violation", exc.message_fr, exc.message_en)]
            )
            return RowOutcome(table.name, line, key, "rejected")
        if not result.changed:
            return RowOutcome(table.name, line, key, "unchanged")
        return RowOutcome(table.name, line, key, "created" if result.created else "updated")


# ---- helpers -------------------------------------------------------------------------------------
def _collect() -> None:
    """Free the rows already done: rdflib graphs hold reference cycles (graph ↔ store), which
    only the cyclic garbage collector frees, and its full runs are rare, so without this the
    memory of an import grows with the file (measured: 4 times the rows' size)."""
    gc.collect()


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
