"""Store → Frictionless data package (the contract with ``publishers/``, see its README):

    DIR/datapackage.json
    DIR/data/{organisations,systemes,deploiements,sources}.csv   one row per entry (or source)
    DIR/schemas/<table>.schema.json                              Table Schemas (from the shapes)
    DIR/rdf/registre.ttl, DIR/rdf/registre.jsonld                 the entries' graphs
    DIR/README.md                                                in French

Rows are read in chunks of entries (memory stays flat); the RDF dumps are serialised by the store
(Oxigraph), never by rdflib. Withdrawn entries (statut « arrete ») are included with their status.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF
from rdflib.term import Node

from registry.layout import HAS_CURRENT_VERSION, Layout
from registry.ontology import context as jsonld_context
from registry.store.base import Store
from registry.tabular.cells import neutralise
from registry.tabular.columns import TABLES, Table
from registry.tabular.concepts import vocabulary
from registry.tabular.mapping import RowMapper
from registry.tabular.schemas import table_schema
from registry.vocab import AI, IAT, TECH, slugify

CHUNK = 500
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
        self.mapper = RowMapper(layout, vocabulary())
        self.systems: set[str] = set()
        self.organisations: set[str] = set()
        self.themes: set[str] = set()
        self.counts: dict[str, int] = {}

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
        deployments = self._keys(IAT.Deployment, "deploiement", org_iri)
        self._write_deployments(deployments)
        if org_iri is None:
            systems = self._keys(AI.AISystem, "systeme", None)
            self.organisations.update(self._entry_keys("organisation"))
        else:
            systems = sorted(self.systems)
            self.organisations.add(self.options.organisation or "")
        self._write_table("systemes", systems)
        self._write_table("organisations", sorted(k for k in self.organisations if k))
        for name in TABLE_ORDER:
            (out / "schemas" / f"{name}.schema.json").write_text(
                json.dumps(table_schema(name), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        entry_iris = (
            [URIRef(f"{self.layout.base}id/fiche/{k}") for k in deployments]
            + [URIRef(f"{self.layout.base}id/systeme/{k}") for k in systems]
            + [
                URIRef(f"{self.layout.base}id/organisation/{k}")
                for k in sorted(self.organisations)
                if k
            ]
        )
        self._dump_rdf(entry_iris)
        descriptor = self._descriptor(len(deployments))
        (out / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (out / "README.md").write_text(readme(descriptor, self.counts), encoding="utf-8")
        return ExportResult(
            out, dict(self.counts), [out / "rdf" / "registre.ttl", out / "rdf" / "registre.jsonld"]
        )

    def _keys(self, cls: URIRef, kind: str, org: URIRef | None) -> list[str]:
        where = f"?s a <{cls}> ."
        if org is not None:
            where += f" ?s <{TECH.hasDeployer}> <{org}> ."
        rows = self.store.select(f"SELECT DISTINCT ?s WHERE {{ {where} }} ORDER BY ?s")
        prefix = f"{self.layout.base}id/{kind}/"
        return [str(r["s"])[len(prefix) :] for r in rows if str(r["s"]).startswith(prefix)]

    def _entry_keys(self, kind: str) -> list[str]:
        """Keys of the entries of one kind that have a current version."""
        prefix = f"{self.layout.base}id/{kind}/"
        rows = self.store.select(
            f"SELECT DISTINCT ?m WHERE {{ GRAPH <{self.layout.registry_graph}> "
            f'{{ ?m <{HAS_CURRENT_VERSION}> ?g }} FILTER STRSTARTS(STR(?m), "{prefix}") }}'
        )
        return sorted(str(r["m"])[len(prefix) :] for r in rows)

    # ---- tables ---------------------------------------------------------------------------------
    def _write_deployments(self, keys: list[str]) -> None:
        table = TABLES["deploiements"]
        sources = TABLES["sources"]
        with (
            _csv(self.out / "data" / "deploiements.csv", table) as dep_out,
            _csv(self.out / "data" / "sources.csv", sources) as src_out,
        ):
            n = n_sources = 0
            for chunk in _chunks(keys, CHUNK):
                nodes = [URIRef(f"{self.layout.base}id/deploiement/{k}") for k in chunk]
                graph = _TripleIndex.select(self.store, nodes, with_sources=True)
                for key, node in zip(chunk, nodes, strict=True):
                    row = self.mapper.to_row(table, graph, node)
                    dep_out.writerow([neutralise(row[c]) for c in table.names])
                    n += 1
                    if row["systeme"]:
                        self.systems.add(row["systeme"])
                    if row["organisation"]:
                        self.organisations.add(row["organisation"])
                    self.themes.update(v.strip() for v in row["domaines"].split("|") if v)
                    for src in self.mapper.source_rows(graph, node, key):
                        src_out.writerow([neutralise(src[c]) for c in sources.names])
                        n_sources += 1
                if self.progress:
                    self.progress("deploiements", n, len(keys))
        self.counts["deploiements"] = n
        self.counts["sources"] = n_sources

    def _write_table(self, name: str, keys: list[str]) -> None:
        table = TABLES[name]
        assert table.kind is not None
        n = 0
        with _csv(self.out / "data" / f"{name}.csv", table) as out:
            for chunk in _chunks(keys, CHUNK):
                nodes = [URIRef(f"{self.layout.base}id/{table.kind}/{k}") for k in chunk]
                graph = _TripleIndex.select(self.store, nodes, with_sources=False)
                for node in nodes:
                    row = self.mapper.to_row(table, graph, node)
                    out.writerow([neutralise(row[c]) for c in table.names])
                    n += 1
                    if name == "systemes":
                        self.organisations.update(
                            v.strip() for v in row["fournisseurs"].split("|") if v.strip()
                        )
                if self.progress:
                    self.progress(name, n, len(keys))
        self.counts[name] = n

    # ---- RDF dumps ------------------------------------------------------------------------------
    def _dump_rdf(self, metadata_subjects: list[URIRef]) -> None:
        """The current version graph of every exported entry (reference-data organisations:
        their triples from the reference graph), serialised by the store chunk by chunk."""
        ttl_path = self.out / "rdf" / "registre.ttl"
        jsonld_path = self.out / "rdf" / "registre.jsonld"
        with ttl_path.open("wb") as ttl, jsonld_path.open("wb") as js:
            ttl.write(
                b"# Registre ia-territoires : les fiches de ce paquet (version courante).\n"
                b"# ia-territoires registry: the entries of this package (current version).\n"
            )
            js.write(b'{\n"@context": ')
            js.write(json.dumps(jsonld_context(), ensure_ascii=False).encode())
            js.write(b',\n"@graph": [\n')
            first = True
            done = 0
            for chunk in _chunks(metadata_subjects, CHUNK):
                for query in (
                    _versions_query(self.layout, chunk),
                    _reference_query(self.layout, chunk),
                ):
                    body, _ = self.store.query_raw(query, "text/turtle")
                    ttl.write(body)
                    body, _ = self.store.query_raw(query, "application/ld+json")
                    inner = body.strip()
                    if inner.startswith(b"[") and inner.endswith(b"]"):
                        inner = inner[1:-1].strip()
                    if inner:
                        if not first:
                            js.write(b",\n")
                        js.write(inner)
                        first = False
                done += len(chunk)
                if self.progress:
                    self.progress("rdf", done, len(metadata_subjects))
            js.write(b"\n]\n}\n")

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


# ---- queries ------------------------------------------------------------------------------------
def _values(nodes: Iterable[URIRef]) -> str:
    return " ".join(f"<{n}>" for n in nodes)


def _describe(nodes: list[URIRef], *, with_sources: bool) -> str:
    """The nodes' triples in the public view, with their blank nodes (period, contact...) and,
    for deployments, the title, date and type of their source documents."""
    follow = f"isBlank(?o) || ?p = <{DCTERMS.source}>" if with_sources else "isBlank(?o)"
    return (
        f"SELECT ?s ?p ?o ?p2 ?o2 WHERE {{ VALUES ?s {{ {_values(nodes)} }} "
        f"?s ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER({follow}) }} }}"
    )


class _TripleIndex:
    """The triples of a chunk of entries, indexed by (subject, predicate): what
    :meth:`RowMapper.to_row` reads. Filled from SELECT rows: building an rdflib ``Graph`` from a
    CONSTRUCT took most of the export's time (measured: 11 of 18 s for 2,000 entries)."""

    def __init__(self) -> None:
        self._objects: dict[tuple[Node, Node], list[Node]] = {}
        self._triples: set[tuple[Node, Node, Node]] = set()

    @classmethod
    def select(cls, store: Store, nodes: list[URIRef], *, with_sources: bool) -> _TripleIndex:
        index = cls()
        for row in store.select(_describe(nodes, with_sources=with_sources)):
            index.add(row["s"], row["p"], row["o"])
            if "p2" in row and "o2" in row:
                index.add(row["o"], row["p2"], row["o2"])
        return index

    def add(self, s: Node, p: Node, o: Node) -> None:
        if (s, p, o) not in self._triples:
            self._triples.add((s, p, o))
            self._objects.setdefault((s, p), []).append(o)

    def objects(
        self, subject: Node | None = None, predicate: Node | None = None, unique: bool = False
    ) -> Iterator[Node]:
        assert subject is not None and predicate is not None  # the mapper always names both
        return iter(self._objects.get((subject, predicate), ()))

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples


def _versions_query(layout: Layout, subjects: list[URIRef]) -> str:
    return (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{layout.registry_graph}> {{ "
        f"VALUES ?m {{ {_values(subjects)} }} ?m <{HAS_CURRENT_VERSION}> ?g }} "
        f"GRAPH ?g {{ ?s ?p ?o }} }}"
    )


def _reference_query(layout: Layout, subjects: list[URIRef]) -> str:
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
