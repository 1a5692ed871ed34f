"""Differential test: the compiled validator (registry.shacl) gives pySHACL's very reports.

pySHACL (``registry.validate.Validator``) is the reference. Inputs: every shape fixture
(tests/data/valid, tests/data/invalid), every curated entry (datasets/entries, with its context
from the others, as the ``validate`` CLI builds it), and a few hundred seeded random mutants of
both (a value dropped, added, swapped, retyped, relabelled, a concept unknown, a rule's
condition switched on...). Compared: ``ValidationReport.to_dict()``, from ``validate`` one by
one and from ``validate_many`` over mixed batches, with Graphs and with plain triple lists.
pySHACL's reports are computed once per session (the slow side).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from registry import vocab
from registry.ingest import parse_graph
from registry.layout import Layout, split_entries
from registry.ontology import load_vocabulary
from registry.shacl import CompiledValidator, default_compiled_validator
from registry.store.scratch import ScratchStore
from registry.validate import ShapesError, default_validator, read_shapes
from registry.vocab import IAT, SH
from tests.unit.test_shapes_fixtures import _graph as fixture_graph
from tests.unit.test_shapes_fixtures import _report as pyshacl_fixture_report

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHAPES = "https://w3id.org/ia-territoires/shapes#"
VOCAB = vocab.DEFAULT_BASE + "vocab/"
MUTANTS = 200
# Mutants hold ill-typed literals on purpose ("Bad Id"^^xsd:boolean...): rdflib warns.
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
SEED = 20260301

Triple = tuple[Node, Node, Node]
Item = tuple[Graph, Graph | None]


def _graph(triples: list[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


# ---------------------------------------------------------------- inputs


@cache
def _fixtures() -> dict[str, Item]:
    # The graphs test_shapes_fixtures validates with pySHACL: its reports are reused.
    files = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))
    return {f"{f.parent.name}/{f.name}": (fixture_graph(f), None) for f in files}


@cache
def _curated() -> dict[str, Item]:
    layout = Layout(vocab.DEFAULT_BASE)
    data = Graph()
    for f in sorted((ROOT / "datasets" / "entries").rglob("*.ttl")):
        data += parse_graph(f, base_iri=layout.base)
    entries, _ = split_entries(data, layout)
    items: dict[str, Item] = {}
    for (kind, key), content in sorted(entries.items()):
        subjects = set(content.subjects())
        context = Graph()
        for o in {o for o in content.objects() if isinstance(o, URIRef) and o not in subjects}:
            for t in data.triples((o, None, None)):
                context.add(t)
        items[f"curated/{kind}/{key}"] = (content, context)
    return items


@cache
def _concepts() -> dict[str, list[URIRef]]:
    """Concepts by scheme, to put known and misplaced concepts in the mutants."""
    vocabulary = load_vocabulary()
    schemes: dict[str, list[URIRef]] = {}
    for concept, scheme in vocabulary.subject_objects(SKOS.inScheme):
        if isinstance(concept, URIRef):
            schemes.setdefault(str(scheme), []).append(concept)
    return {k: sorted(v) for k, v in sorted(schemes.items())}


def _concept(scheme: str, name: str) -> URIRef:
    return URIRef(f"{VOCAB}{scheme}/{name}")


DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
TIME = "http://www.w3.org/2006/time#"
DPV = "https://w3id.org/dpv#"
AI = "https://w3id.org/dpv/ai#"
EU_AIACT = "https://w3id.org/dpv/legal/eu/aiact#"
ADMS = "http://www.w3.org/ns/adms#"
FOAF = "http://xmlns.com/foaf/0.1/"
SINGLE_VALUED = {
    DCT + "identifier",
    DCT + "modified",
    DCT + "issued",
    ADMS + "status",
    EU_AIACT + "hasRiskLevel",
    str(IAT.individualDecision),
    DCAT + "startDate",
    DCAT + "endDate",
    FOAF + "primaryTopic",
}
DATATYPES = [
    XSD.string,
    XSD.date,
    XSD.dateTime,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.boolean,
    XSD.integer,
    None,
]
DATES = [
    ("2024-03-01", XSD.date),
    ("2023-11", XSD.gYearMonth),
    ("2022", XSD.gYear),
    ("2025-01-15", XSD.date),
    ("2024", XSD.gYear),
    ("2024-02-30", XSD.date),
    ("not a date", XSD.date),
    ("2024-03-01T10:00:00", XSD.dateTime),
    ("2021-06", XSD.string),
]


class _Mutator:
    """Seeded random edits of an entry (data, context) as triple lists."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.schemes = _concepts()
        self.ops: list[Callable[[list[Triple], list[Triple]], None]] = [
            self.drop,
            self.drop,
            self.duplicate,
            self.second_value,
            self.swap,
            self.retype,
            self.relang,
            self.unknown_concept,
            self.other_scheme,
            self.iri_to_literal,
            self.literal_to_iri,
            self.to_bnode,
            self.rule_condition,
            self.rule_condition,
            self.dates,
            self.dates,
            self.drop_context,
            self.bad_identifier,
            self.retype_node,
        ]

    def mutate(self, data: list[Triple], context: list[Triple]) -> None:
        for _ in range(self.rng.randint(1, 3)):
            self.rng.choice(self.ops)(data, context)

    def _pick(
        self, triples: list[Triple], test: Callable[[Triple], bool] = lambda t: True
    ) -> int | None:
        candidates = [i for i, t in enumerate(triples) if test(t)]
        return self.rng.choice(candidates) if candidates else None

    def _deployment(self, data: list[Triple]) -> Node | None:
        found = [s for s, p, o in data if p == RDF.type and o == IAT.Deployment]
        return found[0] if found else None

    def drop(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data)
        if i is not None:
            del data[i]

    def duplicate(self, data: list[Triple], _context: list[Triple]) -> None:
        self._another_value(data, self._pick(data))

    def second_value(self, data: list[Triple], _context: list[Triple]) -> None:
        # A second value where at most one is allowed (sh:maxCount 1).
        self._another_value(data, self._pick(data, lambda t: str(t[1]) in SINGLE_VALUED))

    def _another_value(self, data: list[Triple], i: int | None) -> None:
        if i is None:
            return
        s, p, o = data[i]
        if isinstance(o, Literal):
            o2: Node = Literal(f"{o} (bis)", lang=o.language, datatype=o.datatype)
        elif isinstance(o, URIRef) and str(o).startswith(VOCAB):
            scheme = str(o)[len(VOCAB) :].split("/")[0]
            o2 = self.rng.choice(self.schemes.get(VOCAB + scheme, [o]))
        else:
            o2 = URIRef(f"{o}-bis") if isinstance(o, URIRef) else BNode()
        data.append((s, p, o2))

    def swap(self, data: list[Triple], _context: list[Triple]) -> None:
        i, j = self._pick(data), self._pick(data)
        if i is not None and j is not None and data[i][0] == data[j][0]:
            (s, p, o), (s2, p2, o2) = data[i], data[j]
            data[i], data[j] = (s, p, o2), (s2, p2, o)

    def retype(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: isinstance(t[2], Literal))
        if i is not None:
            s, p, o = data[i]
            data[i] = (s, p, Literal(str(o), datatype=self.rng.choice(DATATYPES)))

    def relang(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: isinstance(t[2], Literal))
        if i is not None:
            s, p, o = data[i]
            lang = self.rng.choice(["fr", "en", "fr-FR", "FR", "de", None])
            data[i] = (s, p, Literal(str(o), lang=lang))

    def unknown_concept(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: str(t[2]).startswith(VOCAB))
        if i is not None:
            s, p, o = data[i]
            data[i] = (s, p, URIRef(str(o).rsplit("/", 1)[0] + "/inconnu"))

    def other_scheme(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: str(t[2]).startswith(VOCAB))
        if i is not None:
            s, p, _o = data[i]
            scheme = self.rng.choice(list(self.schemes))
            data[i] = (s, p, self.rng.choice(self.schemes[scheme]))

    def iri_to_literal(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: isinstance(t[2], URIRef) and t[1] != RDF.type)
        if i is not None:
            s, p, o = data[i]
            data[i] = (s, p, Literal(str(o)))

    def literal_to_iri(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: isinstance(t[2], Literal))
        if i is not None:
            s, p, _o = data[i]
            data[i] = (s, p, URIRef("https://example.org/not-a-literal"))

    def to_bnode(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: t[1] != RDF.type)
        if i is not None:
            s, p, _o = data[i]
            data[i] = (s, p, BNode())

    def retype_node(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: t[1] == RDF.type)
        if i is not None:
            s, p, _o = data[i]
            data[i] = (
                s,
                p,
                self.rng.choice(
                    [
                        URIRef(FOAF + "Organization"),
                        URIRef("http://www.w3.org/ns/dcat#CatalogRecord"),
                        URIRef(AI + "AISystem"),
                        URIRef("https://example.org/Unknown"),
                    ]
                ),
            )

    def _set(self, data: list[Triple], s: Node, p: str, values: list[Node]) -> None:
        data[:] = [t for t in data if not (t[0] == s and t[1] == URIRef(p))]
        data.extend((s, URIRef(p), v) for v in values)

    def rule_condition(self, data: list[Triple], context: list[Triple]) -> None:
        d = self._deployment(data)
        if d is None:
            return
        rng = self.rng
        choice = rng.randrange(9)
        if choice == 0:
            self._set(data, d, ADMS + "status", [_concept("statut", "en-service")])
        elif choice == 1:
            risk = rng.choice(["haut-risque-annexe-iii", "risque-minimal", "transparence-art-50"])
            self._set(data, d, EU_AIACT + "hasRiskLevel", [_concept("classification-ai-act", risk)])
        elif choice == 2:
            data.append(
                (d, URIRef(DPV + "hasPersonalData"), URIRef("https://w3id.org/dpv/pd#Name"))
            )
        elif choice == 3:
            basis = rng.choice(["non-documentee", "consentement"])
            self._set(data, d, DPV + "hasLegalBasis", [_concept("base-legale", basis)])
        elif choice == 4:
            self._set(data, d, DCT + "temporal", [])
        elif choice == 5:
            period = BNode()
            beginning = BNode()
            self._set(data, d, DCT + "temporal", [period])
            data.append((period, URIRef(TIME + "hasBeginning"), beginning))
            if rng.random() < 0.5:
                data.append(
                    (beginning, URIRef(TIME + "inXSDgYear"), Literal("2020", datatype=XSD.gYear))
                )
        elif choice == 6:
            assessment = BNode()
            data.append((d, URIRef(DPV + "hasImpactAssessment"), assessment))
            kind = rng.choice(
                [DPV + "DPIA", EU_AIACT + "FRIA", DPV + "ImpactAssessment", FOAF + "Document"]
            )
            data.append((assessment, RDF.type, URIRef(kind)))
        elif choice == 7:
            systems = [
                o for s, p, o in data + context if s == d and p == URIRef(AI + "hasAISystem")
            ]
            for system in systems:
                family = rng.choice(["llm", "agent-conversationnel", "vision"])
                context.append((system, URIRef(DCT + "type"), _concept("famille-ia", family)))
        else:
            self._set(
                data, d, IAT.aiActCategory, [_concept("classification-ai-act", "annexe-iii-4")]
            )

    def dates(self, data: list[Triple], _context: list[Triple]) -> None:
        d = self._deployment(data)
        if d is None:
            return
        periods = [o for s, p, o in data if s == d and p == URIRef(DCT + "temporal")]
        period = periods[0] if periods else BNode()
        if not periods:
            data.append((d, URIRef(DCT + "temporal"), period))
        for prop in ("startDate", "endDate"):
            if self.rng.random() < 0.7:
                lexical, datatype = self.rng.choice(DATES)
                self._set(data, period, DCAT + prop, [Literal(lexical, datatype=datatype)])

    def drop_context(self, _data: list[Triple], context: list[Triple]) -> None:
        i = self._pick(context)
        if i is not None:
            del context[i]

    def bad_identifier(self, data: list[Triple], _context: list[Triple]) -> None:
        i = self._pick(data, lambda t: t[1] == URIRef(DCT + "identifier"))
        if i is not None:
            s, p, _o = data[i]
            data[i] = (
                s,
                p,
                self.rng.choice(
                    [
                        Literal("Bad Id"),
                        Literal("ok-id", lang="fr"),
                        Literal("12", datatype=XSD.integer),
                    ]
                ),
            )


@cache
def _mutants() -> dict[str, Item]:
    rng = random.Random(SEED)
    mutator = _Mutator(rng)
    bases = list(_curated().items()) + [
        (name, item) for name, item in _fixtures().items() if name.startswith("valid/")
    ]
    items: dict[str, Item] = {}
    for n in range(MUTANTS):
        name, (data, context) = rng.choice(bases)
        data_triples = sorted(data, key=str)
        context_triples = sorted(context, key=str) if context is not None else []
        mutator.mutate(data_triples, context_triples)
        items[f"mutant/{n}/{name}"] = (
            _graph(data_triples),
            _graph(context_triples) if context is not None else None,
        )
    return items


def _all_items() -> dict[str, Item]:
    return {**_fixtures(), **_curated(), **_mutants()}


# ---------------------------------------------------------------- pySHACL's reports, once


@cache
def _reference_of(group: str) -> dict[str, dict[str, Any]]:
    validator = default_validator()
    if group == "fixtures":  # the very reports test_shapes_fixtures computes (shared cache)
        return {name: pyshacl_fixture_report(DATA / name).to_dict() for name in _fixtures()}
    # validate_many gives validate's reports (tests/unit/test_validate_many.py), for less.
    items = _curated() if group == "curated" else _mutants()
    many = validator.validate_many(list(items.values()))
    return {name: report.to_dict() for name, report in zip(items, many, strict=True)}


def _reference() -> dict[str, dict[str, Any]]:
    return {**_reference_of("fixtures"), **_reference_of("curated"), **_reference_of("mutants")}


def _compiled() -> CompiledValidator:
    return default_compiled_validator()


def _diff(name: str, expected: dict[str, Any], got: dict[str, Any]) -> str:
    def short(report: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (r["shape"].removeprefix(SHAPES), r["focus"], r["path"], r["value"])
            for r in report["results"]
        ]

    exp, out = short(expected), short(got)
    return (
        f"{name}: pySHACL only {[r for r in exp if r not in out]}, "
        f"compiled only {[r for r in out if r not in exp]}, "
        f"completeness {expected['completeness']} vs {got['completeness']}"
    )


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("group", ["fixtures", "curated", "mutants"])
def test_validate_gives_pyshacl_reports(group: str) -> None:
    items = {"fixtures": _fixtures, "curated": _curated, "mutants": _mutants}[group]()
    reference = _reference_of(group)
    compiled = _compiled()
    assert items
    for name, (data, context) in items.items():
        got = compiled.validate(data, context=context).to_dict()
        assert got == reference[name], _diff(name, reference[name], got)


def test_validate_many_over_mixed_batches_gives_pyshacl_reports() -> None:
    # Fixtures share their IRIs and mutants share their base's: many batches disagree on a
    # node, which the rules' batching must keep apart.
    reference = _reference()
    compiled = _compiled()
    names = list(_all_items())
    rng = random.Random(SEED + 1)
    rng.shuffle(names)
    items = _all_items()
    start = 0
    while start < len(names):
        size = rng.choice([1, 2, 7, 40, 150, 400])
        chunk = names[start : start + size]
        start += size
        reports = compiled.validate_many([items[n] for n in chunk])
        for name, report in zip(chunk, reports, strict=True):
            got = report.to_dict()
            assert got == reference[name], _diff(name, reference[name], got)


def test_triple_lists_give_the_same_reports_as_graphs() -> None:
    reference = _reference()
    items = _all_items()
    names = sorted(items)
    as_tuples = [
        (list(items[n][0]), list(items[n][1]) if items[n][1] is not None else None) for n in names
    ]
    reports = _compiled().validate_many(as_tuples)
    for name, report in zip(names, reports, strict=True):
        assert report.to_dict() == reference[name], name
    # Duplicated triples in a list are one triple of a graph (maxCount must not see two).
    name = "valid/complete-entry.ttl"
    data = list(items[name][0])
    assert _compiled().validate(data + data[:10]).to_dict() == reference[name]


def test_the_comparison_covers_many_shapes_and_every_rule() -> None:
    reference = _reference()
    reported = {r["shape"] for report in reference.values() for r in report["results"]}
    rules = {i.iri for i in _compiled().shapes_info.values() if i.kind == "rule"}
    assert len(rules) >= 9
    assert rules <= reported, f"rules never reported: {rules - reported}"
    assert len(reported) >= 50, len(reported)
    mutant_reports = [reference[n] for n in _mutants()]
    assert sum(not r["conforms"] for r in mutant_reports) > MUTANTS // 4


def test_same_interface_as_the_pyshacl_validator() -> None:
    compiled, reference = _compiled(), default_validator()
    assert compiled.shapes_info == reference.shapes_info
    assert compiled.class_checked_predicates == reference.class_checked_predicates
    assert compiled.recommended_shapes == reference.recommended_shapes


# ---------------------------------------------------------------- shapes it refuses


def _shapes_with(*triples: Triple) -> Graph:
    shapes = read_shapes()
    for triple in triples:
        shapes.add(triple)
    return shapes


@pytest.mark.parametrize(
    "extra",
    [
        [(URIRef(SHAPES + "deployment-title"), SH.minLength, Literal(3))],
        [(URIRef(SHAPES + "deployment-title"), SH.uniqueLang, Literal(True))],
        [(URIRef(SHAPES + "DeploymentShape"), SH.closed, Literal(True))],
        [(URIRef(SHAPES + "deployment-title"), SH.notAParameter, Literal(1))],
        [
            (URIRef(SHAPES + "rule-end-before-start"), SH.sparql, BNode("c")),
            (BNode("c"), SH.select, Literal("SELECT $this WHERE { $this ?p ?o }")),
            (BNode("c"), SH.prefixes, URIRef(SHAPES)),
        ],
        [
            (URIRef(SHAPES + "rule-x"), SH.targetClass, IAT.Deployment),
            (URIRef(SHAPES + "rule-x"), SH.severity, SH.Violation),
            (URIRef(SHAPES + "rule-x"), SH.sparql, BNode("d")),
            (BNode("d"), SH.select, Literal("SELECT ?x WHERE { $this ?p ?x }")),
        ],
        [
            (URIRef(SHAPES + "path-x"), SH.targetClass, IAT.Deployment),
            (URIRef(SHAPES + "path-x"), SH.severity, SH.Violation),
            (URIRef(SHAPES + "path-x"), SH.path, BNode("p")),
            (BNode("p"), SH.zeroOrMorePath, URIRef(DCT + "isPartOf")),
            (URIRef(SHAPES + "path-x"), SH.minCount, Literal(1)),
        ],
    ],
    ids=["minLength", "uniqueLang", "closed", "unknown", "sh-prefixes", "no-this", "zeroOrMore"],
)
def test_unknown_constraint_parameters_are_refused(extra: list[Triple]) -> None:
    with pytest.raises(ShapesError):
        CompiledValidator(_shapes_with(*extra), load_vocabulary())


def test_a_checking_shape_without_report_metadata_is_refused() -> None:
    shape = URIRef(SHAPES + "unnamed")
    shapes = _shapes_with(
        (URIRef(SHAPES + "DeploymentShape"), SH.property, shape),
        (shape, SH.path, URIRef(DCT + "title")),
        (shape, SH.minCount, Literal(1)),
    )
    with pytest.raises(ShapesError):
        CompiledValidator(shapes, load_vocabulary())


# ---------------------------------------------------------------- the scratch store


def test_scratch_store_keeps_blank_nodes_and_odd_iris() -> None:
    b = BNode()
    odd = URIRef("https://example.org/a b>c")
    store = ScratchStore(
        [
            (b, URIRef("urn:p"), Literal('say "hi"\nthere', lang="fr")),
            (odd, URIRef("urn:p"), b),
        ]
    )
    rows = store.select("SELECT ?s ?o WHERE { ?s <urn:p> ?o }")
    assert {(row["s"], row["o"]) for row in rows} == {
        (b, Literal('say "hi"\nthere', lang="fr")),
        (odd, b),
    }
    [row] = store.select("SELECT ?s ?o WHERE { ?s <urn:p> ?o }", substitutions={"s": b})
    assert row["o"] == Literal('say "hi"\nthere', lang="fr")


@pytest.mark.parametrize(
    ("query", "forward"),
    [
        (
            "SELECT $this WHERE { $this <urn:p> ?x . ?x <urn:q> ?y"
            " FILTER NOT EXISTS { ?y <urn:r> ?z } }",
            True,
        ),
        ("SELECT $this WHERE { ?x <urn:p> $this }", False),
        ("SELECT $this WHERE { $this ^<urn:p> ?x }", False),
        ("SELECT $this WHERE { $this <urn:p> ?x FILTER NOT EXISTS { ?w <urn:r> ?x } }", False),
        ("SELECT $this WHERE { $this ?p ?x }", False),
    ],
)
def test_rules_looking_beyond_their_focus_node_are_run_one_entry_at_a_time(
    query: str, forward: bool
) -> None:
    # A batch shares a store: only rules that follow links forward from $this may share it.
    rule = URIRef(SHAPES + "rule-test")
    shapes = _shapes_with(
        (rule, SH.targetClass, IAT.Deployment),
        (rule, SH.severity, SH.Warning),
        (rule, SH.name, Literal("Essai", lang="fr")),
        (rule, SH.message, Literal("Essai", lang="fr")),
        (rule, SH.sparql, BNode("q")),
        (BNode("q"), SH.select, Literal(query)),
    )
    compiled = CompiledValidator(shapes, load_vocabulary())
    assert compiled._batchable is forward
    # Whatever the batching, the reports are those of one entry at a time.
    items = list(_fixtures().values())[:6]
    assert [r.to_dict() for r in compiled.validate_many(items)] == [
        compiled.validate(d, context=c).to_dict() for d, c in items
    ]
