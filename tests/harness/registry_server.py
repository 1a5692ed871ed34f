"""Test harness for the HTTP API: generated sample data in the entry pattern of
ontology/MODEL.md, and a real ``ia-territoires serve`` process on 127.0.0.1 (free port, temp
store) for tests that drive the server with real clients."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.harness.services import free_port, service_missing

BASE = "https://w3id.org/ia-territoires/"
ROOT = Path(__file__).resolve().parents[2]

PREFIXES = """@prefix iat: <https://w3id.org/ia-territoires/def#> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix ai: <https://w3id.org/dpv/ai#> .
@prefix tech: <https://w3id.org/dpv/tech#> .
@prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
"""

SCHEMES: dict[str, list[tuple[str, str, str]]] = {
    "statut": [
        ("envisage", "Envisagé", "Planned"),
        ("experimentation", "En expérimentation", "Pilot"),
        ("en-service", "En service", "In operation"),
        ("arrete", "Arrêté", "Retired"),
    ],
    "classification-ai-act": [
        ("haut-risque-annexe-iii", "Haut risque (annexe III)", "High risk (Annex III)"),
        ("transparence-art-50", "Obligations de transparence", "Transparency obligations"),
        ("risque-minimal", "Risque minimal", "Minimal risk"),
        ("non-evaluee", "Non encore évaluée", "Not yet assessed"),
    ],
    "famille-ia": [
        ("llm", "IA générative de texte", "Generative text AI"),
        ("agent-conversationnel", "Agent conversationnel", "Conversational agent"),
        ("vision", "Vision par ordinateur", "Computer vision"),
        ("prediction", "Classification, prédiction", "Prediction"),
    ],
    "finalite": [
        ("information-usagers", "Information des usagers", "Informing the public"),
        ("controle-fraude", "Contrôle et détection de fraudes", "Fraud detection"),
        ("mobilite", "Trafic et mobilité", "Traffic and mobility"),
    ],
    "domaine": [
        ("relation-usagers", "Relation aux usagers", "Relations with the public"),
        ("action-sociale", "Action sociale", "Social action"),
        ("mobilite-voirie", "Mobilité, voirie", "Mobility, roads"),
        ("securite-prevention", "Sécurité, prévention", "Safety"),
    ],
    "supervision": [
        ("aide-a-la-decision", "Aide à la décision", "Decision support"),
        ("non-documentee", "Non documentée", "Not documented"),
    ],
}

DEPARTEMENTS = [("38", "Isère", "84"), ("78", "Yvelines", "11"), ("69", "Rhône", "84")]
REGIONS = {"84": "Auvergne-Rhône-Alpes", "11": "Île-de-France"}
HOSTILE_TITLE = '<script>alert("x")</script> Évaluation & tri'


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def vocabulary_turtle() -> str:
    out = [PREFIXES]
    for scheme, concepts in SCHEMES.items():
        scheme_iri = f"<{BASE}vocab/{scheme}>"
        out.append(f"{scheme_iri} a skos:ConceptScheme ; skos:prefLabel {_lit(scheme)}@fr .")
        for notation, fr, en in concepts:
            out.append(
                f"<{BASE}vocab/{scheme}/{notation}> a skos:Concept ; skos:inScheme {scheme_iri} ;"
                f" skos:notation {_lit(notation)} ; skos:prefLabel {_lit(fr)}@fr , {_lit(en)}@en ."
            )
    for code, name, region in DEPARTEMENTS:
        out.append(
            f"<{BASE}id/territoire/departement-{code}> a igeo:Departement ; "
            f"igeo:codeINSEE {_lit(code)} ; rdfs:label {_lit(name)}@fr ; "
            f"dct:isPartOf <{BASE}id/territoire/region-{region}> ."
        )
    for code, name in REGIONS.items():
        out.append(
            f"<{BASE}id/territoire/region-{code}> a igeo:Region ; igeo:codeINSEE {_lit(code)} ;"
            f" rdfs:label {_lit(name)}@fr ."
        )
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class SampleSizes:
    deployments: int = 30
    organisations: int = 8
    systems: int = 6


def entries_turtle(sizes: SampleSizes = SampleSizes(), seed: int = 7) -> str:
    """Deployments, AI systems and organisations, deterministic for a seed. Deployment 0 has a
    hostile title (HTML + script) to test escaping; every third deployment is high-risk."""
    rng = random.Random(seed)
    out = [PREFIXES]
    orgs = []
    for i in range(sizes.organisations):
        siren = f"2{i:08d}"
        dep, _, _ = DEPARTEMENTS[i % len(DEPARTEMENTS)]
        commune = f"{dep}{100 + i:03d}"
        orgs.append(siren)
        name = f"Commune d'Exemple-{i}" if i else "Commune de Saint-Étienne-Exemple"
        out.append(
            f"<{BASE}id/organisation/{siren}> a foaf:Organization , org:Organization , "
            f"cv:PublicOrganisation ; foaf:name {_lit(name)} ; "
            f"dct:spatial <{BASE}id/territoire/commune-{commune}> ."
        )
        out.append(
            f"<{BASE}id/territoire/commune-{commune}> a igeo:Commune ; igeo:codeINSEE "
            f"{_lit(commune)} ; dct:isPartOf <{BASE}id/territoire/departement-{dep}> ."
        )
    providers = ["editeur-a", "editeur-b"]
    for p in providers:
        out.append(
            f"<{BASE}id/organisation/{p}> a foaf:Organization , org:Organization ; "
            f"foaf:name {_lit('Éditeur ' + p[-1].upper())} ."
        )
    families = [n for n, _, _ in SCHEMES["famille-ia"]]
    for s in range(sizes.systems):
        out.append(
            f'<{BASE}id/systeme/systeme-{s}> a ai:AISystem ; dct:identifier "systeme-{s}" ; '
            f"dct:title {_lit(f'Système numéro {s}')}@fr ; "
            f"dct:description {_lit(f'Un système de démonstration {s}')}@fr ; "
            f"dct:type <{BASE}vocab/famille-ia/{families[s % len(families)]}> ; "
            f"tech:hasProvider <{BASE}id/organisation/{providers[s % 2]}> ."
        )
    statuses = [n for n, _, _ in SCHEMES["statut"]]
    purposes = [n for n, _, _ in SCHEMES["finalite"]]
    domains = [n for n, _, _ in SCHEMES["domaine"]]
    for d in range(sizes.deployments):
        key = f"dep-{d:05d}"
        iri = f"<{BASE}id/deploiement/{key}>"
        title = HOSTILE_TITLE if d == 0 else f"Déploiement {d} de démonstration"
        status = statuses[d % len(statuses)]
        risk = "haut-risque-annexe-iii" if d % 3 == 0 else "risque-minimal"
        year = 2019 + d % 6
        org = orgs[d % len(orgs)]
        out.append(
            f"{iri} a iat:Deployment ; dct:identifier {_lit(key)} ; dct:title {_lit(title)}@fr ;"
            f" dct:description {_lit(f'Description du déploiement {d}, élève à Orléans.')}@fr ;"
            f" tech:hasDeployer <{BASE}id/organisation/{org}> ;"
            f" ai:hasAISystem <{BASE}id/systeme/systeme-{rng.randrange(sizes.systems)}> ;"
            f" adms:status <{BASE}vocab/statut/{status}> ;"
            f" eu-aiact:hasRiskLevel <{BASE}vocab/classification-ai-act/{risk}> ;"
            f" dpv:hasPurpose <{BASE}vocab/finalite/{purposes[d % len(purposes)]}> ;"
            f" dcat:theme <{BASE}vocab/domaine/{domains[d % len(domains)]}> ;"
            f" iat:individualDecision {'true' if d % 4 == 0 else 'false'} ;"
            f" dpv:hasHumanInvolvement <{BASE}vocab/supervision/aide-a-la-decision> ;"
            f' dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "{year}-03"^^xsd:gYearMonth ] ;'
            f' dct:modified "2025-{1 + d % 12:02d}-01"^^xsd:date .'
        )
        out.append(
            f"<{BASE}id/fiche/{key}> a dcat:CatalogRecord ; foaf:primaryTopic {iri} ;"
            f' dct:issued "2025-01-01"^^xsd:date ;'
            f' dct:modified "2025-{1 + d % 12:02d}-01"^^xsd:date ;'
            f" dct:conformsTo <{BASE}profile/0.1> ."
        )
    return "\n".join(out) + "\n"


def write_sample_data(directory: Path, sizes: SampleSizes = SampleSizes()) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    vocab = directory / "vocabulary.ttl"
    vocab.write_text(vocabulary_turtle(), encoding="utf-8")
    entries = directory / "entries.ttl"
    entries.write_text(entries_turtle(sizes), encoding="utf-8")
    return [vocab, entries]


@dataclass
class RunningServer:
    url: str
    store_path: Path
    process: subprocess.Popen[bytes]


def start_server(
    tmp: Path,
    data_files: list[Path],
    timeout_s: float = 60.0,
    env_extra: dict[str, str] | None = None,
) -> RunningServer:
    """``ia-territoires serve`` on a free loopback port over a fresh store pre-loaded with
    ``data_files``. Fails the test (never skips) when the server does not come up.
    ``env_extra`` (e.g. ``IAT_SPARQL_QUERY_URL``) selects another backend."""
    port = free_port()
    store_path = tmp / "store"
    env = {
        **os.environ,
        "IAT_STORE_PATH": str(store_path),
        "IAT_AUTH_DB_PATH": str(tmp / "auth.sqlite3"),
        "IAT_PUBLIC_URL": f"http://127.0.0.1:{port}/",
    }
    env.pop("IAT_SPARQL_QUERY_URL", None)
    env.update(env_extra or {})
    seed = [arg for path in data_files for arg in ("--load", str(path))]
    tmp.mkdir(parents=True, exist_ok=True)
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from registry.cli import main; main()",
            "serve",
            "--store",
            str(store_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-datasets",
            *seed,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return RunningServer(url, store_path, process)
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(process)
    service_missing(
        f"ia-territoires serve on port {port}: "
        + (tmp / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    )
    raise AssertionError("unreachable")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def running_server(tmp: Path, data_files: list[Path]) -> Iterator[RunningServer]:
    """Generator for a pytest fixture: yields the server, stops it afterwards."""
    server = start_server(tmp, data_files)
    try:
        yield server
    finally:
        stop_server(server.process)


def sample_store(directory: Path, sizes: SampleSizes = SampleSizes()) -> Any:
    """An in-memory EmbeddedStore holding the vocabulary and the sample entries."""
    from registry.store.embedded import EmbeddedStore

    store = EmbeddedStore(None)
    for path in write_sample_data(directory, sizes):
        store.bulk_load(path)
    return store


def sample_app(directory: Path, sizes: SampleSizes = SampleSizes(), **settings: Any) -> Any:
    """(FastAPI app, store) over the sample data, for in-process tests."""
    from registry.api.app import create_app
    from registry.config import Settings

    store = sample_store(directory, sizes)
    values = {"store_path": directory / "unused-store", "auth_db_path": directory / "auth.db"}
    values.update(settings)
    return create_app(Settings(**values), store), store
