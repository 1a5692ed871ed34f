"""The territorial reference data (datasets/reference/) and the script that builds it.

The committed file is loaded once into an in-memory Oxigraph store (about 3 s) and queried;
the builder's pure functions and its determinism are tested on a small synthetic package.
"""

from __future__ import annotations

import gzip
import importlib.util
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_reference.py"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


builder = _load_builder()

ID = "https://w3id.org/ia-territoires/id/"
XSD_GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"
PREFIXES = """
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""

# Organisations of the seed cases (/work/shared/seed-cases/cases.json, copied here: tests do not
# read outside the repository): SIREN -> (territory IRI it covers, name expected when the seed
# case writes it as we derive it, else None).
SEED_ORGANISATIONS: dict[str, tuple[str, str | None]] = {
    "217804905": ("commune-78490", "Commune de Plaisir"),
    "219200409": ("commune-92040", "Commune d'Issy-les-Moulineaux"),
    "211300637": ("commune-13063", "Commune de Miramas"),
    "223800012": ("departement-38", "Département de l'Isère"),
    "219300514": ("commune-93051", "Commune de Noisy-le-Grand"),
    "214401093": ("commune-44109", "Commune de Nantes"),
    "244400404": ("epci-244400404", "Nantes Métropole"),
    "243100633": ("epci-243100633", "Communauté d'agglomération du Sicoval"),
    "243500139": ("epci-243500139", "Rennes Métropole"),
    "243300316": ("epci-243300316", "Bordeaux Métropole"),
    "200054807": ("epci-200054807", "Métropole d'Aix-Marseille-Provence"),
    "200065647": ("epci-200065647", "Pays de Montbéliard Agglomération"),
    "226100014": ("departement-61", "Département de l'Orne"),
    "231300021": ("region-93", None),  # seed: "Région Provence-Alpes-Côte d'Azur (Région Sud)"
    "210600888": ("commune-06088", "Commune de Nice"),
    "214202186": ("commune-42218", "Commune de Saint-Étienne"),
    "213105554": ("commune-31555", "Commune de Toulouse"),
    "210600045": ("commune-06004", None),  # seed: "Commune d'Antibes Juan-les-Pins"
    "217500016": ("commune-75056", "Ville de Paris"),
    "237500079": ("region-11", "Région Île-de-France"),
    "245400676": ("epci-245400676", None),  # seed: "Métropole du Grand Nancy (avec le Cerema)"
    "200042174": ("epci-200042174", "Lorient Agglomération"),
}


# --- the committed file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ntriples() -> bytes:
    assert builder.OUTPUT.exists(), f"{builder.OUTPUT} manquant / missing"
    return gzip.decompress(builder.OUTPUT.read_bytes())


@pytest.fixture(scope="module")
def store(ntriples: bytes) -> Iterator[ox.Store]:
    loaded = ox.Store()
    loaded.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES)
    yield loaded


def _rows(store: ox.Store, where: str, *variables: str, raw: bool = False) -> list[tuple[str, ...]]:
    """Values of ``variables`` over ``where`` (or over a whole query when ``raw``)."""
    head = f"SELECT {' '.join('?' + v for v in variables)} WHERE {{ {where} }}"
    result = store.query(PREFIXES + (where if raw else head))
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(row[v].value if row[v] is not None else "" for v in variables) for row in result]


def _pairs(store: ox.Store, where: str, key: str, value: str) -> dict[str, str]:
    return {row[0]: row[1] for row in _rows(store, where, key, value)}


def _count(store: ox.Store, where: str) -> int:
    result = store.query(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_counts_of_territories(store: ox.Store) -> None:
    assert _count(store, "?r a igeo:Region") == 18  # 13 metropolitan + 5 overseas
    assert _count(store, "?d a igeo:Departement") == 101
    assert _count(store, "?c a igeo:Commune") == 34875
    # 1,255 EPCI à fiscalité propre (the Métropole de Lyon included) + 11 EPT
    assert _count(store, "?e a igeo:Intercommunalite") == 1266
    assert _count(store, "?e igeo:typeDEPCI ?t") == 1254


def test_every_commune_has_one_departement_and_one_region(store: ox.Store) -> None:
    communes = _count(store, "?c a igeo:Commune")
    # (commune, département) pairs: one per commune, none missing, none doubled
    assert _count(store, "?c a igeo:Commune ; dct:isPartOf ?d . ?d a igeo:Departement") == communes
    assert _count(store, "?c a igeo:Commune ; dct:isPartOf ?r . ?r a igeo:Region") == communes
    # and the département is in the commune's région
    consistent = _rows(
        store,
        """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
             ?c a igeo:Commune ; dct:isPartOf ?d, ?r .
             ?d a igeo:Departement ; dct:isPartOf ?r . ?r a igeo:Region }""",
        "n",
        raw=True,
    )
    assert consistent == [(str(communes),)]


def test_every_territory_has_code_name_and_vintage(store: ox.Store) -> None:
    incomplete = _rows(
        store,
        f"""VALUES ?class {{ igeo:Region igeo:Departement igeo:Commune igeo:Intercommunalite }}
           ?t a ?class .
           FILTER NOT EXISTS {{ ?t igeo:codeINSEE ?code ; igeo:nom ?nom ;
                                  dct:valid "{builder.MILLESIME}"^^<{XSD_GYEAR}> }}""",
        "t",
    )
    assert incomplete == []


def test_plaisir_is_in_yvelines_ile_de_france_and_its_epci(store: ox.Store) -> None:
    plaisir = f"<{ID}territoire/commune-78490>"
    parents = {row[0] for row in _rows(store, f"{plaisir} dct:isPartOf ?p", "p")}
    assert f"{ID}territoire/departement-78" in parents
    assert f"{ID}territoire/region-11" in parents
    epci = [p for p in parents if "/epci-" in p]
    assert len(epci) == 1
    org = f"<{ID}organisation/217804905>"
    member_of = {row[0] for row in _rows(store, f"{org} org:memberOf ?e", "e")}
    assert member_of == {epci[0].replace("territoire/epci-", "organisation/")}


@pytest.mark.parametrize("siren", sorted(SEED_ORGANISATIONS))
def test_seed_case_organisations_resolve(store: ox.Store, siren: str) -> None:
    territory, expected_name = SEED_ORGANISATIONS[siren]
    node = f"<{ID}organisation/{siren}>"
    rows = _rows(
        store,
        f"""{node} a cv:PublicOrganisation, foaf:Organization, org:Organization ;
                foaf:name ?name ; dct:spatial <{ID}territoire/{territory}> ;
                adms:identifier [ a adms:Identifier ; skos:notation ?notation ;
                                  adms:schemaAgency "INSEE" ] .""",
        "name",
        "notation",
    )
    assert len(rows) == 1, rows
    name, notation = rows[0]
    assert notation == siren
    if expected_name is not None:
        assert name == expected_name


def test_every_siren_is_nine_digits_with_a_valid_luhn_key(store: ox.Store) -> None:
    notations = [row[0] for row in _rows(store, "?i a adms:Identifier ; skos:notation ?n", "n")]
    assert len(notations) > 36000
    assert [n for n in notations if not builder.siren_is_valid(n)] == []
    # one identifier per organisation IRI, and the IRI carries the SIREN
    mismatched = _rows(
        store,
        f"""?o adms:identifier/skos:notation ?n .
           FILTER (STR(?o) != CONCAT("{ID}organisation/", ?n))""",
        "o",
    )
    assert mismatched == []


def test_every_organisation_has_exactly_one_name(store: ox.Store) -> None:
    assert (
        _rows(store, "?o a cv:PublicOrganisation FILTER NOT EXISTS { ?o foaf:name ?n }", "o") == []
    )
    assert _rows(store, "?o foaf:name ?a, ?b FILTER (?a != ?b)", "o") == []


def test_every_departement_and_region_has_its_collectivite(store: ox.Store) -> None:
    covered = _rows(
        store,
        """SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
             VALUES ?class { igeo:Region igeo:Departement }
             ?o a cv:PublicOrganisation ; dct:spatial ?t . ?t a ?class }""",
        "n",
        raw=True,
    )
    assert covered == [("119",)]  # 18 régions + 101 départements
    corse = _rows(store, f"?o dct:spatial <{ID}territoire/departement-2A> ; foaf:name ?n", "o", "n")
    assert corse == [(f"{ID}organisation/200076958", "Collectivité de Corse")]
    alsace = _rows(store, f"<{ID}organisation/200094332> dct:spatial ?t", "t")
    assert {t for (t,) in alsace} == {
        f"{ID}territoire/departement-67",
        f"{ID}territoire/departement-68",
    }


def test_legal_categories_are_concepts_with_french_labels(store: ox.Store) -> None:
    categories = _pairs(
        store,
        """?c a skos:Concept ; skos:notation ?code ; skos:prefLabel ?label .
           FILTER (LANG(?label) = "fr")""",
        "code",
        "label",
    )
    assert categories == {code: fr for code, (fr, _) in builder.CATEGORIES_JURIDIQUES.items()}
    by_kind = _pairs(
        store,
        f"""VALUES (?o ?expected) {{
              (<{ID}organisation/217804905> "7210") (<{ID}organisation/223800012> "7220")
              (<{ID}organisation/237500079> "7230") (<{ID}organisation/244400404> "7344")
              (<{ID}organisation/243100633> "7348") }}
            ?o org:classification/skos:notation ?code""",
        "code",
        "expected",
    )
    assert by_kind == {
        "7210": "7210",
        "7220": "7220",
        "7230": "7230",
        "7344": "7344",
        "7348": "7348",
    }
    # special statuses carry no asserted category (Ville de Paris, Métropole de Lyon)
    for siren in ("217500016", "200046977"):
        assert _rows(store, f"<{ID}organisation/{siren}> org:classification ?c", "c") == []


def test_dataset_node_describes_source_licence_and_vintage(store: ox.Store) -> None:
    rows = _rows(
        store,
        f"""<{builder.DATASET_IRI}> a dcat:Dataset ; dct:title ?fr, ?en ; dct:license ?licence ;
              dct:issued ?issued ; dct:temporal/dcat:startDate ?start .
           FILTER (LANG(?fr) = "fr" && LANG(?en) = "en")""",
        "licence",
        "issued",
        "start",
    )
    assert rows == [(builder.LICENCE_OUVERTE, builder.ISSUED, f"{builder.MILLESIME}-01-01")]


def test_committed_file_is_sorted_and_gzip_header_has_no_timestamp(ntriples: bytes) -> None:
    raw = builder.OUTPUT.read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08"
    assert raw[3] & 0x08 == 0, "no file name in the gzip header"
    assert raw[4:8] == b"\x00\x00\x00\x00", "mtime must be 0"
    lines = ntriples.split(b"\n")
    assert lines[-1] == b""
    # strictly increasing: sorted and without duplicates, as build_lines writes it
    assert all(a < b for a, b in itertools.pairwise(lines[:-1]))
    assert len(raw) < 8 * 1024 * 1024


# --- the builder, on a small synthetic package -------------------------------------------------


def _synthetic() -> Any:
    communes = [
        {"code": "78490", "nom": "Plaisir", "typeLiaison": 0, "zone": "metro",
         "departement": "78", "region": "11", "type": "commune-actuelle", "siren": "217804905"},
        {"code": "75056", "nom": "Paris", "typeLiaison": 0, "zone": "metro",
         "departement": "75", "region": "11", "type": "commune-actuelle", "siren": "217500016"},
        {"code": "76351", "nom": "Le Havre", "typeLiaison": 2, "zone": "metro",
         "departement": "76", "region": "28", "type": "commune-actuelle", "siren": "217603513"},
        {"code": "78001", "nom": "Ancienne", "zone": "metro", "departement": "78",
         "region": "11", "type": "commune-deleguee", "chefLieu": "78490"},
        {"code": "97501", "nom": "Miquelon-Langlade", "zone": "com", "departement": "975",
         "region": "975", "type": "commune-actuelle"},
    ]  # fmt: skip

    def area(code: str, nom: str, tncc: int, zone: str = "metro", **more: str) -> dict[str, Any]:
        return {"code": code, "nom": nom, "typeLiaison": tncc, "zone": zone, **more}

    return builder.SourceData(
        regions=[
            area("11", "Île-de-France", 1, chefLieu="75056"),
            area("28", "Normandie", 0, chefLieu="76351"),
            area("975", "Saint-Pierre-et-Miquelon", 0, "com", chefLieu="97502"),
        ],
        departements=[
            area("78", "Yvelines", 4, region="11", chefLieu="78646"),
            area("75", "Paris", 0, region="11", chefLieu="75056"),
            area("76", "Seine-Maritime", 3, region="28", chefLieu="76540"),
        ],
        communes=communes,
        epci=[
            {
                "code": "200058782",
                "nom": "CA de Saint Quentin en Yvelines",
                "type": "CA",
                "membres": [{"code": "78490", "siren": "217804905"}],
            },
            {
                "code": "200054781",
                "nom": "Métropole du Grand Paris",
                "type": "METRO",
                "membres": [{"code": "75056", "siren": "217500016"}],
            },
        ],
        ept=[],
    )


def _collectivites() -> list[Any]:
    row = builder.CollectiviteRow
    return [
        row("region", "11", "237500079", "", "7230", "test"),
        row("departement", "78", "227806460", "", "7220", "test"),
        row("departement", "75", "217500016", "Ville de Paris", "", "test"),
        # Normandie and Seine-Maritime: no sourced SIREN -> keyed by territory, no identifier
    ]


def test_build_is_deterministic_and_byte_identical() -> None:
    first = builder.build_lines(_synthetic(), _collectivites())
    second = builder.build_lines(_synthetic(), list(reversed(_collectivites())))
    assert first == second
    assert builder.to_gzip(first) == builder.to_gzip(second)
    assert first == sorted(set(first))


def test_build_of_synthetic_package() -> None:
    text = "".join(builder.build_lines(_synthetic(), _collectivites()))
    store = ox.Store()
    store.load(input=text, format=ox.RdfFormat.N_TRIPLES)
    assert _count(store, "?c a igeo:Commune") == 3  # no commune déléguée, no COM commune
    assert _count(store, "?r a igeo:Region") == 2
    names = _pairs(store, "?o foaf:name ?n", "o", "n")
    assert names[f"{ID}organisation/217804905"] == "Commune de Plaisir"
    assert names[f"{ID}organisation/217603513"] == "Commune du Havre"
    assert names[f"{ID}organisation/217500016"] == "Ville de Paris"
    assert names[f"{ID}organisation/227806460"] == "Département des Yvelines"
    assert names[f"{ID}organisation/200058782"] == (
        "Communauté d'agglomération de Saint Quentin en Yvelines"
    )
    # never a guessed SIREN: unsourced collectivités are keyed by their territory
    assert names[f"{ID}organisation/departement-76"] == "Département de la Seine-Maritime"
    assert names[f"{ID}organisation/region-28"] == "Région Normandie"
    unsourced = f"<{ID}organisation/region-28>"
    assert _rows(store, f"{unsourced} adms:identifier ?i", "i") == []
    assert _rows(store, f"<{ID}organisation/217500016> org:classification ?c", "c") == []
    spatial = {t for (t,) in _rows(store, f"<{ID}organisation/217500016> dct:spatial ?t", "t")}
    assert spatial == {f"{ID}territoire/commune-75056", f"{ID}territoire/departement-75"}
    member = _rows(store, f"<{ID}organisation/217804905> org:memberOf ?e", "e")
    assert member == [(f"{ID}organisation/200058782",)]


def test_build_refuses_a_commune_without_valid_siren() -> None:
    data = _synthetic()
    data.communes[0]["siren"] = "217804906"  # Luhn key off by one
    with pytest.raises(builder.BuildError, match="78490"):
        builder.build_lines(data, _collectivites())


@pytest.mark.parametrize(
    ("siren", "valid"),
    [
        ("217804905", True),
        ("223800012", True),
        ("929939411", True),
        ("217804906", False),
        ("21780490", False),
        ("2178049051", False),
        ("21780490a", False),
    ],
)
def test_siren_luhn_key(siren: str, valid: bool) -> None:
    assert builder.siren_is_valid(siren) is valid


@pytest.mark.parametrize(
    ("name", "tncc", "expected"),
    [
        ("Plaisir", 0, "de Plaisir"),
        ("Issy-les-Moulineaux", 1, "d'Issy-les-Moulineaux"),
        ("Le Havre", 2, "du Havre"),
        ("Calvados", 2, "du Calvados"),
        ("La Rochelle", 3, "de La Rochelle"),
        ("Charente", 3, "de la Charente"),
        ("Les Mureaux", 4, "des Mureaux"),
        ("Yvelines", 4, "des Yvelines"),
        ("L'Haÿ-les-Roses", 5, "de L'Haÿ-les-Roses"),
        ("Isère", 5, "de l'Isère"),
        ("Aux Marais", 6, "d'Aux Marais"),
        ("Los Masos", 8, "de Los Masos"),
    ],
)
def test_of_name_follows_the_cog_tncc(name: str, tncc: int, expected: str) -> None:
    assert builder.of_name(name, tncc) == expected


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("CA du Sicoval", "CA", "Communauté d'agglomération du Sicoval"),
        ("CA Lorient Agglomération", "CA", "Lorient Agglomération"),
        ("CC Faucigny - Glières", "CC", "Communauté de communes Faucigny - Glières"),
        ("CU du Grand Reims", "CU", "Communauté urbaine du Grand Reims"),
        ("CU Le Havre Seine Métropole", "CU", "Le Havre Seine Métropole"),
        ('CA "Saintes - Grandes Rives - L\'Agglo"', "CA", "Saintes - Grandes Rives - L'Agglo"),
        ("CA de Blois ''Agglopolys''", "CA", "Communauté d'agglomération de Blois Agglopolys"),
        ("Nantes Métropole", "METRO", "Nantes Métropole"),
        ("Plaine Commune", "EPT", "Plaine Commune"),
    ],
)
def test_epci_org_name(name: str, kind: str, expected: str) -> None:
    assert builder.epci_org_name(name, kind) == expected


def test_sirens_csv_is_complete_and_valid() -> None:
    rows = builder.read_sirens_csv()
    keys = [(r.echelon, r.code) for r in rows]
    assert len(keys) == len(set(keys))
    assert sum(1 for r in rows if r.echelon == "region") == 18
    assert sum(1 for r in rows if r.echelon == "departement") == 101
    assert all(builder.siren_is_valid(r.siren) and r.source for r in rows)
