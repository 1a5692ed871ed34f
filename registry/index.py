"""An in-memory index of the public deployments, built with a few SPARQL queries once per data
version, from which the REST listings filter, search, sort, page and count facets without an
aggregate per request. Rebuilt lazily after a write made through the API (the data version)."""

from __future__ import annotations

import json
from collections import Counter
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


def _deployments(store: Store, only: list[str] | None) -> dict[str, Deployment]:
    only_d = _values("d", only)
    deployments: dict[str, Deployment] = {}
    for row in _select(
        store,
        f"""SELECT ?d ?key ?title ?descr ?org ?sys ?status ?risk ?ind ?sup ?mod WHERE {{
          {only_d}
          ?d a iat:Deployment .
          OPTIONAL {{ ?d dct:identifier ?key }}
          OPTIONAL {{ ?d dct:title ?title FILTER(LANG(?title) = "fr" || LANG(?title) = "") }}
          OPTIONAL {{ ?d dct:description ?descr
                     FILTER(LANG(?descr) = "fr" || LANG(?descr) = "") }}
          OPTIONAL {{ ?d tech:hasDeployer ?org }}
          OPTIONAL {{ ?d ai:hasAISystem ?sys }}
          OPTIONAL {{ ?d adms:status ?status }}
          OPTIONAL {{ ?d eu-aiact:hasRiskLevel ?risk }}
          OPTIONAL {{ ?d iat:individualDecision ?ind }}
          OPTIONAL {{ ?d dpv:hasHumanInvolvement ?sup }}
          OPTIONAL {{ ?d dct:modified ?mod }}
        }}""",
    ):
        iri = row["d"]
        if iri in deployments:
            continue  # a second title/description: the first wins
        deployments[iri] = Deployment(
            iri=iri,
            key=row.get("key") or _last_segment(iri),
            title=row.get("title", ""),
            description=row.get("descr", ""),
            deployer=row.get("org"),
            system=row.get("sys"),
            status=_notation(row["status"]) if "status" in row else None,
            risk_level=_notation(row["risk"]) if "risk" in row else None,
            individual_decision=(row["ind"] in ("true", "1")) if "ind" in row else None,
            human_involvement=_notation(row["sup"]) if "sup" in row else None,
            modified=row.get("mod"),
        )
    for prop, attr in (
        ("dpv:hasPurpose", "purposes"),
        ("dcat:theme", "themes"),
        ("iat:aiActCategory", "categories"),
    ):
        for row in _select(
            store, f"SELECT ?d ?v WHERE {{ {only_d} ?d a iat:Deployment ; {prop} ?v }}"
        ):
            d = deployments.get(row["d"])
            if d is not None:
                getattr(d, attr).append(_notation(row["v"]))
    for row in _select(
        store,
        f"""SELECT ?d ?start WHERE {{ {only_d} ?d a iat:Deployment ; dct:temporal ?t .
             ?t dcat:startDate ?start }}""",
    ):
        d = deployments.get(row["d"])
        if d is not None and (d.start is None or row["start"] < d.start):
            d.start = row["start"]
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
    deployments = _deployments(store, None)
    systems = _systems(store)
    items = sorted(deployments.values(), key=lambda d: d.key)
    for d in items:
        d.search_text = _search_text(d, systems)
    return Index(items, _organisations(store, None), systems, _labels(store))


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
