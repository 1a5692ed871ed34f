"""Namespaces, IRI minting and the paths of the project's vocabulary, shapes and datasets.

Imports nothing from the project. The base IRI of minted resources is configurable
(``Settings.base_iri``); the vocabulary's own namespaces are fixed, since they are published.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
VOCABULARIES_DIR = ONTOLOGY_DIR / "vocabularies"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DATASETS_DIR = PROJECT_ROOT / "datasets"
ENTRIES_DIR = DATASETS_DIR / "entries"
REFERENCE_DIR = DATASETS_DIR / "reference"

DEFAULT_BASE = "https://w3id.org/ia-territoires/"

IAT = Namespace(DEFAULT_BASE + "def#")
VOCAB = Namespace(DEFAULT_BASE + "vocab/")
ID = Namespace(DEFAULT_BASE + "id/")
PROFILE = Namespace(DEFAULT_BASE + "profile/")
GRAPH = Namespace(DEFAULT_BASE + "graph/")

DPV = Namespace("https://w3id.org/dpv#")
AI = Namespace("https://w3id.org/dpv/ai#")
TECH = Namespace("https://w3id.org/dpv/tech#")
PD = Namespace("https://w3id.org/dpv/pd#")
RISK = Namespace("https://w3id.org/dpv/risk#")
EU_AIACT = Namespace("https://w3id.org/dpv/legal/eu/aiact#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("https://schema.org/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "iat": IAT,
    "dpv": DPV,
    "ai": AI,
    "tech": TECH,
    "pd": PD,
    "risk": RISK,
    "eu-aiact": EU_AIACT,
    "eu-gdpr": EU_GDPR,
    "cv": CV,
    "cpsv": CPSV,
    "igeo": IGEO,
    "adms": ADMS,
    "vcard": VCARD,
    "schema": SCHEMA,
    "dqv": DQV,
    "oa": OA,
    "time": TIME,
    "hydra": HYDRA,
    "dcatap": DCATAP,
    "eli": ELI,
    "sh": SH,
    "dcat": Namespace(str(DCAT)),
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)),
    "xsd": Namespace(str(XSD)),
}

SIREN_RE = re.compile(r"^[0-9]{9}$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def scheme_iri(scheme: str) -> str:
    return f"{VOCAB}{scheme}"


def concept_iri(scheme: str, notation: str) -> str:
    return f"{VOCAB}{scheme}/{notation}"


def slugify(text: str) -> str:
    """Lower-case ASCII slug: accents folded, runs of other characters become one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:100]


def fold(text: str) -> str:
    """Accent- and case-folded form of a text, for matching labels and search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def instance_iri(kind: str, key: str, base: str = DEFAULT_BASE) -> str:
    """IRI of a registry resource: ``{base}id/{kind}/{key}``.

    ``kind`` is one of ``deploiement``, ``systeme``, ``organisation``, ``service``,
    ``fiche`` (catalogue record).
    """
    if not KEY_RE.match(key):
        raise ValueError(f"invalid key {key!r}")
    return f"{base}id/{kind}/{key}"


def organisation_iri(siren: str, base: str = DEFAULT_BASE) -> str:
    if not SIREN_RE.match(siren):
        raise ValueError(f"invalid SIREN {siren!r}")
    return instance_iri("organisation", siren, base)


def entry_graph() -> Graph:
    """An rdflib graph for one entry's triples. rdflib's default store keeps a back-reference
    to each graph (a reference cycle: freed only by the cyclic garbage collector, so an import
    of many rows grew) and its context bookkeeping makes every add twice as slow; the simple
    store has neither. Entry graphs have a single context, so nothing is lost."""
    return Graph(store="SimpleMemory")
