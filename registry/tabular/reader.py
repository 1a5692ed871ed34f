"""CSV and XLSX files → header + rows, streamed (a 200 MB CSV is read with a buffer of a few
lines, and can be read twice: once to check, once to write).

CSV: the encoding (UTF-8, UTF-8 with BOM, Windows-1252) and the delimiter (``,`` ``;`` tab) are
detected from the first 64 KiB. XLSX: read-only mode of openpyxl (streamed too); a cell holding a
formula is flagged, never evaluated.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from registry.errors import InputError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")
# One cell may hold a long description, not a whole file.
MAX_CELL_CHARS = 1_000_000
IGNORED_SHEETS = ("documentation", "listes", "aide", "lisez-moi", "readme")
HELP_MARK = "ℹ"  # the template's help row starts each cell with it

csv.field_size_limit(min(sys.maxsize, MAX_CELL_CHARS))


@dataclass
class RawRow:
    number: int  # row number as a spreadsheet shows it (the header is row 1)
    values: list[str]
    formulas: dict[int, str] = field(default_factory=dict)  # column index → formula text


@dataclass
class Sheet:
    """One table of a file: its header and a way to read its rows (again)."""

    path: Path
    name: str  # sheet name (XLSX) or file stem (CSV)
    header: list[str]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    def rows(self) -> Iterator[RawRow]:
        if self.kind == "csv":
            yield from _csv_rows(self.path, self.encoding or "utf-8", self.delimiter or ",")
        else:
            yield from _xlsx_rows(self.path, self.name)


def open_sheets(path: Path) -> list[Sheet]:
    """The tables of a CSV or XLSX file (an XLSX may hold several sheets)."""
    if not path.is_file():
        raise InputError(
            f"Fichier introuvable : {path}.", f"File not found: {path}.", file=str(path)
        )
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if suffix in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK"):
            raise InputError(
                f"{path.name} : ce n'est pas un classeur XLSX (contenu illisible).",
                f"{path.name}: not an XLSX workbook (unreadable content).",
                file=str(path),
            )
        return _xlsx_sheets(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return [_csv_sheet(path, head)]
    raise InputError(
        f"{path.name} : format non pris en charge (attendu .csv ou .xlsx).",
        f"{path.name}: unsupported format (expected .csv or .xlsx).",
        file=str(path),
    )


# ---- CSV --------------------------------------------------------------------------------------
def detect_encoding(sample: bytes, path: Path) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample or sample.startswith(b"PK\x03\x04") or _looks_binary(sample):
        hint_fr = (
            " (c'est un classeur XLSX : gardez l'extension .xlsx)"
            if sample.startswith(b"PK")
            else ""
        )
        hint_en = (
            " (it is an XLSX workbook: keep the .xlsx extension)"
            if sample.startswith(b"PK")
            else ""
        )
        raise InputError(
            f"{path.name} : contenu binaire, ce n'est pas un fichier CSV{hint_fr}.",
            f"{path.name}: binary content, not a CSV file{hint_en}.",
            file=str(path),
        )
    cut = sample
    if len(sample) == SAMPLE_BYTES:
        # Do not judge on a multi-byte character cut by the sample's end.
        cut = sample[: sample.rfind(b"\n") + 1] or sample[:-4]
    try:
        cut.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        cut.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample) > 0.02


def detect_delimiter(first_line: str) -> str:
    counts = {d: _count_outside_quotes(first_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, char: str) -> int:
    inside = False
    n = 0
    for c in line:
        if c == '"':
            inside = not inside
        elif c == char and not inside:
            n += 1
    return n


def _csv_sheet(path: Path, head: bytes) -> Sheet:
    if not head.strip():
        raise InputError(
            f"{path.name} : fichier vide.", f"{path.name}: empty file.", file=str(path)
        )
    encoding = detect_encoding(head, path)
    text = head.decode(encoding, errors="replace")
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = detect_delimiter(first_line)
    sheet = Sheet(path, path.stem, [], "csv", encoding, delimiter)
    with _open_text(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise InputError(
                f"{path.name} : en-tête illisible ({exc}).",
                f"{path.name}: unreadable header ({exc}).",
                file=str(path),
            ) from exc
    sheet.header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(sheet.header):
        raise InputError(
            f"{path.name} : pas de ligne d'en-tête.",
            f"{path.name}: no header row.",
            file=str(path),
        )
    return sheet


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="", errors="strict")


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[RawRow]:
    with _open_text(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        number = 0
        try:
            for number, values in enumerate(reader, start=1):
                if number == 1:
                    continue
                if not any(v.strip() for v in values):
                    continue
                yield RawRow(number, values)
        except csv.Error as exc:
            raise InputError(
                f"{path.name}, ligne {number + 1} : CSV illisible ({exc}).",
                f"{path.name}, row {number + 1}: unreadable CSV ({exc}).",
                file=str(path),
                line=number + 1,
            ) from exc
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path.name}, ligne {number + 1} : encodage incohérent ({encoding} détecté au "
                "début du fichier). Enregistrez le fichier en UTF-8.",
                f"{path.name}, row {number + 1}: inconsistent encoding ({encoding} detected at "
                "the start). Save the file as UTF-8.",
                file=str(path),
                line=number + 1,
            ) from exc


# ---- XLSX -------------------------------------------------------------------------------------
def _workbook(path: Path) -> Any:
    import openpyxl  # imported late: only XLSX imports need it

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, KeyError)
        raise InputError(
            f"{path.name} : classeur XLSX illisible ({type(exc).__name__}).",
            f"{path.name}: unreadable XLSX workbook ({type(exc).__name__}).",
            file=str(path),
        ) from exc


def _xlsx_sheets(path: Path) -> list[Sheet]:
    wb = _workbook(path)
    try:
        sheets = []
        for ws in wb.worksheets:
            if ws.title.strip().lower() in IGNORED_SHEETS or ws.sheet_state != "visible":
                continue
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
            header = [cell_text(v) for v in (first or ())]
            while header and not header[-1]:
                header.pop()
            if not header:
                continue
            sheets.append(Sheet(path, ws.title, header, "xlsx"))
    finally:
        wb.close()
    if not sheets:
        raise InputError(
            f"{path.name} : aucune feuille avec une ligne d'en-tête.",
            f"{path.name}: no sheet with a header row.",
            file=str(path),
        )
    return sheets


def _xlsx_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    wb = _workbook(path)
    try:
        ws = wb[sheet]
        for number, row in enumerate(ws.iter_rows(min_row=1), start=1):
            if number == 1:
                continue
            values: list[str] = []
            formulas: dict[int, str] = {}
            for i, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    formulas[i] = str(value)
                    values.append("")
                else:
                    values.append(cell_text(value))
            while values and not values[-1] and (len(values) - 1) not in formulas:
                values.pop()
            if not values and not formulas:
                continue
            if values and all(v.startswith(HELP_MARK) for v in values if v):
                continue  # the template's help row
            yield RawRow(number, values, formulas)
    finally:
        wb.close()


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return str(value).strip()
