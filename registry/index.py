"""An in-memory index of the public deployments, built with a few SPARQL queries once per data
version, from which the REST listings filter, search, sort, page and count facets without an
aggregate per request. Rebuilt lazily after a write made through the API (the data version)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from registry.store.base import Store
from registry.vocab import fold

PREFIXES = """PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX ai: <https://w3id.org/dpv/ai#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX tech: <https://w3id.org/dpv/tech#>
PREFIX eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX time: <http://www.w3.org/2006/time#>
"""

# facet name -> attribute of Deployment holding its value(s)
FACETS = (
    "theme",
    "purpose",
    "family",
    "riskLevel",
    "status",
    "individualDecision",
    "departement",
    "region",
    "organisationType",
)


@dataclass
class Organisation:
    iri: str
    key: str
    name: str = ""
    departement: str | None = None
    region: str | None = None
    type_label: str | None = None


@dataclass
class AISystem:
    iri: str
    key: str
    title: str = ""
    description: str = ""
    families: list[str] = field(default_factory=list)
    provider: str | None = None
    provider_name: str | None = None


@dataclass
class Deployment:
    iri: str
    key: str
    title: str = ""
    description: str = ""
    deployer: str | None = None
    system: str | None = None
    status: str | None = None
    risk_level: str | None = None
    categories: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    individual_decision: bool | None = None
    human_involvement: str | None = None
    start: str | None = None
    modified: str | None = None
    search_text: str = ""


@dataclass
class Index:
    deployments: list[Deployment]
    organisations: dict[str, Organisation]
    systems: dict[str, AISystem]
    labels: dict[str, str]  # concept notation (scheme/notation) -> French label

    def facet_values(self, d: Deployment) -> dict[str, list[str]]:
        org = self.organisations.get(d.deployer or "")
        system = self.systems.get(d.system or "")
        return {
            "theme": d.themes,
            "purpose": d.purposes,
            "family": system.families if system else [],
            "riskLevel": [d.risk_level] if d.risk_level else [],
            "status": [d.status] if d.status else [],
            "individualDecision": (
                [] if d.individual_decision is None else [str(d.individual_decision).lower()]
            ),
            "departement": [org.departement] if org and org.departement else [],
            "region": [org.region] if org and org.region else [],
            "organisationType": [org.type_label] if org and org.type_label else [],
        }

    def facets(self, items: list[Deployment]) -> dict[str, list[dict[str, Any]]]:
        counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for d in items:
            for name, values in self.facet_values(d).items():
                counters[name].update(set(values))
        return {
            name: [
                {"value": value, "label": self.labels.get(value, value), "count": count}
                for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            for name, counter in counters.items()
        }


def _notation(iri: str) -> str:
    """``…/vocab/statut/en-service`` -> ``en-service``; other IRIs unchanged."""
    marker = "/vocab/"
    if marker in iri:
        return iri.rsplit("/", 1)[-1]
    return iri


def _last_segment(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _select(store: Store, body: str) -> list[dict[str, str]]:
    """Rows as plain strings. Read through the store's own JSON serialiser: at 100 k entries
    this is several times faster than building rdflib terms for a million values."""
    raw, _ = store.query_raw(PREFIXES + body, "application/sparql-results+json")
    result = json.loads(raw)
    return [
        {name: term["value"] for name, term in row.items()} for row in result["results"]["bindings"]
    ]


def _values(var: str, iris: list[str] | None) -> str:
    """A VALUES clause restricting ``var`` (``None``: no restriction). IRIs come from the
    registry's own layout (checked keys), never from a request."""
    if iris is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"


def _pairs(store: Store, body: str) -> list[list[str]]:
    """Rows as lists of plain values, read through the store's own CSV serialiser and Python's
    C csv parser: no rdflib term and no dict per row. CSV drops language tags and datatypes,
    so the queries filter on them themselves. Unbound values come back as ``""``."""
    raw, _ = store.query_raw(PREFIXES + body, "text/csv")
    rows = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    next(rows, None)  # the header
    return list(rows)


# Deployment attribute -> (property, lang filter?, concept?, multi-valued?)
_DEPLOYMENT_PROPS: dict[str, tuple[str, bool, bool, bool]] = {
    "key": ("dct:identifier", False, False, False),
    "title": ("dct:title", True, False, False),
    "description": ("dct:description", True, False, False),
    "deployer": ("tech:hasDeployer", False, False, False),
    "system": ("ai:hasAISystem", False, False, False),
    "status": ("adms:status", False, True, False),
    "risk_level": ("eu-aiact:hasRiskLevel", False, True, False),
    "individual_decision": ("iat:individualDecision", False, False, False),
    "human_involvement": ("dpv:hasHumanInvolvement", False, True, False),
    "modified": ("dct:modified", False, False, False),
    "purposes": ("dpv:hasPurpose", False, True, True),
    "themes": ("dcat:theme", False, True, True),
    "categories": ("iat:aiActCategory", False, True, True),
}


def _deployments(store: Store, only: list[str] | None) -> dict[str, Deployment]:
    """One plain scan per property, joined in Python. In an on-disk store the time of such a
    read goes into turning the store's term ids back into strings (µs per IRI or long
    literal) and into per-row index seeks (what OPTIONAL costs): one scan per property reads
    its index sequentially and decodes each value once. At 100 k deployments the previous
    single query with ten OPTIONALs took ~50 s; these scans take a few seconds."""
    only_d = _values("d", only)
    bodies = [f"SELECT ?d WHERE {{ {only_d} ?d a iat:Deployment }}"]
    for prop, lang, _, _ in _DEPLOYMENT_PROPS.values():
        only_fr = ' FILTER(LANG(?v) = "fr" || LANG(?v) = "")' if lang else ""
        bodies.append(f"SELECT ?d ?v WHERE {{ {only_d} ?d {prop} ?v{only_fr} }}")
    bodies.append(
        f"SELECT ?d ?start WHERE {{ {only_d} ?d dct:temporal ?t . ?t dcat:startDate ?start }}"
    )
    # the store decodes terms without holding the GIL: two scans at a time use both cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda body: _pairs(store, body), bodies))
    deployments: dict[str, Deployment] = {iri: Deployment(iri=iri, key="") for (iri,) in results[0]}
    for (attr, (_, _, concept, multi)), rows in zip(
        _DEPLOYMENT_PROPS.items(), results[1:-1], strict=True
    ):
        seen: set[str] = set()
        for iri, value in rows:
            d = deployments.get(iri)
            if d is None:
                continue  # the same property on another kind of entry
            if concept:
                value = _notation(value)
            if multi:
                getattr(d, attr).append(value)
            elif iri not in seen:  # a second value: the first wins
                seen.add(iri)
                setattr(
                    d, attr, (value in ("true", "1")) if attr == "individual_decision" else value
                )
    for iri, start in results[-1]:
        d = deployments.get(iri)
        if d is not None and (d.start is None or start < d.start):
            d.start = start
    for d in deployments.values():
        d.key = d.key or _last_segment(d.iri)
    return deployments


def _organisations(store: Store, only: list[str] | None) -> dict[str, Organisation]:
    deployers = (
        _values("org", only)
        if only is not None
        else "{ SELECT DISTINCT ?org WHERE { ?d a iat:Deployment ; tech:hasDeployer ?org } }"
    )
    organisations: dict[str, Organisation] = {}
    for row in _select(
        store,
        f"""SELECT DISTINCT ?org ?name ?dep ?reg ?type WHERE {{
          {deployers}
          OPTIONAL {{ ?org foaf:name ?name }}
          OPTIONAL {{ ?org dct:spatial/dct:isPartOf* ?depT . ?depT a igeo:Departement ;
                     igeo:codeINSEE ?dep }}
          OPTIONAL {{ ?org dct:spatial/dct:isPartOf* ?regT . ?regT a igeo:Region ;
                     igeo:codeINSEE ?reg }}
          OPTIONAL {{ ?org org:classification/skos:prefLabel ?type }}
        }}""",
    ):
        iri = row["org"]
        if iri in organisations:
            continue
        organisations[iri] = Organisation(
            iri=iri,
            key=_last_segment(iri),
            name=row.get("name", ""),
            departement=row.get("dep"),
            region=row.get("reg"),
            type_label=row.get("type"),
        )
    return organisations


def _systems(store: Store) -> dict[str, AISystem]:
    systems: dict[str, AISystem] = {}
    for row in _select(
        store,
        """SELECT ?s ?key ?title ?descr ?prov ?provName WHERE {
          ?s a ai:AISystem .
          OPTIONAL { ?s dct:identifier ?key }
          OPTIONAL { ?s dct:title ?title FILTER(LANG(?title) = "fr" || LANG(?title) = "") }
          OPTIONAL { ?s dct:description ?descr
                     FILTER(LANG(?descr) = "fr" || LANG(?descr) = "") }
          OPTIONAL { ?s tech:hasProvider ?prov OPTIONAL { ?prov foaf:name ?provName } }
        }""",
    ):
        iri = row["s"]
        if iri in systems:
            continue
        systems[iri] = AISystem(
            iri=iri,
            key=row.get("key") or _last_segment(iri),
            title=row.get("title", ""),
            description=row.get("descr", ""),
            provider=row.get("prov"),
            provider_name=row.get("provName"),
        )
    for row in _select(store, "SELECT ?s ?f WHERE { ?s a ai:AISystem ; dct:type ?f }"):
        system = systems.get(row["s"])
        if system is not None:
            system.families.append(_notation(row["f"]))
    return systems


def _labels(store: Store) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in _select(
        store,
        """SELECT ?c ?l WHERE { ?c a skos:Concept ; skos:prefLabel ?l
             FILTER(LANG(?l) = "fr") FILTER(CONTAINS(STR(?c), "/vocab/")) }""",
    ):
        labels.setdefault(_notation(row["c"]), row["l"])
    return labels


def _search_text(d: Deployment, systems: dict[str, AISystem]) -> str:
    system = systems.get(d.system or "")
    return fold(" ".join((d.title, d.description, system.title if system else "")))


def build_index(store: Store) -> Index:
    with ThreadPoolExecutor(max_workers=1) as pool:  # the small reads beside the big ones
        systems_f = pool.submit(_systems, store)
        organisations_f = pool.submit(_organisations, store, None)
        labels_f = pool.submit(_labels, store)
        deployments = _deployments(store, None)
        systems = systems_f.result()
        organisations = organisations_f.result()
        labels = labels_f.result()
    items = sorted(deployments.values(), key=lambda d: d.key)
    for d in items:
        d.search_text = _search_text(d, systems)
    return Index(items, organisations, systems, labels)


def refresh(index: Index, store: Store, deployment_iris: list[str]) -> Index:
    """A new index equal to ``index`` with the given deployments re-read from the store (added,
    changed or gone) and the AI systems re-read: what a write through the API needs, at the
    cost of a few point queries instead of a full rebuild (minutes at 100 k entries). The old
    index is left untouched for readers still holding it."""
    fresh = _deployments(store, deployment_iris)
    systems = _systems(store)
    changed = set(deployment_iris)
    items = [d for d in index.deployments if d.iri not in changed]
    for d in fresh.values():
        d.search_text = _search_text(d, systems)
        items.append(d)
    items.sort(key=lambda d: d.key)
    organisations = dict(index.organisations)
    new_orgs = sorted({d.deployer for d in fresh.values() if d.deployer})
    if new_orgs:
        organisations.update(_organisations(store, new_orgs))
    return Index(items, organisations, systems, index.labels)
