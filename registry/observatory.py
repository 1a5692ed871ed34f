"""The observatory's figures, over the API's in-memory index of public deployments
(:mod:`registry.index`, rebuilt once per data version) plus what that index lacks for people:
the names of départements and régions, the organisations' legal categories with fr/en labels,
and the AI systems reused by the most collectivités. Plain functions over the Store protocol and
the index, so the API and the pages share them; the callers cache them per data version."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from registry.index import Deployment, Index
from registry.store.base import Store

PREFIXES = """PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX tech: <https://w3id.org/dpv/tech#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

HIGH_RISK = ("haut-risque-annexe-i", "haut-risque-annexe-iii")


@dataclass
class Extras:
    """What the pages need beyond the index: names and fr/en labels."""

    departements: dict[str, str] = field(default_factory=dict)  # INSEE code -> name
    regions: dict[str, str] = field(default_factory=dict)
    region_of_departement: dict[str, str] = field(default_factory=dict)
    # organisation IRI -> legal category IRI; category IRI -> {"fr": ..., "en": ...}
    org_category: dict[str, str] = field(default_factory=dict)
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def category_label(self, iri: str, lang: str) -> str:
        labels = self.category_labels.get(iri, {})
        return labels.get(lang) or labels.get("fr") or iri.rsplit("/", 1)[-1]


def _rows(store: Store, body: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.select(PREFIXES + body)]


def load_extras(store: Store) -> Extras:
    """A few small queries: territory names (≈120 rows), and the legal categories of the
    organisations that deploy something (not of the 35,000 communes), labelled fr and en."""
    extras = Extras()
    for row in _rows(
        store,
        """SELECT ?kind ?code ?name ?parent WHERE {
          VALUES ?kind { igeo:Departement igeo:Region }
          ?t a ?kind ; igeo:codeINSEE ?code .
          OPTIONAL { ?t rdfs:label ?name }
          OPTIONAL { ?t igeo:subdivisionDirecteDe ?p . ?p a igeo:Region ; igeo:codeINSEE ?parent }
        }""",
    ):
        code = row["code"]
        if row["kind"].endswith("Departement"):
            extras.departements.setdefault(code, row.get("name", code))
            if "parent" in row:
                extras.region_of_departement[code] = row["parent"]
        else:
            extras.regions.setdefault(code, row.get("name", code))
    for row in _rows(
        store,
        """SELECT DISTINCT ?org ?cat WHERE {
          ?d a iat:Deployment ; tech:hasDeployer ?org . ?org org:classification ?cat
        }""",
    ):
        extras.org_category.setdefault(row["org"], row["cat"])
    for lang in ("fr", "en"):
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?cat ?label WHERE {{
              ?d a iat:Deployment ; tech:hasDeployer ?org .
              ?org org:classification ?cat . ?cat skos:prefLabel ?label
              FILTER(LANG(?label) = "{lang}")
            }}""",
        ):
            extras.category_labels.setdefault(row["cat"], {})[lang] = row["label"]
    return extras


@dataclass(frozen=True)
class KeyFigures:
    deployments: int
    systems: int
    organisations: int
    individual_decisions: int
    high_risk: int

    @property
    def individual_share(self) -> float:
        return self.individual_decisions / self.deployments if self.deployments else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "deployments": self.deployments,
            "systems": self.systems,
            "organisations": self.organisations,
            "individualDecisions": self.individual_decisions,
            "individualShare": round(self.individual_share, 3),
            "highRisk": self.high_risk,
        }


def key_figures(index: Index) -> KeyFigures:
    items = index.deployments
    return KeyFigures(
        deployments=len(items),
        systems=len({d.system for d in items if d.system}),
        organisations=len({d.deployer for d in items if d.deployer}),
        individual_decisions=sum(1 for d in items if d.individual_decision),
        high_risk=sum(1 for d in items if d.risk_level in HIGH_RISK),
    )


def counts_by(index: Index, extras: Extras, dimension: str) -> Counter[str]:
    """Deployments per value of one dimension (a deployment with two purposes counts in
    both). Dimensions: theme, purpose, family, riskLevel, status, organisationType,
    departement, region, startYear, provider."""
    counter: Counter[str] = Counter()
    for d in index.deployments:
        counter.update(set(dimension_values(index, extras, d, dimension)))
    return counter


def dimension_values(index: Index, extras: Extras, d: Deployment, dimension: str) -> list[str]:
    if dimension == "organisationType":
        category = extras.org_category.get(d.deployer or "")
        return [category] if category else []
    if dimension == "startYear":
        return [d.start[:4]] if d.start else []
    if dimension == "provider":
        system = index.systems.get(d.system or "")
        return [system.provider] if system and system.provider else []
    return index.facet_values(d).get(dimension, [])


@dataclass(frozen=True)
class ReusedSystem:
    iri: str
    key: str
    title: str
    organisations: int
    deployments: int


def most_reused_systems(index: Index, limit: int = 10) -> list[ReusedSystem]:
    """AI systems by number of distinct deploying organisations, then deployments."""
    orgs: dict[str, set[str]] = {}
    deployments: Counter[str] = Counter()
    for d in index.deployments:
        if d.system:
            deployments[d.system] += 1
            if d.deployer:
                orgs.setdefault(d.system, set()).add(d.deployer)
    ranked = sorted(deployments, key=lambda s: (-len(orgs.get(s, ())), -deployments[s], s))[:limit]
    out = []
    for iri in ranked:
        system = index.systems.get(iri)
        out.append(
            ReusedSystem(
                iri=iri,
                key=system.key if system else iri.rsplit("/", 1)[-1],
                title=(system.title if system else "") or iri.rsplit("/", 1)[-1],
                organisations=len(orgs.get(iri, ())),
                deployments=deployments[iri],
            )
        )
    return out
