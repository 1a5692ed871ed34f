"""The registry as a DCAT-AP 3.0.1 catalogue, built from the store (no HTTP here).

One ``dcat:Catalog``; one national ``dcat:Dataset`` (every deployment) plus one per publishing
organisation (its deployments); distributions in Turtle, JSON-LD, CSV and a Frictionless data
package descriptor; the SPARQL endpoint and the REST API as ``dcat:DataService``s. Datasets are
paged with Hydra (``hydra:PartialCollectionView``, absolute ``hydra:next``, ``hydra:totalItems``)
in a deterministic order (national first, then organisations by IRI), optionally only those
modified since a date. Harvesters are stricter than DCAT-AP: every dataset has
``dct:identifier``, and every linked node (publisher, licence, theme, contact, standard, media
type) carries an explicit type, as the SEMIC shapes require.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from registry.config import Settings
from registry.store.base import Store
from registry.vocab import ADMS, DCATAP, ELI, HYDRA, IAT, PREFIXES, TECH, VCARD, concept_iri

AI_ACT_ELI = "http://data.europa.eu/eli/reg/2024/1689/oj"
LICENCE = "https://spdx.org/licenses/etalab-2.0"
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE_FR = "http://publications.europa.eu/resource/authority/language/FRA"
IANA = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
OPENAPI = "https://spec.openapis.org/oas/v3.1.0"

DEFAULT_PAGE_SIZE = 100
RETIRED = "arrete"  # the status a retired entry gets (registry.entries.RETIRED)
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Publisher:
    iri: str
    key: str  # SIREN or slug: the last segment of the IRI
    name: str
    deployments: int
    modified: str | None  # latest dct:modified of its deployments (lexical form)
    retired: int = 0  # of which withdrawn (status « arrêté »): kept, and said so


@dataclass(frozen=True)
class CatalogPage:
    graph: Graph
    total: int
    page: int
    page_size: int


def _escape_iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"unsafe IRI {iri!r}")
    return iri


def publishers(store: Store, base: str, organisation: str | None = None) -> list[Publisher]:
    """The organisations that deploy at least one registered system, by IRI."""
    only = f"VALUES ?org {{ <{_escape_iri(organisation)}> }}" if organisation else ""
    rows = store.select(
        f"""SELECT ?org (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?d) AS ?count)
                  (MAX(STR(?m)) AS ?modified) (COUNT(DISTINCT ?r) AS ?retired) WHERE {{
          {only}
          ?d a <{IAT.Deployment}> ; <{TECH.hasDeployer}> ?org .
          OPTIONAL {{ ?d <{DCTERMS.modified}> ?m }}
          OPTIONAL {{ ?d <{ADMS.status}> <{concept_iri("statut", RETIRED)}> . BIND(?d AS ?r) }}
          OPTIONAL {{ ?org <{FOAF.name}> ?n }}
        }} GROUP BY ?org ORDER BY ?org"""
    )
    out = []
    prefix = f"{base}id/organisation/"
    for row in rows:
        iri = str(row["org"])
        key = iri[len(prefix) :] if iri.startswith(prefix) else iri.rstrip("/").rsplit("/", 1)[-1]
        out.append(
            Publisher(
                iri=iri,
                key=key,
                name=str(row.get("name") or key),
                deployments=int(row["count"]),
                modified=str(row["modified"]) if row.get("modified") else None,
                retired=int(row.get("retired") or 0),
            )
        )
    return out


class CatalogBuilder:
    def __init__(self, settings: Settings, public_url: str) -> None:
        self.base = settings.base_iri
        self.public = public_url.rstrip("/")
        self.graph = Graph()
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)

    # ---- typed nodes the SEMIC shapes require -------------------------------------------------
    def add(self, s: URIRef | BNode, p: URIRef, o: URIRef | BNode | Literal) -> None:
        self.graph.add((s, p, o))

    def registry_agent(self) -> URIRef:
        agent = URIRef(f"{self.base}id/organisation/ia-territoires")
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, RDF.type, FOAF.Organization)
        self.add(agent, FOAF.name, Literal("Registre ia-territoires", lang="fr"))
        return agent

    def licence(self) -> URIRef:
        lic = URIRef(LICENCE)
        self.add(lic, RDF.type, DCTERMS.LicenseDocument)
        self.add(lic, RDFS.label, Literal("Licence Ouverte / Open Licence 2.0 (Etalab)", lang="fr"))
        return lic

    def theme(self, code: str, fr: str, en: str) -> URIRef:
        theme = URIRef(DATA_THEME + code)
        self.add(theme, RDF.type, SKOS.Concept)
        self.add(theme, SKOS.prefLabel, Literal(fr, lang="fr"))
        self.add(theme, SKOS.prefLabel, Literal(en, lang="en"))
        scheme = URIRef(DATA_THEME.rstrip("/"))
        self.add(theme, SKOS.inScheme, scheme)
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, DCTERMS.title, Literal("Data theme", lang="en"))
        return theme

    def contact(self) -> URIRef:
        node = URIRef(f"{self.base}id/organisation/ia-territoires#contact")
        self.add(node, RDF.type, VCARD.Kind)
        self.add(node, VCARD.fn, Literal("Registre ia-territoires", lang="fr"))
        self.add(node, VCARD.hasURL, URIRef(f"{self.public}/"))
        return node

    def legislation(self) -> URIRef:
        law = URIRef(AI_ACT_ELI)
        self.add(law, RDF.type, ELI.LegalResource)
        return law

    def profile(self) -> URIRef:
        profile = URIRef(f"{self.base}profile/0.1")
        self.add(profile, RDF.type, DCTERMS.Standard)
        self.add(
            profile, DCTERMS.title, Literal("Profil d'application ia-territoires 0.1", lang="fr")
        )
        return profile

    def standard(self, iri: str, title: str) -> URIRef:
        node = URIRef(iri)
        self.add(node, RDF.type, DCTERMS.Standard)
        self.add(node, DCTERMS.title, Literal(title, lang="en"))
        return node

    def document(self, url: str) -> URIRef:
        doc = URIRef(url)
        self.add(doc, RDF.type, FOAF.Document)
        return doc

    def distribution(
        self, dataset: URIRef, ident: str, url: str, file_type: str, media: str, title_fr: str
    ) -> URIRef:
        dist = URIRef(f"{dataset}/distribution/{ident}")
        self.add(dataset, DCAT.distribution, dist)
        self.add(dist, RDF.type, DCAT.Distribution)
        self.add(dist, DCTERMS.title, Literal(title_fr, lang="fr"))
        self.add(dist, DCAT.accessURL, URIRef(url))
        self.add(dist, DCAT.downloadURL, URIRef(url))
        fmt = URIRef(FILE_TYPE + file_type)
        self.add(dist, DCTERMS.format, fmt)
        self.add(fmt, RDF.type, DCTERMS.MediaTypeOrExtent)
        mt = URIRef(IANA + media)
        self.add(dist, DCAT.mediaType, mt)
        self.add(mt, RDF.type, DCTERMS.MediaType)
        self.add(dist, DCTERMS.license, self.licence())
        return dist

    # ---- datasets ------------------------------------------------------------------------
    def dataset_common(
        self, ds: URIRef, ident: str, publisher: URIRef, modified: str | None
    ) -> None:
        self.add(ds, RDF.type, DCAT.Dataset)
        self.add(ds, DCTERMS.identifier, Literal(ident))
        self.add(ds, DCTERMS.publisher, publisher)
        self.add(ds, DCTERMS.license, self.licence())
        self.add(
            ds,
            DCAT.theme,
            self.theme("GOVE", "Gouvernement et secteur public", "Government and public sector"),
        )
        self.add(
            ds, DCAT.theme, self.theme("TECH", "Science et technologie", "Science and technology")
        )
        self.add(ds, DCAT.contactPoint, self.contact())
        self.add(ds, DCATAP.applicableLegislation, self.legislation())
        self.add(ds, DCTERMS.conformsTo, self.profile())
        self.add(ds, DCTERMS.language, self.language())
        for keyword in ("intelligence artificielle", "collectivités territoriales", "algorithmes"):
            self.add(ds, DCAT.keyword, Literal(keyword, lang="fr"))
        if modified:
            self.add(ds, DCTERMS.modified, _date_literal(modified))

    def language(self) -> URIRef:
        lang = URIRef(LANGUAGE_FR)
        self.add(lang, RDF.type, DCTERMS.LinguisticSystem)
        return lang

    def national_dataset(self, total: int, modified: str | None, retired: int = 0) -> URIRef:
        ds = URIRef(f"{self.base}dataset/registre")
        self.dataset_common(ds, "ia-territoires-registre", self.registry_agent(), modified)
        self.add(
            ds,
            DCTERMS.title,
            Literal("Registre des systèmes d'IA des collectivités territoriales", lang="fr"),
        )
        self.add(
            ds,
            DCTERMS.title,
            Literal("Registry of AI systems used by French local governments", lang="en"),
        )
        self.add(
            ds,
            DCTERMS.description,
            Literal(
                f"Les {total} déploiements de systèmes d'intelligence artificielle recensés "
                "dans les collectivités territoriales françaises, avec les systèmes, "
                "organisations et sources." + _retired_note(retired)[0],
                lang="fr",
            ),
        )
        self.add(
            ds,
            DCTERMS.description,
            Literal(
                f"The {total} deployments of AI systems registered for French local governments, "
                "with systems, organisations and sources." + _retired_note(retired)[1],
                lang="en",
            ),
        )
        self.add(ds, DCAT.landingPage, self.document(f"{self.public}/"))
        self._distributions(ds, "")
        return ds

    def organisation_dataset(self, pub: Publisher) -> URIRef:
        ds = URIRef(f"{self.base}dataset/organisation/{pub.key}")
        org = URIRef(pub.iri)
        self.add(org, RDF.type, FOAF.Agent)
        self.add(org, FOAF.name, Literal(pub.name))
        self.dataset_common(ds, f"ia-territoires-{pub.key}", org, pub.modified)
        self.add(ds, DCTERMS.title, Literal(f"Systèmes d'IA déployés par {pub.name}", lang="fr"))
        self.add(ds, DCTERMS.title, Literal(f"AI systems deployed by {pub.name}", lang="en"))
        self.add(
            ds,
            DCTERMS.description,
            Literal(
                f"Les {pub.deployments} déploiements de systèmes d'IA déclarés par {pub.name} "
                "dans le registre ia-territoires." + _retired_note(pub.retired)[0],
                lang="fr",
            ),
        )
        self.add(
            ds,
            DCTERMS.description,
            Literal(
                f"The {pub.deployments} AI-system deployments declared by {pub.name} in the "
                "ia-territoires registry." + _retired_note(pub.retired)[1],
                lang="en",
            ),
        )
        self.add(ds, DCAT.landingPage, self.document(f"{self.public}/id/organisation/{pub.key}"))
        self._distributions(ds, pub.key)
        return ds

    def _distributions(self, ds: URIRef, org_key: str) -> None:
        query = f"?{urlencode({'organisation': org_key})}" if org_key else ""
        scope = f"organisation/{org_key}" if org_key else "registre"
        self.distribution(
            ds,
            "turtle",
            f"{self.public}/export/{scope}.ttl",
            "RDF_TURTLE",
            "text/turtle",
            "Données en Turtle",
        )
        self.distribution(
            ds,
            "jsonld",
            f"{self.public}/export/{scope}.jsonld",
            "JSON_LD",
            "application/ld+json",
            "Données en JSON-LD",
        )
        self.distribution(
            ds,
            "csv",
            f"{self.public}/api/v1/deployments.csv{query}",
            "CSV",
            "text/csv",
            "Déploiements en CSV",
        )
        self.distribution(
            ds,
            "datapackage",
            f"{self.public}/export/{scope}/datapackage.json",
            "JSON",
            "application/json",
            "Paquet de données Frictionless",
        )

    def data_services(self, catalog: URIRef, national: URIRef | None) -> None:
        services = (
            (
                "sparql",
                ("Point d'accès SPARQL", "SPARQL endpoint"),
                f"{self.public}/sparql",
                f"{self.public}/sparql",
                self.standard(SPARQL_PROTOCOL, "SPARQL 1.1 Protocol"),
            ),
            (
                "api",
                ("API REST du registre", "Registry REST API"),
                f"{self.public}/api/v1/",
                f"{self.public}/openapi.json",
                self.standard(OPENAPI, "OpenAPI 3.1"),
            ),
        )
        for name, (title_fr, title_en), endpoint, description, standard in services:
            service = URIRef(f"{self.base}service/{name}")
            self.add(catalog, DCAT.service, service)
            self.add(service, RDF.type, DCAT.DataService)
            self.add(service, DCTERMS.title, Literal(title_fr, lang="fr"))
            self.add(service, DCTERMS.title, Literal(title_en, lang="en"))
            self.add(service, DCAT.endpointURL, URIRef(endpoint))
            self.add(service, DCAT.endpointDescription, URIRef(description))
            self.add(service, DCTERMS.conformsTo, standard)
            self.add(service, DCTERMS.license, self.licence())
            self.add(service, DCTERMS.publisher, self.registry_agent())
            self.add(service, DCATAP.applicableLegislation, self.legislation())
            if national is not None:
                self.add(service, DCAT.servesDataset, national)


def _retired_note(retired: int) -> tuple[str, str]:
    """Sentence added to a description when some deployments are withdrawn: harvesters keep
    the dataset (a withdrawn entry stays in the registry, with its status), and its readers
    learn why the count did not drop."""
    if retired == 0:
        return "", ""
    if retired == 1:
        return (
            " Dont 1 arrêté (retiré du service, conservé dans le registre avec son statut).",
            " Of which 1 retired (withdrawn from service, kept in the registry with its status).",
        )
    return (
        f" Dont {retired} arrêtés (retirés du service, conservés dans le registre avec leur "
        "statut).",
        f" Of which {retired} retired (withdrawn from service, kept in the registry with their "
        "status).",
    )


def _date_literal(text: str) -> Literal:
    value = text[:10]
    try:
        date.fromisoformat(value)
    except ValueError:
        return Literal(text)
    return Literal(value, datatype=XSD.date)


def build_catalog(
    store: Store,
    settings: Settings,
    public_url: str,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    modified_since: date | None = None,
    organisation: str | None = None,
    catalog_path: str = "/catalog",
    known_publishers: list[Publisher] | None = None,
) -> CatalogPage:
    """One page of the catalogue. ``organisation`` (an organisation IRI) restricts it to that
    publisher's dataset (no national dataset). ``known_publishers``: the result of
    :func:`publishers` when the caller caches it."""
    builder = CatalogBuilder(settings, public_url)
    pubs = (
        known_publishers
        if known_publishers is not None
        else publishers(store, settings.base_iri, organisation)
    )
    since = modified_since.isoformat() if modified_since else None

    def recent(modified: str | None) -> bool:
        return since is None or (modified is not None and modified[:10] >= since)

    members: list[Publisher | None] = []
    if organisation is None:
        latest = max((p.modified for p in pubs if p.modified), default=None)
        if recent(latest):
            members.append(None)  # the national dataset
    members.extend(p for p in pubs if recent(p.modified))
    total = len(members)
    start = (page - 1) * page_size
    selected = members[start : start + page_size]

    catalog_iri = (
        URIRef(f"{settings.base_iri}catalog")
        if organisation is None
        else URIRef(f"{settings.base_iri}catalog/organisation/{pubs[0].key if pubs else 'x'}")
    )
    g = builder
    g.add(catalog_iri, RDF.type, DCAT.Catalog)
    g.add(catalog_iri, RDF.type, HYDRA.Collection)
    g.add(catalog_iri, DCTERMS.title, Literal("Catalogue du registre ia-territoires", lang="fr"))
    g.add(catalog_iri, DCTERMS.title, Literal("ia-territoires registry catalogue", lang="en"))
    g.add(
        catalog_iri,
        DCTERMS.description,
        Literal(
            "Les jeux de données du registre ouvert des systèmes d'IA des collectivités "
            "territoriales.",
            lang="fr",
        ),
    )
    g.add(
        catalog_iri,
        DCTERMS.description,
        Literal(
            "The datasets of the open registry of AI systems used by French local governments.",
            lang="en",
        ),
    )
    g.add(catalog_iri, DCTERMS.publisher, builder.registry_agent())
    g.add(catalog_iri, DCTERMS.license, builder.licence())
    g.add(catalog_iri, DCTERMS.language, builder.language())
    g.add(catalog_iri, FOAF.homepage, builder.document(f"{builder.public}/"))
    g.add(catalog_iri, DCATAP.applicableLegislation, builder.legislation())
    g.add(catalog_iri, HYDRA.totalItems, Literal(total))

    national = None
    total_deployments = sum(p.deployments for p in pubs)
    for member in selected:
        if member is None:
            latest = max((p.modified for p in pubs if p.modified), default=None)
            retired = sum(p.retired for p in pubs)
            national = builder.national_dataset(total_deployments, latest, retired)
            g.add(catalog_iri, DCAT.dataset, national)
        else:
            g.add(catalog_iri, DCAT.dataset, builder.organisation_dataset(member))
    if organisation is None:
        builder.data_services(catalog_iri, national)

    _paging(builder, catalog_iri, catalog_path, page, page_size, total, modified_since)
    return CatalogPage(builder.graph, total, page, page_size)


def _paging(
    builder: CatalogBuilder,
    catalog: URIRef,
    path: str,
    page: int,
    page_size: int,
    total: int,
    modified_since: date | None,
) -> None:
    def url(n: int) -> URIRef:
        params: dict[str, str] = {"page": str(n)}
        if page_size != DEFAULT_PAGE_SIZE:
            params["page_size"] = str(page_size)
        if modified_since:
            params["modified_since"] = modified_since.isoformat()
        return URIRef(f"{builder.public}{path}?{urlencode(params)}")

    last = max(1, -(-total // page_size))
    view = url(page)
    builder.add(catalog, HYDRA.view, view)
    builder.add(view, RDF.type, HYDRA.PartialCollectionView)
    builder.add(view, HYDRA.first, url(1))
    builder.add(view, HYDRA.last, url(last))
    if page < last:
        builder.add(view, HYDRA.next, url(page + 1))
    if page > 1:
        builder.add(view, HYDRA.previous, url(page - 1))


__all__ = ["AI_ACT_ELI", "CatalogPage", "Publisher", "build_catalog", "publishers"]
