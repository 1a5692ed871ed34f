"""Server-side rendering benchmark of the public HTML pages over generated data.

Renders the home page (observatory) and the listing page (``/registre``: plain, with facet
filters, with a text search, with both and a sort and a page) through the ASGI application in
this process (``httpx.ASGITransport``: no network, no server; what is measured is routing, the
view models and the templates). Prints, for each page, the cold first render (nothing cached:
the listing index, the page data and the statistics are built by that request) and the median
and p95 of the following requests (statistics cached per data version).

    .venv/bin/python benchmarks/bench_pages.py --deployments 10000 [--requests 60]
    .venv/bin/python benchmarks/bench_pages.py --deployments 100000 --store /tmp/store-100k

``--store`` reuses a store already loaded with ``generate.py``'s data (bulk-loading 100 k
deployments takes minutes); otherwise the data is generated and loaded in a work directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from registry.api.app import create_app  # noqa: E402
from registry.config import Settings  # noqa: E402
from registry.index import build_index  # noqa: E402
from registry.store.embedded import EmbeddedStore  # noqa: E402

# (label, path) in the order they are requested; the first is the cold render.
PAGES = [
    ("home /", "/"),
    ("listing /registre", "/registre"),
    ("listing, 2 filters", "/registre?theme=relation-usagers&status=en-service"),
    ("listing, search", "/registre?q=fraude"),
    (
        "listing, search+filter+sort+page",
        "/registre?q=controle&status=en-service&sort=-modified&page=3",
    ),
    ("home / (en)", "/?lang=en"),
]


def prepare_store(n: int, given: Path | None, work: Path) -> Path:
    if given is not None:
        return given
    path = work / f"store-{n}"
    if not path.exists():
        nq = work / f"registry-{n}.nq"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--n", str(n), "--out", nq],
            check=True,
        )
        t0 = time.perf_counter()
        with EmbeddedStore(path) as store:
            store.bulk_load(nq)
            store.optimize()
        print(f"bulk load: {time.perf_counter() - t0:.1f} s", flush=True)
    return path


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(store: EmbeddedStore, work: Path, requests: int) -> list[tuple[str, ...]]:
    settings = Settings(
        store_path=work / "unused-store",
        auth_db_path=work / "auth.sqlite",
        load_datasets_on_first_start=False,
    )
    # No lifespan: the background warm-up would hide the cold first render we want to time.
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app)
    rows: list[tuple[str, ...]] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for number, (label, path) in enumerate(PAGES):
            t0 = time.perf_counter()
            first = await client.get(path)
            cold = time.perf_counter() - t0
            first.raise_for_status()
            samples = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = await client.get(path)
                samples.append(time.perf_counter() - t0)
                response.raise_for_status()
            rows.append(
                (
                    label,
                    f"{cold * 1000:.0f} ms" + (" (builds everything)" if number == 0 else ""),
                    f"{statistics.median(samples) * 1000:.1f} ms",
                    f"{percentile(samples, 0.95) * 1000:.1f} ms",
                    f"{len(first.content) // 1024} KiB",
                )
            )
            print(" | ".join(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deployments", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--store", type=Path, help="a store already loaded with this data")
    parser.add_argument("--work", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix=f"iat-bench-pages-{args.deployments}-"))
    work.mkdir(parents=True, exist_ok=True)
    path = prepare_store(args.deployments, args.store, work)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with EmbeddedStore(path) as store:
        t0 = time.perf_counter()
        c0 = time.process_time()
        index = build_index(store)
        print(
            f"build_index alone: {time.perf_counter() - t0:.1f} s "
            f"({time.process_time() - c0:.1f} s CPU), {len(index.deployments)} deployments",
            flush=True,
        )
        rows = asyncio.run(measure(store, work, args.requests))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{args.deployments} deployments, {args.requests} timed requests per page\n")
    print("| page | cold first render | p50 | p95 | size |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
