"""Deterministic generator of a registry of N deployments, in the pattern of ontology/MODEL.md.

Writes N-Quads. Every entry (deployment + its catalogue record, AI system, organisation) is
written twice: in its version graph ``{base}graph/version/{kind}/{key}/1`` and, right after, in
the default graph (the registry's public view). Shape: about 40 triples per deployment, labels in
French and English, ~N/20 shared AI systems, organisations with Luhn-valid SIRENs (communes,
EPCI, départements, régions; vendors), concepts from the schemes' notations.

    python benchmarks/generate.py --n 10000 --out /tmp/registry-10k.nq
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

BASE = "https://w3id.org/ia-territoires/"
ID = BASE + "id/"
VOCAB = BASE + "vocab/"
GRAPH_VERSION = BASE + "graph/version/"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
ADMS = "http://www.w3.org/ns/adms#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DQV = "http://www.w3.org/ns/dqv#"
OA = "http://www.w3.org/ns/oa#"
IAT = BASE + "def#"
DPV = "https://w3id.org/dpv#"
AI = "https://w3id.org/dpv/ai#"
TECH = "https://w3id.org/dpv/tech#"
PD = "https://w3id.org/dpv/pd#"
EU_AIACT = "https://w3id.org/dpv/legal/eu/aiact#"
CV = "http://data.europa.eu/m8g/"

STATUT = [
    "envisage",
    "experimentation",
    "en-service",
    "en-service",
    "en-service",
    "suspendu",
    "arrete",
]
RISK = [
    "risque-minimal",
    "risque-minimal",
    "transparence-art-50",
    "haut-risque-annexe-iii",
    "hors-champ",
    "non-evaluee",
    "non-evaluee",
]
SUPERVISION = [
    "aide-a-la-decision",
    "validation-humaine",
    "supervision-continue",
    "reexamen-sur-demande",
    "sans-intervention",
    "non-documentee",
]
FAMILLE = [
    "llm",
    "generation-image-son",
    "agent-conversationnel",
    "vision",
    "biometrie",
    "parole",
    "analyse-textes",
    "prediction",
    "optimisation",
    "regles",
    "statistique",
]
FINALITE = [
    "information-usagers",
    "traitement-demandes",
    "instruction-prestations",
    "controle-fraude",
    "analyse-espace-public",
    "mobilite",
    "maintenance-predictive",
    "energie-environnement",
    "aide-redaction",
    "traduction-transcription",
    "pilotage-donnees",
    "ressources-humaines",
    "urgences-secours",
    "education-orientation",
]
DOMAINE = [
    "relation-usagers",
    "etat-civil-citoyennete",
    "action-sociale",
    "sante",
    "education-jeunesse",
    "culture-sport-loisirs",
    "securite-prevention",
    "mobilite-voirie",
    "urbanisme-habitat",
    "environnement-energie-eau",
    "proprete-dechets",
    "economie-emploi-tourisme",
    "finances-commande-publique",
    "ressources-humaines",
    "administration-numerique",
]
MODE = [
    "developpement-interne",
    "logiciel-libre",
    "solution-mutualisee",
    "solution-editeur",
    "developpement-prestataire",
    "service-etat",
    "experimentation-partenariat",
]
CONFIANCE = ["elevee", "moyenne", "faible"]
PERSONAL = ["TelephoneNumber", "EmailAddress", "Name", "HouseAddress", "Age", None, None]

PRODUCTS = [
    ("Callbot", "Callbot", "agent-conversationnel"),
    ("Assistant", "Assistant", "llm"),
    ("Vision", "Vision", "vision"),
    ("Tri", "Sorting", "analyse-textes"),
    ("Prévision", "Forecast", "prediction"),
    ("Planif", "Planner", "optimisation"),
    ("Transcription", "Transcription", "parole"),
    ("Règles", "Rules", "regles"),
]
VENDORS = [
    "Yelda",
    "Mistral",
    "Numalis",
    "Citopia",
    "Datactivist",
    "Explain",
    "Publidata",
    "Visiativ",
    "Berger-Levrault",
    "Arpège",
    "Ciril",
    "Inetum",
    "Sopra",
    "Docaposte",
    "Kelio",
    "Lexis",
    "Quantmetry",
    "Albert",
    "Jaide",
    "Zenika",
]
PLACES = [
    "Plaisir",
    "Grenoble",
    "Nantes",
    "Lyon",
    "Rennes",
    "Lille",
    "Metz",
    "Dijon",
    "Brest",
    "Angers",
    "Niort",
    "Tours",
    "Pau",
    "Rouen",
    "Nancy",
    "Nîmes",
    "Sète",
    "Agen",
]
KINDS = [
    ("21", "Commune de", "Municipality of"),
    ("24", "Communauté d'agglomération de", "Urban community of"),
    ("22", "Département de", "Department of"),
    ("23", "Région", "Region"),
]


def luhn_siren(prefix: str, rng: random.Random) -> str:
    """A 9-digit SIREN starting with ``prefix`` whose last digit makes it Luhn-valid."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix)))
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def iri(value: str) -> str:
    return f"<{value}>"


def concept(scheme: str, notation: str) -> str:
    return f"<{VOCAB}{scheme}/{notation}>"


Triple = tuple[str, str, str]


def write_entry(out: TextIO, kind: str, key: str, triples: list[Triple]) -> None:
    graph = f"<{GRAPH_VERSION}{kind}/{key}/1>"
    lines = [f"{s} {p} {o}" for s, p, o in triples]
    out.write("".join(f"{line} {graph} .\n" for line in lines))
    out.write("".join(f"{line} .\n" for line in lines))


def organisations(n: int, rng: random.Random) -> list[tuple[str, list[Triple]]]:
    orgs = []
    seen: set[str] = set()
    while len(orgs) < n:
        prefix, fr, _en = KINDS[0] if rng.random() < 0.8 else rng.choice(KINDS[1:])
        siren = luhn_siren(prefix, rng)
        if siren in seen:
            continue
        seen.add(siren)
        place = rng.choice(PLACES)
        s = iri(f"{ID}organisation/{siren}")
        ident = f"_:org{siren}"
        orgs.append(
            (
                siren,
                [
                    (s, iri(RDF_TYPE), iri(FOAF + "Organization")),
                    (s, iri(RDF_TYPE), iri(ORG + "Organization")),
                    (s, iri(RDF_TYPE), iri(CV + "PublicOrganisation")),
                    (s, iri(FOAF + "name"), lit(f"{fr} {place} {len(orgs)}", "fr")),
                    (s, iri(ADMS + "identifier"), ident),
                    (ident, iri(RDF_TYPE), iri(ADMS + "Identifier")),
                    (ident, iri(SKOS + "notation"), lit(siren)),
                    (ident, iri(ADMS + "schemaAgency"), lit("INSEE")),
                ],
            )
        )
    return orgs


def systems(n: int, vendors: list[str], rng: random.Random) -> list[tuple[str, list[Triple]]]:
    out = []
    for i in range(n):
        fr, en, family = rng.choice(PRODUCTS)
        vendor = rng.choice(vendors)
        slug = f"{fr.lower().replace('è', 'e').replace('é', 'e')}-{i}"
        s = iri(f"{ID}systeme/{slug}")
        out.append(
            (
                slug,
                [
                    (s, iri(RDF_TYPE), iri(AI + "AISystem")),
                    (s, iri(DCT + "identifier"), lit(slug)),
                    (s, iri(DCT + "title"), lit(f"{fr} {i}", "fr")),
                    (s, iri(DCT + "title"), lit(f"{en} {i}", "en")),
                    (s, iri(DCT + "description"), lit(f"Système {fr.lower()} numéro {i}.", "fr")),
                    (s, iri(DCT + "type"), concept("famille-ia", family)),
                    (s, iri(TECH + "hasProvider"), iri(f"{ID}organisation/{vendor}")),
                ],
            )
        )
    return out


def deployment(i: int, org: str, system: str, rng: random.Random) -> tuple[str, list[Triple]]:
    key = f"{org}-{i}"
    d = iri(f"{ID}deploiement/{key}")
    rec = iri(f"{ID}fiche/{key}")
    status = rng.choice(STATUT)
    year = rng.randrange(2018, 2026)
    modified = typed(f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", "date")
    purpose = rng.choice(FINALITE)
    t: list[Triple] = [
        (d, iri(RDF_TYPE), iri(IAT + "Deployment")),
        (d, iri(DCT + "identifier"), lit(key)),
        (d, iri(DCT + "title"), lit(f"Usage {i} : {purpose.replace('-', ' ')}", "fr")),
        (d, iri(DCT + "title"), lit(f"Use {i}: {purpose.replace('-', ' ')}", "en")),
        (
            d,
            iri(DCT + "description"),
            lit(f"Déploiement {i} d'un système d'IA pour « {purpose} » par la collectivité.", "fr"),
        ),
        (d, iri(DCT + "description"), lit(f"Deployment {i} of an AI system for {purpose}.", "en")),
        (d, iri(TECH + "hasDeployer"), iri(f"{ID}organisation/{org}")),
        (d, iri(AI + "hasAISystem"), iri(f"{ID}systeme/{system}")),
        (d, iri(DPV + "hasPurpose"), concept("finalite", purpose)),
        (d, iri(DCAT + "theme"), concept("domaine", rng.choice(DOMAINE))),
        (d, iri("http://www.w3.org/ns/adms#status"), concept("statut", status)),
        (d, iri(EU_AIACT + "hasRiskLevel"), concept("classification-ai-act", rng.choice(RISK))),
        (d, iri(IAT + "individualDecision"), typed(rng.choice(["true", "false"]), "boolean")),
        (d, iri(DPV + "hasHumanInvolvement"), concept("supervision", rng.choice(SUPERVISION))),
        (d, iri(DCT + "type"), concept("mode-acquisition", rng.choice(MODE))),
        (d, iri(DCT + "modified"), modified),
        (d, iri(DCT + "issued"), modified),
    ]
    if status == "en-service":
        period = f"_:t{i}"
        t += [
            (d, iri(DCT + "temporal"), period),
            (period, iri(RDF_TYPE), iri(DCT + "PeriodOfTime")),
            (
                period,
                iri(DCAT + "startDate"),
                typed(f"{year}-{rng.randrange(1, 13):02d}", "gYearMonth"),
            ),
        ]
    contact = f"_:c{i}"
    t += [
        (d, iri(DCAT + "contactPoint"), contact),
        (contact, iri(RDF_TYPE), iri(VCARD + "Organization")),
        (contact, iri(VCARD + "fn"), lit("Service numérique", "fr")),
        (contact, iri(VCARD + "hasEmail"), iri(f"mailto:numerique-{org}@example.fr")),
    ]
    personal = rng.choice(PERSONAL)
    if personal:
        t += [
            (d, iri(DPV + "hasPersonalData"), iri(PD + personal)),
            (d, iri(DPV + "hasDataSubject"), iri(DPV + "Citizen")),
            (d, iri(DPV + "hasLegalBasis"), iri("https://w3id.org/dpv/legal/eu/gdpr#A6-1-e")),
        ]
    qa = f"_:q{i}"
    t += [
        (d, iri(DQV + "hasQualityAnnotation"), qa),
        (qa, iri(RDF_TYPE), iri(DQV + "QualityAnnotation")),
        (qa, iri(OA + "motivatedBy"), iri(DQV + "qualityAssessment")),
        (qa, iri(OA + "hasBody"), concept("confiance", rng.choice(CONFIANCE))),
        (
            d,
            iri(SKOS + "note"),
            lit(f"Note de suivi {i} : supervision assurée par un agent.", "fr"),
        ),
        (rec, iri(RDF_TYPE), iri(DCAT + "CatalogRecord")),
        (rec, iri(FOAF + "primaryTopic"), d),
        (rec, iri(DCT + "issued"), modified),
        (rec, iri(DCT + "modified"), modified),
        (rec, iri(DCT + "conformsTo"), iri(BASE + "profile/0.1")),
        (rec, iri(PROV + "wasAttributedTo"), iri(f"{ID}organisation/{org}")),
    ]
    return key, t


def generate(n: int, out: TextIO, seed: int = 20260101) -> dict[str, int]:
    """Write the registry; returns counts (deployments, systems, organisations, triples)."""
    rng = random.Random(seed)
    vendor_orgs = [f"{v.lower()}" for v in VENDORS]
    orgs = organisations(max(10, n // 5), rng)
    syss = systems(max(1, n // 20), vendor_orgs, rng)
    triples = 0
    for siren, ts in orgs:
        write_entry(out, "organisation", siren, ts)
        triples += len(ts)
    for v in vendor_orgs:
        s = iri(f"{ID}organisation/{v}")
        ts = [
            (s, iri(RDF_TYPE), iri(FOAF + "Organization")),
            (s, iri(RDF_TYPE), iri(ORG + "Organization")),
            (s, iri(FOAF + "name"), lit(v.capitalize())),
        ]
        write_entry(out, "organisation", v, ts)
        triples += len(ts)
    for slug, ts in syss:
        write_entry(out, "systeme", slug, ts)
        triples += len(ts)
    for i in range(n):
        org = orgs[
            min(int(rng.paretovariate(1.2)) - 1, len(orgs) - 1)
            if rng.random() < 0.3
            else rng.randrange(len(orgs))
        ][0]
        system = syss[rng.randrange(len(syss))][0]
        key, ts = deployment(i, org, system, rng)
        write_entry(out, "deploiement", key, ts)
        triples += len(ts)
    return {
        "deployments": n,
        "systems": len(syss),
        "organisations": len(orgs) + len(VENDORS),
        "triples": triples,
        "quads": 2 * triples,
    }


def iter_org_sirens(n: int, seed: int = 20260101) -> Iterator[str]:
    """The SIRENs :func:`generate` uses for ``n`` (same seed), to pick query targets."""
    rng = random.Random(seed)
    for siren, _ in organisations(max(10, n // 5), rng):
        yield siren


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of deployments")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        counts = generate(args.n, fh, args.seed)
    print(f"{args.out}: {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
