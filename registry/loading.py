"""``ia-territoires load``: the vocabulary, the reference data and entries, from files and folders.

- Vocabulary files (``ontology/``) go to ``{base}graph/vocabulary``, reference data
  (``datasets/reference/``) to ``{base}graph/reference``; both are copied into the default graph
  (the public view). A graph whose files did not change since the last load is left alone.
- Entry files are split into entries (:func:`registry.layout.split_entries`). Each entry is
  validated; a new one becomes version 1 through the store's quad loader (fast: no per-entry
  update request); an existing one that changed goes through the write path (a new version);
  an unchanged one is left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from registry import history
from registry.auth import Principal
from registry.config import Settings
from registry.entries import LABELS, EntryService, context_query, version_metadata
from registry.errors import InputError, RegistryError
from registry.ingest.rdf import is_rdf_file, parse_graph
from registry.layout import HAS_CURRENT_VERSION, Layout, split_entries
from registry.store.base import Store
from registry.vocab import ADMS, ENTRIES_DIR, ONTOLOGY_DIR, REFERENCE_DIR

Progress = Callable[[str, int, int], None]  # (phase, done, total)
CHUNK = 2_000  # entries per quad-loader call (one transaction on the embedded store)
_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")


@dataclass
class LoadReport:
    vocabulary_files: int = 0
    reference_files: int = 0
    entry_files: int = 0
    graphs_unchanged: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: dict[str, Any] = field(default_factory=dict)  # "kind/key" -> report or error
    leftover_triples: int = 0

    @property
    def ok(self) -> bool:
        return not self.invalid

    @property
    def files(self) -> int:
        return self.vocabulary_files + self.reference_files + self.entry_files

    def to_dict(self) -> dict[str, object]:
        return {
            "vocabularyFiles": self.vocabulary_files,
            "referenceFiles": self.reference_files,
            "entryFiles": self.entry_files,
            "graphsUnchanged": self.graphs_unchanged,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": sorted(self.invalid),
            "leftoverTriples": self.leftover_triples,
        }


@dataclass
class Sources:
    vocabulary: list[Path] = field(default_factory=list)
    reference: list[Path] = field(default_factory=list)
    entries: list[Path] = field(default_factory=list)


def default_paths() -> list[Path]:
    """The curated data: the vocabulary, ``datasets/reference`` and ``datasets/entries``."""
    return [ONTOLOGY_DIR, REFERENCE_DIR, ENTRIES_DIR]


def collect(paths: Iterable[Path]) -> Sources:
    """RDF files under ``paths``, sorted into vocabulary, reference data and entries by where
    they live (``ontology/`` → vocabulary, ``datasets/reference/`` → reference, else entries).
    Examples and non-RDF files (CSV sources, Markdown) are skipped."""
    sources = Sources()
    for path in paths:
        if not path.exists():
            raise InputError(
                f"Chemin introuvable : {path}.", f"No such file or folder: {path}.", file=str(path)
            )
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if not is_rdf_file(f) or "examples" in f.relative_to(path.parent).parts:
                continue
            resolved = f.resolve()
            if _under(resolved, ONTOLOGY_DIR):
                sources.vocabulary.append(f)
            elif _under(resolved, REFERENCE_DIR):
                sources.reference.append(f)
            else:
                sources.entries.append(f)
    return sources


def load(
    service: EntryService,
    paths: Iterable[Path] | None = None,
    *,
    validate: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Load files and folders (the curated data by default) into the store."""
    sources = collect(paths if paths is not None else default_paths())
    report = LoadReport(
        vocabulary_files=len(sources.vocabulary),
        reference_files=len(sources.reference),
        entry_files=len(sources.entries),
    )
    layout = service.layout
    for graph, files in (
        (layout.vocabulary_graph, sources.vocabulary),
        (layout.reference_graph, sources.reference),
    ):
        if files and not load_fixed_graph(service, graph, files, progress=progress):
            report.graphs_unchanged.append(graph)
    if sources.entries:
        load_entries(service, sources.entries, report, validate=validate, progress=progress)
    return report


def load_all(
    store: Store,
    settings: Settings,
    paths: Iterable[Path] | None = None,
    *,
    validate: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """:func:`load` with a write service built from the settings (used by ``serve`` on first
    start and by ``ia-territoires load``)."""
    service = EntryService(
        store, Layout(settings.base_iri), max_payload_bytes=settings.max_payload_bytes
    )
    return load(service, paths, validate=validate, progress=progress)


# ---- vocabulary and reference data -------------------------------------------------------------
def load_fixed_graph(
    service: EntryService, graph: str, files: list[Path], *, progress: Progress | None = None
) -> bool:
    """(Re)load a fixed graph and its copy in the default graph. Returns False when the files
    are the ones already loaded (nothing done)."""
    store, layout = service.store, service.layout
    checksum = _checksum(files)
    rows = store.select(
        f"SELECT ?c WHERE {{ GRAPH <{layout.registry_graph}> {{ <{graph}> <{_CHECKSUM}> ?c }} }}"
    )
    if rows and str(rows[0]["c"]) == checksum:
        return False
    reg = f"<{layout.registry_graph}>"
    if store.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        # Leave the public view first, putting back what another public graph still says.
        store.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ;\n"
            f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) "
            f"FILTER(?g IN (<{layout.vocabulary_graph}>, <{layout.reference_graph}>) || EXISTS "
            f"{{ GRAPH {reg} {{ ?r <{HAS_CURRENT_VERSION}> ?g }} }}) }} ;\n"
            f"DROP SILENT GRAPH <{graph}>"
        )
    # Each file is bulk-loaded twice, into its named graph and into the default graph (the
    # public view): copying 700k reference triples with a SPARQL INSERT ... WHERE is ~10x slower.
    # A kill in between leaves no checksum, so the next load starts this graph over.
    for i, f in enumerate(files, start=1):
        store.bulk_load(f, graph=graph)
        store.bulk_load(f, graph=None)
        if progress:
            progress(f"graphe {graph.rsplit('/', 1)[-1]}", i, len(files))
    now = Literal(datetime.now(UTC), datatype=XSD.dateTime).n3()
    store.update(
        f"DELETE WHERE {{ GRAPH {reg} {{ <{graph}> <{_CHECKSUM}> ?c ; <{DCTERMS.modified}> ?m }} }}"
        f" ;\nINSERT DATA {{ GRAPH {reg} {{ <{graph}> <{_CHECKSUM}> {Literal(checksum).n3()} ; "
        f"<{DCTERMS.modified}> {now} }} }}"
    )
    return True


def _checksum(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in sorted(files):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return "sha256:" + digest.hexdigest()


# ---- entries ----------------------------------------------------------------------------------
def load_entries(
    service: EntryService,
    files: list[Path],
    report: LoadReport,
    *,
    validate: bool = True,
    progress: Progress | None = None,
) -> None:
    layout = service.layout
    data = Graph()
    for i, f in enumerate(files, start=1):
        data += parse_graph(f, base_iri=layout.base)
        if progress:
            progress("lecture / reading", i, len(files))
    entries, leftover = split_entries(data, layout)
    report.leftover_triples = len(leftover)
    principal = Principal.system(layout)
    context = _context_for(service, data) if validate else Graph()
    batch: list[tuple[str, str, Graph]] = []
    now = datetime.now(UTC)
    for done, ((kind, key), content) in enumerate(sorted(entries.items()), start=1):
        name = f"{kind}/{key}"
        try:
            current = history.current_version(service.store, layout, kind, key)
            if current is not None:
                result = service.write(principal, kind, key, content, if_match=current.etag)
                if result.changed:
                    report.updated += 1
                else:
                    report.unchanged += 1
            else:
                service.complete(principal, kind, key, content, None, None, now)
                if validate:
                    entry_context = _subset(context, content)
                    result_report = service.validator.validate(content, context=entry_context)
                    if not result_report.conforms:
                        report.invalid[name] = result_report
                        continue
                batch.append((kind, key, content))
        except RegistryError as exc:
            report.invalid[name] = exc
        if len(batch) >= CHUNK:
            report.created += _write_new(service, batch, principal, now)
            batch = []
        if progress:
            progress("fiches / entries", done, len(entries))
    if batch:
        report.created += _write_new(service, batch, principal, now)


def _write_new(
    service: EntryService,
    batch: list[tuple[str, str, Graph]],
    principal: Principal,
    now: datetime,
) -> int:
    """Version 1 of new entries through the quad loader: version graph, its copy in the default
    graph, and the version metadata (registry graph + default graph)."""
    layout = service.layout
    reg = URIRef(layout.registry_graph)
    quads: list[tuple[Any, ...]] = []
    for kind, key, content in batch:
        g = URIRef(layout.version_graph(kind, key, 1))
        status = content.value(URIRef(layout.entry_iri(kind, key)), ADMS.status)
        metadata = version_metadata(
            layout,
            kind,
            key,
            1,
            agent=principal.agent,
            token_id=principal.token_id,
            generated_at=now,
            summary=("Chargement initial.", "Initial load."),
            status=status if isinstance(status, URIRef) else None,
        )
        for s, p, o in content:
            quads.append((s, p, o, g))
            quads.append((s, p, o, None))
        for s, p, o in metadata:
            quads.append((s, p, o, reg))
            quads.append((s, p, o, None))
    service.store.load_dataset(quads)
    return len(batch)


def _context_for(service: EntryService, data: Graph) -> Graph:
    """Types and labels of every node the loaded entries link to: from the loaded data itself
    and from the store (vocabulary, reference data, entries already there)."""
    context = Graph()
    subjects = set(data.subjects())
    for s, p, o in data:
        if p == RDF.type or p in LABELS:
            context.add((s, p, o))
    linked = sorted(
        {o for o in data.objects() if isinstance(o, URIRef) and o not in subjects}
        - set(data.objects(None, RDF.type))
    )
    for i in range(0, len(linked), 500):
        context += service.store.construct(context_query(linked[i : i + 500]))
    return context


def _subset(context: Graph, content: Graph) -> Graph:
    subjects = set(content.subjects())
    out = Graph()
    for o in {o for o in content.objects() if isinstance(o, URIRef) and o not in subjects}:
        for t in context.triples((o, None, None)):
            out.add(t)
    return out


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except ValueError:
        return False
    return True
