"""The export's table rows (SPARQL TSV results formatted in Python, registry/export/rows.py) are
exactly those of a straightforward per-entry reading: the entry's triples as an rdflib graph,
given to :meth:`RowMapper.to_row` / :meth:`RowMapper.source_rows` (the import's mapping, read
backwards). Checked on a generated registry plus hand-made entries with awkward values
(escapes, other languages, odd booleans, date-times, nested nodes that are IRIs, sources...)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS
from rdflib.namespace import XSD as XSD_NS
from rdflib.term import Node

from benchmarks.generate import generate
from registry.export.rows import RowBuilder, parse_term, read_chunks, read_version_chunks
from registry.layout import HAS_CURRENT_VERSION, Layout
from registry.store.embedded import EmbeddedStore
from registry.tabular.columns import TABLES
from registry.tabular.concepts import vocabulary
from registry.tabular.mapping import RowMapper

LAYOUT = Layout("https://w3id.org/ia-territoires/")
BASE = LAYOUT.base
XSD = "http://www.w3.org/2001/XMLSchema#"

# Turtle, so that escapes are written the way people (and the importer) write them.
AWKWARD = f"""
@prefix iat: <{BASE}def#> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix ai: <https://w3id.org/dpv/ai#> .
@prefix tech: <https://w3id.org/dpv/tech#> .
@prefix pd: <https://w3id.org/dpv/pd#> .
@prefix eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dqv: <http://www.w3.org/ns/dqv#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix xsd: <{XSD}> .
@prefix v: <{BASE}vocab/> .
@prefix id: <{BASE}id/> .

id:deploiement\\/awkward-1 a iat:Deployment ;
    dct:identifier "awkward-1" ;
    dct:title "=1+2 \\t tab \\"quoted\\" back\\\\slash\\nline é ✓ \\u00e0"@fr , "English"@en ;
    dct:description "Only in English"@en , "fr-be"@fr-be , "sans langue" ;
    tech:hasDeployer id:organisation\\/217804905 , id:organisation\\/zz-second ;
    ai:hasAISystem id:systeme\\/awkward-system ;
    adms:status v:statut\\/en-service ;
    eu-aiact:hasRiskLevel <https://example.org/not-a-concept> ;
    dpv:hasPurpose v:finalite\\/mobilite , v:finalite\\/aide-redaction , "texte libre" ;
    dcat:theme v:domaine\\/relation-usagers ;
    iat:individualDecision "1"^^xsd:boolean ;
    dpv:hasHumanInvolvement v:supervision\\/validation-humaine ;
    skos:note "a | b"@fr , "-moins"@fr , "@arobase"@fr ;
    dct:temporal [ a dct:PeriodOfTime ; time:hasBeginning [ a time:Instant ] ;
                   dcat:endDate "2026-02-03T04:05:06"^^xsd:dateTime ] ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Service \\"numérique\\"" ;
                        vcard:hasEmail <mailto:numerique@ville.example> ] ;
    dpv:hasPersonalData pd:TelephoneNumber , <https://example.org/other#Data> ;
    dpv:hasImpactAssessment
        [ a eu-aiact:FRIA ; dct:issued "2025"^^xsd:gYear ; foaf:page <https://ex.org/fria> ] ,
        [ a dpv:DPIA ; dct:issued "2024-05"^^xsd:gYearMonth ; foaf:page <https://ex.org/dpia> ] ;
    foaf:page <https://ex.org/b> , <https://ex.org/a> ;
    dct:source <https://ex.org/src/2> , <https://ex.org/src/1> , [ dct:title "blank"@fr ] ;
    dqv:hasQualityAnnotation [ a dqv:QualityAnnotation ; oa:hasBody v:confiance\\/moyenne ] ;
    dct:modified "2026-01-15T10:00:00"^^xsd:dateTime .

<https://ex.org/src/1> a foaf:Document ; dct:title "Délibération"@fr , "Deliberation"@en ;
    dct:issued "2023-02-09"^^xsd:date ; dct:type v:type-document\\/deliberation .
<https://ex.org/src/2> a foaf:Document ; dct:issued "2023"^^xsd:gYear .

id:deploiement\\/awkward-2 a iat:Deployment ;
    dct:identifier "awkward-2" ;
    dct:title "Période en IRI"@fr ;
    iat:individualDecision "yes"^^xsd:boolean ;
    dct:temporal <https://ex.org/period> ;
    dpv:hasImpactAssessment <https://ex.org/assessment> .
<https://ex.org/period> dcat:startDate "2020"^^xsd:gYear .
<https://ex.org/assessment> a dpv:DPIA ; dct:issued "2020"^^xsd:gYear .

id:systeme\\/awkward-system a ai:AISystem ;
    dct:identifier "awkward-system" ;
    dct:title "Système\\tbizarre"@fr ;
    dcat:version 3 ;
    ai:hasModel <https://ex.org/model> , "modèle maison" ;
    ai:hasTechnique ai:MachineLearning ;
    tech:hasProvider id:organisation\\/zz-second .

id:organisation\\/zz-second a foaf:Organization , org:Organization , cv:PublicOrganisation ;
    foaf:name "Second \\"org\\"" ;
    org:classification id:categorie-juridique\\/7210 ;
    dct:spatial id:territoire\\/commune-78490 ;
    <http://www.w3.org/ns/adms#identifier> [ a adms:Identifier ; skos:notation "217804905" ] .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    folder = tmp_path_factory.mktemp("rows")
    nq = folder / "registry.nq"
    with nq.open("w", encoding="utf-8") as fh:
        generate(60, fh)
    ttl = folder / "awkward.ttl"
    ttl.write_text(AWKWARD, encoding="utf-8")
    s = EmbeddedStore(None)
    s.bulk_load(nq)
    s.bulk_load(ttl)
    yield s
    s.close()


def _nodes(store: EmbeddedStore, kind: str) -> list[str]:
    prefix = f"{BASE}id/{kind}/"
    rows = store.select(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), "{prefix}") }}'
    )
    return sorted(str(r["s"]) for r in rows)


def _reference_graph(store: EmbeddedStore, node: str, *, with_sources: bool) -> object:
    follow = f"isBlank(?o) || ?p = <{DCTERMS.source}>" if with_sources else "isBlank(?o)"
    return store.construct(
        f"CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{ VALUES ?s {{ <{node}> }} ?s ?p ?o "
        f"OPTIONAL {{ ?o ?p2 ?o2 FILTER({follow}) }} }}"
    )


@pytest.mark.parametrize(
    ("table", "kind"),
    [("deploiements", "deploiement"), ("systemes", "systeme"), ("organisations", "organisation")],
)
def test_rows_equal_the_per_entry_reading(store: EmbeddedStore, table: str, kind: str) -> None:
    nodes = _nodes(store, kind)
    assert len(nodes) > 3
    with_sources = table == "deploiements"
    mapper = RowMapper(LAYOUT, vocabulary())
    builder = RowBuilder(LAYOUT, vocabulary())
    # A chunk size that does not divide the count: chunk boundaries are crossed.
    indexes = [i for chunk in read_chunks(store, nodes, 7, TABLES[table]) for i in chunk]
    assert len(indexes) == len(nodes)
    for node, triples in zip(nodes, indexes, strict=True):
        key = node.rsplit("/", 1)[1]
        graph = _reference_graph(store, node, with_sources=with_sources)
        expected = mapper.to_row(TABLES[table], graph, URIRef(node))  # type: ignore[arg-type]
        assert builder.row(TABLES[table], key, triples) == expected, node
        if with_sources:
            expected_sources = mapper.source_rows(graph, URIRef(node), key)  # type: ignore[arg-type]
            assert builder.source_rows(key, triples) == expected_sources, node


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """A registry as the entry service leaves it: each entry in its current version graph
    (dcat:hasCurrentVersion in the registry graph) and in the public view. Plus: awkward-2
    only in the public view (no version graph); a title of source 1 that only the public view
    holds (another entry citing the same document describes it differently)."""
    folder = tmp_path_factory.mktemp("versioned")
    nq = folder / "registry.nq"
    with nq.open("w", encoding="utf-8") as fh:
        generate(25, fh)
    ttl = folder / "awkward.ttl"
    ttl.write_text(AWKWARD, encoding="utf-8")
    s = EmbeddedStore(None)
    s.bulk_load(nq)
    s.bulk_load(ttl)
    awkward = f"{BASE}id/deploiement/awkward-1"
    s.update(
        f"INSERT {{ GRAPH <{LAYOUT.version_prefix}deploiement/awkward-1/1> {{ ?s ?p ?o }} }} "
        f"WHERE {{ {{ BIND(<{awkward}> AS ?s) ?s ?p ?o }} "
        f"UNION {{ <{awkward}> ?x ?s FILTER(isBlank(?s)) ?s ?p ?o }} "
        f"UNION {{ <{awkward}> ?x ?b FILTER(isBlank(?b)) ?b ?y ?s FILTER(isBlank(?s)) ?s ?p ?o }} "
        f"UNION {{ <{awkward}> <{DCTERMS.source}> ?s FILTER(isIRI(?s)) ?s ?p ?o }} }}"
    )
    s.update(f'INSERT DATA {{ <https://ex.org/src/1> <{DCTERMS.title}> "Autre titre"@fr }}')
    meta = []
    for graph in s.graph_names(LAYOUT.version_prefix):
        kind, key, _n = graph[len(LAYOUT.version_prefix) :].split("/")
        subject = f"{BASE}id/{'fiche' if kind == 'deploiement' else kind}/{key}"
        meta.append(f"<{subject}> <{HAS_CURRENT_VERSION}> <{graph}>")
    s.update(f"INSERT DATA {{ GRAPH <{LAYOUT.registry_graph}> {{ {' . '.join(meta)} }} }}")
    yield s
    s.close()


def ox_graph(turtle: bytes) -> Graph:
    return Graph().parse(data=turtle.decode("utf-8"), format="turtle")


def _sorted(index: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    return {k: sorted(v) for k, v in index.items()}


def test_version_graph_reading_gives_the_public_view_rows(versioned: EmbeddedStore) -> None:
    """One reading of the version graphs feeds the rows and the RDF dump: the rows' index is
    the one the public view gives (entries own their IRIs and blank nodes; source documents
    are read from the public view; an entry without a version graph falls back to it), and
    the dump's triples are exactly those of the current version graphs."""
    table = TABLES["deploiements"]
    nodes = _nodes(versioned, "deploiement")
    assert f"{BASE}id/deploiement/awkward-2" in nodes and len(nodes) > 20
    records = [n.replace("/id/deploiement/", "/id/fiche/") for n in nodes]
    public = [i for chunk in read_chunks(versioned, nodes, 7, table) for i in chunk]
    chunks = list(read_version_chunks(versioned, LAYOUT, nodes, records, 7, table))
    from_versions = [i for chunk in chunks for i in chunk.indexes]
    builder = RowBuilder(LAYOUT, vocabulary())
    for node, mine, theirs in zip(nodes, from_versions, public, strict=True):
        key = node.rsplit("/", 1)[1]
        assert builder.row(table, key, mine) == builder.row(table, key, theirs), node
        assert builder.source_rows(key, mine) == builder.source_rows(key, theirs), node
        # Same index, but for the blank nodes of blank nodes (the tables never look so deep).
        linked = {o for (n, _p), objects in mine.items() if n == "" for o in objects}
        assert _sorted({k: v for k, v in mine.items() if k[0] in linked or k[0] == ""}) == (
            _sorted(theirs)
        ), node
    titles = from_versions[nodes.index(f"{BASE}id/deploiement/awkward-1")][
        ("<https://ex.org/src/1>", f"<{DCTERMS.title}>")
    ]
    assert '"Autre titre"@fr' in titles  # the public view's, not only the version graph's

    dumped = ox_graph(b"".join(c.turtle for c in chunks))
    expected = versioned.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LAYOUT.registry_graph}> "
        f"{{ ?m <{HAS_CURRENT_VERSION}> ?g }} GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER STRSTARTS(STR(?m), "{BASE}id/fiche/") }}'
    )
    assert len(dumped) == len(expected) > 25 * 20
    assert isomorphic(dumped, expected)
    assert not any(str(s).endswith("awkward-2") for s in dumped.subjects())


def test_awkward_cells(store: EmbeddedStore) -> None:
    """What the awkward entry gives, spelled out (the comparison above could pass with both
    readings wrong in the same way)."""
    node = f"{BASE}id/deploiement/awkward-1"
    (triples,) = next(read_chunks(store, [node], 10, TABLES["deploiements"]))
    row = RowBuilder(LAYOUT, vocabulary()).row(TABLES["deploiements"], "awkward-1", triples)
    assert row["titre"] == '=1+2 \t tab "quoted" back\\slash\nline é ✓ à'
    assert row["description"] == "sans langue"
    assert row["organisation"] == "217804905"
    assert row["decision_individuelle"] == "oui"
    assert row["date_debut"] == "inconnue" and row["date_fin"] == "2026-02-03"
    assert row["aipd_date"] == "2024-05" and row["aidf_lien"] == "https://ex.org/fria"
    assert row["notes"] == "-moins | @arobase | a \\| b"
    assert row["contact_courriel"] == "numerique@ville.example"
    assert row["date_mise_a_jour"] == "2026-01-15"
    assert row["pages"] == "https://ex.org/a | https://ex.org/b"
    sources = RowBuilder(LAYOUT, vocabulary()).source_rows("awkward-1", triples)
    assert [s["url"] for s in sources] == ["https://ex.org/src/1", "https://ex.org/src/2"]
    assert sources[0]["titre"] == "Délibération" and sources[0]["type_document"] == "deliberation"


@pytest.mark.parametrize(
    ("token", "kind", "value", "language", "datatype"),
    [
        ("<https://ex.org/a>", "iri", "https://ex.org/a", None, None),
        ("_:b0", "bnode", "b0", None, None),
        ('"a\\tb\\"c\\\\d\\u00e9"@fr', "literal", 'a\tb"c\\dé', "fr", None),
        ('"x"^^<http://www.w3.org/2001/XMLSchema#string>', "literal", "x", None, None),
        (
            '"2020"^^<http://www.w3.org/2001/XMLSchema#gYear>',
            "literal",
            "2020",
            None,
            XSD + "gYear",
        ),
        ("true", "literal", "true", None, XSD + "boolean"),
        ("-5", "literal", "-5", None, XSD + "integer"),
        ("1.5", "literal", "1.5", None, XSD + "decimal"),
        ("1.5E3", "literal", "1.5E3", None, XSD + "double"),
    ],
)
def test_parse_term(
    token: str, kind: str, value: str, language: str | None, datatype: str | None
) -> None:
    term = parse_term(token)
    assert (term.kind, term.value, term.language, term.datatype) == (
        kind,
        value,
        language,
        datatype,
    )


@pytest.mark.parametrize(
    ("column", "token", "term"),
    [
        ("decision_individuelle", f'"1"^^<{XSD}boolean>', Literal("1", datatype=XSD_NS.boolean)),
        (
            "decision_individuelle",
            f'"TRUE"^^<{XSD}boolean>',
            Literal("TRUE", datatype=XSD_NS.boolean),
        ),
        ("decision_individuelle", "false", Literal(False)),
        ("decision_individuelle", '"oui"', Literal("oui")),
        (
            "date_fin",
            f'"2020-01-02T03:04:05"^^<{XSD}dateTime>',
            Literal("2020-01-02T03:04:05", datatype=XSD_NS.dateTime),
        ),
        ("date_fin", "<https://ex.org/d>", URIRef("https://ex.org/d")),
        ("titre", '"a"@en', Literal("a", lang="en")),
        ("titre", "12", Literal(12)),
        ("statut", f"<{BASE}vocab/statut/arrete>", URIRef(f"{BASE}vocab/statut/arrete")),
        (
            "donnees_personnelles",
            "<https://w3id.org/dpv/pd#Age>",
            URIRef("https://w3id.org/dpv/pd#Age"),
        ),
        ("contact_courriel", "<mailto:a@b.example>", URIRef("mailto:a@b.example")),
    ],
)
def test_format_agrees_with_the_mapper(column: str, token: str, term: Node) -> None:
    """Terms Oxigraph never returns (it canonicalises "1"^^xsd:boolean) but another SPARQL
    server may."""
    col = TABLES["deploiements"].column(column)
    expected = RowMapper(LAYOUT, vocabulary()).format(col, term)
    assert RowBuilder(LAYOUT, vocabulary()).format(col, token) == expected
