"""Reading cells: dates, booleans, SIREN, lists, formula guard, coded values, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import XSD

from registry.tabular import cells
from registry.tabular.cells import CellError
from registry.tabular.concepts import vocabulary
from registry.tabular.reader import detect_delimiter, open_sheets

DATA = Path(__file__).resolve().parents[1] / "data" / "tabular"


@pytest.mark.parametrize(
    ("text", "value", "datatype"),
    [
        ("2024-03-05", "2024-03-05", XSD.date),
        ("05/03/2024", "2024-03-05", XSD.date),
        ("5/3/2024", "2024-03-05", XSD.date),
        ("2024-03", "2024-03", XSD.gYearMonth),
        ("03/2024", "2024-03", XSD.gYearMonth),
        ("2024", "2024", XSD.gYear),
        ("2024-03-05T00:00:00", "2024-03-05", XSD.date),
    ],
)
def test_dates(text: str, value: str, datatype: object) -> None:
    lit = cells.parse_date(text)
    assert str(lit) == value and lit.datatype == datatype


@pytest.mark.parametrize("text", ["31/02/2024", "2024-13", "mars 2024", "24/12/24"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(CellError):
        cells.parse_date(text)


def test_booleans() -> None:
    assert cells.parse_bool("Oui") and cells.parse_bool("VRAI") and not cells.parse_bool("non")
    with pytest.raises(CellError):
        cells.parse_bool("peut-être")


def test_siren_luhn() -> None:
    assert cells.parse_siren("217 804 905") == "217804905"
    with pytest.raises(CellError, match="Luhn"):
        cells.parse_siren("217804906")
    with pytest.raises(CellError, match="9 chiffres"):
        cells.parse_siren("21780490")


@pytest.mark.parametrize("text", ["=1+2", "+33 1 23", "-x", "@SUM(A1)", "\tx", "\rx"])
def test_formula_neutralisation_round_trips(text: str) -> None:
    safe = cells.neutralise(text)
    assert safe.startswith("'") and cells.unneutralise(safe) == text
    assert cells.neutralise("normal") == "normal"


def test_lists_with_escaped_bar() -> None:
    values = ["a", "b|c"]
    assert cells.split_values(cells.join_values(values)) == values
    assert cells.split_values("x|y | z") == ["x", "y", "z"]


def test_coded_values_fold_accents_and_case() -> None:
    vocab = vocabulary()
    resolved = vocab.resolve("statut", "all", "EN SERVICE")
    assert str(resolved.iri).endswith("/statut/en-service")
    assert vocab.resolve("finalite", "all", "information et orientation des usagers").iri
    assert vocab.resolve("base-legale", "all", "rgpd-6-1-e").iri is not None
    unknown = vocab.resolve("finalite", "all", "Informations usager")
    assert unknown.iri is None and "information-usagers" in unknown.suggestions
    # AI Act levels are top concepts only; the Annex III points are another column.
    assert vocab.resolve("classification-ai-act", "top", "annexe-iii-1").iri is None


def test_encodings_and_delimiters_are_detected() -> None:
    cp = open_sheets(DATA / "deploiements-cp1252.csv")[0]
    assert (cp.encoding, cp.delimiter) == ("cp1252", ";")
    bom = open_sheets(DATA / "deploiements-bom-tab.csv")[0]
    assert (bom.encoding, bom.delimiter) == ("utf-8-sig", "\t")
    assert bom.header[0] == "identifiant"
    rows = list(cp.rows())
    assert rows[0].values[5] == "En service" and rows[0].number == 2
    assert detect_delimiter('a,"b;c",d') == ","
