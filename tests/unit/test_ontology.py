"""The vocabulary (ontology/): it parses, its concept schemes follow ontology/MODEL.md, its minted
terms are documented, the JSON-LD context round-trips, and every reused concept that entries use
has French and English labels and exists in DPV 2.3."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from registry.ontology import (
    SCHEMES,
    UnknownSchemeError,
    concepts_of,
    context,
    load_vocabulary,
    scheme_iri,
    vocabulary_files,
)
from registry.vocab import ENTRIES_DIR, ONTOLOGY_DIR

IAT = Namespace("https://w3id.org/ia-territoires/def#")
VOCAB_BASE = "https://w3id.org/ia-territoires/vocab/"
DPV = Namespace("https://w3id.org/dpv#")
AI = Namespace("https://w3id.org/dpv/ai#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DPV_FAMILY = "https://w3id.org/dpv"
XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")
DPV_TERMS_FILE = ONTOLOGY_DIR / "imports" / "dpv-2.3-terms.txt"
MINTED = ("Deployment", "supportsPublicService", "individualDecision", "aiActCategory")

# The properties whose values, in entries, are reused (DPV family) concepts needing labels.
REUSED_VALUE_PROPERTIES = (
    DPV.hasPersonalData,
    DPV.hasDataSubject,
    AI.hasTechnique,
    AI.hasCapability,
    AI.hasModel,
    DPV.hasLegalBasis,
)


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return load_vocabulary()


@pytest.fixture(scope="module")
def dpv_terms() -> set[str]:
    lines = DPV_TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return [o.language or "" for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


# --- every file parses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(ONTOLOGY_DIR.rglob("*.ttl")),
    ids=lambda p: p.relative_to(ONTOLOGY_DIR).as_posix(),
)
def test_turtle_file_parses(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0, f"{path} is empty"


@pytest.mark.parametrize(
    "path",
    sorted(ONTOLOGY_DIR.rglob("*.jsonld")),
    ids=lambda p: p.relative_to(ONTOLOGY_DIR).as_posix(),
)
def test_jsonld_file_parses(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "@context" in document, f"{path} has no @context"
    # Parsing as JSON-LD must not reach the network: the file's context is inline.
    Graph().parse(data=json.dumps(document), format="json-ld")


def test_the_ontology_folder_has_the_expected_files() -> None:
    names = {p.relative_to(ONTOLOGY_DIR).as_posix() for p in ONTOLOGY_DIR.rglob("*") if p.is_file()}
    expected = {"iat.ttl", "alignments.ttl", "context.jsonld", "README.md", "SOURCES.md"}
    expected |= {f"vocabularies/{scheme}.ttl" for scheme in SCHEMES}
    assert expected <= names, sorted(expected - names)
    assert any(name.startswith("labels/") for name in names)


# --- concept schemes ---------------------------------------------------------------------


def _model_notations() -> dict[str, set[str]]:
    """Notations per scheme from the bullets of MODEL.md (ranges `a-1` … `a-8` expanded)."""
    text = (ONTOLOGY_DIR / "MODEL.md").read_text(encoding="utf-8")
    section = text.split("## Concept schemes and notations", 1)[1].split("\n## ", 1)[0]
    bullets = re.split(r"\n- (?=`)", "\n" + section)
    found: dict[str, set[str]] = {}
    for bullet in bullets:
        match = re.match(r"`([a-z-]+)`", bullet)
        if not match or match.group(1) not in SCHEMES:
            continue
        body = bullet[match.end() :]
        tokens = set(re.findall(r"`([a-z0-9-]+)`", body))
        for start, end in re.findall(r"`([a-z0-9-]+)`\s*…\s*`([a-z0-9-]+)`", body):
            stem = start[:-1]
            assert end.startswith(stem), (start, end)
            for code in range(ord(start[-1]), ord(end[-1]) + 1):
                tokens.add(stem + chr(code))
        found[match.group(1)] = tokens
    return found


MODEL_NOTATIONS = _model_notations()


def test_model_md_lists_every_scheme() -> None:
    assert set(MODEL_NOTATIONS) == set(SCHEMES)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_has_exactly_the_notations_of_model_md(vocabulary: Graph, scheme: str) -> None:
    notations = {str(vocabulary.value(c, SKOS.notation)) for c in concepts_of(scheme)}
    expected = MODEL_NOTATIONS[scheme]
    if scheme == "base-legale":
        # MODEL.md names the reused DPV legal bases by IRI; our notations for them are rgpd-*.
        expected = expected | {f"rgpd-6-1-{x}" for x in "abcdef"} | {"rgpd-9-2-a", "rgpd-9-2-g"}
    assert notations == expected


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_is_described(vocabulary: Graph, scheme: str) -> None:
    iri = scheme_iri(scheme)
    assert (iri, RDF.type, SKOS.ConceptScheme) in vocabulary
    for predicate in (SKOS.prefLabel, URIRef("http://purl.org/dc/terms/title")):
        assert sorted(_languages(vocabulary, iri, predicate)) == ["en", "fr"], (scheme, predicate)
    tops = set(vocabulary.objects(iri, SKOS.hasTopConcept))
    assert tops == set(vocabulary.subjects(SKOS.topConceptOf, iri)) and tops


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_concept_is_complete(vocabulary: Graph, scheme: str) -> None:
    iri = scheme_iri(scheme)
    concepts = concepts_of(scheme)
    assert concepts, f"scheme {scheme} has no concept"
    notations: list[str] = []
    for concept in concepts:
        where = f"{scheme}: {concept}"
        assert (concept, RDF.type, SKOS.Concept) in vocabulary, where
        assert sorted(_languages(vocabulary, concept, SKOS.prefLabel)) == ["en", "fr"], where
        assert "fr" in _languages(vocabulary, concept, SKOS.definition), where
        notation = vocabulary.value(concept, SKOS.notation)
        assert isinstance(notation, Literal) and str(notation), where
        notations.append(str(notation))
        assert (concept, SKOS.inScheme, iri) in vocabulary, where
        broader = list(vocabulary.objects(concept, SKOS.broader))
        is_top = (concept, SKOS.topConceptOf, iri) in vocabulary
        assert is_top != bool(broader), f"{where}: top concept xor skos:broader"
        for parent in broader:
            assert (parent, SKOS.inScheme, iri) in vocabulary, where
            assert (parent, SKOS.narrower, concept) in vocabulary, where
        if str(concept).startswith(VOCAB_BASE):
            assert str(concept) == f"{iri}/{notation}", f"{where}: IRI is not scheme/notation"
        else:
            assert str(concept).startswith(DPV_FAMILY), f"{where}: reused concept outside DPV"
    assert len(notations) == len(set(notations)), f"duplicate notations in {scheme}"


def test_no_concept_outside_a_declared_scheme(vocabulary: Graph) -> None:
    declared = {scheme_iri(s) for s in SCHEMES}
    for concept, scheme in vocabulary.subject_objects(SKOS.inScheme):
        assert scheme in declared, f"{concept} in undeclared scheme {scheme}"
    for concept in vocabulary.subjects(RDF.type, SKOS.Concept):
        if str(concept).startswith(VOCAB_BASE):
            assert (concept, SKOS.inScheme, None) in vocabulary, concept


def test_classification_points_sit_under_their_level(vocabulary: Graph) -> None:
    scheme = "classification-ai-act"
    for concept in concepts_of(scheme):
        notation = str(vocabulary.value(concept, SKOS.notation))
        parent = vocabulary.value(concept, SKOS.broader)
        if notation.startswith("annexe-iii-"):
            assert parent == URIRef(f"{VOCAB_BASE}{scheme}/haut-risque-annexe-iii"), notation
        elif notation.startswith("art-5-1-"):
            assert parent == URIRef(f"{VOCAB_BASE}{scheme}/pratique-interdite"), notation
        else:
            assert parent is None, notation


def test_concepts_of_orders_top_concepts_first_and_rejects_unknown_schemes() -> None:
    concepts = concepts_of("classification-ai-act")
    tops = [c for c in concepts if "/annexe-iii-" not in c and "/art-5-1-" not in c]
    assert concepts[: len(tops)] == tops and len(tops) == 7
    with pytest.raises(UnknownSchemeError) as caught:
        concepts_of("statuts")
    assert "statuts" in caught.value.message("fr") and "statuts" in caught.value.message("en")


# --- minted terms ------------------------------------------------------------------------


def test_minted_terms_are_documented(vocabulary: Graph) -> None:
    minted = {s for s in vocabulary.subjects() if isinstance(s, URIRef) and s.startswith(str(IAT))}
    assert {IAT[name] for name in MINTED} <= minted
    for term in minted:
        assert sorted(_languages(vocabulary, term, RDFS.label)) == ["en", "fr"], term
        assert sorted(_languages(vocabulary, term, SKOS.definition)) == ["en", "fr"], term
        assert sorted(_languages(vocabulary, term, RDFS.comment)) == ["en", "fr"], term
        assert (term, RDFS.isDefinedBy, URIRef("https://w3id.org/ia-territoires/def")) in vocabulary


def test_minted_terms_have_the_model_semantics(vocabulary: Graph) -> None:
    assert (IAT.Deployment, RDF.type, OWL.Class) in vocabulary
    assert (IAT.Deployment, RDFS.subClassOf, AI.AIProcess) in vocabulary
    assert (IAT.Deployment, RDFS.subClassOf, DCAT.Resource) in vocabulary
    assert (IAT.individualDecision, RDF.type, OWL.DatatypeProperty) in vocabulary
    assert (IAT.individualDecision, RDFS.range, XSD_BOOLEAN) in vocabulary
    assert (
        IAT.supportsPublicService,
        RDFS.range,
        URIRef("http://purl.org/vocab/cpsv#PublicService"),
    ) in vocabulary
    # No domain on properties: nothing may be inferred about the nodes that carry them.
    for name in MINTED[1:]:
        assert (IAT[name], RDFS.domain, None) not in vocabulary, name


def test_ontology_header(vocabulary: Graph) -> None:
    ontology = URIRef("https://w3id.org/ia-territoires/def")
    assert (ontology, RDF.type, OWL.Ontology) in vocabulary
    assert vocabulary.value(ontology, OWL.versionInfo) is not None
    assert vocabulary.value(ontology, URIRef("http://purl.org/dc/terms/license")) is not None
    assert vocabulary.value(ontology, URIRef("http://purl.org/dc/terms/creator")) is not None


# --- reused concepts: they exist in DPV 2.3 and have labels ------------------------------


def test_every_dpv_iri_in_the_vocabulary_exists_in_dpv(dpv_terms: set[str]) -> None:
    graph = load_vocabulary(include_alignments=True)
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    # Terms only: a DPV term IRI has a fragment; namespace documents (rdfs:seeAlso) do not.
    dpv_used = {i for i in used if i.startswith(DPV_FAMILY) and "#" in i and not i.endswith("#")}
    assert len(dpv_used) > 100  # the overlay labels and mappings name many DPV terms
    assert sorted(dpv_used - dpv_terms) == []


def test_labelled_reused_concepts_have_one_label_per_language(vocabulary: Graph) -> None:
    files = sorted((ONTOLOGY_DIR / "labels").glob("*.ttl"))
    assert files
    for path in files:
        graph = Graph().parse(path, format="turtle")
        subjects = set(graph.subjects(RDF.type, SKOS.Concept))
        assert subjects, path
        for concept in subjects:
            assert sorted(_languages(vocabulary, concept, SKOS.prefLabel)) == ["en", "fr"], concept


def _entry_values() -> dict[URIRef, set[str]]:
    graph = Graph()
    for path in sorted(ENTRIES_DIR.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    values: dict[URIRef, set[str]] = {}
    for prop in REUSED_VALUE_PROPERTIES:
        for value in graph.objects(None, prop):
            if isinstance(value, URIRef):
                values.setdefault(value, set()).add(str(prop))
    return values


def test_reused_concepts_used_by_entries_have_labels(
    vocabulary: Graph, dpv_terms: set[str]
) -> None:
    values = _entry_values()
    external = {v: props for v, props in values.items() if not str(v).startswith(VOCAB_BASE)}
    # Not vacuous: the curated entries do use DPV concepts as values.
    assert len(external) >= 1, f"no reused concept found in {ENTRIES_DIR}"
    missing_labels = sorted(
        str(v)
        for v in external
        if sorted(_languages(vocabulary, v, SKOS.prefLabel)) != ["en", "fr"]
    )
    assert missing_labels == [], "reused concepts without fr/en labels in ontology/labels/"
    unknown = sorted(str(v) for v in external if str(v) not in dpv_terms)
    assert unknown == [], "entries use IRIs that DPV 2.3 does not define"


def test_every_dpv_iri_in_the_entries_exists_in_dpv(dpv_terms: set[str]) -> None:
    # Wider than the labelled properties: types (dpv:DPIA), purposes, risk levels, properties.
    graph = Graph()
    for path in sorted(ENTRIES_DIR.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    dpv_used = {i for i in used if i.startswith(DPV_FAMILY) and "#" in i and not i.endswith("#")}
    assert dpv_used, f"no DPV IRI found in {ENTRIES_DIR}"
    assert sorted(dpv_used - dpv_terms) == [], "entries use IRIs that DPV 2.3 does not define"


def test_minted_concepts_used_by_entries_exist(vocabulary: Graph) -> None:
    values = _entry_values()
    for value in values:
        if str(value).startswith(VOCAB_BASE):
            assert (value, RDF.type, SKOS.Concept) in vocabulary, value


# --- JSON-LD context ---------------------------------------------------------------------


def test_context_is_local_and_versioned() -> None:
    ctx = context()
    assert ctx["@version"] == 1.1
    assert "@import" not in ctx
    assert ctx is not context(), "callers must get their own copy"
    # Keys are short English camelCase terms, prefixes or the @-keywords.
    for key in ctx:
        assert re.fullmatch(r"@[a-z]+|[A-Za-z][A-Za-z0-9-]*", key), key


def test_context_round_trips_the_example_entry() -> None:
    original = Graph().parse(ONTOLOGY_DIR / "examples" / "entry-example.ttl", format="turtle")
    ctx = context()
    text = original.serialize(format="json-ld", context=ctx, auto_compact=True)
    back = Graph().parse(data=text, format="json-ld", context=ctx)
    assert isomorphic(original, back)


def test_context_names_every_predicate_of_the_example() -> None:
    original = Graph().parse(ONTOLOGY_DIR / "examples" / "entry-example.ttl", format="turtle")
    ctx = context()
    text = original.serialize(format="json-ld", context=ctx, auto_compact=True)
    document = json.loads(text)
    nodes = document.get("@graph", [document])
    for node in nodes:
        for key in node:
            assert ":" not in key, f"no short term for {key}"
    example = next(n for n in nodes if n.get("type") == "Deployment")
    assert example["status"] == "statut:en-service"
    assert example["title"] == {"fr": "Optimus, callbot du standard téléphonique de la mairie"}


def test_context_terms_name_existing_terms(vocabulary: Graph, dpv_terms: set[str]) -> None:
    ctx = context()
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    checked = 0
    for key, value in ctx.items():
        target = value.get("@id") if isinstance(value, dict) else value
        if key.startswith("@") or key in prefixes or not isinstance(target, str):
            continue
        if target.startswith("@"):  # keyword aliases: id, type
            continue
        prefix, _, local = target.partition(":")
        assert prefix in prefixes, f"{key}: unknown prefix in {target}"
        iri = prefixes[prefix] + local
        if iri.startswith(str(IAT)):
            assert (URIRef(iri), None, None) in vocabulary, f"{key}: {iri} is not minted"
            checked += 1
        elif iri.startswith(DPV_FAMILY):
            assert iri in dpv_terms, f"{key}: {iri} is not in DPV 2.3"
            checked += 1
    assert checked >= 20


def test_alignments_name_existing_concepts(vocabulary: Graph) -> None:
    graph = Graph().parse(ONTOLOGY_DIR / "alignments.ttl", format="turtle")
    ours = {
        t
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and (str(t).startswith(VOCAB_BASE) or str(t).startswith(str(IAT)))
    }
    assert len(ours) > 20
    for iri in ours:
        if str(iri) == "https://w3id.org/ia-territoires/def#":
            continue
        assert (iri, None, None) in vocabulary, f"alignments.ttl names unknown {iri}"
    relations = {SKOS[r] for r in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
    relations.add(SKOS.relatedMatch)
    airo = [
        s for s, p, o in graph if p in relations and str(o).startswith("https://w3id.org/airo#")
    ]
    vair = [
        s for s, p, o in graph if p in relations and str(o).startswith("https://w3id.org/vair#")
    ]
    assert airo and vair
    rows = list(graph.subjects(RDF.type, URIRef("https://w3id.org/sssom/Mapping")))
    assert len(rows) > 30
    for row in rows:
        assert graph.value(row, OWL.annotatedSource) is not None, row
        assert graph.value(row, OWL.annotatedProperty) in relations, row
        assert graph.value(row, URIRef("https://w3id.org/sssom/object_label")) is not None, row


def test_vocabulary_files_exclude_alignments_unless_asked() -> None:
    default = vocabulary_files()
    assert ONTOLOGY_DIR / "alignments.ttl" not in default
    assert ONTOLOGY_DIR / "alignments.ttl" in vocabulary_files(include_alignments=True)
    graph = load_vocabulary()
    graph.add((URIRef("urn:x"), RDFS.label, Literal("x")))
    assert (URIRef("urn:x"), None, None) not in load_vocabulary(), "callers must get a fresh graph"
