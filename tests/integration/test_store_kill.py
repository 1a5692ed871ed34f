"""SIGKILL in the middle of a bulk load or of a run of updates leaves the embedded store
consistent: it reopens; a killed bulk load (into an empty or a non-empty store, while parsing
or while writing its index files) leaves the store exactly as before, every entry graph whole
(its triple count matches the count it declares); after updates, every graph is wholly at its
old or its new version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry.store.embedded import EmbeddedStore

pytestmark = pytest.mark.integration

GRAPH = "https://w3id.org/ia-territoires/graph/version/deploiement/"
EX = "https://example.org/"
COUNT = f"{EX}tripleCount"
VERSION = f"{EX}version"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
TRIPLES_PER_GRAPH = 30  # including the count triple
GRAPHS = 1_000  # 60,000 quads per file

ROOT = Path(__file__).resolve().parents[2]


def _write_entries(path: Path, first: int, graphs: int) -> None:
    """Graphs k{first}..: each declares how many triples it holds; its default-graph copy (the
    public view) follows it, as in the registry's dumps."""
    with path.open("w", encoding="utf-8") as fh:
        for k in range(first, first + graphs):
            g = f"<{GRAPH}k{k}/1>"
            s = f"<{EX}deploiement/k{k}>"
            lines = [
                f'{s} <{COUNT}> "{TRIPLES_PER_GRAPH}"^^<http://www.w3.org/2001/XMLSchema#integer>'
            ]
            lines += [
                f'{s} <{EX}p{i}> "valeur {i} de l\'entrée {k}"@fr'
                for i in range(TRIPLES_PER_GRAPH - 1)
            ]
            fh.writelines(f"{line} {g} .\n" for line in lines)
            fh.writelines(f"{line} .\n" for line in lines)


def _graph_counts(store: EmbeddedStore) -> dict[str, tuple[int, int | None]]:
    rows = store.select(
        f"SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?c) AS ?declared) WHERE {{ GRAPH ?g {{ ?s ?p ?o "
        f"OPTIONAL {{ ?s <{COUNT}> ?c }} }} }} GROUP BY ?g"
    )
    return {
        str(r["g"]): (int(r["n"]), int(r["declared"]) if "declared" in r else None) for r in rows
    }


def _run_until(
    script: str,
    args: list[str],
    marker_at: int,
    timeout_s: float = 60,
    then_files: tuple[Path, str] | None = None,
) -> str:
    """Run ``script`` in a child; SIGKILL it as soon as it prints a number >= ``marker_at``
    (and then, with ``then_files=(folder, pattern)``, as soon as such a file exists there).
    Returns 'killed', or 'finished' if it ended first."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    for line in proc.stdout:
        if line.strip().isdigit() and int(line) >= marker_at:
            while then_files and not any(then_files[0].glob(then_files[1])):
                if proc.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.001)
            else:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return "killed"
            break
        if time.monotonic() > deadline:
            break
    proc.kill()
    proc.wait()
    return "finished" if proc.returncode == 0 else f"exit {proc.returncode}"


BULK_SCRIPT = """
import sys
from pathlib import Path
from registry.store.embedded import EmbeddedStore
store = EmbeddedStore(Path(sys.argv[1]))
total = Path(sys.argv[2]).stat().st_size
step = [0]
def progress(read):
    # one line per 5% of the file read by the parser; the last one (20) once it is all read,
    # before the loader has built and committed its index files
    if read * 20 // total > step[0]:
        step[0] = read * 20 // total
        print(step[0], flush=True)
store.bulk_load(Path(sys.argv[2]), progress=progress)
print("done", flush=True)
"""


def _public_subjects(store: EmbeddedStore) -> dict[str, int]:
    rows = store.select("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s")
    return {str(r["s"]): int(r["n"]) for r in rows}


def _entry_graph(k: int) -> str:
    return f"{GRAPH}k{k}/1"


@pytest.mark.parametrize(
    ("kill_at", "when_index_files"),
    [
        pytest.param(9, False, id="while-parsing"),
        pytest.param(20, True, id="while-writing-index-files"),
    ],
)
@pytest.mark.parametrize("preloaded", [0, GRAPHS], ids=["empty-store", "non-empty-store"])
def test_sigkill_during_bulk_load_leaves_the_store_as_it_was(
    tmp_path: Path, kill_at: int, when_index_files: bool, preloaded: int
) -> None:
    """A bulk load is one atomic commit: killed before it, the store holds exactly what it
    held before (every earlier graph whole, none of the new file's graphs), reopens, drops
    the loader's stray files, and loads the same file again completely."""
    store_dir = tmp_path / "store"
    if preloaded:
        before = tmp_path / "before.nq"
        _write_entries(before, 0, preloaded)
        with EmbeddedStore(store_dir) as store:
            store.bulk_load(before)
    data = tmp_path / "entries.nq"
    _write_entries(data, preloaded, GRAPHS)

    stray = "bulk-*.sst"  # pyoxigraph's index files, written before its one commit
    outcome = _run_until(
        BULK_SCRIPT,
        [str(store_dir), str(data)],
        marker_at=kill_at,
        then_files=(store_dir, stray) if when_index_files else None,
    )
    assert outcome == "killed"  # before it printed "done"
    assert any(store_dir.glob(stray)) == when_index_files

    store = EmbeddedStore(store_dir)  # reopening succeeds
    assert not any(store_dir.glob(stray))  # and removes the killed loader's files
    counts = _graph_counts(store)
    whole = (TRIPLES_PER_GRAPH, TRIPLES_PER_GRAPH)
    old = {_entry_graph(k) for k in range(preloaded)}
    new = {_entry_graph(k) for k in range(preloaded, preloaded + GRAPHS)}
    assert set(counts) == old, len(counts)
    assert all(c == whole for c in counts.values()), [c for c in counts.values() if c != whole]
    public = _public_subjects(store)
    assert len(public) == len(counts)  # public copies travel with their graphs
    assert set(public.values()) <= {TRIPLES_PER_GRAPH}

    store.bulk_load(data)  # the store is usable: the same file loads completely
    counts = _graph_counts(store)
    assert set(counts) == old | new and all(c == whole for c in counts.values())
    assert len(_public_subjects(store)) == preloaded + GRAPHS
    store.close()


UPDATE_SCRIPT = f"""
import sys
from pathlib import Path
from rdflib import Graph, Literal, URIRef
from registry.store.embedded import EmbeddedStore
store = EmbeddedStore(Path(sys.argv[1]))
for k in range(int(sys.argv[2])):
    g = Graph()
    s = URIRef("{EX}deploiement/k%d" % k)
    g.add((s, URIRef("{COUNT}"), Literal({TRIPLES_PER_GRAPH})))
    g.add((s, URIRef("{VERSION}"), Literal(2)))
    for i in range({TRIPLES_PER_GRAPH} - 2):
        g.add((s, URIRef("{EX}p%d" % i), Literal("version 2, valeur %d" % i, lang="fr")))
    store.replace_graph("{GRAPH}k%d/1" % k, g)
    print(k, flush=True)
"""


def test_sigkill_during_updates_leaves_each_graph_old_or_new(tmp_path: Path) -> None:
    graphs = 400
    data = tmp_path / "v1.nq"
    with data.open("w", encoding="utf-8") as fh:
        for k in range(graphs):
            g = f"<{GRAPH}k{k}/1>"
            s = f"<{EX}deploiement/k{k}>"
            fh.write(f'{s} <{COUNT}> "{TRIPLES_PER_GRAPH}"^^<{XSD_INTEGER}> {g} .\n')
            fh.write(f'{s} <{VERSION}> "1"^^<{XSD_INTEGER}> {g} .\n')
            for i in range(TRIPLES_PER_GRAPH - 2):
                fh.write(f'{s} <{EX}p{i}> "version 1, valeur {i}"@fr {g} .\n')
    store_dir = tmp_path / "store"
    with EmbeddedStore(store_dir) as store:
        store.bulk_load(data)

    # killed once graph 149 is replaced: at least 150 are at version 2
    outcome = _run_until(UPDATE_SCRIPT, [str(store_dir), str(graphs)], marker_at=149)
    assert outcome == "killed"

    store = EmbeddedStore(store_dir)
    counts = _graph_counts(store)
    assert len(counts) == graphs  # replacing never loses a graph
    assert all(c == (TRIPLES_PER_GRAPH, TRIPLES_PER_GRAPH) for c in counts.values())
    rows = store.select(
        f"SELECT ?g (GROUP_CONCAT(DISTINCT STR(?v)) AS ?versions) "
        f"(SUM(IF(CONTAINS(STR(?o), 'version 2'), 1, 0)) AS ?v2) "
        f"(SUM(IF(CONTAINS(STR(?o), 'version 1'), 1, 0)) AS ?v1) "
        f"WHERE {{ GRAPH ?g {{ ?s <{VERSION}> ?v . ?s ?p ?o }} }} GROUP BY ?g"
    )
    states = {str(r["versions"]): 0 for r in rows}
    for r in rows:
        version = str(r["versions"])
        v1, v2 = int(r["v1"]), int(r["v2"])
        # wholly old or wholly new: the version marker agrees with every value
        assert (version, v1, v2) in {
            ("1", TRIPLES_PER_GRAPH - 2, 0),
            ("2", 0, TRIPLES_PER_GRAPH - 2),
        }, r
        states[version] += 1
    assert states.get("2", 0) >= 149 and states.get("1", 0) >= 1, states
    store.close()
