"""The Store protocol: what the registry needs from a quad store.

Two backends implement it: ``EmbeddedStore`` (pyoxigraph on disk, the default) and
``RemoteStore`` (any SPARQL 1.1 server: Protocol + Update + Graph Store HTTP Protocol).
Every method blocks: callers on an event loop run them in a thread pool.

Terms cross this boundary as rdflib terms and graphs, so that nothing above ``store/``
imports pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Dataset, Graph
from rdflib.term import Identifier

from registry.errors import InputError, StoreError

Row = dict[str, Identifier]
# Receives the number of bytes read (bulk_load) or written (dump) so far, for progress bars.
Progress = Callable[[int], None]


# Added by the storage helper (additive): errors both backends raise.
class QueryTimeout(StoreError):
    """A query ran past its time budget (HTTP 504 at the API boundary)."""

    code = "query-timeout"
    http_status = 504


class NotAcceptable(InputError):
    """The requested media type cannot represent this query's results (HTTP 406)."""

    code = "not-acceptable"
    http_status = 406


@runtime_checkable
class Store(Protocol):
    """A quad store. ``graph`` arguments are graph IRIs as strings; ``None`` = default graph."""

    def select(self, sparql: str, *, timeout_s: float | None = None) -> list[Row]:
        """Run a SELECT query; unbound variables are absent from a row."""
        ...

    def ask(self, sparql: str, *, timeout_s: float | None = None) -> bool: ...

    def construct(self, sparql: str, *, timeout_s: float | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""
        ...

    def query_raw(
        self, sparql: str, media_type: str, *, timeout_s: float | None = None
    ) -> tuple[bytes, str]:
        """Run any query and serialise its result in ``media_type`` (SPARQL JSON/XML/CSV/TSV
        for solutions, Turtle/N-Triples/RDF-XML for graphs). Returns (body, content type)."""
        ...

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL 1.1 Update request. One call is atomic: all of it or nothing."""
        ...

    def get_graph(self, graph: str | None) -> Graph:
        """Every triple of one graph (empty if it does not exist)."""
        ...

    def replace_graph(self, graph: str | None, data: Graph) -> None:
        """Atomically replace the content of one graph."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def graph_names(self, prefix: str | None = None) -> list[str]:
        """Names of the named graphs, optionally only those starting with ``prefix``."""
        ...

    def bulk_load(
        self, path: Path, *, graph: str | None = None, progress: Progress | None = None
    ) -> None:
        """Load a file (format from its extension, ``.gz`` allowed) as fast as the backend can.
        Triples go into ``graph``; quads keep their own graph."""
        ...

    @property
    def exclusive_writer(self) -> bool:
        """True when this process is the store's only possible writer (an embedded store locks
        its files), so that a check then a write, under the process's own lock, cannot be
        interleaved with another writer's."""
        ...

    def insert_atomically(self, nquads: bytes) -> None:
        """Add quads (N-Quads text) in one atomic step: readers see all of them or none, and a
        crash leaves none. The fastest atomic write each backend has."""
        ...

    def load_dataset(self, data: Dataset | Iterable[tuple[Identifier, ...]]) -> None:
        """Add quads (not atomic across calls; use ``update`` for atomic writes)."""
        ...

    def dump(self, out: Path, *, progress: Progress | None = None) -> None:
        """Write every quad of every graph (default graph included) as N-Quads."""
        ...

    def iter_quads(
        self,
    ) -> Iterator[tuple[Identifier, Identifier, Identifier, Identifier | None]]: ...

    def is_empty(self) -> bool: ...

    def clear(self) -> None:
        """Remove every quad and every named graph (``restore --force``)."""
        ...

    def optimize(self) -> None:
        """Compact the store after bulk work, so that whole-store queries are fast again
        (a GROUP BY at 100k entries: 7 s before, 1 s after). No-op where the server manages it."""
        ...

    def close(self) -> None: ...
