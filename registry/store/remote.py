"""The remote backend: any SPARQL 1.1 server, through the standard protocols only.

- queries: SPARQL 1.1 Protocol, ``POST`` with an ``application/x-www-form-urlencoded`` body;
- updates: SPARQL 1.1 Update, ``POST`` with an ``application/sparql-update`` body;
- graphs: SPARQL 1.1 Graph Store HTTP Protocol (``GET``/``PUT``/``POST``/``DELETE`` with
  ``?graph=IRI`` or ``?default``), when a graph-store URL is configured; otherwise the same
  operations are expressed as queries and updates.

Idempotent requests (queries, GSP GET/PUT/DELETE) are retried with exponential backoff when the
server cannot be reached or answers 502/503/504; updates and appends (POST) never are: a
retried update could apply twice. Every error names the URL.

Results are parsed with pyoxigraph's parsers, then converted to rdflib terms like the embedded
backend's, so callers cannot tell the two apart.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import httpx
import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.term import Identifier, Node

from registry.errors import InputError, RegistryError, StoreError
from registry.store.base import NotAcceptable, Progress, QueryTimeout, Row
from registry.store.deadline import Deadline
from registry.store.embedded import replace_graph_update
from registry.store.files import rdf_file
from registry.store.terms import (
    graph_name_to_ox,
    graph_to_rdflib,
    quads_from_rdflib,
    to_ox,
    to_rdflib,
    triples_to_rdflib,
)

RESULTS_JSON = "application/sparql-results+json"
RESULTS_TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
RETRY_STATUSES = frozenset({502, 503, 504})
# Bytes of N-Quads per append request of a bulk load (cut only where a new graph starts).
BULK_CHUNK_BYTES = 8_000_000

_ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


class RemoteStore:
    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        auth: tuple[str, str] | None = None,
        timeout_s: float = 30.0,
        *,
        retries: int = 3,
        backoff_s: float = 0.2,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.location = query_url
        self._client = httpx.Client(
            auth=httpx.BasicAuth(*auth) if auth else None,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            follow_redirects=False,
            trust_env=False,  # never route registry traffic through an environment proxy
        )

    # -- HTTP -------------------------------------------------------------------------------

    @contextmanager
    def _send(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        deadline: Deadline | None = None,
        **kwargs: Any,
    ) -> Iterator[httpx.Response]:
        """One request (retried if idempotent); yields the streaming response, status < 400."""
        attempts = self.retries + 1 if idempotent else 1
        response: httpx.Response | None = None
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            if deadline is not None:
                deadline.check()
            try:
                request = self._client.build_request(method, url, **kwargs)
                response = self._client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                last, response = exc, None
                if deadline is not None:
                    raise _timeout(url, deadline) from exc
                if not idempotent:
                    break
                continue
            except httpx.TransportError as exc:
                last, response = exc, None
                continue
            if response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                last = _http_error(method, url, response)
                response.close()
                response = None
                continue
            if response.status_code >= 400:
                error = _http_error(method, url, response)
                response.close()
                raise error
            break
        if response is None:
            raise _unreachable(method, url, last, idempotent) from last
        try:
            yield response
        except httpx.TimeoutException as exc:
            if deadline is not None:
                raise _timeout(url, deadline) from exc
            raise _unreachable(method, url, exc, idempotent) from exc
        except httpx.TransportError as exc:
            raise _unreachable(method, url, exc, idempotent) from exc
        finally:
            response.close()

    def _read(self, response: httpx.Response, deadline: Deadline | None) -> bytes:
        """The whole body, checking the query's time budget between chunks."""
        chunks = []
        for chunk in response.iter_bytes():
            if deadline is not None:
                deadline.check()
            chunks.append(chunk)
        return b"".join(chunks)

    def _query_body(self, sparql: str, accept: str, timeout_s: float | None) -> tuple[bytes, str]:
        deadline = Deadline(timeout_s if timeout_s is not None else self.timeout_s)
        request_timeout = httpx.Timeout(
            deadline.timeout_s or self.timeout_s, connect=min(self.timeout_s, 5.0)
        )
        try:
            with self._send(
                "POST",
                self.query_url,
                idempotent=True,
                deadline=deadline,
                data={"query": sparql},
                headers={"Accept": accept},
                timeout=request_timeout,
            ) as response:
                body = self._read(response, deadline)
                return body, response.headers.get("content-type", accept)
        except QueryTimeout as exc:
            exc.details.setdefault("url", self.query_url)
            raise

    # -- queries ----------------------------------------------------------------------------

    def select(self, sparql: str, *, timeout_s: float | None = None) -> list[Row]:
        body, _ = self._query_body(sparql, RESULTS_JSON, timeout_s)
        results = self._parse_results(body)
        if not isinstance(results, ox.QuerySolutions):
            raise InputError(
                "Cette requête n'est pas un SELECT.", "This query is not a SELECT query."
            )
        names = [v.value for v in results.variables]
        return [
            {n: to_rdflib(v) for n, v in zip(names, solution, strict=True) if v is not None}
            for solution in results
        ]

    def ask(self, sparql: str, *, timeout_s: float | None = None) -> bool:
        body, _ = self._query_body(sparql, RESULTS_JSON, timeout_s)
        results = self._parse_results(body)
        if not isinstance(results, ox.QueryBoolean):
            raise InputError("Cette requête n'est pas un ASK.", "This query is not an ASK query.")
        return bool(results)

    def construct(self, sparql: str, *, timeout_s: float | None = None) -> Graph:
        body, _ = self._query_body(sparql, N_TRIPLES, timeout_s)
        return self._parse_graph(body, self.query_url)

    def query_raw(
        self, sparql: str, media_type: str, *, timeout_s: float | None = None
    ) -> tuple[bytes, str]:
        return self._query_body(sparql, media_type, timeout_s)

    def _parse_results(self, body: bytes) -> object:
        try:
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(
                f"Réponse illisible de {self.query_url} : {exc}",
                f"Unreadable response from {self.query_url}: {exc}",
                url=self.query_url,
            ) from exc

    def _parse_graph(self, body: bytes, url: str) -> Graph:
        try:
            return triples_to_rdflib(ox.parse(body, ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(
                f"Réponse illisible de {url} : {exc}",
                f"Unreadable response from {url}: {exc}",
                url=url,
            ) from exc

    # -- writes -----------------------------------------------------------------------------

    def update(self, sparql_update: str) -> None:
        with self._send(
            "POST",
            self.update_url,
            idempotent=False,
            content=sparql_update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        ) as response:
            response.read()

    @property
    def exclusive_writer(self) -> bool:
        return False  # any client of the server may write

    def insert_atomically(self, nquads: bytes) -> None:
        """One ``INSERT DATA`` request (a SPARQL server applies an update request atomically)."""
        lines = []
        try:
            for quad in ox.parse(input=nquads, format=ox.RdfFormat.N_QUADS):
                triple = f"{quad.subject} {quad.predicate} {quad.object} ."
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    lines.append(triple)
                else:
                    lines.append(f"GRAPH {quad.graph_name} {{ {triple} }}")
        except SyntaxError as exc:
            raise InputError(f"N-Quads illisibles : {exc}", f"Unreadable N-Quads: {exc}") from exc
        if lines:
            self.update("INSERT DATA {\n" + "\n".join(lines) + "\n}")

    def _gsp_params(self, graph: str | None) -> dict[str, str]:
        return {"default": ""} if graph is None else {"graph": graph}

    def get_graph(self, graph: str | None) -> Graph:
        if self.graph_store_url is None:
            where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            out = self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}")
        else:
            try:
                with self._send(
                    "GET",
                    self.graph_store_url,
                    idempotent=True,
                    params=self._gsp_params(graph),
                    headers={"Accept": N_TRIPLES},
                ) as response:
                    out = self._parse_graph(response.read(), self.graph_store_url)
            except StoreError as exc:
                if exc.details.get("status") == 404:
                    out = Graph()
                else:
                    raise
        if graph is None:
            return out
        named = Graph(store="SimpleMemory", identifier=graph)
        for triple in out:
            named.add(triple)
        return named

    def replace_graph(self, graph: str | None, data: Graph) -> None:
        if self.graph_store_url is None:
            self.update(replace_graph_update(graph, data))
            return
        if not len(data):
            self._gsp_delete(graph)
            return
        body = ox.serialize(
            (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data),  # type: ignore[arg-type]
            format=ox.RdfFormat.N_TRIPLES,
        )
        # PUT replaces the graph in one request: the server applies it atomically.
        with self._send(
            "PUT",
            self.graph_store_url,
            idempotent=True,
            params=self._gsp_params(graph),
            content=body,
            headers={"Content-Type": N_TRIPLES},
        ) as response:
            response.read()

    def _gsp_delete(self, graph: str | None) -> None:
        assert self.graph_store_url is not None
        try:
            with self._send(
                "DELETE", self.graph_store_url, idempotent=True, params=self._gsp_params(graph)
            ) as response:
                response.read()
        except StoreError as exc:
            if exc.details.get("status") != 404:  # already absent: nothing to do
                raise

    def drop_graph(self, graph: str) -> None:
        if self.graph_store_url is None:
            self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        else:
            self._gsp_delete(graph)

    def graph_names(self, prefix: str | None = None) -> list[str]:
        # `GRAPH ?g {}` enumerates the dataset's graph names (SPARQL 1.1, 18.6) without scanning
        # their triples.
        where = "GRAPH ?g {}"
        if prefix:
            where += f" FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)}))"
        rows = self.select(f"SELECT DISTINCT ?g WHERE {{ {where} }}")
        return sorted(str(row["g"]) for row in rows if "g" in row)

    def bulk_load(
        self, path: Path, *, graph: str | None = None, progress: Progress | None = None
    ) -> None:
        """Stream the file to the graph store as N-Quads appends (``POST``) of about
        ``BULK_CHUNK_BYTES`` each, cut only where a new named graph starts (so that a graph is
        never split between two requests). Never retried: an append is not idempotent when
        the data holds blank nodes."""
        if self.graph_store_url is None:
            raise StoreError(
                "Le chargement en masse distant exige l'URL du Graph Store "
                "(sparql_graph_store_url).",
                "Remote bulk loading needs the Graph Store URL (sparql_graph_store_url).",
                url=self.query_url,
            )
        source = rdf_file(path)
        target = graph_name_to_ox(graph)
        remap = graph is not None
        batch: list[ox.Quad] = []
        size = 0
        previous: object = None
        try:
            with source.open() as stream:
                for quad in ox.parse(stream, source.format, rename_blank_nodes=True):
                    if remap and isinstance(quad.graph_name, ox.DefaultGraph):
                        quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
                    name = quad.graph_name
                    if (
                        size >= BULK_CHUNK_BYTES
                        and name != previous
                        and not isinstance(name, ox.DefaultGraph)
                    ) or size >= 4 * BULK_CHUNK_BYTES:
                        self._append(batch)
                        if progress is not None:
                            progress(stream.tell())
                        batch, size = [], 0
                    batch.append(quad)
                    size += 150  # a typical N-Quads line; exact size does not matter
                    previous = name
                if batch:
                    self._append(batch)
                if progress is not None:
                    progress(stream.tell())
        except SyntaxError as exc:
            raise InputError(
                f"{path} : erreur de syntaxe : {exc}",
                f"{path}: syntax error: {exc}",
                file=str(path),
            ) from exc

    def _append(self, quads: list[ox.Quad]) -> None:
        assert self.graph_store_url is not None
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        # POST of quads to the graph store itself (no ?graph): accepted by Oxigraph, Fuseki and
        # QLever; the quads keep their graphs.
        with self._send(
            "POST",
            self.graph_store_url,
            idempotent=False,
            content=body,
            headers={"Content-Type": N_QUADS},
        ) as response:
            response.read()

    def load_dataset(self, data: Dataset | Iterable[tuple[Identifier, ...]]) -> None:
        rows: Iterable[tuple[Node | None, ...]] = (
            data.quads((None, None, None, None)) if isinstance(data, Dataset) else data
        )
        default: list[str] = []
        named: dict[str, list[str]] = {}
        for q in quads_from_rdflib(rows):
            line = f"{q.subject} {q.predicate} {q.object} ."
            if isinstance(q.graph_name, ox.DefaultGraph):
                default.append(line)
            else:
                named.setdefault(str(q.graph_name), []).append(line)
        if not default and not named:
            return
        parts = ["\n".join(default)]
        parts += [f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in named.items()]
        self.update("INSERT DATA {\n" + "\n".join(parts) + "\n}")

    def dump(self, out: Path, *, progress: Progress | None = None) -> None:
        """Every quad as N-Quads, through one portable SELECT streamed as TSV and rewritten
        by pyoxigraph's serialiser; written to ``out.part`` then renamed."""
        tmp = out.with_name(out.name + ".part")
        with self._send(
            "POST",
            self.query_url,
            idempotent=True,
            data={"query": _ALL_QUADS},
            headers={"Accept": RESULTS_TSV},
            timeout=httpx.Timeout(None, connect=5.0),
        ) as response:
            reader = _ResponseReader(response, progress)
            try:
                solutions = ox.parse_query_results(
                    cast(IO[bytes], reader), ox.QueryResultsFormat.TSV
                )
                with tmp.open("wb") as fh:
                    ox.serialize(_solutions_to_quads(solutions), fh, ox.RdfFormat.N_QUADS)
            except (SyntaxError, ValueError) as exc:
                raise StoreError(
                    f"Réponse illisible de {self.query_url} : {exc}",
                    f"Unreadable response from {self.query_url}: {exc}",
                    url=self.query_url,
                ) from exc
        tmp.replace(out)

    def iter_quads(
        self,
    ) -> Iterator[tuple[Identifier, Identifier, Identifier, Identifier | None]]:
        body, _ = self._query_body(_ALL_QUADS, RESULTS_TSV, None)
        solutions = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        for q in _solutions_to_quads(solutions):
            yield (
                to_rdflib(q.subject),
                to_rdflib(q.predicate),
                to_rdflib(q.object),
                graph_to_rdflib(q.graph_name),
            )

    def is_empty(self) -> bool:
        return not self.ask("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    def clear(self) -> None:
        self.update("DROP ALL")

    def optimize(self) -> None:
        """A remote server compacts its own storage."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _solutions_to_quads(solutions: object) -> Iterator[ox.Quad]:
    for row in solutions:  # type: ignore[attr-defined]
        graph = row["g"]
        yield ox.Quad(row["s"], row["p"], row["o"], graph if graph is not None else None)


def _http_error(method: str, url: str, response: httpx.Response) -> RegistryError:
    response.read()
    text = response.text[:500].strip()
    status = response.status_code
    if status == 406:
        return NotAcceptable(
            f"{url} ne sait pas produire ce format ({status}) : {text}",
            f"{url} cannot produce this media type ({status}): {text}",
            url=url,
            status=status,
        )
    if status in (400, 415):
        return InputError(
            f"Requête refusée par {url} ({status}) : {text}",
            f"Request rejected by {url} ({status}): {text}",
            url=url,
            status=status,
        )
    return StoreError(
        f"Le serveur SPARQL a répondu {status} à {method} {url} : {text}",
        f"The SPARQL server answered {status} to {method} {url}: {text}",
        url=url,
        status=status,
    )


def _unreachable(method: str, url: str, cause: Exception | None, idempotent: bool) -> RegistryError:
    if isinstance(cause, RegistryError):
        return cause
    unknown_fr = (
        "" if idempotent else " L'effet de la requête est inconnu : vérifiez avant de la relancer."
    )
    unknown_en = "" if idempotent else " Whether it took effect is unknown: check before retrying."
    return StoreError(
        f"Serveur SPARQL injoignable ou trop lent : {method} {url} ({cause}).{unknown_fr}",
        f"SPARQL server unreachable or too slow: {method} {url} ({cause}).{unknown_en}",
        url=url,
    )


def _timeout(url: str, deadline: Deadline) -> QueryTimeout:
    return QueryTimeout(
        f"La requête a dépassé le délai de {deadline.timeout_s:g} s ({url}).",
        f"The query exceeded its {deadline.timeout_s:g} s time budget ({url}).",
        url=url,
        timeout_s=deadline.timeout_s,
    )


class _ResponseReader:
    """A file-like view of a streaming HTTP body, for pyoxigraph's streaming parsers."""

    def __init__(self, response: httpx.Response, progress: Progress | None) -> None:
        self._chunks = response.iter_bytes()
        self._buffer = b""
        self._read = 0
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        self._read += len(data)
        if self._progress is not None and data:
            self._progress(self._read)
        return data

    def readable(self) -> bool:
        return True
