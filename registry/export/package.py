"""Store → Frictionless data package (the contract with ``publishers/``, see its README):

    DIR/datapackage.json
    DIR/data/{organisations,systemes,deploiements,sources}.csv   one row per entry (or source)
    DIR/schemas/<table>.schema.json                              Table Schemas (from the shapes)
    DIR/rdf/registre.ttl, DIR/rdf/registre.jsonld                 the entries' graphs
    DIR/README.md                                                in French

Rows are read in chunks of entries (memory stays flat) as SPARQL TSV results and formatted in
Python (:mod:`registry.export.rows`); the RDF dumps are serialised by Oxigraph, never by rdflib.
The deployments' current version graphs are read ONCE per chunk and feed both their rows and
the RDF dumps (reading them a second time for the dumps was a third of the export's work); the
chunk's RDF is re-written in a second thread while the rows are formatted. Withdrawn entries
(statut « arrete ») are included with their status.
Measured (benchmarks/bench_tabular.py, 2 cores): see benchmarks/README.md.
"""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rdflib import URIRef
from rdflib.namespace import FOAF

from registry.export.rows import (
    DCT_SOURCE,
    TSV,
    RowBuilder,
    graph_triples_tsv,
    read_chunks,
    read_version_chunks,
)
from registry.layout import HAS_CURRENT_VERSION, Layout
from registry.ontology import context as jsonld_context
from registry.store.base import Store
from registry.store.convert import reserialize
from registry.tabular.cells import neutralise
from registry.tabular.columns import TABLES, Table
from registry.tabular.concepts import vocabulary
from registry.tabular.schemas import table_schema
from registry.vocab import AI, IAT, TECH, slugify

# Entries per query (~35 triples per deployment). Memory holds three chunks (the one being
# written, the two being read), each with its index, its Turtle and its JSON-LD.
CHUNK = 2000
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
Progress = Callable[[str, int, int], None]  # (phase, done, total)
LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
TABLE_ORDER = ("deploiements", "systemes", "organisations", "sources")


@dataclass
class ExportOptions:
    organisation: str | None = None  # key (SIREN or slug): only this organisation's deployments
    registry_url: str | None = None  # public URL of the registry (homepage, sources)
    created: datetime | None = None  # fixed for reproducible packages (tests)
    version: str | None = None


@dataclass
class ExportResult:
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    triples_files: list[Path] = field(default_factory=list)
    # Seconds per phase (keys, tables, RDF dumps...), for benchmarks; the deployments' RDF dump
    # runs while the tables are written, so phases may add up to more than the total.
    timings: dict[str, float] = field(default_factory=dict)


def export_package(
    store: Store,
    layout: Layout,
    out: Path,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    options = options or ExportOptions()
    job = _Export(store, layout, out, options, progress)
    return job.run()


def export_per_organisation(
    store: Store,
    layout: Layout,
    out: Path,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> list[ExportResult]:
    """One package per deploying organisation, in ``out/<slug of its name>/``."""
    options = options or ExportOptions()
    rows = store.select(
        f"SELECT DISTINCT ?org (SAMPLE(?n) AS ?name) WHERE {{ ?d a <{IAT.Deployment}> ; "
        f"<{TECH.hasDeployer}> ?org OPTIONAL {{ ?org <{FOAF.name}> ?n }} }} GROUP BY ?org "
        "ORDER BY ?org"
    )
    results = []
    prefix = f"{layout.base}id/organisation/"
    for row in rows:
        iri = str(row["org"])
        if not iri.startswith(prefix):
            continue
        key = iri[len(prefix) :]
        name = str(row.get("name") or key)
        sub = ExportOptions(key, options.registry_url, options.created, options.version)
        results.append(
            export_package(store, layout, out / (slugify(name) or key), sub, progress=progress)
        )
    return results


class _Export:
    def __init__(
        self,
        store: Store,
        layout: Layout,
        out: Path,
        options: ExportOptions,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.layout = layout
        self.out = out
        self.options = options
        self.progress = progress
        self.rows = RowBuilder(layout, vocabulary())
        self.systems: set[str] = set()
        self.organisations: set[str] = set()
        self.themes: set[str] = set()
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    def _timed(self, phase: str, started: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started

    # ---- the package ----------------------------------------------------------------------------
    def run(self) -> ExportResult:
        out = self.out
        for sub in ("data", "schemas", "rdf"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        org_iri = (
            URIRef(self.layout.organisation_iri(self.options.organisation))
            if self.options.organisation
            else None
        )
        started = time.perf_counter()
        deployments = self._keys(IAT.Deployment, "deploiement", org_iri)
        self._timed("keys", started)
        with RdfDump(self.store, self.layout, out / "rdf") as dump:
            self._write_tables(deployments, org_iri, dump)
            self.timings["rdf deploiements (fils de lecture / reading threads)"] = dump.seconds
        for name in TABLE_ORDER:
            (out / "schemas" / f"{name}.schema.json").write_text(
                json.dumps(table_schema(name), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        descriptor = self._descriptor(len(deployments))
        (out / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (out / "README.md").write_text(readme(descriptor, self.counts), encoding="utf-8")
        return ExportResult(
            out,
            dict(self.counts),
            [out / "rdf" / "registre.ttl", out / "rdf" / "registre.jsonld"],
            dict(self.timings),
        )

    def _write_tables(
        self, deployments: list[str], org_iri: URIRef | None, dump: RdfDump
    ) -> tuple[list[str], list[str]]:
        """The four CSV files (and the deployments' RDF); returns the keys of the systems and
        organisations written."""
        self._write_deployments(deployments, dump)
        started = time.perf_counter()
        if org_iri is None:
            systems = self._keys(AI.AISystem, "systeme", None)
            self.organisations.update(self._entry_keys("organisation"))
        else:
            systems = sorted(self.systems)
            self.organisations.add(self.options.organisation or "")
        self._timed("keys", started)
        self._write_table("systemes", systems)
        organisations = sorted(k for k in self.organisations if k)
        # Their RDF is read and re-written while the organisations' rows are formatted.
        base = self.layout.base
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-rdf") as pool:
            dumped = pool.submit(
                self._dump,
                dump,
                [f"{base}id/systeme/{k}" for k in systems]
                + [f"{base}id/organisation/{k}" for k in organisations],
                len(deployments) + len(systems) + len(organisations),
            )
            self._write_table("organisations", organisations)
            dumped.result()
        return systems, organisations

    def _dump(self, dump: RdfDump, subjects: list[str], total: int | None = None) -> None:
        started = time.perf_counter()
        for done in dump.write(subjects):
            if total is not None and self.progress:
                self.progress("rdf", done, total)
        self._timed("rdf", started)

    def _keys(self, cls: URIRef, kind: str, org: URIRef | None) -> list[str]:
        where = f"?s a <{cls}> ."
        if org is not None:
            where += f" ?s <{TECH.hasDeployer}> <{org}> ."
        # Sorted here, not by ORDER BY: the store's sort took 10 s for 100,000 IRIs. Python
        # compares code points, like SPARQL's ORDER BY on IRIs.
        body, _ = self.store.query_raw(f"SELECT DISTINCT ?s WHERE {{ {where} }}", TSV)
        prefix = f"<{self.layout.base}id/{kind}/"
        lines = body.decode("utf-8").split("\n")[1:]
        return sorted(s[len(prefix) : -1] for s in lines if s.startswith(prefix))

    def _entry_keys(self, kind: str) -> list[str]:
        """Keys of the entries of one kind that have a current version."""
        prefix = f"{self.layout.base}id/{kind}/"
        rows = self.store.select(
            f"SELECT DISTINCT ?m WHERE {{ GRAPH <{self.layout.registry_graph}> "
            f'{{ ?m <{HAS_CURRENT_VERSION}> ?g }} FILTER STRSTARTS(STR(?m), "{prefix}") }}'
        )
        return sorted(str(r["m"])[len(prefix) :] for r in rows)

    # ---- tables ---------------------------------------------------------------------------------
    def _write_deployments(self, keys: list[str], dump: RdfDump) -> None:
        """deploiements.csv, sources.csv and the deployments' RDF, from ONE reading of their
        current version graphs per chunk (:func:`read_version_chunks`). The chunk's RDF is
        re-written as Turtle and JSON-LD by Oxigraph in a second thread (in Rust, without the
        GIL) while this one formats the rows."""
        table = TABLES["deploiements"]
        sources = TABLES["sources"]
        names = table.names
        i_system, i_org, i_themes = (
            names.index(c) for c in ("systeme", "organisation", "domaines")
        )
        started = time.perf_counter()
        base = self.layout.base
        nodes = [f"{base}id/deploiement/{k}" for k in keys]
        records = [f"{base}id/fiche/{k}" for k in keys]
        with (
            _csv(self.out / "data" / "deploiements.csv", table) as dep_out,
            _csv(self.out / "data" / "sources.csv", sources) as src_out,
        ):
            n = n_sources = 0
            # The chunk's RDF is re-written in the reading threads (one thread more, waiting
            # for the GIL, was the bottleneck); this one formats the rows and writes.
            chunks = read_version_chunks(
                self.store, self.layout, nodes, records, CHUNK, table, render=dump.render
            )
            waited = time.perf_counter()
            for chunk in chunks:
                self._timed("deploiements (attente lecture / waiting for reads)", waited)
                dump.write_rendered(chunk.rendered, len(chunk.indexes))
                for triples in chunk.indexes:
                    key = keys[n]
                    row = self.rows.cells(table, key, triples)
                    dep_out.writerow([neutralise(c) for c in row])
                    n += 1
                    if row[i_system]:
                        self.systems.add(row[i_system])
                    if row[i_org]:
                        self.organisations.add(row[i_org])
                    if row[i_themes]:
                        self.themes.update(v.strip() for v in row[i_themes].split("|") if v)
                    if ("", DCT_SOURCE) in triples:
                        for src in self.rows.source_rows(key, triples):
                            src_out.writerow([neutralise(src[c]) for c in sources.names])
                            n_sources += 1
                if self.progress:
                    self.progress("deploiements", n, len(keys))
                waited = time.perf_counter()
        self.counts["deploiements"] = n
        self.counts["sources"] = n_sources
        self._timed("deploiements", started)

    def _write_table(self, name: str, keys: list[str]) -> None:
        table = TABLES[name]
        assert table.kind is not None
        providers = table.names.index("fournisseurs") if name == "systemes" else -1
        started = time.perf_counter()
        nodes = [f"{self.layout.base}id/{table.kind}/{k}" for k in keys]
        n = 0
        with _csv(self.out / "data" / f"{name}.csv", table) as out:
            for indexes in read_chunks(self.store, nodes, CHUNK, table):
                for triples in indexes:
                    row = self.rows.cells(table, keys[n], triples)
                    out.writerow([neutralise(c) for c in row])
                    n += 1
                    if providers >= 0:
                        self.organisations.update(
                            v.strip() for v in row[providers].split("|") if v.strip()
                        )
                if self.progress:
                    self.progress(name, n, len(keys))
        self.counts[name] = n
        self._timed(name, started)

    # ---- descriptor -----------------------------------------------------------------------------
    def _descriptor(self, count: int) -> dict[str, Any]:
        created = (self.options.created or datetime.now(UTC)).astimezone(UTC)
        url = self.options.registry_url or self.layout.base
        org = self.options.organisation
        vocab = vocabulary()
        if org:
            name = self._organisation_name(org)
            identifier = f"ia-territoires-{org}"
            title = f"Systèmes d'IA : {name}"
            description = (
                f"Les systèmes d'intelligence artificielle déployés par {name}, extraits du "
                "registre ia-territoires : finalité, statut, niveau de risque au sens du "
                "règlement européen sur l'IA, intervention humaine, sources."
            )
        else:
            identifier = "ia-territoires-registre-national"
            title = "Registre des systèmes d'IA des collectivités territoriales"
            description = (
                "Les systèmes d'intelligence artificielle utilisés par les collectivités "
                "territoriales françaises (communes, EPCI, départements, régions) : finalité, "
                "statut, niveau de risque au sens du règlement européen sur l'IA, intervention "
                "humaine, sources. Les fiches retirées sont incluses avec leur statut."
            )
        themes = []
        for notation in sorted(self.themes):
            iri = URIRef(f"{self.layout.base}vocab/domaine/{notation}")
            themes.append(
                {"notation": notation, "label": vocab.label(iri) or notation, "iri": str(iri)}
            )
        descriptor: dict[str, Any] = {
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": identifier,
            "id": f"{self.layout.base}id/jeu/{identifier}",
            "title": title,
            "description": description,
            "version": self.options.version or created.strftime("%Y.%m.%d"),
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "homepage": url,
            "licenses": [LICENCE],
            "sources": [
                {
                    "title": "Registre ia-territoires (catalogue DCAT-AP)",
                    "path": f"{url.rstrip('/')}/catalog",
                }
            ],
            "contributors": [{"title": "ia-territoires", "roles": ["publisher"], "path": url}],
            "keywords": [
                "intelligence artificielle",
                "collectivités territoriales",
                "registre des algorithmes",
                "données liées",
            ],
            "ia_territoires:identifier": identifier,
            "ia_territoires:themes": themes,
            "ia_territoires:conformsTo": f"{self.layout.base}profile/0.1",
            "ia_territoires:registryUrl": url,
            "ia_territoires:entryCount": count,
        }
        if org:
            org_iri = self.layout.organisation_iri(org)
            name = self._organisation_name(org)
            descriptor["ia_territoires:publisher"] = {
                "identifier": org,
                "name": name,
                "slug": slugify(name) or org,
                "iri": org_iri,
            }
            descriptor["contributors"].append({"title": name, "roles": ["author"], "path": org_iri})
        descriptor["resources"] = [self._table_resource(TABLES[n]) for n in TABLE_ORDER] + [
            {
                "name": "registre-turtle",
                "path": "rdf/registre.ttl",
                "type": "file",
                "title": "Registre en RDF (Turtle)",
                "description": "Les mêmes fiches en données liées (Turtle), versions courantes.",
                "format": "ttl",
                "mediatype": "text/turtle",
                "encoding": "utf-8",
            },
            {
                "name": "registre-jsonld",
                "path": "rdf/registre.jsonld",
                "type": "file",
                "title": "Registre en RDF (JSON-LD)",
                "description": "Les mêmes fiches en JSON-LD, contexte inclus (jamais distant).",
                "format": "jsonld",
                "mediatype": "application/ld+json",
                "encoding": "utf-8",
            },
        ]
        return descriptor

    def _table_resource(self, table: Table) -> dict[str, Any]:
        return {
            "name": table.name,
            "path": f"data/{table.name}.csv",
            "type": "table",
            "title": table.title[0],
            "description": table.description[0],
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
            "schema": f"schemas/{table.name}.schema.json",
        }

    def _organisation_name(self, key: str) -> str:
        iri = self.layout.organisation_iri(key)
        rows = self.store.select(f"SELECT ?n WHERE {{ <{iri}> <{FOAF.name}> ?n }} LIMIT 1")
        return str(rows[0]["n"]) if rows else key


# ---- RDF dumps ----------------------------------------------------------------------------------
def _values(nodes: Iterable[str]) -> str:
    return " ".join(f"<{n}>" for n in nodes)


class RdfDump:
    """rdf/registre.ttl and rdf/registre.jsonld: the current version graph of every exported
    entry (reference-data organisations: their triples from the reference graph), read from
    the store chunk by chunk and serialised by Oxigraph, appended to both files."""

    def __init__(self, store: Store, layout: Layout, folder: Path) -> None:
        self.store = store
        self.layout = layout
        self.folder = folder
        self.done = 0  # subjects written so far (read by the progress bar)
        self.seconds = 0.0  # spent re-writing the deployments' chunks (in the reading threads)
        self._lock = threading.Lock()
        self.first = True
        self.ttl: IO[bytes] | None = None
        self.js: IO[bytes] | None = None

    def __enter__(self) -> RdfDump:
        self.ttl = (self.folder / "registre.ttl").open("wb")
        self.js = (self.folder / "registre.jsonld").open("wb")
        self.ttl.write(
            b"# Registre ia-territoires : les fiches de ce paquet (version courante).\n"
            b"# ia-territoires registry: the entries of this package (current version).\n"
        )
        self.js.write(b'{\n"@context": ')
        self.js.write(json.dumps(jsonld_context(), ensure_ascii=False).encode())
        self.js.write(b',\n"@graph": [\n')
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.ttl is not None and self.js is not None
        self.js.write(b"\n]\n}\n")
        self.ttl.close()
        self.js.close()

    def write(self, metadata_subjects: list[str]) -> Iterator[int]:
        """Append the subjects' graphs, chunk by chunk; yields the count written so far."""
        assert self.ttl is not None and self.js is not None
        for chunk in _chunks(metadata_subjects, CHUNK):
            reference, _ = self.store.query_raw(_reference_query(self.layout, chunk), N_TRIPLES)
            for body, media_type in ((self._versions(chunk), TURTLE), (reference, N_TRIPLES)):
                if body.strip():
                    self._append(body, media_type)
            self.done += len(chunk)
            yield self.done

    def render(self, turtle: bytes) -> tuple[bytes, bytes] | None:
        """``s p o .`` lines (Turtle) as (Turtle, JSON-LD); thread-safe, times itself."""
        started = time.perf_counter()
        try:
            if not turtle.strip():
                return None
            ttl, jsonld = reserialize(turtle, TURTLE, (TURTLE, JSON_LD))
            return ttl, jsonld
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - started

    def write_rendered(self, rendered: object, count: int) -> None:
        """Append what :meth:`render` made, for ``count`` subjects."""
        if rendered is not None:
            assert isinstance(rendered, tuple)
            self._write(*rendered)
        self.done += count

    def _append(self, body: bytes, media_type: str) -> None:
        # Read once, written twice (asking the store for each format read it twice).
        self._write(*reserialize(body, media_type, (TURTLE, JSON_LD)))

    def _write(self, turtle: bytes, jsonld: bytes) -> None:
        assert self.ttl is not None and self.js is not None
        self.ttl.write(turtle)
        inner = jsonld.strip()
        if inner.startswith(b"[") and inner.endswith(b"]"):
            inner = inner[1:-1].strip()
        if inner:
            if not self.first:
                self.js.write(b",\n")
            self.js.write(inner)
            self.first = False

    def _versions(self, subjects: list[str]) -> bytes:
        """The triples of the subjects' current version graphs, as Turtle.

        Read as SELECT results in TSV, whose terms are written in Turtle syntax, so that
        ``s p o .`` lines are Turtle: 30 % cheaper for the store than a CONSTRUCT (measured
        on 100,000 entries), and cheaper again with the graphs looked up apart (the query
        joining the lookup with the graphs' triples took 50 % longer)."""
        body, _ = self.store.query_raw(
            f"SELECT ?g WHERE {{ GRAPH <{self.layout.registry_graph}> {{ "
            f"VALUES ?m {{ {_values(subjects)} }} ?m <{HAS_CURRENT_VERSION}> ?g }} }}",
            TSV,
        )
        graphs = [g[1:-1] for g in body.decode("utf-8").split("\n")[1:] if g.startswith("<")]
        if not graphs:
            return b""
        rows = graph_triples_tsv(self.store, _values(graphs))
        # Tabs only separate terms (TSV escapes them inside literals).
        return rows.replace(b"\t", b" ").replace(b"\n", b" .\n")


def _reference_query(layout: Layout, subjects: list[str]) -> str:
    return (
        f"CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{ VALUES ?s {{ {_values(subjects)} }} "
        f"GRAPH <{layout.reference_graph}> {{ ?s ?p ?o "
        f"OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }} }} "
        f"FILTER NOT EXISTS {{ GRAPH <{layout.registry_graph}> {{ ?s <{HAS_CURRENT_VERSION}> "
        f"?any }} }} }}"
    )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _csv:  # noqa: N801 (used as a context manager, reads like open())
    """A CSV writer on a UTF-8 file with the table's header."""

    def __init__(self, path: Path, table: Table) -> None:
        self.path = path
        self.table = table
        self.fh: IO[str] | None = None

    def __enter__(self) -> Any:
        self.fh = self.path.open("w", encoding="utf-8", newline="")
        writer = csv.writer(self.fh, lineterminator="\n")
        writer.writerow(self.table.names)
        return writer

    def __exit__(self, *exc: object) -> None:
        assert self.fh is not None
        self.fh.close()


def readme(descriptor: dict[str, Any], counts: dict[str, int]) -> str:
    """README.md of the package, in French."""
    lines = [
        f"# {descriptor['title']}",
        "",
        descriptor["description"],
        "",
        f"- Version : {descriptor['version']} (produit le {descriptor['created']})",
        "- Licence : Licence Ouverte / Open Licence version 2.0 (etalab-2.0)",
        f"- Registre : {descriptor['homepage']}",
        f"- Profil d'application : {descriptor['ia_territoires:conformsTo']}",
        "",
        "## Contenu",
        "",
        "| fichier | contenu | lignes |",
        "|---|---|---|",
    ]
    for res in descriptor["resources"]:
        n = counts.get(res["name"])
        lines.append(f"| `{res['path']}` | {res['title']} | {'' if n is None else n} |")
    lines += [
        "",
        "Chaque table a son schéma Frictionless (`schemas/`), généré à partir des formes SHACL "
        "du registre : titres et descriptions des colonnes, valeurs admises (notations des "
        "listes de concepts), clés primaires et étrangères. Vérifier le paquet :",
        "",
        "    frictionless validate datapackage.json",
        "",
        "## Conventions",
        "",
        "- Plusieurs valeurs dans une cellule sont séparées par « | » (une barre dans une valeur "
        "s'écrit `\\|`).",
        "- Les valeurs codées sont les notations des listes de concepts "
        "(`https://w3id.org/ia-territoires/vocab/{liste}/{notation}`).",
        "- Dates : AAAA-MM-JJ, AAAA-MM ou AAAA.",
        "- Une cellule qui commencerait par =, +, -, @, une tabulation ou un retour chariot est "
        "précédée d'une apostrophe (protection contre l'injection de formules dans les "
        "tableurs) ; l'import du registre retire cette apostrophe.",
        "- Les fiches retirées restent présentes, avec le statut « arrete ».",
        "",
        "## Ce que les tables ne couvrent pas",
        "",
        "Les fichiers `rdf/registre.ttl` et `rdf/registre.jsonld` contiennent les fiches "
        "complètes. Les tables n'en reprennent pas : les textes dans une autre langue que le "
        "français, le service public appuyé, les rôles des organisations "
        "(prov:qualifiedAttribution), les dates de publication des fiches de catalogue et leur "
        "historique (versions), les titres et types des pages de documentation et des jeux de "
        "données, un second point de contact, les propriétés des organisations du référentiel "
        "autres que nom, SIREN, catégorie et territoire (appartenance à un EPCI...).",
        "",
        "## Réimporter",
        "",
        "    ia-territoires import DOSSIER --admin",
        "",
        "importe les tables dans un autre registre (organisations, puis systèmes, puis "
        "déploiements avec leurs sources).",
        "",
    ]
    return "\n".join(lines)


__all__ = ["ExportOptions", "ExportResult", "export_package", "export_per_organisation"]
