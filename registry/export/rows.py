"""Table rows of a chunk of entries, read from the store as SPARQL TSV results.

One SELECT per chunk returns every triple of the chunk's entries in the public view, and the
triples of the nodes the tables look into (blank nodes: period, contact point, assessments...;
for deployments also the source documents). The store serialises the results (in Rust for the
embedded store, on the server for a remote one); Python only splits lines and formats cells.
Building rdflib terms for the same rows took most of the export's time (measured on 10,000
entries: 25 of 31 s).

The cells are exactly those of :meth:`registry.tabular.mapping.RowMapper.to_row` and
:meth:`~registry.tabular.mapping.RowMapper.source_rows` (``tests/unit/test_export_rows.py``
compares them on a generated registry); the rules are restated here on TSV terms (strings in
the Turtle syntax of SPARQL 1.1 TSV results).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from registry.errors import StoreError
from registry.layout import HAS_CURRENT_VERSION, Layout
from registry.store.base import Store
from registry.tabular import cells
from registry.tabular.columns import CV_PUBLIC_ORGANISATION, SOURCES, Column, Table
from registry.tabular.concepts import Vocabulary, curie
from registry.tabular.mapping import START_COLUMN, UNKNOWN_START
from registry.vocab import TIME

TSV = "text/tab-separated-values"


def graph_triples_tsv(store: Store, graphs: str) -> bytes:
    """The ``s p o`` rows (SPARQL TSV results, header checked and cut off) of every triple of
    the named graphs ``graphs`` (IRIs in angle brackets, space-separated)."""
    body, _ = store.query_raw(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}", TSV
    )
    header, _, rows = body.partition(b"\n")
    if [h.lstrip(b"?") for h in header.split(b"\t")] != [b"s", b"p", b"o"]:
        raise StoreError(
            f"Résultats TSV inattendus (en-tête {header!r})",
            f"Unexpected TSV results (header {header!r})",
        )
    return rows


RDF_TYPE = f"<{RDF.type}>"
DCT_SOURCE = f"<{DCTERMS.source}>"
HAS_BEGINNING = f"<{TIME.hasBeginning}>"
PUBLIC_ORGANISATION = f"<{CV_PUBLIC_ORGANISATION}>"
XSD_BOOLEAN = str(XSD.boolean)
XSD_DATETIME = str(XSD.dateTime)
XSD_STRING = str(XSD.string)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

# (node, predicate) → object terms, each term as written in the TSV results. The entry's own
# node is "" (its rows leave ?n unbound).
Triples = dict[tuple[str, str], list[str]]


@dataclass(frozen=True)
class Term:
    """One TSV term, parsed: ``kind`` is "iri", "bnode" or "literal"; ``value`` the IRI, the
    blank node label or the lexical form (what ``str()`` of the rdflib term gives)."""

    kind: str
    value: str
    language: str | None = None
    datatype: str | None = None


def parse_term(token: str) -> Term:
    """A term of SPARQL 1.1 TSV results (Turtle syntax)."""
    first = token[:1]
    if first == "<":
        return Term("iri", token[1:-1])
    if first == "_":
        return Term("bnode", token[2:])
    if first == '"':
        end = token.rindex('"')
        lexical = token[1:end]
        if "\\" in lexical:
            lexical = _unescape(lexical)
        rest = token[end + 1 :]
        if rest.startswith("@"):
            return Term("literal", lexical, language=rest[1:])
        if rest.startswith("^^<"):
            datatype = rest[3:-1]
            return Term("literal", lexical, datatype=None if datatype == XSD_STRING else datatype)
        return Term("literal", lexical)
    if token in ("true", "false"):
        return Term("literal", token, datatype=XSD_BOOLEAN)
    if token and (token[0].isdigit() or token[0] in "+-."):
        # Turtle's short numbers: integer, decimal or double.
        kind = "double" if "e" in token.lower() else "decimal" if "." in token else "integer"
        return Term("literal", token, datatype=f"{XSD}{kind}")
    raise StoreError(
        f"Terme illisible dans les résultats TSV du magasin : {token!r}",
        f"Unreadable term in the store's TSV results: {token!r}",
    )


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        if code:
            return chr(int(code, 16))
        return _ESCAPES.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


def chunk_queries(nodes: list[str], table: Table) -> list[str]:
    """The queries of one chunk of a table's entries (IRIs in ``nodes``), each entry numbered
    by its position (?i: an integer, cheaper for the store to write than the IRI):

    1. every triple of the entries in the public view;
    2. the triples of the blank nodes the table's nested columns look into (period, contact
       point...) and, for deployments, of their source documents, with ?n = that node.

    Two queries rather than one with a UNION (25 % slower) or an OPTIONAL (which looked into
    every object, concepts and organisations included, before filtering: 5 times slower)."""
    values = " ".join(f"(<{n}> {i})" for i, n in enumerate(nodes))
    queries = [f"SELECT ?i ?p ?o WHERE {{ VALUES (?s ?i) {{ {values} }} ?s ?p ?o }}"]
    nested = sorted({str(c.nested.predicate) for c in table.columns if c.nested is not None})
    branches = []
    if nested:
        path = "|".join(f"<{p}>" for p in nested)
        branches.append(f"{{ ?s {path} ?n FILTER(isBlank(?n)) }}")
    if table.name == "deploiements":
        branches.append(f"{{ ?s {DCT_SOURCE} ?n }}")
    if branches:
        queries.append(
            f"SELECT ?i ?n ?p ?o WHERE {{ VALUES (?s ?i) {{ {values} }} "
            f"{' UNION '.join(branches)} ?n ?p ?o }}"
        )
    return queries


def parse_chunk(bodies: list[bytes], size: int) -> list[Triples]:
    """The TSV results of :func:`chunk_queries` as one index per entry."""
    entries: list[Triples] = [{} for _ in range(size)]
    for body in bodies:
        lines = body.decode("utf-8").split("\n")
        header = [h.lstrip("?") for h in lines[0].split("\t")]
        if header == ["i", "p", "o"]:
            for line in lines[1:]:
                if line:
                    i, p, o = line.split("\t")
                    objects = entries[int(i)].setdefault(("", p), [])
                    if o not in objects:
                        objects.append(o)
        elif header == ["i", "n", "p", "o"]:
            for line in lines[1:]:
                if line:
                    i, n, p, o = line.split("\t")
                    objects = entries[int(i)].setdefault((n, p), [])
                    if o not in objects:
                        objects.append(o)
        else:
            raise StoreError(
                f"Résultats TSV inattendus (en-tête {lines[0]!r})",
                f"Unexpected TSV results (header {lines[0]!r})",
            )
    return entries


def read_chunks(store: Store, nodes: list[str], size: int, table: Table) -> Iterator[list[Triples]]:
    """The indexes of ``nodes`` (entries of ``table``) chunk by chunk, each chunk's queries
    running in a worker thread while the caller formats the previous chunk (the embedded store
    evaluates and serialises without the GIL; a remote store answers over HTTP)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    def fetch(chunk: list[str]) -> list[Triples]:
        bodies = [store.query_raw(q, TSV)[0] for q in chunk_queries(chunk, table)]
        return parse_chunk(bodies, len(chunk))

    chunks = [nodes[i : i + size] for i in range(0, len(nodes), size)]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-rows") as pool:
        pending: Future[list[Triples]] = pool.submit(fetch, chunks[0])
        for k in range(len(chunks)):
            result = pending.result()
            if k + 1 < len(chunks):
                pending = pool.submit(fetch, chunks[k + 1])
            yield result


def version_queries(records: list[str], layout: Layout) -> str:
    """The query numbering the current version graphs of a chunk of entries (their catalogue
    record or metadata subject IRIs in ``records``) by the entry's position."""
    values = " ".join(f"(<{m}> {i})" for i, m in enumerate(records))
    return (
        f"SELECT ?i ?g WHERE {{ GRAPH <{layout.registry_graph}> {{ VALUES (?m ?i) {{ {values} }} "
        f"?m <{HAS_CURRENT_VERSION}> ?g }} }}"
    )


@dataclass
class VersionChunk:
    """One chunk of entries read from their current version graphs (ONE reading of the store
    feeds both the table rows and the RDF dumps): ``indexes`` for :class:`RowBuilder`,
    ``turtle`` the graphs' triples as ``s p o .`` lines (Turtle), ``rendered`` what the
    caller's ``render`` made of them (in the reading thread)."""

    indexes: list[Triples]
    turtle: bytes
    rendered: object = None


def read_version_chunks(
    store: Store,
    layout: Layout,
    nodes: list[str],
    records: list[str],
    size: int,
    table: Table,
    render: Callable[[bytes], object] | None = None,
) -> Iterator[VersionChunk]:
    """Like :func:`read_chunks`, but the entries' triples come from their current version
    graphs, whose triples also make the RDF dump. The index holds what the public view would
    give :func:`chunk_queries` (``tests/unit/test_export_rows.py`` compares them):

    - the entry's own triples and those of its blank nodes: an entry owns its IRI and its blank
      nodes (the write path refuses triples about another entry), so its version graph and the
      public view hold the same ones;
    - NOT the external resources the version graph describes (source documents, pages): the
      public view may hold more about them (a document two entries cite, each with its own
      title), so an IRI source's triples are read from the public view, as before;
    - an entry without a current version graph (not written by the registry) is read from the
      public view, as before, and has no triples in the dump (as before)."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(start: int) -> VersionChunk:
        chunk = nodes[start : start + size]
        body, _ = store.query_raw(version_queries(records[start : start + size], layout), TSV)
        graphs: dict[int, str] = {}
        for line in body.decode("utf-8").split("\n")[1:]:
            if line:
                i, g = line.split("\t")
                graphs[int(i)] = g
        entries: list[Triples] = [{} for _ in chunk]
        turtle = b""
        if graphs:
            # ?s ?p ?o only, so that the results are Turtle with one replace (an entry number
            # per row, cut off again with a regular expression, cost ~7 % of the export's CPU).
            rows = graph_triples_tsv(store, " ".join(graphs.values()))
            _index(rows.decode("utf-8"), {f"<{chunk[i]}>": i for i in graphs}, entries)
            # Tabs only separate terms (TSV escapes them inside literals).
            turtle = rows.replace(b"\t", b" ").replace(b"\n", b" .\n")
            if table.name == "deploiements":
                values = " ".join(f"(<{chunk[i]}> {i})" for i in sorted(graphs))
                body, _ = store.query_raw(
                    f"SELECT ?i ?n ?p ?o WHERE {{ VALUES (?s ?i) {{ {values} }} "
                    f"?s {DCT_SOURCE} ?n FILTER(isIRI(?n)) ?n ?p ?o }}",
                    TSV,
                )
                _merge(entries, parse_chunk([body], len(chunk)))
        missing = [i for i in range(len(chunk)) if i not in graphs]
        if missing:
            bodies = [
                store.query_raw(q, TSV)[0]
                for q in chunk_queries([chunk[i] for i in missing], table)
            ]
            for m, index in zip(missing, parse_chunk(bodies, len(missing)), strict=True):
                entries[m] = index
        return VersionChunk(entries, turtle, None if render is None else render(turtle))

    # Two chunks read at once: the store's work runs without the GIL, and it is most of the
    # export's (one reader left the second core idle half of the time, measured on 100,000).
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="export-rows") as pool:
        pending = deque(pool.submit(fetch, s) for s in range(0, len(nodes), size)[:READERS])
        following = iter(range(READERS * size, len(nodes), size))
        while pending:
            result = pending.popleft().result()
            start = next(following, None)
            if start is not None:
                pending.append(pool.submit(fetch, start))
            yield result


READERS = 2


def _index(rows: str, own: dict[str, int], entries: list[Triples]) -> None:
    """Index TSV rows ``s p o`` of version graphs by entry (``own``: entry IRI token →
    position): the entry's triples and, transitively, those of its blank nodes (a blank node
    belongs to the entry that links to it). The catalogue record's triples and those of
    external resources are left out (read from the public view)."""
    owner: dict[str, int] = {}  # blank node → entry
    pending: list[list[str]] = []
    for line in rows.split("\n"):
        if not line:
            continue
        s, p, o = triple = line.split("\t")
        n = own.get(s)
        if n is None:
            if s[:2] == "_:":
                pending.append(triple)
            continue
        if o[:2] == "_:":
            owner[o] = n
        objects = entries[n].setdefault(("", p), [])
        if o not in objects:
            objects.append(o)
    while pending:  # blank nodes in the order they are reached from the entries
        left = []
        for triple in pending:
            s, p, o = triple
            n = owner.get(s, -1)
            if n < 0:
                left.append(triple)
                continue
            if o[:2] == "_:":
                owner[o] = n
            objects = entries[n].setdefault((s, p), [])
            if o not in objects:
                objects.append(o)
        if len(left) == len(pending):
            break  # blank nodes no entry links to (in the dump, not in any row)
        pending = left


def _merge(entries: list[Triples], more: list[Triples]) -> None:
    for index, extra in zip(entries, more, strict=True):
        for key, objects in extra.items():
            known = index.setdefault(key, [])
            known.extend(o for o in objects if o not in known)


# Kinds whose cells repeat across entries (a few hundred distinct values at most per column):
# their formatted value is cached by term.
_CACHED_KINDS = frozenset({"concept", "curie", "ref", "bool", "date", "email"})


# How a column is filled (worked out once per table, see RowBuilder._plan).
_KEY, _PUBLIC, _VALUE, _EMPTY = range(4)
_Cell = tuple[int, str, str | None, Column, bool, dict[str, str | None] | None, bool, bool]


class RowBuilder:
    """Cells of one entry's row from its :data:`Triples`."""

    def __init__(self, layout: Layout, vocab: Vocabulary) -> None:
        self.layout = layout
        self.vocab = vocab
        self._plans: dict[str, list[_Cell]] = {}
        self._caches: dict[str, dict[str, str | None]] = {}

    def _plan(self, table: Table) -> list[_Cell]:
        """Per column: (mode, predicate token, nested node name, column, multi, cache of its
        formatted values (kinds whose values repeat), "inconnue" allowed, French text)."""
        if table.name not in self._plans:
            plan: list[_Cell] = []
            for column in table.columns:
                if column.kind == "key":
                    mode = _KEY
                elif column.name == "publique":
                    mode = _PUBLIC
                elif column.predicate is None:
                    mode = _EMPTY
                else:
                    mode = _VALUE
                cache = None
                if column.kind in _CACHED_KINDS:
                    cache = self._caches.setdefault(column.ref_kind or column.kind, {})
                plan.append(
                    (
                        mode,
                        "" if column.predicate is None else f"<{column.predicate}>",
                        None if column.nested is None else column.nested.name,
                        column,
                        column.multi,
                        cache,
                        column.name == START_COLUMN,
                        column.kind == "text",
                    )
                )
            self._plans[table.name] = plan
        return self._plans[table.name]

    def row(self, table: Table, key: str, triples: Triples) -> dict[str, str]:
        return dict(zip(table.names, self.cells(table, key, triples), strict=True))

    def cells(self, table: Table, key: str, triples: Triples) -> list[str]:
        """The row's cells, in the table's column order. The hot loop of the export (30 columns
        for each of 100,000 entries): a tuple per column, a cache per coded column."""
        out: list[str] = []
        append = out.append
        nested_nodes: dict[str, str | None] = {}
        get = triples.get
        fmt = self.format
        for mode, predicate, nested, column, multi, cache, start, text in self._plan(table):
            if mode != _VALUE:
                if mode == _KEY:
                    append(key)
                elif mode == _PUBLIC:
                    append(cells.format_bool(PUBLIC_ORGANISATION in get(("", RDF_TYPE), ())))
                else:
                    append("")
                continue
            subject = ""
            if nested is not None:
                if nested not in nested_nodes:
                    nested_nodes[nested] = self._nested(triples, column)
                node = nested_nodes[nested]
                if node is None:
                    append("")
                    continue
                subject = node
            objects = get((subject, predicate))
            if not objects:
                append(UNKNOWN_START[0] if start and get((subject, HAS_BEGINNING)) else "")
                continue
            values: list[str] = []
            for token in objects:
                if cache is not None:
                    if token in cache:
                        value = cache[token]
                    else:
                        value = cache[token] = fmt(column, token)
                elif text and token[-4:] == '"@fr' and "\\" not in token:
                    value = token[1:-4]  # the common case, without building a Term
                else:
                    value = fmt(column, token)
                if value is not None:
                    values.append(value)
            if len(values) > 1:
                values.sort()
            elif not values and start and get((subject, HAS_BEGINNING)):
                values = [UNKNOWN_START[0]]
            if multi:
                append(cells.join_values(values))
            else:
                append(values[0] if values else "")
        return out

    def source_rows(self, key: str, triples: Triples) -> list[dict[str, str]]:
        urls = sorted(
            (parse_term(o).value, o) for o in triples.get(("", DCT_SOURCE), ()) if o.startswith("<")
        )
        rows = []
        for url, token in urls:
            row = {"deploiement": key, "url": url}
            for column in SOURCES.columns[2:]:
                objects = triples.get((token, f"<{column.predicate}>"), ())
                values = sorted(
                    v for v in (self.format(column, o) for o in objects) if v is not None
                )
                row[column.name] = values[0] if values else ""
            rows.append(row)
        return rows

    def _nested(self, triples: Triples, column: Column) -> str | None:
        nested = column.nested
        assert nested is not None
        candidates = sorted(
            triples.get(("", f"<{nested.predicate}>"), ()), key=lambda t: parse_term(t).value
        )
        match = None if nested.match is None else f"<{nested.match}>"
        for candidate in candidates:
            if match is None or match in triples.get((candidate, RDF_TYPE), ()):
                return candidate
        return None

    def format(self, column: Column, token: str) -> str | None:
        """:meth:`RowMapper.format` on a TSV term."""
        return self._format(column, parse_term(token))

    def _format(self, column: Column, term: Term) -> str | None:
        kind = column.kind
        if kind == "text":
            if term.kind == "literal" and term.language in (None, "fr"):
                return term.value
            return None
        if kind in ("string", "siren", "resource", "url"):
            return term.value
        if kind == "bool":
            if term.kind == "literal" and term.datatype == XSD_BOOLEAN:
                # as rdflib's toPython(): "true" or "1" in any case is true, anything else false
                return cells.format_bool(term.value.lower() in ("true", "1"))
            return term.value
        if kind == "date":
            if term.kind == "literal" and term.datatype == XSD_DATETIME:
                return term.value.split("T")[0]
            return term.value
        if kind == "email":
            return cells.format_email(term.value)
        if kind == "ref":
            prefix = f"{self.layout.base}id/{column.ref_kind}/"
            return term.value[len(prefix) :] if term.value.startswith(prefix) else term.value
        if kind == "concept":
            if term.kind == "iri":
                return self.vocab.notation(URIRef(term.value))
            return term.value
        if kind == "curie":
            return curie(term.value) if term.kind == "iri" else term.value
        raise AssertionError(kind)
