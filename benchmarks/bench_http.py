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

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.registry_server import (  # noqa: E402
    SampleSizes,
    start_server,
    stop_server,
    write_sample_data,
)
from tests.harness.services import free_port, wait_for_port  # noqa: E402

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
    args = parser.parse_args()
    n = args.deployments
    tmp = Path(tempfile.mkdtemp(prefix="iat-bench-"))
    sizes = SampleSizes(n, max(8, n // 20), max(6, n // 200))
    t0 = time.perf_counter()
    files = write_sample_data(tmp / "data", sizes)
    print(f"{n} deployments generated in {time.perf_counter() - t0:.1f}s ({tmp})")

    from registry.store.embedded import EmbeddedStore

    floor_store = EmbeddedStore(tmp / "floor-store")
    for f in files:
        floor_store.bulk_load(f)
    server = start_server(tmp / "srv", files, timeout_s=600)
    peer = None if args.no_peer else start_rdflib_endpoint(files, tmp)
    try:
        print(
            f"\n{'query':45} {'ours med/p95 ms':>18} {'store med/p95':>16} {'overhead':>9} "
            f"{'rdflib-endpoint':>18} {'speed-up':>9}"
        )
        with httpx.Client(timeout=120) as client:
            for name, (kind, query) in QUERIES.items():
                ours = timed(http_query(f"{server.url}/sparql", query, client), args.repeat)
                floor = timed(
                    lambda q=query: floor_store.query_raw(q, "application/sparql-results+json"),
                    args.repeat,
                )
                overhead = (
                    f"{(ours[0] / floor[0] - 1) * 100:+.0f}%"
                    if kind == "agg"
                    else f"{(ours[0] - floor[0]) * 1000:+.1f}ms"
                )
                peer_txt, speed = "-", "-"
                if peer is not None:
                    peer_url = f"http://127.0.0.1:{peer.port}/"  # type: ignore[attr-defined]
                    try:
                        other = timed(http_query(peer_url, query, client), max(1, args.repeat // 3))
                        peer_txt = f"{other[0] * 1000:.1f}/{other[1] * 1000:.1f}"
                        speed = f"{other[0] / ours[0]:.1f}x"
                    except httpx.HTTPError as exc:
                        peer_txt = f"failed ({type(exc).__name__})"
                print(
                    f"{name:45} {ours[0] * 1000:8.1f}/{ours[1] * 1000:<8.1f} "
                    f"{floor[0] * 1000:7.1f}/{floor[1] * 1000:<7.1f} {overhead:>9} "
                    f"{peer_txt:>18} {speed:>9}"
                )
        keys = [f"dep-{i:05d}" for i in range(0, n, max(1, n // 500))]
        rps, p95 = throughput(server.url, keys, threads=8, per_thread=250)
        print(f"\nentries as Turtle: {rps:.0f} requests/s, p95 {p95 * 1000:.1f} ms (8 clients)")
        with httpx.Client(timeout=60) as client:
            med, p95c = timed(
                lambda: client.get(
                    f"{server.url}/catalog?page_size=100", headers={"Accept": "text/turtle"}
                ),
                5,
            )
            print(
                f"DCAT page of 100 datasets: median {med * 1000:.0f} ms, p95 {p95c * 1000:.0f} ms"
            )
            med, p95s = timed(lambda: client.get(f"{server.url}/api/v1/statistics"), 20)
            print(
                f"/api/v1/statistics (cached per data version): median {med * 1000:.1f} ms, "
                f"p95 {p95s * 1000:.1f} ms"
            )
            med, p95f = timed(
                lambda: client.get(
                    f"{server.url}/api/v1/deployments", params={"departement": "38"}
                ),
                20,
            )
            print(
                f"/api/v1/deployments?departement=38 with facets: median {med * 1000:.1f} ms, "
                f"p95 {p95f * 1000:.1f} ms"
            )
    finally:
        stop_server(server.process)
        if peer is not None:
            peer.terminate()
            peer.wait(timeout=10)
        floor_store.close()


if __name__ == "__main__":
    main()
