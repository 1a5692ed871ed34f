#!/usr/bin/env python3
"""Rebuild the French territorial reference data (``datasets/reference/``).

Source: the npm package ``@etalab/decoupage-administratif`` (INSEE COG + DGCL EPCI lists),
pinned below and fetched with ``npm pack`` into ``.cache/reference/`` (git-ignored), plus the
sourced table ``datasets/reference/sources/collectivites-sirens.csv`` (SIRENs of the
départements and régions, which the package lacks). Output: one sorted, gzip'd N-Triples file,
byte-identical from one build to the next (see datasets/reference/README.md).

Usage::

    python scripts/build_reference.py            # fetch (if needed) and build
    python scripts/build_reference.py --check    # rebuild in memory, compare with the file
    python scripts/build_reference.py --package-tgz path/to/decoupage-administratif.tgz
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "datasets" / "reference"
SIRENS_CSV = REFERENCE_DIR / "sources" / "collectivites-sirens.csv"
CACHE_DIR = ROOT / ".cache" / "reference"

# The pinned source. Bump all four together (and ISSUED) for a new vintage.
PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
INTEGRITY = (
    "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf"
    "+7bcWpA5pmCaQ=="
)
MILLESIME = "2026"  # the package's README maps 6.0.0 to the 2026 COG
ISSUED = "2026-11-25"  # date this build definition was made (kept fixed: rebuilds are identical)

OUTPUT = REFERENCE_DIR / f"territoires-{MILLESIME}.nt.gz"

BASE = "https://w3id.org/ia-territoires/"
ID = BASE + "id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
IGEO = "http://rdf.insee.fr/def/geo#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
ADMS = "http://www.w3.org/ns/adms#"
CV = "http://data.europa.eu/m8g/"
OWL = "http://www.w3.org/2002/07/owl#"
# INSEE's concept scheme of EPCI types, with its IRIs as published in the INSEE geo ontology
# (InseeFr/Ontologies, insee-geo.ttl: <http://id.insee.fr/codes/geo/typeDEPCI/CA> ...).
INSEE_TYPE_EPCI = "http://id.insee.fr/codes/geo/typeDEPCI/"

DATASET_IRI = f"{ID}jeu-de-donnees/territoires-{MILLESIME}"
CJ_SCHEME_IRI = f"{ID}categorie-juridique"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
PACKAGE_HOME = "https://github.com/etalab/decoupage-administratif"
SIREN_SOURCE = (
    "https://github.com/gip-inclusion/dora-back/blob/cd0b98f6a89efc0bfcab138dc64edb6c89b7c0ff/"
    "dora/structures/management/commands/import_1jeune1solution.py"
)

# INSEE legal categories (catégories juridiques, niveau III) used here: (fr, en) labels.
CATEGORIES_JURIDIQUES: dict[str, tuple[str, str]] = {
    "7210": ("Commune et commune nouvelle", "Municipality (commune)"),
    "7220": ("Département", "Department (département)"),
    "7230": ("Région", "Region (région)"),
    "7343": ("Communauté urbaine", "Urban community (communauté urbaine)"),
    "7344": ("Métropole", "Metropolis (métropole)"),
    "7346": ("Communauté de communes", "Community of municipalities (communauté de communes)"),
    "7348": ("Communauté d'agglomération", "Agglomeration community (communauté d'agglomération)"),
}
# EPCI type of the package -> (legal category, INSEE EPCI type notation). The Métropole de Lyon
# (MET69) is a territorial collectivity with a special status and the EPT of the Métropole du
# Grand Paris are EPCI without own taxation: their legal category is not asserted (unverified).
EPCI_TYPES: dict[str, tuple[str | None, str | None]] = {
    "CC": ("7346", "CC"),
    "CA": ("7348", "CA"),
    "CU": ("7343", "CU"),
    "METRO": ("7344", "Metro"),
    "MET69": (None, None),
    "EPT": (None, None),
}
EPCI_PREFIXES = {
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
}
# A short-form name that already says what the body is ("Lorient Agglomération") is its name.
_SELF_NAMING = re.compile(
    r"\b(agglo|agglom[ée]ration|communaut[ée]|m[ée]tropole|communes)\b", re.IGNORECASE
)
_SIREN_RE = re.compile(r"^[0-9]{9}$")
# Zones of the COG kept: metropolitan France and the five DROM (the COM are outside the
# communes/départements/régions of the COG and have no SIREN in the package).
KEPT_ZONES = {"metro", "drom"}


class BuildError(Exception):
    """The source data does not have the shape this script expects."""


# --- pure helpers -------------------------------------------------------------------------


def siren_is_valid(siren: str) -> bool:
    """Nine digits with a valid Luhn key (the SIREN check digit)."""
    if not _SIREN_RE.match(siren):
        return False
    total = 0
    for index, char in enumerate(reversed(siren)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def territory_iri(kind: str, code: str) -> str:
    return f"{ID}territoire/{kind}-{code}"


def organisation_iri(key: str) -> str:
    """``key`` is a SIREN, or ``departement-{code}`` / ``region-{code}`` when none is sourced."""
    return f"{ID}organisation/{key}"


def category_iri(code: str) -> str:
    return f"{CJ_SCHEME_IRI}/{code}"


def of_name(name: str, tncc: int) -> str:
    """``de Plaisir``, ``du Havre``, ``de l'Isère``: the name after "de", per the COG's TNCC.

    TNCC (type de nom en clair) tells the article and the linking word. Commune names carry
    their article ("Le Havre"); département and région names do not ("Isère", TNCC 5).
    """
    first, _, rest = name.partition(" ")
    if tncc == 2:
        return f"du {rest}" if first == "Le" else f"du {name}"
    if tncc == 4:
        return f"des {rest}" if first == "Les" else f"des {name}"
    if tncc == 3:
        return f"de {name}" if first == "La" else f"de la {name}"
    if tncc == 5:
        return f"de {name}" if name.startswith("L'") else f"de l'{name}"
    if tncc in (1, 6):
        return f"d'{name}"
    return f"de {name}"


def commune_org_name(name: str, tncc: int) -> str:
    return f"Commune {of_name(name, tncc)}"


def departement_org_name(name: str, tncc: int) -> str:
    return f"Département {of_name(name, tncc)}"


def region_org_name(name: str) -> str:
    return f"Région {name}"


def epci_org_name(name: str, kind: str) -> str:
    """The name a person would write: "CA du Sicoval" -> "Communauté d'agglomération du
    Sicoval"; "CA Lorient Agglomération" -> "Lorient Agglomération" (already says it)."""
    prefix, _, rest = name.partition(" ")
    if kind in EPCI_PREFIXES and prefix == kind and rest:
        rest = rest.strip()
        if len(rest) > 1 and rest[0] == rest[-1] == '"':
            rest = rest[1:-1]
        rest = rest.replace("''", "")  # CA de Blois ''Agglopolys'' -> CA de Blois Agglopolys
        if _SELF_NAMING.search(rest):
            return rest
        return f"{EPCI_PREFIXES[kind]} {rest}"
    return name


# --- N-Triples ------------------------------------------------------------------------------


def iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ '):
        raise BuildError(f"IRI invalide / invalid IRI: {value!r}")
    return f"<{value}>"


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def triple(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


# --- source data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceData:
    regions: list[dict[str, Any]]
    departements: list[dict[str, Any]]
    communes: list[dict[str, Any]]
    epci: list[dict[str, Any]]
    ept: list[dict[str, Any]]


@dataclass(frozen=True)
class CollectiviteRow:
    """One row of collectivites-sirens.csv: who exercises a département's or région's powers."""

    echelon: str
    code: str
    siren: str
    nom: str
    categorie_juridique: str
    source: str


def read_sirens_csv(path: Path = SIRENS_CSV) -> list[CollectiviteRow]:
    rows: list[CollectiviteRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            item = CollectiviteRow(**{k: (v or "").strip() for k, v in row.items()})
            if item.echelon not in ("departement", "region"):
                raise BuildError(f"{path}:{line_no}: echelon {item.echelon!r} inconnu / unknown")
            if item.siren and not siren_is_valid(item.siren):
                raise BuildError(f"{path}:{line_no}: SIREN {item.siren!r} invalide / invalid")
            rows.append(item)
    return rows


def read_package(tgz: Path) -> SourceData:
    """The package's data/*.json, read straight from the npm tarball."""
    names = ("regions", "departements", "communes", "epci", "ept")
    loaded: dict[str, list[dict[str, Any]]] = {}
    with tarfile.open(tgz, "r:gz") as archive:
        for name in names:
            member = archive.extractfile(f"package/data/{name}.json")
            if member is None:
                raise BuildError(f"{tgz}: package/data/{name}.json manquant / missing")
            loaded[name] = json.load(member)
    return SourceData(**loaded)


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch_package(cache: Path = CACHE_DIR) -> Path:
    """``npm pack`` the pinned version into the cache (once) and check its integrity."""
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"etalab-decoupage-administratif-{VERSION}.tgz"
    if not tgz.exists():
        subprocess.run(
            [
                "npm",
                "pack",
                f"{PACKAGE}@{VERSION}",
                "--pack-destination",
                str(cache),
                "--loglevel=warn",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    found = integrity_of(tgz)
    if found != INTEGRITY:
        raise BuildError(f"{tgz}: intégrité {found} ≠ {INTEGRITY} / integrity mismatch")
    return tgz


# --- the graph ------------------------------------------------------------------------------


@dataclass
class Organisation:
    key: str
    name: str
    siren: str | None
    category: str | None
    spatial: set[str] = field(default_factory=set)
    member_of: set[str] = field(default_factory=set)


def _territory(kind: str, cls: str, code: str, name: str) -> Iterator[str]:
    node = iri(territory_iri(kind, code))
    yield triple(node, iri(RDF + "type"), iri(IGEO + cls))
    yield triple(node, iri(IGEO + "codeINSEE"), literal(code))
    yield triple(node, iri(IGEO + "nom"), literal(name, lang="fr"))
    yield triple(node, iri(RDFS + "label"), literal(name, lang="fr"))
    yield triple(node, iri(DCT + "valid"), literal(MILLESIME, datatype=XSD + "gYear"))


def _part_of(kind: str, code: str, parent_kind: str, parent_code: str) -> str:
    return triple(
        iri(territory_iri(kind, code)),
        iri(DCT + "isPartOf"),
        iri(territory_iri(parent_kind, parent_code)),
    )


def _organisation(org: Organisation) -> Iterator[str]:
    node = iri(organisation_iri(org.key))
    for cls in (CV + "PublicOrganisation", FOAF + "Organization", ORG + "Organization"):
        yield triple(node, iri(RDF + "type"), iri(cls))
    yield triple(node, iri(FOAF + "name"), literal(org.name))
    if org.siren:
        ident = f"_:siren{org.siren}"
        yield triple(node, iri(ADMS + "identifier"), ident)
        yield triple(ident, iri(RDF + "type"), iri(ADMS + "Identifier"))
        yield triple(ident, iri(SKOS + "notation"), literal(org.siren))
        yield triple(ident, iri(ADMS + "schemaAgency"), literal("INSEE"))
    if org.category:
        yield triple(node, iri(ORG + "classification"), iri(category_iri(org.category)))
    for spatial in sorted(org.spatial):
        yield triple(node, iri(DCT + "spatial"), iri(spatial))
    for parent in sorted(org.member_of):
        yield triple(node, iri(ORG + "memberOf"), iri(organisation_iri(parent)))


def _categories(used: set[str]) -> Iterator[str]:
    scheme = iri(CJ_SCHEME_IRI)
    yield triple(scheme, iri(RDF + "type"), iri(SKOS + "ConceptScheme"))
    yield triple(
        scheme,
        iri(SKOS + "prefLabel"),
        literal("Catégories juridiques (Insee, niveau III)", lang="fr"),
    )
    yield triple(
        scheme, iri(SKOS + "prefLabel"), literal("Legal categories (Insee, level III)", lang="en")
    )
    for code in sorted(used):
        fr, en = CATEGORIES_JURIDIQUES[code]
        node = iri(category_iri(code))
        yield triple(node, iri(RDF + "type"), iri(SKOS + "Concept"))
        yield triple(node, iri(SKOS + "inScheme"), scheme)
        yield triple(node, iri(SKOS + "notation"), literal(code))
        yield triple(node, iri(SKOS + "prefLabel"), literal(fr, lang="fr"))
        yield triple(node, iri(SKOS + "prefLabel"), literal(en, lang="en"))


def _dataset() -> Iterator[str]:
    node = iri(DATASET_IRI)
    period = "_:periode"
    yield triple(node, iri(RDF + "type"), iri(DCAT + "Dataset"))
    yield triple(
        node,
        iri(DCT + "title"),
        literal(
            f"Référentiel des collectivités territoriales françaises (COG {MILLESIME})", lang="fr"
        ),
    )
    yield triple(
        node,
        iri(DCT + "title"),
        literal(f"Reference data of French local authorities (COG {MILLESIME})", lang="en"),
    )
    yield triple(
        node,
        iri(DCT + "description"),
        literal(
            "Régions, départements, EPCI à fiscalité propre, EPT et communes du Code officiel "
            f"géographique {MILLESIME} (métropole et DROM), avec les collectivités qui les "
            "administrent (SIREN, catégorie juridique, appartenance aux EPCI). Construit depuis "
            f"le paquet npm {PACKAGE} {VERSION}.",
            lang="fr",
        ),
    )
    yield triple(
        node,
        iri(DCT + "description"),
        literal(
            "Regions, departments, EPCI (inter-municipal bodies), EPT and municipalities of the "
            f"{MILLESIME} official geographic code (mainland France and overseas departments), "
            "with the local authorities that run them (SIREN, legal category, EPCI membership). "
            f"Built from the npm package {PACKAGE} {VERSION}.",
            lang="en",
        ),
    )
    yield triple(node, iri(DCT + "source"), iri(PACKAGE_HOME))
    yield triple(node, iri(DCT + "source"), iri(SIREN_SOURCE))
    yield triple(node, iri(DCT + "license"), iri(LICENCE_OUVERTE))
    yield triple(node, iri(DCT + "issued"), literal(ISSUED, datatype=XSD + "date"))
    yield triple(node, iri(OWL + "versionInfo"), literal(f"COG {MILLESIME} ; {PACKAGE}@{VERSION}"))
    yield triple(node, iri(DCT + "temporal"), period)
    yield triple(period, iri(RDF + "type"), iri(DCT + "PeriodOfTime"))
    yield triple(
        period, iri(DCAT + "startDate"), literal(f"{MILLESIME}-01-01", datatype=XSD + "date")
    )


def build_lines(data: SourceData, collectivites: Iterable[CollectiviteRow]) -> list[str]:
    """Every N-Triples line of the reference data, sorted and without duplicates."""
    out: list[str] = []
    orgs: dict[str, Organisation] = {}

    def org_for(key: str, name: str, siren: str | None, category: str | None) -> Organisation:
        if key not in orgs:
            orgs[key] = Organisation(key=key, name=name, siren=siren, category=category)
        return orgs[key]

    regions = {r["code"]: r for r in data.regions if r["zone"] in KEPT_ZONES}
    departements = {d["code"]: d for d in data.departements if d["zone"] in KEPT_ZONES}
    communes = {
        c["code"]: c
        for c in data.communes
        if c["type"] == "commune-actuelle" and c["zone"] in KEPT_ZONES
    }

    for code, region in regions.items():
        out.extend(_territory("region", "Region", code, region["nom"]))
        out.append(
            triple(
                iri(territory_iri("region", code)),
                iri(IGEO + "chefLieu"),
                iri(territory_iri("commune", region["chefLieu"])),
            )
        )
    for code, dep in departements.items():
        if dep["region"] not in regions:
            raise BuildError(f"département {code}: région {dep['region']} inconnue / unknown")
        out.extend(_territory("departement", "Departement", code, dep["nom"]))
        node = iri(territory_iri("departement", code))
        out.append(
            triple(
                node,
                iri(IGEO + "subdivisionDirecteDe"),
                iri(territory_iri("region", dep["region"])),
            )
        )
        out.append(_part_of("departement", code, "region", dep["region"]))
        out.append(
            triple(node, iri(IGEO + "chefLieu"), iri(territory_iri("commune", dep["chefLieu"])))
        )

    # Communes and their organisations (SIREN from the package).
    commune_org: dict[str, Organisation] = {}
    for code, com in communes.items():
        if com["departement"] not in departements:
            raise BuildError(f"commune {code}: département {com['departement']} inconnu / unknown")
        out.extend(_territory("commune", "Commune", code, com["nom"]))
        out.append(_part_of("commune", code, "departement", com["departement"]))
        out.append(_part_of("commune", code, "region", com["region"]))
        siren = com.get("siren")
        if not siren or not siren_is_valid(siren):
            raise BuildError(
                f"commune {code}: SIREN {siren!r} absent ou invalide / missing or invalid"
            )
        org = org_for(
            siren, commune_org_name(com["nom"], int(com.get("typeLiaison", 0))), siren, "7210"
        )
        org.spatial.add(territory_iri("commune", code))
        commune_org[code] = org

    # EPCI à fiscalité propre and EPT: territories, organisations, members.
    for group in [*data.epci, *data.ept]:
        siren, kind = group["code"], group["type"]
        if kind not in EPCI_TYPES or not siren_is_valid(siren):
            raise BuildError(f"EPCI {siren}: type {kind!r} ou SIREN invalide / bad type or SIREN")
        category, insee_type = EPCI_TYPES[kind]
        out.extend(_territory("epci", "Intercommunalite", siren, group["nom"]))
        if insee_type:
            out.append(
                triple(
                    iri(territory_iri("epci", siren)),
                    iri(IGEO + "typeDEPCI"),
                    iri(INSEE_TYPE_EPCI + insee_type),
                )
            )
        org = org_for(siren, epci_org_name(group["nom"], kind), siren, category)
        org.spatial.add(territory_iri("epci", siren))
        for member in group["membres"]:
            if member["code"] not in commune_org:
                raise BuildError(
                    f"EPCI {siren}: commune membre {member['code']} inconnue / unknown"
                )
            out.append(_part_of("commune", member["code"], "epci", siren))
            commune_org[member["code"]].member_of.add(siren)

    # Départements and régions: the collectivité that exercises their powers (sourced SIRENs).
    special = {row.siren for row in collectivites if row.siren and not row.categorie_juridique}
    by_territory = {(row.echelon, row.code): row for row in collectivites}
    for echelon, table in (("departement", departements), ("region", regions)):
        for code, item in table.items():
            row = by_territory.get((echelon, code))
            if row and row.siren:
                key, siren = row.siren, row.siren
            else:  # never guess a SIREN: key the organisation by its territory instead
                key, siren = f"{echelon}-{code}", None
            if row and row.nom:
                name = row.nom
            elif echelon == "region":
                name = region_org_name(item["nom"])
            else:
                name = departement_org_name(item["nom"], int(item.get("typeLiaison", 0)))
            category = (row.categorie_juridique or None) if row else None
            org = org_for(key, name, siren, category)
            org.spatial.add(territory_iri(echelon, code))
    for siren in special:  # special statuses (Paris, Corse, CEA...): their own name, no category
        if siren in orgs:
            orgs[siren].category = None
            named = [r.nom for r in collectivites if r.siren == siren and r.nom]
            if named:
                orgs[siren].name = named[0]

    used_categories: set[str] = set()
    for org in orgs.values():
        out.extend(_organisation(org))
        if org.category:
            used_categories.add(org.category)
    out.extend(_categories(used_categories))
    out.extend(_dataset())
    return sorted(set(out))


def to_gzip(lines: Iterable[str]) -> bytes:
    """Gzip with no name and no timestamp in the header, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        for line in lines:
            gz.write(line.encode("utf-8"))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "Reconstruit le référentiel territorial. / Rebuilds the territorial reference data."
        )
    )
    parser.add_argument(
        "--package-tgz",
        type=Path,
        help="Archive npm déjà téléchargée. / An already downloaded npm tarball.",
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help="Fichier produit. / Output file."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=(
            "Compare sans écrire (code 1 si différent). "
            "/ Compare without writing (exit 1 if different)."
        ),
    )
    args = parser.parse_args(argv)
    tgz = args.package_tgz or fetch_package()
    if integrity_of(tgz) != INTEGRITY:
        raise BuildError(f"{tgz}: ce n'est pas {PACKAGE}@{VERSION} / not the pinned package")
    lines = build_lines(read_package(tgz), read_sirens_csv())
    payload = to_gzip(lines)
    if args.check:
        same = args.output.exists() and args.output.read_bytes() == payload
        print(f"{args.output}: {'à jour / up to date' if same else 'différent / differs'}")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(payload)
    print(f"{args.output}: {len(lines)} triplets / triples, {len(payload)} octets / bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
