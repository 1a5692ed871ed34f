"""The import report: per row and column, every problem in French and English quoting the cell,
plus a summary (created, updated, unchanged, rejected). Written as text, CSV or JSON; the CSV is
safe to open in a spreadsheet (formula injection neutralised)."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from registry.tabular.cells import neutralise

OUTCOMES = ("created", "updated", "unchanged", "rejected", "skipped")
OUTCOME_LABELS = {
    "created": ("créées", "created"),
    "updated": ("mises à jour", "updated"),
    "unchanged": ("inchangées", "unchanged"),
    "rejected": ("rejetées", "rejected"),
    "skipped": ("ignorées", "skipped"),
}
SEVERITY_LABELS = {
    "Violation": ("Erreur", "Violation"),
    "Warning": ("Avertissement", "Warning"),
    "Info": ("Information", "Info"),
}
MAX_ISSUES = 20_000  # beyond, only counted: the report must not grow without bound
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Issue:
    severity: str
    fr: str
    en: str
    table: str | None = None
    line: int | None = None  # row number as a spreadsheet shows it (header = 1)
    key: str | None = None
    column: str | None = None
    value: str | None = None
    suggestions: tuple[str, ...] = ()

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    def to_text(self, lang: str = "fr") -> str:
        sev = SEVERITY_LABELS.get(self.severity, (self.severity, self.severity))
        where = []
        if self.table:
            where.append(self.table)
        if self.line is not None:
            where.append(f"{'ligne' if lang == 'fr' else 'row'} {self.line}")
        if self.key:
            where.append(self.key)
        if self.column:
            where.append(f"{'colonne' if lang == 'fr' else 'column'} {self.column}")
        head = ", ".join(where)
        text = f"{sev[0] if lang == 'fr' else sev[1]} — {head} : {self.message(lang)}"
        if self.value is not None and self.value != "":
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "…"
            text += f" ({'cellule' if lang == 'fr' else 'cell'} : « {shown} »)"
        return text.replace(" : ", ": ") if lang == "en" else text


@dataclass(frozen=True)
class RowOutcome:
    table: str
    line: int
    key: str | None
    outcome: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool = False
    partial: bool = False
    admin: bool = False
    organisation: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    tables: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    issues: list[Issue] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    issues_dropped: int = 0
    written: bool = False
    aborted: bool = False  # a file-level problem: nothing was read or written

    def add_issue(self, issue: Issue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.issues_dropped += 1

    def add_row(self, outcome: RowOutcome) -> None:
        self.counts[outcome.outcome] = self.counts.get(outcome.outcome, 0) + 1
        if len(self.rows) < MAX_ROWS:
            self.rows.append(outcome)

    @property
    def violations(self) -> int:
        return sum(1 for i in self.issues if i.severity == "Violation")

    @property
    def ok(self) -> bool:
        """Nothing was refused (rows rejected or a file-level problem)."""
        return not self.aborted and self.counts.get("rejected", 0) == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dryRun": self.dry_run,
            "partial": self.partial,
            "admin": self.admin,
            "organisation": self.organisation,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "tables": self.tables,
            "written": self.written,
            "aborted": self.aborted,
            "summary": dict(self.counts),
            "issues": [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(i).items()}
                for i in self.issues
            ],
            "issuesDropped": self.issues_dropped,
            "rows": [asdict(r) for r in self.rows],
        }

    def summary_text(self, lang: str = "fr") -> str:
        i = 1 if lang == "en" else 0
        parts = [f"{self.counts.get(o, 0)} {OUTCOME_LABELS[o][i]}" for o in OUTCOMES]
        head = "Résumé" if lang == "fr" else "Summary"
        text = f"{head} : " + ", ".join(parts)
        if self.dry_run:
            text += (
                " (simulation : rien n'a été écrit)"
                if lang == "fr"
                else " (dry run: nothing was written)"
            )
        elif not self.written:
            text += (
                (" — rien n'a été écrit (tout ou rien ; --partial pour écrire les lignes valides)")
                if lang == "fr"
                else " — nothing was written (all or nothing; --partial writes the valid rows)"
            )
        return text.replace(" : ", ": ") if lang == "en" else text

    def to_text(self, lang: str = "fr") -> str:
        lines = [i.to_text(lang) for i in self.issues]
        if self.issues_dropped:
            lines.append(
                f"… et {self.issues_dropped} autres problèmes non listés."
                if lang == "fr"
                else f"... and {self.issues_dropped} more problems not listed."
            )
        lines.append(self.summary_text(lang))
        return "\n".join(lines)

    def write(self, path: Path, lang: str = "fr") -> None:
        """As JSON (``.json``) or CSV (anything else)."""
        if path.suffix.lower() == ".json":
            path.write_text(
                json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            return
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(
                [
                    "ligne",
                    "table",
                    "identifiant",
                    "colonne",
                    "valeur",
                    "gravite",
                    "message",
                    "suggestions",
                ]
            )
            for i in self.issues:
                writer.writerow(
                    [
                        neutralise(str(x))
                        for x in (
                            "" if i.line is None else i.line,
                            i.table or "",
                            i.key or "",
                            i.column or "",
                            i.value or "",
                            i.severity,
                            i.message(lang),
                            " | ".join(i.suggestions),
                        )
                    ]
                )
            writer.writerow([])
            writer.writerow(["resume"] + [f"{o}={self.counts.get(o, 0)}" for o in OUTCOMES])
