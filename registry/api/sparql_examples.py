"""Ready-made queries for researchers, shown on the SPARQL page (and reused by the README)."""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX ai: <https://w3id.org/dpv/ai#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX tech: <https://w3id.org/dpv/tech#>
PREFIX eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@dataclass(frozen=True)
class Example:
    title_fr: str
    title_en: str
    query: str


def examples(base: str) -> list[Example]:
    vocab = f"{base}vocab/"
    return [
        Example(
            "Déploiements par domaine",
            "Deployments by domain",
            PREFIXES
            + """SELECT ?domaine ?libelle (COUNT(?d) AS ?deploiements) WHERE {
  ?d a iat:Deployment ; dcat:theme ?domaine .
  OPTIONAL { ?domaine skos:prefLabel ?libelle FILTER(LANG(?libelle) = "fr") }
}
GROUP BY ?domaine ?libelle
ORDER BY DESC(?deploiements)""",
        ),
        Example(
            "Systèmes réutilisés par le plus de collectivités",
            "Systems reused by the most local governments",
            PREFIXES
            + """SELECT ?systeme ?titre (COUNT(DISTINCT ?org) AS ?collectivites) WHERE {
  ?d a iat:Deployment ; ai:hasAISystem ?systeme ; tech:hasDeployer ?org .
  OPTIONAL { ?systeme dct:title ?titre }
}
GROUP BY ?systeme ?titre
ORDER BY DESC(?collectivites)
LIMIT 20""",
        ),
        Example(
            "Déploiements à haut risque sans analyse d'impact sur les droits fondamentaux (AIDF)",
            "High-risk deployments without a fundamental-rights impact assessment (FRIA)",
            PREFIXES
            + f"""SELECT ?d ?titre ?organisation WHERE {{
  VALUES ?niveau {{ <{vocab}classification-ai-act/haut-risque-annexe-iii>
                   <{vocab}classification-ai-act/haut-risque-annexe-i> }}
  ?d a iat:Deployment ; eu-aiact:hasRiskLevel ?niveau ; dct:title ?titre ;
     tech:hasDeployer/foaf:name ?organisation .
  FILTER NOT EXISTS {{ ?d dpv:hasImpactAssessment ?aidf . ?aidf a eu-aiact:FRIA }}
}}
ORDER BY ?organisation""",
        ),
        Example(
            "Déploiements dans un département (ici l'Isère, 38)",
            "Deployments in a département (here Isère, 38)",
            PREFIXES
            + f"""SELECT ?d ?titre ?organisation WHERE {{
  ?d a iat:Deployment ; dct:title ?titre ; tech:hasDeployer ?org .
  ?org foaf:name ?organisation ; dct:spatial ?territoire .
  ?territoire (dct:isPartOf)* <{base}id/territoire/departement-38> .
}}
ORDER BY ?organisation""",
        ),
    ]
