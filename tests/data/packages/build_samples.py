"""Writes the sample data packages of this folder (run it again after editing the rows below).

    .venv/bin/python tests/data/packages/build_samples.py

They follow the data-package contract described in ``publishers/README.md`` (the contract between
the registry's exporter and the CKAN publisher):

    national/                      one package for the whole registry
    per-organisation/<slug>/       one package per publishing organisation (``--per-organisation``)

Each package: ``datapackage.json`` + ``data/*.csv`` (Table Schemas in ``schemas/``) +
``rdf/registre.ttl`` + ``rdf/registre.jsonld``. Apart from ``fr-plaisir-optimus`` (the curated
example of ``ontology/examples/``) the entries are fictitious test data. Output is deterministic:
same rows, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef

HERE = Path(__file__).resolve().parent
BASE = "https://w3id.org/ia-territoires/"
REGISTRY_URL = "https://registre.ia-territoires.example/"
CREATED = "2026-11-25T10:00:00Z"
VERSION = "2026.11.25"
PROFILE = f"{BASE}profile/0.1"
LICENSE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}

IAT = Namespace(f"{BASE}def#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DPV = Namespace("https://w3id.org/dpv#")
AI = Namespace("https://w3id.org/dpv/ai#")
TECH = Namespace("https://w3id.org/dpv/tech#")
AIACT = Namespace("https://w3id.org/dpv/legal/eu/aiact#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

ORGANISATIONS = [
    {
        "siren": "217804905",
        "nom": "Commune de Plaisir",
        "slug": "commune-de-plaisir",
        "type": "commune",
        "territoire": "commune-78490",
    },
    {
        "siren": "200000001",
        "nom": "Communauté d'agglomération Exemple-sur-Loire",
        "slug": "ca-exemple-sur-loire",
        "type": "epci",
        "territoire": "epci-200000001",
    },
    {
        "siren": "223800012",
        "nom": "Département de l'Isère",
        "slug": "departement-de-l-isere",
        "type": "departement",
        "territoire": "departement-38",
    },
]

DEPLOYMENTS = [
    {
        "identifiant": "fr-plaisir-optimus",
        "titre": "Optimus, callbot du standard téléphonique de la mairie",
        "description": "Agent conversationnel vocal qui décroche les appels du standard de la "
        "mairie et oriente vers le service compétent.",
        "organisation_siren": "217804905",
        "systeme": "yelda-callbot",
        "statut": "en-service",
        "niveau_risque": "non-evaluee",
        "finalites": "information-usagers",
        "domaines": "relation-usagers",
        "decision_individuelle": "false",
        "supervision": "supervision-continue",
        "date_debut": "2022-09",
        "modifie": "2026-11-25",
    },
    {
        "identifiant": "fr-exemple-loire-dechets-vision",
        "titre": "Détection des dépôts sauvages par analyse d'images",
        "description": "Analyse d'images de caméras embarquées sur les bennes pour signaler les "
        "dépôts sauvages aux agents de la propreté (exemple fictif).",
        "organisation_siren": "200000001",
        "systeme": "exemple-vision-dechets",
        "statut": "experimentation",
        "niveau_risque": "risque-minimal",
        "finalites": "analyse-espace-public",
        "domaines": "proprete-dechets",
        "decision_individuelle": "false",
        "supervision": "validation-humaine",
        "date_debut": "2025-03",
        "modifie": "2026-10-02",
    },
    {
        "identifiant": "fr-exemple-loire-courriers-llm",
        "titre": "Aide à la rédaction des réponses aux courriers",
        "description": "Modèle de langage proposant un premier jet de réponse aux courriers des "
        "usagers, relu par un agent (exemple fictif).",
        "organisation_siren": "200000001",
        "systeme": "exemple-llm-redaction",
        "statut": "en-service",
        "niveau_risque": "transparence-art-50",
        "finalites": "aide-redaction",
        "domaines": "relation-usagers",
        "decision_individuelle": "false",
        "supervision": "validation-humaine",
        "date_debut": "2024",
        "modifie": "2026-09-15",
    },
    {
        "identifiant": "fr-isere-rsa-priorisation",
        "titre": "Priorisation des dossiers d'allocation (exemple fictif)",
        "description": "Score de priorité proposé aux instructeurs pour l'ordre de traitement des "
        "demandes ; la décision reste humaine (exemple fictif).",
        "organisation_siren": "223800012",
        "systeme": "exemple-score-priorite",
        "statut": "envisage",
        "niveau_risque": "haut-risque-annexe-iii",
        "finalites": "instruction-prestations",
        "domaines": "action-sociale",
        "decision_individuelle": "true",
        "supervision": "aide-a-la-decision",
        "date_debut": "",
        "modifie": "2026-11-01",
    },
]

THEME_LABELS = {
    "relation-usagers": "Relation aux usagers",
    "proprete-dechets": "Propreté et déchets",
    "action-sociale": "Action sociale",
}

DEPLOYMENT_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "identifiant",
            "type": "string",
            "title": "Identifiant",
            "description": "Clé stable de l'entrée (dct:identifier)",
            "constraints": {"required": True, "unique": True, "pattern": "[a-z0-9][a-z0-9-]*"},
        },
        {
            "name": "iri",
            "type": "string",
            "format": "uri",
            "title": "IRI",
            "constraints": {"required": True},
        },
        {"name": "titre", "type": "string", "title": "Titre", "constraints": {"required": True}},
        {"name": "description", "type": "string", "title": "Description"},
        {
            "name": "organisation_siren",
            "type": "string",
            "title": "SIREN du déployeur",
            "constraints": {"required": True, "pattern": "[0-9]{9}"},
        },
        {"name": "systeme", "type": "string", "title": "Système d'IA (identifiant)"},
        {
            "name": "statut",
            "type": "string",
            "title": "Statut",
            "constraints": {
                "required": True,
                "enum": ["envisage", "experimentation", "en-service", "suspendu", "arrete"],
            },
        },
        {"name": "niveau_risque", "type": "string", "title": "Niveau de risque (AI Act)"},
        {"name": "finalites", "type": "string", "title": "Finalités (notations, séparées par |)"},
        {"name": "domaines", "type": "string", "title": "Domaines (notations, séparées par |)"},
        {"name": "decision_individuelle", "type": "boolean", "title": "Décision individuelle"},
        {"name": "supervision", "type": "string", "title": "Intervention humaine"},
        {
            "name": "date_debut",
            "type": "string",
            "title": "Début (AAAA, AAAA-MM ou AAAA-MM-JJ)",
            "constraints": {"pattern": "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"},
        },
        {
            "name": "modifie",
            "type": "date",
            "title": "Modifiée le",
            "constraints": {"required": True},
        },
    ],
    "primaryKey": ["identifiant"],
    "missingValues": [""],
}
ORGANISATION_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "siren",
            "type": "string",
            "title": "SIREN",
            "constraints": {"required": True, "unique": True, "pattern": "[0-9]{9}"},
        },
        {"name": "iri", "type": "string", "format": "uri", "constraints": {"required": True}},
        {"name": "nom", "type": "string", "title": "Nom", "constraints": {"required": True}},
        {"name": "type", "type": "string", "title": "Type de collectivité"},
        {"name": "territoire", "type": "string", "title": "Territoire (clé)"},
    ],
    "primaryKey": ["siren"],
}


def _iri(kind: str, key: str) -> str:
    return f"{BASE}id/{kind}/{key}"


def _csv(rows: list[dict[str, str]], fields: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _graph(deployments: list[dict[str, str]], orgs: list[dict[str, str]]) -> Graph:
    g = Graph()
    for prefix, ns in [
        ("iat", IAT),
        ("dct", DCT),
        ("dcat", DCAT),
        ("adms", ADMS),
        ("dpv", DPV),
        ("ai", AI),
        ("tech", TECH),
        ("eu-aiact", AIACT),
        ("foaf", FOAF),
    ]:
        g.bind(prefix, ns)
    for row in deployments:
        s = URIRef(_iri("deploiement", row["identifiant"]))
        g.add((s, RDF.type, IAT.Deployment))
        g.add((s, DCT.identifier, Literal(row["identifiant"])))
        g.add((s, DCT.title, Literal(row["titre"], lang="fr")))
        g.add((s, DCT.description, Literal(row["description"], lang="fr")))
        g.add((s, TECH.hasDeployer, URIRef(_iri("organisation", row["organisation_siren"]))))
        g.add((s, AI.hasAISystem, URIRef(_iri("systeme", row["systeme"]))))
        g.add((s, ADMS.status, URIRef(f"{BASE}vocab/statut/{row['statut']}")))
        g.add(
            (
                s,
                AIACT.hasRiskLevel,
                URIRef(f"{BASE}vocab/classification-ai-act/{row['niveau_risque']}"),
            )
        )
        g.add((s, DPV.hasPurpose, URIRef(f"{BASE}vocab/finalite/{row['finalites']}")))
        g.add((s, DCAT.theme, URIRef(f"{BASE}vocab/domaine/{row['domaines']}")))
        g.add(
            (
                s,
                IAT.individualDecision,
                Literal(row["decision_individuelle"] == "true", datatype=XSD.boolean),
            )
        )
        g.add((s, DPV.hasHumanInvolvement, URIRef(f"{BASE}vocab/supervision/{row['supervision']}")))
        g.add((s, DCT.modified, Literal(row["modifie"], datatype=XSD.date)))
    for org in orgs:
        o = URIRef(_iri("organisation", org["siren"]))
        g.add((o, RDF.type, FOAF.Organization))
        g.add((o, FOAF.name, Literal(org["nom"])))
    return g


def _jsonld(g: Graph) -> bytes:
    # Inline context only: a data package never names a remote context.
    context = {
        "iat": str(IAT),
        "dct": str(DCT),
        "dcat": str(DCAT),
        "adms": str(ADMS),
        "dpv": str(DPV),
        "ai": str(AI),
        "tech": str(TECH),
        "eu-aiact": str(AIACT),
        "foaf": str(FOAF),
        "xsd": str(XSD),
    }
    data = json.loads(g.serialize(format="json-ld", context=context))
    # rdflib's JSON-LD order follows set iteration (changes per run): sort for stable bytes.
    nodes = data.get("@graph", [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    nodes.sort(key=lambda n: str(n.get("@id")))
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def write_package(
    folder: Path,
    descriptor: dict[str, Any],
    deployments: list[dict[str, str]],
    orgs: list[dict[str, str]],
) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    (folder / "schemas").mkdir()
    (folder / "rdf").mkdir()
    dep_rows = [{"iri": _iri("deploiement", d["identifiant"]), **d} for d in deployments]
    org_rows = [{"iri": _iri("organisation", o["siren"]), **o} for o in orgs]
    dep_fields = [f["name"] for f in DEPLOYMENT_SCHEMA["fields"]]
    org_fields = [f["name"] for f in ORGANISATION_SCHEMA["fields"]]
    (folder / "data" / "deploiements.csv").write_bytes(
        _csv([{k: r[k] for k in dep_fields} for r in dep_rows], dep_fields)
    )
    (folder / "data" / "organisations.csv").write_bytes(
        _csv([{k: r[k] for k in org_fields} for r in org_rows], org_fields)
    )
    for name, schema in [
        ("deploiements", DEPLOYMENT_SCHEMA),
        ("organisations", ORGANISATION_SCHEMA),
    ]:
        (folder / "schemas" / f"{name}.schema.json").write_text(
            json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    g = _graph(deployments, orgs)
    ttl = g.serialize(format="turtle")
    (folder / "rdf" / "registre.ttl").write_text(ttl, encoding="utf-8")
    (folder / "rdf" / "registre.jsonld").write_bytes(_jsonld(g))
    descriptor["resources"] = [
        {
            "name": "deploiements",
            "path": "data/deploiements.csv",
            "type": "table",
            "title": "Déploiements de systèmes d'IA",
            "description": "Une ligne par déploiement (entrée du registre).",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": "schemas/deploiements.schema.json",
        },
        {
            "name": "organisations",
            "path": "data/organisations.csv",
            "type": "table",
            "title": "Organisations déployeuses",
            "description": "Les collectivités qui déploient les systèmes listés.",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": "schemas/organisations.schema.json",
        },
        {
            "name": "registre-turtle",
            "path": "rdf/registre.ttl",
            "type": "file",
            "title": "Registre en RDF (Turtle)",
            "description": "Les mêmes entrées en données liées, sérialisées en Turtle.",
            "format": "ttl",
            "mediatype": "text/turtle",
            "encoding": "utf-8",
        },
        {
            "name": "registre-jsonld",
            "path": "rdf/registre.jsonld",
            "type": "file",
            "title": "Registre en RDF (JSON-LD)",
            "description": "Les mêmes entrées en JSON-LD (contexte inclus, jamais distant).",
            "format": "jsonld",
            "mediatype": "application/ld+json",
            "encoding": "utf-8",
        },
    ]
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _themes(deployments: list[dict[str, str]]) -> list[dict[str, str]]:
    notations = sorted({d["domaines"] for d in deployments})
    return [
        {"notation": n, "label": THEME_LABELS[n], "iri": f"{BASE}vocab/domaine/{n}"}
        for n in notations
    ]


def _descriptor(
    identifier: str,
    title: str,
    description: str,
    deployments: list[dict[str, str]],
    publisher: dict[str, str] | None,
) -> dict:
    descriptor: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": identifier,
        "id": f"{BASE}id/jeu/{identifier}",
        "title": title,
        "description": description,
        "version": VERSION,
        "created": CREATED,
        "homepage": REGISTRY_URL,
        "licenses": [LICENSE],
        "sources": [
            {
                "title": "Registre ia-territoires (catalogue DCAT-AP)",
                "path": f"{REGISTRY_URL}catalog.ttl",
            }
        ],
        "contributors": [{"title": "ia-territoires", "roles": ["publisher"], "path": REGISTRY_URL}],
        "keywords": [
            "intelligence artificielle",
            "collectivités territoriales",
            "registre des algorithmes",
            "données liées",
        ],
        "ia_territoires:identifier": identifier,
        "ia_territoires:themes": _themes(deployments),
        "ia_territoires:conformsTo": PROFILE,
        "ia_territoires:registryUrl": REGISTRY_URL,
        "ia_territoires:entryCount": len(deployments),
    }
    if publisher is not None:
        descriptor["ia_territoires:publisher"] = {
            "identifier": publisher["siren"],
            "name": publisher["nom"],
            "slug": publisher["slug"],
            "iri": _iri("organisation", publisher["siren"]),
        }
        descriptor["contributors"].append(
            {
                "title": publisher["nom"],
                "roles": ["author"],
                "path": _iri("organisation", publisher["siren"]),
            }
        )
    return descriptor


def main() -> None:
    write_package(
        HERE / "national",
        _descriptor(
            "ia-territoires-registre-national",
            "Registre des systèmes d'IA des collectivités territoriales",
            "Les systèmes d'intelligence artificielle utilisés par les collectivités "
            "territoriales françaises (communes, EPCI, départements, régions) : finalité, "
            "statut, niveau de risque au sens du règlement européen sur l'IA, intervention "
            "humaine. Jeu d'exemple pour les tests : entrées fictives sauf fr-plaisir-optimus.",
            DEPLOYMENTS,
            None,
        ),
        DEPLOYMENTS,
        ORGANISATIONS,
    )
    per_org = HERE / "per-organisation"
    shutil.rmtree(per_org, ignore_errors=True)
    for org in ORGANISATIONS[:2]:
        rows = [d for d in DEPLOYMENTS if d["organisation_siren"] == org["siren"]]
        write_package(
            per_org / org["slug"],
            _descriptor(
                f"ia-territoires-{org['siren']}",
                f"Systèmes d'IA : {org['nom']}",
                f"Les systèmes d'intelligence artificielle déployés par {org['nom']}, extraits "
                "du registre ia-territoires. Jeu d'exemple pour les tests.",
                rows,
                org,
            ),
            rows,
            [org],
        )


if __name__ == "__main__":
    main()
