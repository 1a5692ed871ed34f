"""Store benchmark: embedded pyoxigraph, remote Oxigraph server, and an in-memory rdflib Graph
as the peer, on the same generated registry (benchmarks/generate.py).

For each backend: bulk-load time and peak RSS (measured in a child process; for the remote
backend also the server's peak RSS), reopen time, then median latencies of a GROUP BY over all
deployments, one organisation's entries, a CONSTRUCT of one entry and the replacement of one
entry (~40 triples). Ratios are given against rdflib. Not a test: a script that prints.

    .venv/bin/python benchmarks/bench_store.py --n 10000
    .venv/bin/python benchmarks/bench_store.py --n 100000 --skip rdflib

The embedded store is compacted (``optimize()``, timed on its own) before its queries are
timed, unless ``--no-optimize``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate, iter_org_sirens  # noqa: E402

PREFIXES = """PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX tech: <https://w3id.org/dpv/tech#>
"""
GROUP_BY = (
    PREFIXES
    + """SELECT ?theme (COUNT(?d) AS ?n) WHERE {
  ?d a iat:Deployment ; dcat:theme ?theme } GROUP BY ?theme ORDER BY DESC(?n)"""
)
ORG_ENTRIES = (
    PREFIXES
    + """SELECT ?d ?title WHERE {
  ?d tech:hasDeployer <%s> ; dct:title ?title FILTER(LANG(?title) = "fr") }"""
)
CONSTRUCT_ENTRY = """CONSTRUCT { ?d ?p ?o . ?o ?p2 ?o2 } WHERE { VALUES ?d { <%s> }
  { ?d ?p ?o } UNION { ?d ?p ?o . ?o ?p2 ?o2 FILTER(isBlank(?o)) } }"""
ID = "https://w3id.org/ia-territoires/id/"
VERSION_GRAPH = "https://w3id.org/ia-territoires/graph/version/deploiement/%s/1"


# -- child processes ------------------------------------------------------------------------


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def _open(backend: str, args: argparse.Namespace) -> Any:
    if backend == "embedded":
        from registry.store.embedded import EmbeddedStore

        return EmbeddedStore(Path(args.store))
    from registry.store.remote import RemoteStore

    base = args.url
    return RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store", timeout_s=600)


def child_load(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    store = _open(args.backend, args)
    store.bulk_load(Path(args.data))
    store.close()
    return {"load_s": time.perf_counter() - t}


def child_queries(args: argparse.Namespace) -> dict[str, Any]:
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS

    t = time.perf_counter()
    store = _open(args.backend, args)
    store.ask("ASK { ?s ?p ?o }")
    reopen = time.perf_counter() - t
    org = f"{ID}organisation/{args.org}"
    group_s, groups = _timed(lambda: store.select(GROUP_BY), max(3, args.repeat // 4))
    org_s, rows = _timed(lambda: store.select(ORG_ENTRIES % org), args.repeat)
    entry = min(str(r["d"]) for r in rows)  # the same entry for every backend
    construct_s, graph = _timed(lambda: store.construct(CONSTRUCT_ENTRY % entry), args.repeat)
    construct_triples = len(graph)  # before replace() edits the graph
    key = entry.rsplit("/", 1)[1]
    counter = iter(range(10**9))

    def replace() -> None:
        graph.set((URIRef(entry), DCTERMS.title, Literal(f"Titre {next(counter)}", lang="fr")))
        store.replace_graph(VERSION_GRAPH % key, graph)

    replace_s, _ = _timed(replace, args.repeat)
    store.close()
    return {
        "reopen_s": reopen,
        "group_by_s": group_s,
        "groups": len(groups),
        "org_entries_s": org_s,
        "org_rows": len(rows),
        "construct_s": construct_s,
        "construct_triples": construct_triples,
        "replace_s": replace_s,
    }


def child_rdflib(args: argparse.Namespace) -> dict[str, Any]:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS

    t = time.perf_counter()
    g = Graph()
    g.parse(args.data, format="nt")
    load = time.perf_counter() - t
    org = f"{ID}organisation/{args.org}"
    group_s, groups = _timed(lambda: list(g.query(GROUP_BY)), 1)
    org_s, rows = _timed(lambda: list(g.query(ORG_ENTRIES % org)), max(3, args.repeat // 4))
    entry = min(str(r[0]) for r in rows)
    construct_s, res = _timed(
        lambda: g.query(CONSTRUCT_ENTRY % entry).graph, max(3, args.repeat // 4)
    )
    triples = list(res)
    counter = iter(range(10**9))

    def replace() -> None:
        subject = URIRef(entry)
        g.remove((subject, None, None))
        for s, p, o in triples:
            if s == subject and p == DCTERMS.title:
                o = Literal(f"Titre {next(counter)}", lang="fr")
            g.add((s, p, o))

    replace_s, _ = _timed(replace, args.repeat)
    return {
        "load_s": load,
        "reopen_s": None,
        "group_by_s": group_s,
        "groups": len(groups),
        "org_entries_s": org_s,
        "org_rows": len(rows),
        "construct_s": construct_s,
        "construct_triples": len(triples),
        "replace_s": replace_s,
    }


def child_optimize(args: argparse.Namespace) -> dict[str, Any]:
    """A full compaction after the load: the loader ingests its index files unmerged (several
    per index), which readers must merge until RocksDB compacts them (in the background, or
    now)."""
    store = _open(args.backend, args)
    t = time.perf_counter()
    store.optimize()
    optimize_s = time.perf_counter() - t
    store.close()
    return {"optimize_s": optimize_s}


CHILDREN = {
    "load": child_load,
    "optimize": child_optimize,
    "queries": child_queries,
    "rdflib": child_rdflib,
}


# -- parent ---------------------------------------------------------------------------------


def run_child(phase: str, **kwargs: Any) -> tuple[dict[str, Any], float]:
    """Run a phase in a fresh interpreter; returns (its JSON result, its peak RSS in MB). The
    result also gets ``cpu_s``: the child's user + system CPU time, all threads (on a shared
    machine, wall times depend on the other jobs; CPU time much less)."""
    cmd = [sys.executable, __file__, "_child", phase]
    for k, v in kwargs.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {phase} failed ({status}): {out[-2000:]!r}")
    result = json.loads(out)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result, usage.ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    def __init__(self, location: Path) -> None:
        binary = Path(sys.executable).parent / "oxigraph"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        t = time.perf_counter()
        import httpx

        while True:
            try:
                if (
                    httpx.post(
                        f"{self.url}/query", data={"query": "ASK {}"}, timeout=1, trust_env=False
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                time.sleep(0.02)
            if time.perf_counter() - t > 900:
                self.proc.kill()
                raise SystemExit("oxigraph server did not start within 900 s")
        self.ready_s = time.perf_counter() - t

    def stop(self) -> float | None:
        peak = _vm_hwm_mb(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(timeout=60)
        return peak


def public_view_nt(data: Path, out: Path) -> None:
    """The default-graph triples (the public view) as N-Triples, for the rdflib peer."""
    import pyoxigraph as ox

    quads = (
        q.triple for q in ox.parse(path=str(data)) if isinstance(q.graph_name, ox.DefaultGraph)
    )
    ox.serialize(quads, str(out), ox.RdfFormat.N_TRIPLES)


def _loadavg() -> str:
    """The 1/5/15-minute load averages: other jobs on the machine inflate wall times."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.2f} ms"
    return f"{value:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["embedded", "remote", "rdflib"]
    )
    parser.add_argument(
        "--no-optimize",
        action="store_true",
        help="query the embedded store right after the load, before any compaction",
    )
    args = parser.parse_args()
    work = args.workdir or Path(f"/tmp/iat-bench-{args.n}")
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"registry-{args.n}.nq"
    if not data.exists():
        t = time.perf_counter()
        with data.open("w", encoding="utf-8", buffering=1 << 20) as fh:
            counts = generate(args.n, fh)
        print(f"generated {data} {counts} in {time.perf_counter() - t:.1f} s", flush=True)
    org = next(iter_org_sirens(args.n))
    print(f"data: {data} ({data.stat().st_size / 1e6:,.0f} MB), {os.cpu_count()} CPUs", flush=True)
    print(f"load average at start: {_loadavg()}", flush=True)
    results: dict[str, dict[str, Any]] = {}

    if "embedded" not in args.skip:
        store = work / "embedded"
        shutil.rmtree(store, ignore_errors=True)
        load, rss = run_child("load", backend="embedded", store=store, data=data)
        load["load_cpu_s"] = load.pop("cpu_s")
        if args.no_optimize:
            optimized: dict[str, Any] = {}
        else:
            optimized, _ = run_child("optimize", backend="embedded", store=store)
            optimized["optimize_cpu_s"] = optimized.pop("cpu_s")
        queries, _ = run_child(
            "queries", backend="embedded", store=store, org=org, repeat=args.repeat
        )
        disk = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
        queries.pop("cpu_s")
        results["embedded"] = {
            **load,
            **optimized,
            "peak_rss_mb": rss,
            "disk_mb": disk,
            **queries,
        }
        print("embedded:", json.dumps(results["embedded"]), flush=True)

    if "remote" not in args.skip:
        location = work / "remote"
        shutil.rmtree(location, ignore_errors=True)
        server = Server(location)
        load, rss = run_child("load", backend="remote", url=server.url, data=data)
        load["load_cpu_s"] = load.pop("cpu_s")  # the client's only; the server's is not counted
        server_peak = server.stop()
        server = Server(location)  # reopen = server start until it answers
        queries, _ = run_child(
            "queries", backend="remote", url=server.url, org=org, repeat=args.repeat
        )
        server.stop()
        queries.pop("cpu_s")
        queries["reopen_s"] = server.ready_s
        results["remote"] = {
            **load,
            "peak_rss_mb": rss,
            "server_peak_rss_mb": server_peak,
            **queries,
        }
        print("remote:", json.dumps(results["remote"]), flush=True)

    if "rdflib" not in args.skip:
        nt = work / f"public-{args.n}.nt"
        if not nt.exists():
            public_view_nt(data, nt)
        res, rss = run_child("rdflib", data=nt, org=org, repeat=args.repeat)
        res.pop("cpu_s")
        results["rdflib"] = {**res, "peak_rss_mb": rss}
        print("rdflib:", json.dumps(results["rdflib"]), flush=True)

    report(args.n, results)
    print(f"load average at end: {_loadavg()}")
    (work / "results.json").write_text(json.dumps(results, indent=2))
    return 0


def report(n: int, results: dict[str, dict[str, Any]]) -> None:
    rows = [
        ("bulk load", "load_s", "s"),
        ("bulk load, CPU (user+sys)", "load_cpu_s", "s"),
        ("then optimize() (compaction)", "optimize_s", "s"),
        ("optimize(), CPU (user+sys)", "optimize_cpu_s", "s"),
        ("peak RSS (loader process)", "peak_rss_mb", "MB"),
        ("peak RSS (server)", "server_peak_rss_mb", "MB"),
        ("reopen", "reopen_s", "s"),
        ("GROUP BY over all deployments", "group_by_s", "s"),
        ("one organisation's entries", "org_entries_s", "s"),
        ("CONSTRUCT one entry", "construct_s", "s"),
        ("replace one entry", "replace_s", "s"),
    ]
    names = list(results)
    peer = results.get("rdflib")
    print(f"\n{n:,} deployments — medians; (×N) = rdflib time / backend time")
    print(f"{'':32}" + "".join(f"{name:>24}" for name in names))
    for label, key, unit in rows:
        cells = []
        for name in names:
            value = results[name].get(key)
            cell = fmt(value, unit)
            if peer and name != "rdflib" and unit == "s" and value and peer.get(key):
                cell += f" (×{peer[key] / value:,.1f})"
            cells.append(cell)
        print(f"{label:32}" + "".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        phase = sys.argv[2]
        p = argparse.ArgumentParser()
        for name in ("backend", "store", "data", "url", "org"):
            p.add_argument(f"--{name}")
        p.add_argument("--repeat", type=int, default=20)
        child_args = p.parse_args(sys.argv[3:])
        print(json.dumps(CHILDREN[phase](child_args)))
        raise SystemExit(0)
    raise SystemExit(main())
