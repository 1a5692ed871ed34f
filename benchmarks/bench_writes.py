"""Write-path benchmark: single-write latency and throughput on a loaded registry, against the
naive way (pySHACL over the whole data graph).

On a store bulk-loaded with ``benchmarks/generate.py`` (N deployments), it measures, for each
backend (embedded pyoxigraph on disk; ``oxigraph serve`` over SPARQL 1.1):

- median and p95 latency of one write through ``EntryService.write`` (parse-free: authorise,
  check IRIs, fetch context with one CONSTRUCT, validate with the compiled shapes, or pySHACL
  with ``--pyshacl``, one guarded SPARQL Update, provenance, catalogue record);
- throughput of 1,000 sequential writes;
- the naive way: pySHACL over the whole data graph of ``--naive-entries`` deployments (an
  rdflib graph; it grows with the store), and the ratio naive / median write.

    python benchmarks/bench_writes.py --n 100000          # both backends
    python benchmarks/bench_writes.py --n 10000 --skip remote
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402
from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS  # noqa: E402

from registry.auth import Principal  # noqa: E402
from registry.entries import EntryService  # noqa: E402
from registry.layout import Layout, split_entries  # noqa: E402
from registry.loading import collect, load_fixed_graph  # noqa: E402
from registry.shacl import default_compiled_validator  # noqa: E402
from registry.validate import Validator  # noqa: E402
from registry.vocab import ONTOLOGY_DIR, TECH  # noqa: E402

BASE = "https://w3id.org/ia-territoires/"
LAYOUT = Layout(BASE)
EXAMPLE = ROOT / "ontology" / "examples" / "entry-example.ttl"


def _example() -> dict[tuple[str, str], Graph]:
    entries, _ = split_entries(Graph().parse(EXAMPLE), LAYOUT)
    return entries


def _deployment(template: Graph, key: str, org: URIRef) -> Graph:
    old = URIRef(LAYOUT.entry_iri("deploiement", "fr-plaisir-optimus"))
    old_record = URIRef(LAYOUT.record_iri("fr-plaisir-optimus"))
    node, record = URIRef(LAYOUT.entry_iri("deploiement", key)), URIRef(LAYOUT.record_iri(key))
    g = Graph()
    for s, p, o in template:
        s2 = node if s == old else record if s == old_record else s
        o2 = node if o == old else Literal(key) if (s == old and p == DCTERMS.identifier) else o
        g.add((s2, p, o2))
    g.set((node, TECH.hasDeployer, org))
    return g


def measure(
    store: object, n_writes: int, n_latency: int, pyshacl: bool = False
) -> dict[str, float]:
    # The registry's engine (the compiled shapes), or pySHACL, the reference, with --pyshacl.
    validator = Validator.load() if pyshacl else default_compiled_validator()
    service = EntryService(store, LAYOUT, validator)  # type: ignore[arg-type]
    load_fixed_graph(service, LAYOUT.vocabulary_graph, collect([ONTOLOGY_DIR]).vocabulary)
    rows = service.store.select(
        "SELECT ?o WHERE { ?o a <http://data.europa.eu/m8g/PublicOrganisation> } LIMIT 1"
    )
    org = URIRef(str(rows[0]["o"]))
    me = Principal(organisation=str(org), siren=str(org).rsplit("/", 1)[1], token_id="bench")
    example = _example()
    admin = Principal.system(LAYOUT)
    for kind, key in (("organisation", "yelda"), ("systeme", "yelda-callbot")):
        if service.store.ask(f"ASK {{ <{LAYOUT.entry_iri(kind, key)}> ?p ?o }}"):
            continue
        service.write(admin, kind, key, example[(kind, key)])
    keys = [f"bench-{i:03d}" for i in range(20)]
    contents = {}
    for key in keys:
        contents[key] = _deployment(example[("deploiement", "fr-plaisir-optimus")], key, org)
        service.write(me, "deploiement", key, contents[key])
    etags = {key: "1" for key in keys}

    cpu: list[float] = []

    def one(i: int) -> float:
        key = keys[i % len(keys)]
        g = contents[key]
        node = URIRef(LAYOUT.entry_iri("deploiement", key))
        g.set((node, DCTERMS.title, Literal(f"Titre {i}", lang="fr")))
        t, c = time.perf_counter(), time.process_time()
        result = service.write(me, "deploiement", key, g, if_match=etags[key])
        elapsed = time.perf_counter() - t
        cpu.append(time.process_time() - c)
        assert result.changed
        etags[key] = result.version.etag
        return elapsed

    for i in range(20):  # warm-up: caches, shapes, field labels
        one(i)
    cpu.clear()
    latencies = sorted(one(100 + i) for i in range(n_latency))
    # CPU time of this process per write: a proxy for the latency on an idle machine when
    # other jobs share the cores (embedded only: a remote server's work is not counted).
    cpu_median = statistics.median(cpu)
    t = time.perf_counter()
    for i in range(n_writes):
        one(10_000 + i)
    total = time.perf_counter() - t
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "cpu_median_ms": cpu_median * 1000,
        "throughput_per_s": n_writes / total,
        "writes_s": total,
    }


def naive(data: Path, n_entries: int) -> dict[str, float]:
    """pySHACL over the whole public data graph of the first ``n_entries`` deployments."""
    graph = Graph()
    limit = None
    with data.open(encoding="utf-8") as fh:
        lines = []
        deployments = 0
        for line in fh:
            if line.rstrip().endswith("> .") and "/graph/" in line.rsplit("<", 1)[-1]:
                continue  # version graphs: the public copy follows each one
            if (
                "/id/deploiement/" in line.split(" ", 1)[0]
                and " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " in line
            ):
                deployments += 1
                if deployments > n_entries:
                    limit = len(lines)
                    break
            lines.append(line)
    graph.parse(data="".join(lines[:limit]), format="nquads")
    validator = Validator.load()
    t = time.perf_counter()
    report = validator.validate(graph)
    elapsed = time.perf_counter() - t
    return {"naive_s": elapsed, "naive_triples": len(graph), "naive_results": len(report.results)}


def _server(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.post(f"{url}/query", data={"query": "ASK {}"}, trust_env=False).is_success:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return proc, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="deployments in the store")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--naive-entries", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip", action="append", default=[], choices=["embedded", "remote"])
    parser.add_argument(
        "--pyshacl", action="store_true", help="validate writes with pySHACL (the reference)"
    )
    args = parser.parse_args()
    work = args.workdir or Path(f"/tmp/iat-bench-{args.n}")
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"registry-{args.n}.nq"
    if not data.exists():
        with data.open("w", encoding="utf-8", buffering=1 << 20) as fh:
            generate(args.n, fh)
    print(f"data: {data} ({data.stat().st_size / 1e6:,.0f} MB), {os.cpu_count()} CPUs", flush=True)
    results: dict[str, dict[str, float]] = {}
    for backend in ("embedded", "remote"):
        if backend in args.skip:
            continue
        location = work / f"writes-{backend}"
        shutil.rmtree(location, ignore_errors=True)
        t = time.perf_counter()
        if backend == "embedded":
            from registry.store.embedded import EmbeddedStore

            store: object = EmbeddedStore(location)
            proc = None
        else:
            from registry.store.remote import RemoteStore

            proc, url = _server(location)
            store = RemoteStore(f"{url}/query", f"{url}/update", f"{url}/store", timeout_s=600)
        try:
            store.bulk_load(data)  # type: ignore[attr-defined]
            load_s = time.perf_counter() - t
            res = measure(store, args.writes, args.latency_samples, args.pyshacl)
            res["bulk_load_s"] = load_s
            store.close()  # type: ignore[attr-defined]
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait()
        results[backend] = res
        print(backend, {k: round(v, 2) for k, v in res.items()}, flush=True)
    if args.naive_entries <= 0:
        return 0
    nv = naive(data, args.naive_entries)
    print(
        f"naive: pySHACL over the whole data graph of {args.naive_entries} deployments "
        f"({nv['naive_triples']:,} triples): {nv['naive_s']:.2f} s",
        flush=True,
    )
    print(f"\nWrite path on {args.n:,} deployments (target: median ≤ 30 ms)")
    print(
        f"{'backend':<10} {'median':>9} {'p95':>9} {'cpu med.':>9} {'writes/s':>9} "
        f"{'naive/median':>13}"
    )
    for backend, res in results.items():
        ratio = nv["naive_s"] * 1000 / res["median_ms"]
        print(
            f"{backend:<10} {res['median_ms']:>7.1f}ms {res['p95_ms']:>7.1f}ms "
            f"{res['cpu_median_ms']:>7.1f}ms {res['throughput_per_s']:>9.1f} {ratio:>12.0f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
