"""HTTP benchmark of the registry's SPARQL endpoint and linked-data pages.

Prints, for each typical researcher query, the median and p95 latency through ``/sparql`` of a
running ``ia-territoires serve``, the same query sent straight to an embedded store holding the
same data (the floor), and through ``rdflib-endpoint`` (FastAPI over an in-memory rdflib graph)
when installed; then the throughput of dereferencing entries as Turtle, and the latency of a
100-dataset DCAT page. All figures come from this run, on data generated for it.

    .venv/bin/python benchmarks/bench_http.py --deployments 10000 [--repeat 7] [--no-peer]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from registry.sparql_guard import inspect_query, with_row_cap  # noqa: E402
from tests.harness.registry_server import (  # noqa: E402
    SampleSizes,
    start_server,
    stop_server,
    write_sample_data,
)
from tests.harness.services import free_port, wait_for_port  # noqa: E402

ROW_CAP = 10_000  # Settings.sparql_row_cap's default, which the benchmarked server uses

P = """PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX ai: <https://w3id.org/dpv/ai#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX tech: <https://w3id.org/dpv/tech#>
PREFIX eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
V = "https://w3id.org/ia-territoires/"
QUERIES: dict[str, tuple[str, str]] = {
    "aggregate: deployments by domain": (
        "agg",
        P
        + """SELECT ?theme (COUNT(?d) AS ?n)
        WHERE { ?d a iat:Deployment ; dcat:theme ?theme } GROUP BY ?theme ORDER BY DESC(?n)""",
    ),
    "aggregate: systems reused by most orgs": (
        "agg",
        P
        + """SELECT ?s (COUNT(DISTINCT ?o) AS ?n)
        WHERE { ?d a iat:Deployment ; ai:hasAISystem ?s ; tech:hasDeployer ?o }
        GROUP BY ?s ORDER BY DESC(?n) LIMIT 20""",
    ),
    "text search in titles": (
        "agg",
        P
        + """SELECT ?d ?t WHERE { ?d a iat:Deployment ;
        dct:title ?t FILTER(CONTAINS(LCASE(STR(?t)), "démonstration 12")) }""",
    ),
    "3-hop join: deployments in département 38": (
        "agg",
        P
        + f"""SELECT ?d ?name WHERE {{
        ?d a iat:Deployment ; tech:hasDeployer ?o . ?o foaf:name ?name ; dct:spatial ?c .
        ?c dct:isPartOf <{V}id/territoire/departement-38> }}""",
    ),
    "high-risk without FRIA": (
        "agg",
        P
        + f"""SELECT ?d WHERE {{ ?d a iat:Deployment ;
        eu-aiact:hasRiskLevel <{V}vocab/classification-ai-act/haut-risque-annexe-iii>
        FILTER NOT EXISTS {{ ?d dpv:hasImpactAssessment ?a }} }}""",
    ),
    "point: one entry": (
        "point",
        P
        + f"""SELECT ?p ?o WHERE {{
        <{V}id/deploiement/dep-00042> ?p ?o }}""",
    ),
}


def timed(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    func()  # warm-up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def http_query(url: str, query: str, client: httpx.Client) -> Callable[[], object]:
    def run() -> object:
        r = client.get(
            url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        r.raise_for_status()
        return r.content

    return run


def start_rdflib_endpoint(files: list[Path], tmp: Path) -> subprocess.Popen[bytes] | None:
    try:
        import rdflib_endpoint  # noqa: F401
    except ImportError:
        print("rdflib-endpoint is not installed: peer skipped")
        return None
    port = free_port()
    script = textwrap.dedent(f"""
        import uvicorn
        from rdflib import Graph
        from rdflib_endpoint import SparqlEndpoint
        g = Graph()
        for f in {[str(f) for f in files]!r}:
            g.parse(f, format="turtle")
        uvicorn.run(SparqlEndpoint(graph=g), host="127.0.0.1", port={port}, log_level="error")
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "peer.log").open("wb"),
    )
    if not wait_for_port(port, 600):
        proc.kill()
        print("rdflib-endpoint did not start: peer skipped")
        return None
    proc.port = port  # type: ignore[attr-defined]
    return proc


class HttpFloor:
    """The remote store's own endpoint, queried directly (the floor for the remote backend)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=120, trust_env=False)

    def query_raw(self, query: str, media_type: str) -> bytes:
        r = self.client.post(self.url, data={"query": query}, headers={"Accept": media_type})
        r.raise_for_status()
        return r.content

    def close(self) -> None:
        self.client.close()


def start_oxigraph(files: list[Path], tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    from tests.harness.oxigraph_server import oxigraph_binary

    binary = oxigraph_binary()
    if binary is None:
        raise SystemExit("oxigraph CLI not found (pip install oxigraph)")
    location = tmp / "oxigraph"
    for f in files:
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(f)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not wait_for_port(port, 60):
        proc.kill()
        raise SystemExit("oxigraph serve did not start")
    return proc, f"http://127.0.0.1:{port}"


def throughput(url: str, keys: list[str], threads: int, per_thread: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        local = []
        with httpx.Client(timeout=30) as client:
            for i in range(per_thread):
                key = keys[(offset * per_thread + i) % len(keys)]
                t0 = time.perf_counter()
                client.get(f"{url}/id/deploiement/{key}", headers={"Accept": "text/turtle"})
                local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(0.95 * (len(latencies) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deployments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-peer", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument(
        "--backend",
        choices=("embedded", "remote"),
        default="embedded",
        help="remote: the registry over a local `oxigraph serve` (floor = that server directly)",
    )
    args = parser.parse_args()
    n = args.deployments
    tmp = Path(tempfile.mkdtemp(prefix="iat-bench-"))
    sizes = SampleSizes(n, max(8, n // 20), max(6, n // 200))
    t0 = time.perf_counter()
    files = write_sample_data(tmp / "data", sizes)
    print(f"{n} deployments generated in {time.perf_counter() - t0:.1f}s ({tmp})")

    oxigraph = None
    env: dict[str, str] = {}
    if args.backend == "remote":
        oxigraph, endpoint = start_oxigraph(files, tmp)
        env = {
            "IAT_SPARQL_QUERY_URL": f"{endpoint}/query",
            "IAT_SPARQL_UPDATE_URL": f"{endpoint}/update",
            "IAT_SPARQL_GRAPH_STORE_URL": f"{endpoint}/store",
        }
        floor_store: Any = HttpFloor(f"{endpoint}/query")
        server_files: list[Path] = []
    else:
        from registry.store.embedded import EmbeddedStore

        floor_store = EmbeddedStore(tmp / "floor-store")
        for f in files:
            floor_store.bulk_load(f)
        server_files = files
    server = start_server(tmp / "srv", server_files, timeout_s=600, env_extra=env)
    print(f"backend: {args.backend}")
    # The listing index is built in the background at start-up: wait for it, so that it does not
    # compete with the measurements (and report what the first statistics request cost).
    t0 = time.perf_counter()
    httpx.get(f"{server.url}/api/v1/statistics", timeout=1800).raise_for_status()
    print(f"listing index ready {time.perf_counter() - t0:.1f}s after start-up")
    ours: dict[str, tuple[float, float]] = {}
    floor: dict[str, tuple[float, float]] = {}
    try:
        with httpx.Client(timeout=120) as client:
            for name, (_, query) in QUERIES.items():
                ours[name] = timed(http_query(f"{server.url}/sparql", query, client), args.repeat)
                # the floor runs the query as the endpoint does: with its row cap applied
                capped = with_row_cap(query, inspect_query(query), ROW_CAP + 1)
                floor[name] = timed(
                    lambda q=capped: floor_store.query_raw(q, "application/sparql-results+json"),
                    args.repeat,
                )
        keys = [f"dep-{i:05d}" for i in range(0, n, max(1, n // 500))]
        rps, p95 = throughput(server.url, keys, threads=8, per_thread=250)
        extra = [f"entries as Turtle: {rps:.0f} requests/s, p95 {p95 * 1000:.1f} ms (8 clients)"]
        with httpx.Client(timeout=60) as client:
            for label, call in (
                (
                    "DCAT page of 100 datasets",
                    lambda: client.get(
                        f"{server.url}/catalog?page_size=100", headers={"Accept": "text/turtle"}
                    ),
                ),
                ("/api/v1/statistics", lambda: client.get(f"{server.url}/api/v1/statistics")),
                (
                    "/api/v1/deployments?departement=38 (facets)",
                    lambda: client.get(
                        f"{server.url}/api/v1/deployments", params={"departement": "38"}
                    ),
                ),
            ):
                first = time.perf_counter()
                call()
                first = time.perf_counter() - first
                med, p95x = timed(call, 20)
                extra.append(
                    f"{label}: first {first * 1000:.0f} ms, then median "
                    f"{med * 1000:.1f} ms, p95 {p95x * 1000:.1f} ms"
                )
    finally:
        stop_server(server.process)
        floor_store.close()
        if oxigraph is not None:
            oxigraph.terminate()
            oxigraph.wait(timeout=10)
    # The peer last: a query it cannot finish keeps one core busy afterwards.
    peer = None if args.no_peer else start_rdflib_endpoint(files, tmp)
    peers: dict[str, str] = {}
    try:
        with httpx.Client(timeout=60) as client:
            for name, (_, query) in QUERIES.items():
                if peer is None:
                    peers[name] = "-"
                    continue
                url = f"http://127.0.0.1:{peer.port}/"  # type: ignore[attr-defined]
                try:
                    other = timed(http_query(url, query, client), max(1, args.repeat // 3))
                    peers[name] = f"{other[0] * 1000:.1f}/{other[1] * 1000:.1f}"
                    peers[name + ":x"] = f"{other[0] / ours[name][0]:.1f}x"
                except httpx.HTTPError as exc:
                    peers[name] = f"> 60 s ({type(exc).__name__})"
                    peer.kill()  # it keeps computing: restart it for the next query
                    peer.wait(timeout=10)
                    peer = start_rdflib_endpoint(files, tmp)
    finally:
        if peer is not None:
            peer.kill()
            peer.wait(timeout=10)
    print(
        f"\n{'query':45} {'ours med/p95 ms':>18} {'store med/p95':>16} {'overhead':>9} "
        f"{'rdflib-endpoint':>22} {'speed-up':>9}"
    )
    for name, (kind, _) in QUERIES.items():
        o, f = ours[name], floor[name]
        overhead = (
            f"{(o[0] / f[0] - 1) * 100:+.0f}%"
            if kind == "agg"
            else f"{(o[0] - f[0]) * 1000:+.1f}ms"
        )
        print(
            f"{name:45} {o[0] * 1000:8.1f}/{o[1] * 1000:<8.1f} "
            f"{f[0] * 1000:7.1f}/{f[1] * 1000:<7.1f} {overhead:>9} "
            f"{peers[name]:>22} {peers.get(name + ':x', '-'):>9}"
        )
    print()
    for line in extra:
        print(line)


if __name__ == "__main__":
    main()
