"""One cell: reading what people type (French dates, oui/non, lists) and writing values back.

Every reader returns the value or raises :class:`CellError` with a French and an English message;
the importer turns that into a line of the report that quotes the cell.
"""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from registry.vocab import SIREN_RE

SEPARATOR = " | "
# Cells starting with one of these are formulas to a spreadsheet (CSV injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_SPLIT = re.compile(r"\s*(?<!\\)\|\s*")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_BAD_IRI_CHARS = set('<>"{}|^`\\ \n\t')


class CellError(ValueError):
    def __init__(self, fr: str, en: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(fr)
        self.fr = fr
        self.en = en
        self.suggestions = suggestions


# ---- formula injection -----------------------------------------------------------------------
def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` on import, so that export → import is lossless."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


# ---- lists ------------------------------------------------------------------------------------
def split_values(text: str) -> list[str]:
    """``a | b`` → [a, b]; ``\\|`` is a literal bar inside a value."""
    if not text.strip():
        return []
    return [v.replace("\\|", "|").strip() for v in _SPLIT.split(text.strip()) if v.strip()]


def join_values(values: list[str]) -> str:
    return SEPARATOR.join(v.replace("|", "\\|") for v in values)


# ---- dates ------------------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FR = re.compile(r"^(?:(\d{1,2})[/.])?(\d{1,2})[/.](\d{4})$")


def parse_date(text: str) -> Literal:
    """``AAAA-MM-JJ``, ``JJ/MM/AAAA``, ``AAAA-MM``, ``MM/AAAA`` or ``AAAA`` → xsd:date,
    xsd:gYearMonth or xsd:gYear."""
    value = text.strip()
    if "T" in value and _ISO.match(value.split("T")[0]):
        value = value.split("T")[0]  # a date-time from a spreadsheet: keep the day
    m = _ISO.match(value)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
    else:
        f = _FR.match(value)
        if not f:
            raise CellError(
                f"date illisible « {text} » (attendu AAAA-MM-JJ, JJ/MM/AAAA, AAAA-MM ou AAAA)",
                f"unreadable date '{text}' (expected YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY)",
            )
        day, month, year = f.group(1), f.group(2), f.group(3)
    try:
        if day is not None and month is not None:
            d = date(int(year), int(month), int(day))
            return Literal(d.isoformat(), datatype=XSD.date)
        if month is not None:
            if not 1 <= int(month) <= 12:
                raise ValueError
            return Literal(f"{int(year):04d}-{int(month):02d}", datatype=XSD.gYearMonth)
        return Literal(f"{int(year):04d}", datatype=XSD.gYear)
    except ValueError as exc:
        raise CellError(f"date impossible « {text} »", f"impossible date '{text}'") from exc


def format_date(value: Literal) -> str:
    text = str(value)
    return text.split("T")[0] if value.datatype == XSD.dateTime else text


# ---- booleans ---------------------------------------------------------------------------------
_TRUE = {"oui", "o", "vrai", "true", "yes", "y", "1", "x"}
_FALSE = {"non", "n", "faux", "false", "no", "0"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(
        f"valeur « {text} » : répondre oui ou non", f"value '{text}': answer yes or no (oui/non)"
    )


def format_bool(value: bool) -> str:
    return "oui" if value else "non"


# ---- identifiers and addresses ---------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def parse_siren(text: str) -> str:
    value = re.sub(r"[\s.]", "", text)
    if not SIREN_RE.match(value):
        raise CellError(
            f"SIREN « {text} » : 9 chiffres attendus", f"SIREN '{text}': 9 digits expected"
        )
    if not (luhn_ok(value) or value == "356000000"):
        raise CellError(
            f"SIREN « {text} » : clé de contrôle (Luhn) invalide",
            f"SIREN '{text}': invalid check digit (Luhn)",
        )
    return value


def parse_url(text: str) -> URIRef:
    value = text.strip()
    if not value.startswith(("http://", "https://")) or any(c in _BAD_IRI_CHARS for c in value):
        raise CellError(
            f"adresse web invalide « {text} » (http:// ou https://, sans espace)",
            f"invalid web address '{text}' (http:// or https://, no space)",
        )
    return URIRef(value)


def parse_email(text: str) -> URIRef:
    value = text.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if not _EMAIL.match(value):
        raise CellError(f"courriel invalide « {text} »", f"invalid e-mail address '{text}'")
    return URIRef(f"mailto:{value}")


def format_email(iri: URIRef | str) -> str:
    text = str(iri)
    return text[7:] if text.lower().startswith("mailto:") else text
