"""The curated entries (datasets/entries) against the seed cases they are written from.

Every check compares the Turtle files with `datasets/entries/_sources/cases.json`: one deployment
per case, every source cited, the confidence carried, no date or deployer the case does not give,
and every linked organisation or system defined here or in the reference data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef

# rdflib's closed namespaces warn when pytest inspects module globals: used through `ns.`
from rdflib import namespace as ns

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "datasets" / "entries"
CASES_FILE = ENTRIES / "_sources" / "cases.json"

BASE = "https://w3id.org/ia-territoires/"
IAT = BASE + "def#"
VOCAB = BASE + "vocab/"
ORG_PREFIX = BASE + "id/organisation/"
SIREN_ORG = re.compile(re.escape(ORG_PREFIX) + r"[0-9]{9}$")

DEPLOYMENT = URIRef(IAT + "Deployment")
INDIVIDUAL = URIRef(IAT + "individualDecision")
HAS_AI_SYSTEM = URIRef("https://w3id.org/dpv/ai#hasAISystem")
AI_SYSTEM = URIRef("https://w3id.org/dpv/ai#AISystem")
HAS_DEPLOYER = URIRef("https://w3id.org/dpv/tech#hasDeployer")
HAS_PROVIDER = URIRef("https://w3id.org/dpv/tech#hasProvider")
HAS_DEVELOPER = URIRef("https://w3id.org/dpv/tech#hasDeveloper")
HAS_PERSONAL_DATA = URIRef("https://w3id.org/dpv#hasPersonalData")
HAS_LEGAL_BASIS = URIRef("https://w3id.org/dpv#hasLegalBasis")
QUALITY = URIRef("http://www.w3.org/ns/dqv#hasQualityAnnotation")
HAS_BODY = URIRef("http://www.w3.org/ns/oa#hasBody")
HAS_BEGINNING = URIRef("http://www.w3.org/2006/time#hasBeginning")
ADMS_STATUS = URIRef("http://www.w3.org/ns/adms#status")

CONFIDENCE = {"high": "elevee", "medium": "moyenne", "low": "faible"}
STATUS = {
    "in production": {"en-service"},
    "pilot": {"experimentation"},
    "stopped": {"arrete"},
    "suspended": {"suspendu"},
    # "development" is decided case by case (documented in a skos:editorialNote)
    "development": {"envisage", "experimentation"},
}
DATE_TYPES = {10: ns.XSD.date, 7: ns.XSD.gYearMonth, 4: ns.XSD.gYear}

# DPV 2.x terms used by the entries, each checked in the DPV 2.3 sources (w3c/dpv: 2.3/*/*.ttl).
VERIFIED_EXTERNAL = (
    {
        "https://w3id.org/dpv#" + t
        for t in ("Citizen", "Student", "Visitor", "Adult", "Applicant", "Child")
    }
    | {
        "https://w3id.org/dpv/pd#" + t
        for t in (
            "TelephoneNumber",
            "Income",
            "FacialPrint",
            "Identifying",
            "Financial",
            "Household",
            "Disability",
            "FamilyStructure",
        )
    }
    | {
        "https://w3id.org/dpv/ai#" + t
        for t in (
            "SpeechRecognition",
            "NaturalLanguageProcessing",
            "ChatbotCapability",
            "NaturalLanguageGeneration",
            "InformationRetrieval",
            "AutomaticSummarisation",
            "QuestionAnswering",
            "ContentGeneration",
            "ComputerVision",
            "ObjectDetection",
            "FaceRecognition",
            "MotionAnalysis",
            "RemoteBiometricIdentification",
            "AudioCapability",
            "RemoteSensing",
            "ImageClassification",
            "Profiling",
            "MachineLearning",
            "RuleBasedTechnique",
            "OptimisationMethod",
            "AudioProcessing",
            "StatisticalTechnique",
        )
    }
    | {"https://w3id.org/dpv/legal/eu/gdpr#A6-1-a"}
)
EXTERNAL_NAMESPACES = ("https://w3id.org/dpv#", "https://w3id.org/dpv/")


def _ttl_files() -> list[Path]:
    return sorted(ENTRIES.rglob("*.ttl"))


def _cases() -> list[dict[str, Any]]:
    return list(json.loads(CASES_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in _ttl_files():
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def deployments(graph: Graph) -> dict[str, URIRef]:
    found: dict[str, URIRef] = {}
    for node in graph.subjects(ns.RDF.type, DEPLOYMENT):
        assert isinstance(node, URIRef), f"deployment {node} must be an IRI"
        identifiers = [str(i) for i in graph.objects(node, ns.DCTERMS.identifier)]
        assert len(identifiers) == 1, f"{node}: {identifiers}"
        assert identifiers[0] not in found, f"two deployments with key {identifiers[0]}"
        found[identifiers[0]] = node
    return found


def _case_ids() -> list[str]:
    return [c["id"] for c in _cases()]


def _cases_by_id() -> Iterator[tuple[str, dict[str, Any]]]:
    for case in _cases():
        yield case["id"], case


def test_the_seed_cases_are_vendored() -> None:
    cases = _cases()
    assert len(cases) == 26
    assert len({c["id"] for c in cases}) == len(cases)
    assert (ENTRIES / "_sources" / "SOURCE.md").is_file()


@pytest.mark.parametrize("path", _ttl_files(), ids=lambda p: p.relative_to(ENTRIES).as_posix())
def test_every_file_parses(path: Path) -> None:
    g = Graph()
    g.parse(path, format="turtle")
    assert len(g) > 0


def test_one_deployment_per_case(deployments: dict[str, URIRef]) -> None:
    assert sorted(deployments) == sorted(_case_ids())
    for key, node in deployments.items():
        assert str(node) == f"{BASE}id/deploiement/{key}"


def test_each_deployment_has_its_own_file(deployments: dict[str, URIRef]) -> None:
    for key, node in deployments.items():
        g = Graph().parse(ENTRIES / "deploiements" / f"{key}.ttl", format="turtle")
        assert (node, ns.RDF.type, DEPLOYMENT) in g, key
        record = URIRef(f"{BASE}id/fiche/{key}")
        assert (record, ns.FOAF.primaryTopic, node) in g, f"{key}: catalogue record missing"
        assert (record, ns.RDF.type, ns.DCAT.CatalogRecord) in g, key


@pytest.mark.parametrize(("key", "case"), list(_cases_by_id()), ids=_case_ids())
def test_every_source_of_the_case_is_cited(
    graph: Graph, deployments: dict[str, URIRef], key: str, case: dict[str, Any]
) -> None:
    node = deployments[key]
    cited = {str(s) for s in graph.objects(node, ns.DCTERMS.source)}
    expected = {s["url"] for s in case["sources"]}
    assert expected, f"{key}: the case has no source"
    assert expected <= cited, f"{key}: missing {expected - cited}"
    for source in case["sources"]:
        doc = URIRef(source["url"])
        assert (doc, ns.RDF.type, ns.FOAF.Document) in graph, source["url"]
        titles = list(graph.objects(doc, ns.DCTERMS.title))
        assert any(isinstance(t, Literal) and t.language == "fr" for t in titles), source["url"]
        issued = list(graph.objects(doc, ns.DCTERMS.issued))
        if source["date"]:
            assert issued == [Literal(source["date"], datatype=DATE_TYPES[len(source["date"])])]
        else:
            assert issued == [], f"{source['url']}: a date the case does not give"


@pytest.mark.parametrize(("key", "case"), list(_cases_by_id()), ids=_case_ids())
def test_confidence_matches_the_case(
    graph: Graph, deployments: dict[str, URIRef], key: str, case: dict[str, Any]
) -> None:
    bodies = [
        str(body)
        for annotation in graph.objects(deployments[key], QUALITY)
        for body in graph.objects(annotation, HAS_BODY)
    ]
    assert bodies == [f"{VOCAB}confiance/{CONFIDENCE[case['confidence']]}"], key


@pytest.mark.parametrize(("key", "case"), list(_cases_by_id()), ids=_case_ids())
def test_deployer_and_status_follow_the_case(
    graph: Graph, deployments: dict[str, URIRef], key: str, case: dict[str, Any]
) -> None:
    node = deployments[key]
    deployers = [str(d) for d in graph.objects(node, HAS_DEPLOYER)]
    assert len(deployers) == 1, f"{key}: {deployers}"
    if case["siren"]:
        assert deployers == [ORG_PREFIX + case["siren"]], key
    else:
        assert not SIREN_ORG.match(deployers[0]), f"{key}: a SIREN the case does not give"
    statuses = {str(s).rsplit("/", 1)[-1] for s in graph.objects(node, ADMS_STATUS)}
    assert len(statuses) == 1 and statuses <= STATUS[case["status"]], f"{key}: {statuses}"
    decisions = list(graph.objects(node, INDIVIDUAL))
    assert len(decisions) == 1 and decisions[0].datatype == ns.XSD.boolean, key


@pytest.mark.parametrize(("key", "case"), list(_cases_by_id()), ids=_case_ids())
def test_no_date_the_case_does_not_give(
    graph: Graph, deployments: dict[str, URIRef], key: str, case: dict[str, Any]
) -> None:
    node = deployments[key]
    periods = list(graph.objects(node, ns.DCTERMS.temporal))
    for prop, field in ((ns.DCAT.startDate, "start_date"), (ns.DCAT.endDate, "end_date")):
        stated = [v for p in periods for v in graph.objects(p, prop)]
        if case[field] is None:
            assert stated == [], f"{key}: {field} stated but unknown in the case"
        else:
            # a date the case gives may be left out (explained in an editorial note), never changed
            assert stated in ([], [Literal(case[field], datatype=DATE_TYPES[len(case[field])])])
    status = {str(s).rsplit("/", 1)[-1] for s in graph.objects(node, ADMS_STATUS)}
    if "en-service" in status:
        starts = [v for p in periods for v in graph.objects(p, ns.DCAT.startDate)]
        beginnings = [v for p in periods for v in graph.objects(p, HAS_BEGINNING)]
        assert starts or beginnings, f"{key}: in service without a beginning"
        for beginning in beginnings:
            # an explicit beginning whose date is unknown: nothing but its type
            assert isinstance(beginning, BNode), key
            assert set(graph.predicates(beginning)) == {ns.RDF.type}, key


@pytest.mark.parametrize(("key", "case"), list(_cases_by_id()), ids=_case_ids())
def test_personal_data_follows_the_case(
    graph: Graph, deployments: dict[str, URIRef], key: str, case: dict[str, Any]
) -> None:
    node = deployments[key]
    personal = list(graph.objects(node, HAS_PERSONAL_DATA))
    if case["personal_data"] is True:
        assert personal, f"{key}: the case processes personal data"
        assert list(graph.objects(node, HAS_LEGAL_BASIS)), f"{key}: no legal basis (even unknown)"
    else:
        assert personal == [], f"{key}: personal data the case does not state"


def test_linked_resources_are_defined(graph: Graph) -> None:
    links = [
        (HAS_DEPLOYER, None),
        (HAS_PROVIDER, None),
        (HAS_DEVELOPER, None),
        (ns.PROV.agent, None),
        (ns.PROV.wasAttributedTo, None),
        (HAS_AI_SYSTEM, AI_SYSTEM),
    ]
    undefined: list[str] = []
    for prop, expected_type in links:
        for target in set(graph.objects(None, prop)):
            if expected_type is None and SIREN_ORG.match(str(target)):
                continue  # a collectivité of the reference data
            types = set(graph.objects(target, ns.RDF.type))
            ok = expected_type in types if expected_type else ns.FOAF.Organization in types
            if not ok:
                undefined.append(f"{prop} -> {target}")
    assert undefined == []


def test_every_system_is_used_and_keyed(graph: Graph) -> None:
    used = set(graph.objects(None, HAS_AI_SYSTEM))
    for system in graph.subjects(ns.RDF.type, AI_SYSTEM):
        key = str(system).rsplit("/", 1)[-1]
        assert system in used, f"{system} is used by no deployment"
        assert [str(i) for i in graph.objects(system, ns.DCTERMS.identifier)] == [key]
        assert (ENTRIES / "systemes" / f"{key}.ttl").is_file(), key


def test_external_terms_are_verified_dpv_terms(graph: Graph) -> None:
    used = {
        str(o)
        for _, p, o in graph
        if p != ns.RDF.type and isinstance(o, URIRef) and str(o).startswith(EXTERNAL_NAMESPACES)
    }
    assert used, "no DPV term at all"
    assert used <= VERIFIED_EXTERNAL, f"unverified: {sorted(used - VERIFIED_EXTERNAL)}"
