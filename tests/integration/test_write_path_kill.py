"""SIGKILL in the middle of writes: every entry is then entirely at one version (its public copy
in the default graph equals exactly its current version graph; no half-written version)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from registry import history
from registry.auth import Principal
from registry.entries import EntryService
from registry.layout import (
    HAS_CURRENT_VERSION,
    HAS_VERSION,
    Layout,
    closure,
    entry_roots,
    split_entries,
)
from registry.loading import collect, load_fixed_graph
from registry.store import Store
from registry.store.embedded import EmbeddedStore
from registry.store.remote import RemoteStore
from registry.vocab import ONTOLOGY_DIR, PROJECT_ROOT
from tests.harness.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/ia-territoires/"
LAYOUT = Layout(BASE)
KEYS = [f"fr-plaisir-optimus-{i}" for i in range(4)]
REFERENCE = f"""<{BASE}id/organisation/217804905> a <http://xmlns.com/foaf/0.1/Organization> ;
    <http://xmlns.com/foaf/0.1/name> "Commune de Plaisir" .
"""

CHILD = """
import sys
from pathlib import Path
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS
from registry.auth import Principal
from registry.entries import EntryService
from registry import history
from registry.layout import Layout
from registry.store import Store
from registry.store.embedded import EmbeddedStore
from registry.store.remote import RemoteStore

layout = Layout("https://w3id.org/ia-territoires/")
if sys.argv[1].startswith("http://"):
    from registry.store.remote import RemoteStore
    url = sys.argv[1]
    store = RemoteStore(url + "/query", url + "/update", url + "/store")
else:
    store = EmbeddedStore(Path(sys.argv[1]))
service = EntryService(store, layout)
keys = sys.argv[2:]
me = Principal.system(layout)
i = 0
while True:
    key = keys[i % len(keys)]
    info, content = service.current("deploiement", key)
    node = URIRef(layout.entry_iri("deploiement", key))
    content.set((node, DCTERMS.title, Literal(f"Titre {i}", lang="fr")))
    content.set((node, DCTERMS.description, Literal(f"Description {i} " * 20, lang="fr")))
    service.write(me, "deploiement", key, content, if_match=info.etag)
    print(i, flush=True)
    i += 1
"""


def _deployment(example: Graph, key: str) -> Graph:
    old = URIRef(LAYOUT.entry_iri("deploiement", "fr-plaisir-optimus"))
    old_record = URIRef(LAYOUT.record_iri("fr-plaisir-optimus"))
    node = URIRef(LAYOUT.entry_iri("deploiement", key))
    record = URIRef(LAYOUT.record_iri(key))
    g = Graph()
    for s, p, o in example:
        s2 = node if s == old else record if s == old_record else s
        o2 = node if o == old else o
        if s == old and p == DCTERMS.identifier:
            o2 = Literal(key)
        g.add((s2, p, o2))
    return g


def _open(target: Path | str) -> Store:
    if isinstance(target, str):
        return RemoteStore(target + "/query", target + "/update", target + "/store")
    return EmbeddedStore(target)


def _prepare(target: Path | str, tmp: Path) -> None:
    store = _open(target)
    service = EntryService(store, LAYOUT)
    load_fixed_graph(service, LAYOUT.vocabulary_graph, collect([ONTOLOGY_DIR]).vocabulary)
    ref = tmp / "ref.ttl"
    ref.write_text(REFERENCE, encoding="utf-8")
    load_fixed_graph(service, LAYOUT.reference_graph, [ref])
    example = Graph().parse(PROJECT_ROOT / "ontology/examples/entry-example.ttl")
    entries, _ = split_entries(example, LAYOUT)
    me = Principal.system(LAYOUT)
    service.write(me, "organisation", "yelda", entries[("organisation", "yelda")])
    service.write(me, "systeme", "yelda-callbot", entries[("systeme", "yelda-callbot")])
    for key in KEYS:
        service.write(
            me, "deploiement", key, _deployment(entries[("deploiement", "fr-plaisir-optimus")], key)
        )
    store.close()


def _check_consistent(target: Path | str) -> int:
    store = _open(target)
    try:
        public = store.get_graph(None)
        vocabulary = store.get_graph(LAYOUT.vocabulary_graph)
        total = 0
        for key in KEYS:
            current = history.current_version(store, LAYOUT, "deploiement", key)
            assert current is not None
            total += current.number
            version = store.get_graph(current.graph)
            shown = closure(public, entry_roots(LAYOUT, "deploiement", key), LAYOUT)
            for p in (HAS_VERSION, HAS_CURRENT_VERSION):
                shown.remove((None, p, None))
            shown -= vocabulary  # concept labels the entry links to (not part of it)
            assert isomorphic(shown, version), f"{key}: public view differs from {current.graph}"
            # and no triple of an older version that the current one dropped is still public
            for n in range(1, current.number):
                for s, p, o in store.get_graph(LAYOUT.version_graph("deploiement", key, n)):
                    if p in (DCTERMS.title, DCTERMS.description) and (s, p, o) not in version:
                        assert (s, p, o) not in public, (key, n, p, o)
            names = store.graph_names(LAYOUT.entry_version_prefix("deploiement", key))
            numbers = sorted(int(n.rsplit("/", 1)[1]) for n in names)
            assert numbers == list(range(1, current.number + 1)), (key, numbers)
            listed = history.list_versions(store, LAYOUT, "deploiement", key)
            assert [v.number for v in listed] == numbers
            assert [v.number for v in listed if v.current] == [current.number]
        return total
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_sigkill_during_writes_leaves_every_entry_at_one_version(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Embedded: the killed process owns the store (RocksDB recovery). Remote: the killed
    process is the client in the middle of its requests (the server must not keep half of
    one)."""
    if backend == "embedded":
        target: Path | str = tmp_path / "store"
    else:
        server: OxigraphServer = request.getfixturevalue("clean_oxigraph_server")
        target = server.base_url
    _prepare(target, tmp_path)
    before = _check_consistent(target)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    rng = random.Random(7)
    for _round in range(2):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), *KEYS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert child.stdout is not None
        done = 0
        deadline = time.monotonic() + 120
        while done < 8 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            done += 1
        assert done >= 8, child.stderr.read() if child.stderr else "child stopped"
        time.sleep(rng.uniform(0.0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        after = _check_consistent(target)
        assert after >= before + done
        before = after
