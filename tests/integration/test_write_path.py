"""The write path, history and token scoping, on both store backends (the embedded pyoxigraph
store on disk and a real ``oxigraph serve`` through SPARQL 1.1): one suite, parametrised."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from registry import history
from registry.auth import AuthDB, Principal
from registry.entries import (
    Checked,
    EntryService,
    WriteRequest,
    WriteResult,
    version_update_parts,
)
from registry.errors import (
    InputError,
    NotFoundError,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from registry.layout import DCAT, HAS_CURRENT_VERSION, HAS_VERSION, Layout, split_entries
from registry.loading import collect, load, load_fixed_graph
from registry.shacl import CompiledValidator, default_compiled_validator
from registry.store import Store
from registry.store.embedded import EmbeddedStore
from registry.store.remote import RemoteStore
from registry.vocab import ADMS, EU_AIACT, ONTOLOGY_DIR, PROJECT_ROOT, TECH
from tests.harness.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/ia-territoires/"
LAYOUT = Layout(BASE)
PLAISIR = "217804905"
OTHER = "213502388"
KEY = "fr-plaisir-optimus"
DEP = URIRef(LAYOUT.entry_iri("deploiement", KEY))
SOURCE = URIRef(
    "https://www.bfmtv.com/tech/intelligence-artificielle/yvelines-la-mairie-de-plaisir-confie-"
    "son-standard-telephonique-a-une-intelligence-artificielle_AV-202302280277.html"
)
REFERENCE_TTL = f"""
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix cv: <http://data.europa.eu/m8g/> .
<{BASE}id/organisation/{PLAISIR}> a foaf:Organization, org:Organization, cv:PublicOrganisation ;
    foaf:name "Commune de Plaisir" .
<{BASE}id/organisation/{OTHER}> a foaf:Organization, org:Organization, cv:PublicOrganisation ;
    foaf:name "Autre commune" .
"""


@pytest.fixture(scope="module")
def validator() -> CompiledValidator:
    return default_compiled_validator()


@pytest.fixture(scope="module")
def example() -> dict[tuple[str, str], Graph]:
    graph = Graph().parse(PROJECT_ROOT / "ontology/examples/entry-example.ttl")
    entries, leftover = split_entries(graph, LAYOUT)
    assert len(leftover) == 0
    return entries


@pytest.fixture(scope="module")
def fixed_quads() -> list[tuple[object, ...]]:
    """The vocabulary and a small reference graph, parsed once, as quads for their named graph
    and their public copy (what ``load_fixed_graph`` writes, without re-parsing per test)."""
    quads: list[tuple[object, ...]] = []
    vocabulary = Graph()
    for f in collect([ONTOLOGY_DIR]).vocabulary:
        vocabulary.parse(f)
    reference = Graph().parse(data=REFERENCE_TTL, format="turtle")
    for graph, name in ((vocabulary, LAYOUT.vocabulary_graph), (reference, LAYOUT.reference_graph)):
        for s, p, o in graph:
            quads.append((s, p, o, URIRef(name)))
            quads.append((s, p, o, None))
    return quads


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path / "store")
    else:
        server: OxigraphServer = request.getfixturevalue("clean_oxigraph_server")
        s = RemoteStore(server.query_url, server.update_url, server.graph_store_url)
    yield s
    s.close()


@dataclass
class Env:
    store: Store
    service: EntryService
    auth: AuthDB
    plaisir: Principal
    other: Principal
    admin: Principal
    example: dict[tuple[str, str], Graph]

    def entry(self, kind: str, key: str) -> Graph:
        g = Graph()
        for t in self.example[(kind, key)]:
            g.add(t)
        return g

    def quads(self) -> set[tuple[object, ...]]:
        return set(self.store.iter_quads())

    def public(self, subject: URIRef) -> Graph:
        g = Graph()
        for row in self.store.select(f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"):
            g.add((subject, row["p"], row["o"]))
        return g

    def seed(self) -> None:
        """The example's AI system and provider, written by Plaisir's token, then the
        deployment."""
        self.service.write(
            self.plaisir, "organisation", "yelda", self.entry("organisation", "yelda")
        )
        self.service.write(
            self.plaisir, "systeme", "yelda-callbot", self.entry("systeme", "yelda-callbot")
        )
        self.service.write(self.plaisir, "deploiement", KEY, self.entry("deploiement", KEY))


@pytest.fixture
def env(
    store: Store,
    tmp_path: Path,
    validator: CompiledValidator,
    example: dict[tuple[str, str], Graph],
    fixed_quads: list[tuple[object, ...]],
) -> Iterator[Env]:
    service = EntryService(store, LAYOUT, validator, max_payload_bytes=50_000)
    store.load_dataset(fixed_quads)  # type: ignore[arg-type]
    auth = AuthDB(tmp_path / "auth.sqlite3", LAYOUT)
    auth.add_organisation(PLAISIR, "Commune de Plaisir")
    auth.add_organisation(OTHER, "Autre commune")
    principals = []
    for siren, admin in ((PLAISIR, False), (OTHER, False), (None, True)):
        _, token = auth.create_token(siren, admin=admin, label="test")
        principals.append(auth.authenticate(token))
    yield Env(store, service, auth, *principals, example=example)
    auth.close()


def _title(env: Env) -> set[str]:
    return {str(o) for o in env.public(DEP).objects(DEP, DCTERMS.title)}


def _retitled(env: Env, title: str) -> Graph:
    g = env.entry("deploiement", KEY)
    g.set((DEP, DCTERMS.title, Literal(title, lang="fr")))
    return g


# ---- create, update, concurrency ----------------------------------------------------------------
def test_create_writes_version_one_public_view_and_provenance(env: Env) -> None:
    env.seed()
    info, content = env.service.current("deploiement", KEY)
    assert info.number == 1 and info.etag == "1"
    assert isomorphic(content, env.store.get_graph(LAYOUT.version_graph("deploiement", KEY, 1)))
    assert _title(env) == {"Optimus, callbot du standard téléphonique de la mairie"}
    record = URIRef(LAYOUT.record_iri(KEY))
    public_record = env.public(record)
    assert (record, HAS_CURRENT_VERSION, URIRef(info.graph)) in public_record
    assert (record, DCTERMS.modified, None) in public_record
    versions = history.list_versions(env.store, LAYOUT, "deploiement", KEY)
    assert [v.number for v in versions] == [1]
    assert versions[0].attributed_to == LAYOUT.organisation_iri(PLAISIR)
    assert versions[0].token_id == env.plaisir.token_id
    assert versions[0].status == f"{BASE}vocab/statut/en-service"
    assert versions[0].summary_fr == "Création de la fiche."


def test_update_makes_version_two_and_keeps_version_one(env: Env) -> None:
    env.seed()
    result = env.service.write(
        env.plaisir, "deploiement", KEY, _retitled(env, "Nouveau titre"), if_match='"1"'
    )
    assert result.changed and result.version.number == 2
    assert "Titre" in result.version.summary_fr
    assert _title(env) == {"Nouveau titre"}
    v1 = history.get_version(env.store, LAYOUT, "deploiement", KEY, 1)
    assert {str(o) for o in v1.objects(DEP, DCTERMS.title)} == {
        "Optimus, callbot du standard téléphonique de la mairie"
    }
    record = URIRef(LAYOUT.record_iri(KEY))
    v2 = history.get_version(env.store, LAYOUT, "deploiement", KEY, 2)
    assert (
        record,
        URIRef("http://www.w3.org/ns/prov#wasRevisionOf"),
        URIRef(LAYOUT.version_graph("deploiement", KEY, 1)),
    ) in v2
    # The public view holds exactly the current version of the deployment: no stale triple.
    assert len(env.public(DEP)) == len(set(v2.triples((DEP, None, None))))


def test_stale_or_missing_if_match_is_refused_and_writes_nothing(env: Env) -> None:
    env.seed()
    env.service.write(env.plaisir, "deploiement", KEY, _retitled(env, "Deux"), if_match="1")
    before = env.quads()
    with pytest.raises(PreconditionFailed) as stale:
        env.service.write(env.plaisir, "deploiement", KEY, _retitled(env, "Trois"), if_match="1")
    assert stale.value.http_status == 412 and stale.value.details["current"] == "2"
    with pytest.raises(PreconditionRequired) as missing:
        env.service.write(env.plaisir, "deploiement", KEY, _retitled(env, "Trois"))
    assert missing.value.http_status == 428
    assert env.quads() == before


def test_guarded_update_from_a_concurrent_writer_writes_nothing(env: Env) -> None:
    """Two writers both read version 1: the second request's guard no longer holds."""
    env.seed()
    from datetime import UTC, datetime

    def request(title: str) -> str:
        return version_update_parts(
            LAYOUT,
            "deploiement",
            KEY,
            2,
            _retitled(env, title),
            agent=env.plaisir.agent,
            token_id=None,
            generated_at=datetime.now(UTC),
            summary=("s", "s"),
            status=None,
        ).operations()

    env.store.update(request("Premier"))
    before = env.quads()
    env.store.update(request("Second"))
    assert env.quads() == before
    assert _title(env) == {"Premier"}


def test_art_50_rule_sees_the_linked_systems_family_on_write(env: Env) -> None:
    # Regression: the write path's context once fetched only types and labels, so the rule on a
    # chatbot classified "minimal risk" (it needs the AI system's dct:type) never fired.
    env.seed()
    g = env.entry("deploiement", KEY)
    g.set((DEP, EU_AIACT.hasRiskLevel, URIRef(f"{BASE}vocab/classification-ai-act/risque-minimal")))
    result = env.service.write(env.plaisir, "deploiement", KEY, g, if_match='"1"')
    shapes = {r.shape for r in result.report.results}
    assert any(s.endswith("rule-generative-minimal-risk") for s in shapes), shapes


def test_unchanged_content_makes_no_version(env: Env) -> None:
    env.seed()
    before = env.quads()
    result = env.service.write(
        env.plaisir, "deploiement", KEY, env.entry("deploiement", KEY), if_match="1"
    )
    assert not result.changed and result.version.number == 1
    assert env.quads() == before


# ---- retire, purge ---------------------------------------------------------------------------
def test_retire_is_a_new_version_with_status_and_end_date(env: Env) -> None:
    env.seed()
    result = env.service.retire(env.plaisir, "deploiement", KEY, if_match="1")
    assert result.version.number == 2
    public = env.public(DEP)
    assert set(public.objects(DEP, ADMS.status)) == {URIRef(f"{BASE}vocab/statut/arrete")}
    rows = env.store.select(
        f"SELECT ?end WHERE {{ <{DEP}> <{DCTERMS.temporal}> ?t . ?t <{DCAT.endDate}> ?end }}"
    )
    assert len(rows) == 1
    assert history.get_version(env.store, LAYOUT, "deploiement", KEY, 1)  # kept
    assert history.list_versions(env.store, LAYOUT, "deploiement", KEY)[-1].status.endswith(
        "/arrete"
    )


def test_purge_is_admin_only_drops_all_versions_and_is_recorded(env: Env) -> None:
    env.seed()
    env.service.write(env.plaisir, "deploiement", KEY, _retitled(env, "Deux"), if_match="1")
    with pytest.raises(PermissionDenied):
        env.service.purge(env.plaisir, "deploiement", KEY, "demande CNIL")
    assert env.service.purge(env.admin, "deploiement", KEY, "décision de justice") == 2
    assert len(env.public(DEP)) == 0
    assert len(env.public(URIRef(LAYOUT.record_iri(KEY)))) == 0
    assert env.store.graph_names(LAYOUT.entry_version_prefix("deploiement", KEY)) == []
    with pytest.raises(NotFoundError):
        history.list_versions(env.store, LAYOUT, "deploiement", KEY)
    rows = env.store.select(
        f"SELECT ?why WHERE {{ GRAPH <{LAYOUT.registry_graph}> {{ ?a "
        f"<http://www.w3.org/ns/prov#invalidated> <{DEP}> ; <{DCTERMS.description}> ?why }} }}"
    )
    assert [str(r["why"]) for r in rows] == ["décision de justice"]
    # The AI system the deployment linked to is its own entry: untouched.
    assert history.current_version(env.store, LAYOUT, "systeme", "yelda-callbot") is not None


def test_triples_another_entry_still_asserts_stay_public(env: Env) -> None:
    """Two deployments cite the same source; dropping it from one keeps it public."""
    env.seed()
    twin_key = "fr-plaisir-optimus-bis"
    twin = Graph()
    twin_node = URIRef(LAYOUT.entry_iri("deploiement", twin_key))
    for s, p, o in env.entry("deploiement", KEY):
        if s == URIRef(LAYOUT.record_iri(KEY)):
            continue
        s2 = twin_node if s == DEP else s
        o2 = Literal(twin_key) if (s == DEP and p == DCTERMS.identifier) else o
        twin.add((s2, p, o2))
    env.service.write(env.plaisir, "deploiement", twin_key, twin)
    without = _retitled(env, "Sans source")
    without.remove((DEP, DCTERMS.source, SOURCE))
    for t in list(without.triples((SOURCE, None, None))):
        without.remove(t)
    env.service.write(env.plaisir, "deploiement", KEY, without, if_match="1")
    assert (SOURCE, RDF.type, FOAF.Document) in env.public(SOURCE)
    assert len(env.public(SOURCE)) == len(list(twin.triples((SOURCE, None, None))))


# ---- history -------------------------------------------------------------------------------------
def test_history_list_get_diff_restore(env: Env) -> None:
    env.seed()
    env.service.write(env.plaisir, "deploiement", KEY, _retitled(env, "Deux"), if_match="1")
    diff = history.diff_versions(env.store, LAYOUT, "deploiement", KEY, 1, 2)
    assert [f.path for f in diff.fields] == [str(DCTERMS.title)]
    assert diff.fields[0].name_fr == "Titre"
    assert diff.fields[0].added == ["Deux@fr"]
    assert len(diff.added) == 1 and len(diff.removed) == 1
    restored = env.service.restore(env.plaisir, "deploiement", KEY, 1, if_match="2")
    assert restored.version.number == 3
    assert "version 1" in restored.version.summary_fr
    assert _title(env) == {"Optimus, callbot du standard téléphonique de la mairie"}
    assert history.diff_versions(env.store, LAYOUT, "deploiement", KEY, 1, 3).unchanged
    assert [v.number for v in history.list_versions(env.store, LAYOUT, "deploiement", KEY)] == [
        1,
        2,
        3,
    ]
    with pytest.raises(NotFoundError):
        history.get_version(env.store, LAYOUT, "deploiement", KEY, 9)


# ---- authorisation -----------------------------------------------------------------------------
def test_token_scoping(env: Env) -> None:
    env.seed()
    before = env.quads()
    # another organisation may not change Plaisir's deployment...
    with pytest.raises(PermissionDenied):
        env.service.write(env.other, "deploiement", KEY, _retitled(env, "x"), if_match="1")
    # ...nor take it over by naming itself as deployer
    taken = _retitled(env, "x")
    taken.set((DEP, TECH.hasDeployer, URIRef(LAYOUT.organisation_iri(OTHER))))
    with pytest.raises(PermissionDenied):
        env.service.write(env.other, "deploiement", KEY, taken, if_match="1")
    # the AI system was created by Plaisir: another publisher may not change it
    system = env.entry("systeme", "yelda-callbot")
    system.set(
        (
            URIRef(LAYOUT.entry_iri("systeme", "yelda-callbot")),
            DCTERMS.title,
            Literal("Y", lang="fr"),
        )
    )
    with pytest.raises(PermissionDenied):
        env.service.write(env.other, "systeme", "yelda-callbot", system, if_match="1")
    assert env.quads() == before
    # its creator and an administrator may
    assert env.service.write(env.plaisir, "systeme", "yelda-callbot", system, if_match="1").changed
    system.set(
        (
            URIRef(LAYOUT.entry_iri("systeme", "yelda-callbot")),
            DCTERMS.title,
            Literal("Z", lang="fr"),
        )
    )
    assert env.service.write(env.admin, "systeme", "yelda-callbot", system, if_match="2").changed


def test_deployer_mismatch_refused(env: Env) -> None:
    env.seed()
    other_dep = env.entry("deploiement", KEY)
    other_dep.set((DEP, TECH.hasDeployer, URIRef(LAYOUT.organisation_iri(OTHER))))
    env.service.purge(env.admin, "deploiement", KEY, "test")
    before = env.quads()
    with pytest.raises(PermissionDenied):
        env.service.write(env.plaisir, "deploiement", KEY, other_dep)
    assert env.quads() == before


def test_revoked_token_refused(env: Env) -> None:
    info, token = env.auth.create_token(PLAISIR, label="à révoquer")
    assert env.auth.authenticate(token).siren == PLAISIR
    env.auth.revoke(info.id)
    with pytest.raises(PermissionDenied):
        env.auth.authenticate(token)


def test_no_token_refused(env: Env) -> None:
    with pytest.raises(PermissionDenied):
        env.service.write(None, "deploiement", KEY, env.entry("deploiement", KEY))


# ---- bad input -----------------------------------------------------------------------------------
def test_validation_failure_writes_nothing_and_carries_the_report(env: Env) -> None:
    env.seed()
    before = env.quads()
    broken = env.entry("deploiement", KEY)
    broken.remove((DEP, DCTERMS.title, None))
    with pytest.raises(ValidationFailed) as failed:
        env.service.write(env.plaisir, "deploiement", KEY, broken, if_match="1")
    report = failed.value.report  # type: ignore[attr-defined]
    assert not report.conforms
    assert any("title" in str(r.path) for r in report.results), [r.path for r in report.results]
    assert failed.value.details["report"]["conforms"] is False
    assert env.quads() == before


def test_unknown_concept_refused(env: Env) -> None:
    env.seed()
    before = env.quads()
    broken = env.entry("deploiement", KEY)
    broken.set((DEP, ADMS.status, URIRef(f"{BASE}vocab/statut/inconnu")))
    with pytest.raises(ValidationFailed):
        env.service.write(env.plaisir, "deploiement", KEY, broken, if_match="1")
    assert env.quads() == before


def test_iris_outside_the_base_refused(env: Env) -> None:
    foreign = Graph()
    for s, p, o in env.entry("deploiement", KEY):
        foreign.add((URIRef("https://example.org/id/deploiement/x") if s == DEP else s, p, o))
    before = env.quads()
    with pytest.raises(InputError) as err:
        env.service.write(env.admin, "deploiement", KEY, foreign)
    assert "https://example.org/id/deploiement/x" in err.value.message_fr
    assert env.quads() == before


def test_key_mismatch_refused(env: Env) -> None:
    with pytest.raises(InputError) as err:
        env.service.write(env.plaisir, "deploiement", "autre-cle", env.entry("deploiement", KEY))
    assert KEY in err.value.message_en


def test_other_entries_in_the_payload_refused(env: Env) -> None:
    payload = env.entry("deploiement", KEY) + env.entry("systeme", "yelda-callbot")
    with pytest.raises(InputError) as err:
        env.service.write(env.plaisir, "deploiement", KEY, payload)
    assert "yelda-callbot" in err.value.message_fr


def test_oversized_payload_refused(env: Env) -> None:
    body = env.entry("deploiement", KEY).serialize(format="turtle").encode()
    padded = body + b"\n# " + b"x" * 60_000 + b"\n"
    before = env.quads()
    with pytest.raises(PayloadTooLarge) as err:
        env.service.write(env.plaisir, "deploiement", KEY, padded, media_type="text/turtle")
    assert err.value.http_status == 413
    assert env.quads() == before


def test_turtle_payload_and_syntax_error(env: Env) -> None:
    env.seed()
    body = _retitled(env, "Par Turtle").serialize(format="turtle").encode()
    assert env.service.write(
        env.plaisir, "deploiement", KEY, body, media_type="text/turtle", if_match="1"
    ).changed
    with pytest.raises(InputError) as err:
        env.service.write(
            env.plaisir, "deploiement", KEY, b"<a> <b> .", media_type="text/turtle", if_match="2"
        )
    assert "syntaxe" in err.value.message_fr


def test_ensure_organisation_uses_reference_or_writes_an_entry(env: Env) -> None:
    assert env.service.ensure_organisation(PLAISIR, None) == "Commune de Plaisir"
    assert history.current_version(env.store, LAYOUT, "organisation", PLAISIR) is None
    assert env.service.ensure_organisation("552100554", "Entreprise X") == "Entreprise X"
    org = URIRef(LAYOUT.organisation_iri("552100554"))
    assert (org, FOAF.name, Literal("Entreprise X")) in env.public(org)
    assert (org, HAS_VERSION, None) in env.public(org)


# ---- load ------------------------------------------------------------------------------------
def test_load_creates_then_skips_then_versions_and_refuses_invalid(
    store: Store, tmp_path: Path, validator: CompiledValidator
) -> None:
    service = EntryService(store, LAYOUT, validator)
    ref = tmp_path / "reference.ttl"
    ref.write_text(REFERENCE_TTL, encoding="utf-8")
    assert load_fixed_graph(service, LAYOUT.reference_graph, [ref])
    assert not load_fixed_graph(service, LAYOUT.reference_graph, [ref])  # unchanged: skipped
    folder = tmp_path / "entries"
    folder.mkdir()
    example = (PROJECT_ROOT / "ontology/examples/entry-example.ttl").read_text(encoding="utf-8")
    (folder / "example.ttl").write_text(example, encoding="utf-8")
    first = load(service, [ONTOLOGY_DIR, folder])
    assert first.ok and first.created == 3 and first.vocabulary_files > 0
    assert history.current_version(store, LAYOUT, "deploiement", KEY) is not None
    assert _public_title(store) == {"Optimus, callbot du standard téléphonique de la mairie"}
    second = load(service, [ONTOLOGY_DIR, folder])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert LAYOUT.vocabulary_graph in second.graphs_unchanged
    changed = example.replace("Optimus, callbot du standard", "Optimus, agent vocal du standard")
    (folder / "example.ttl").write_text(changed, encoding="utf-8")
    third = load(service, [folder])
    assert (third.updated, third.unchanged) == (1, 2)
    assert history.current_version(store, LAYOUT, "deploiement", KEY).number == 2  # type: ignore[union-attr]
    (folder / "bad.ttl").write_text(
        f"""@prefix iat: <https://w3id.org/ia-territoires/def#> .
<{BASE}id/deploiement/fr-incomplet> a iat:Deployment ;
    <http://purl.org/dc/terms/identifier> "fr-incomplet" .
""",
        encoding="utf-8",
    )
    fourth = load(service, [folder])
    assert list(fourth.invalid) == ["deploiement/fr-incomplet"]
    assert history.current_version(store, LAYOUT, "deploiement", "fr-incomplet") is None
    assert fourth.unchanged == 3


def _public_title(store: Store) -> set[str]:
    return {
        str(r["t"]) for r in store.select(f"SELECT ?t WHERE {{ <{DEP}> <{DCTERMS.title}> ?t }}")
    }


# ---- many entries at once (the import's path) --------------------------------------------------
def _organisation(key: str, name: str, identifier: BNode | None = None) -> Graph:
    node = URIRef(LAYOUT.entry_iri("organisation", key))
    g = Graph()
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(name)))
    g.add((node, DCTERMS.identifier, Literal(key)))
    if identifier is not None:  # the same blank-node label in every entry
        g.add((node, ADMS.identifier, identifier))
        g.add((identifier, SKOS.notation, Literal(f"id-{key}")))
    return g


def test_write_many_creates_every_entry_with_its_own_blank_nodes(env: Env) -> None:
    keys = [f"org-lot-{i}" for i in range(5)]
    requests = [
        WriteRequest("organisation", k, _organisation(k, f"Org {k}", BNode("same"))) for k in keys
    ]
    results = env.service.write_many(env.admin, requests)
    assert all(isinstance(r, WriteResult) and r.created and r.changed for r in results), results
    for key in keys:
        info, content = env.service.current("organisation", key)
        assert info.number == 1
        node = URIRef(LAYOUT.entry_iri("organisation", key))
        public = env.public(node)
        assert (node, FOAF.name, Literal(f"Org {key}")) in public
        [ident] = list(content.objects(node, ADMS.identifier))
        assert [str(n) for n in content.objects(ident, SKOS.notation)] == [f"id-{key}"]
    # One blank node per entry, not one shared by the five.
    rows = env.store.select(
        f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?o <{ADMS.identifier}> ?i }}"
    )
    assert int(rows[0]["n"]) == 5
    versions = history.list_versions(env.store, LAYOUT, "organisation", keys[0])
    assert versions[0].attributed_to == env.admin.agent


def test_write_many_entry_created_meanwhile_fails_alone(env: Env) -> None:
    """Checked and prepared, then another writer creates one of the entries before the batch is
    applied: that entry keeps the other writer's content and gets PreconditionFailed; the others
    are written."""
    keys = ["org-lot-a", "org-lot-b", "org-lot-c"]
    checked = env.service.check_many(
        env.admin, [WriteRequest("organisation", k, _organisation(k, f"Lot {k}")) for k in keys]
    )
    prepared = [env.service.prepare(env.admin, c) for c in checked if isinstance(c, Checked)]
    assert len(prepared) == 3
    env.service.write(env.admin, "organisation", "org-lot-b", _organisation("org-lot-b", "Autre"))
    results = env.service.apply(prepared)
    assert isinstance(results[0], WriteResult) and isinstance(results[2], WriteResult)
    assert isinstance(results[1], PreconditionFailed)
    node = URIRef(LAYOUT.entry_iri("organisation", "org-lot-b"))
    assert {str(o) for o in env.public(node).objects(node, FOAF.name)} == {"Autre"}
    assert [
        v.number for v in history.list_versions(env.store, LAYOUT, "organisation", "org-lot-b")
    ] == [1]
    for key in ("org-lot-a", "org-lot-c"):
        assert env.service.current("organisation", key)[0].number == 1


def test_write_many_reports_each_refusal_and_writes_the_rest(env: Env) -> None:
    env.service.write(env.admin, "organisation", "org-lot-x", _organisation("org-lot-x", "X"))
    bad = _organisation("org-lot-y", "Y")
    bad.remove((None, FOAF.name, None))  # a required name
    requests = [
        WriteRequest("organisation", "org-lot-x", _organisation("org-lot-x", "X2")),  # no If-Match
        WriteRequest("organisation", "org-lot-y", bad),
        WriteRequest("organisation", "org-lot-z", _organisation("org-lot-z", "Z")),
        WriteRequest("organisation", "org-lot-z", _organisation("org-lot-z", "Z bis")),
        WriteRequest("organisation", "org-lot-w", _organisation("org-lot-w", "W")),
    ]
    node_w = URIRef(LAYOUT.entry_iri("organisation", "org-lot-w"))
    requests[-1].content.add((node_w, FOAF.homepage, URIRef("https://exemple.fr/a b")))
    results = env.service.write_many(env.admin, requests)
    assert isinstance(results[4], InputError)  # an IRI with a space: refused, not sent
    assert isinstance(results[0], PreconditionRequired)
    assert isinstance(results[1], ValidationFailed)
    assert isinstance(results[2], WriteResult) and results[2].created
    assert isinstance(results[3], InputError)  # twice in one batch
    assert env.service.current("organisation", "org-lot-x")[0].number == 1
    with pytest.raises(NotFoundError):
        env.service.current("organisation", "org-lot-y")


def test_get_graphs_reads_many_versions_as_get_graph_does(env: Env) -> None:
    env.seed()
    names = [
        LAYOUT.version_graph("deploiement", KEY, 1),
        LAYOUT.version_graph("systeme", "yelda-callbot", 1),
        LAYOUT.version_graph("deploiement", KEY, 9),  # no such version
    ]
    graphs = history.get_graphs(env.store, names)
    assert set(graphs) == set(names)
    for name in names[:2]:
        assert len(graphs[name]) > 0
        assert isomorphic(graphs[name], env.store.get_graph(name))
    assert len(graphs[names[2]]) == 0
