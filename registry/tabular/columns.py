"""The tables of the registry and their columns: the one place that says which SHACL shape each
column stands for. Titles, descriptions, ``required`` and allowed values are NOT written here:
:mod:`registry.tabular.schemas` reads them from the shapes, so a shape change shows up in the
Table Schemas (and ``tests/unit/test_tabular_schemas.py`` fails if a shape is left uncovered).

Column names are stable, lower-case ASCII, French: they are the CSV headers of the exports, of the
template and of the Table Schemas. Multi-valued cells separate values with `` | ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS
from rdflib.term import Node

from registry.vocab import ADMS, AI, CV, DPV, DQV, EU_AIACT, IAT, OA, SCHEMA, TECH, VCARD

SEPARATOR = " | "

Kind = Literal[
    "key",  # the entry's key (dct:identifier, end of its IRI)
    "text",  # French text (rdf:langString @fr)
    "string",  # plain literal
    "concept",  # a concept of one of our schemes: notation or label in the cell
    "curie",  # a reused DPV concept (pd:TelephoneNumber), CURIE or label in the cell
    "bool",
    "date",  # xsd:date, xsd:gYearMonth or xsd:gYear
    "ref",  # another registry resource, by key ({base}id/{ref_kind}/{key})
    "url",  # an IRI (http, https)
    "resource",  # an IRI when the cell is a URL, else a plain literal
    "email",  # mailto: IRI, written without "mailto:" in the cell
    "siren",  # nine digits, Luhn
]


@dataclass(frozen=True)
class Nested:
    """An intermediate node between the entry and a value (period of time, contact point...).
    ``match`` picks the node among the objects of ``predicate`` by type, when several kinds of
    node share the predicate (a DPIA and a FRIA under dpv:hasImpactAssessment)."""

    name: str
    predicate: URIRef
    types: tuple[URIRef, ...]
    extra: tuple[tuple[URIRef, Node], ...] = ()
    match: URIRef | None = None


@dataclass(frozen=True)
class Column:
    name: str
    predicate: URIRef | None  # on the entry (or on ``nested``); None: computed (key, type)
    kind: Kind
    shapes: tuple[str, ...] = ()  # local names of the shapes it stands for; the first titles it
    multi: bool = False
    scheme: str | None = None
    subset: Literal["all", "top", "narrower"] = "all"
    ref_kind: str | None = None
    nested: Nested | None = None
    value_types: tuple[URIRef, ...] = ()  # rdf:type given to the linked IRI (foaf:Document...)
    title: tuple[str, str] | None = None  # (fr, en) when the shape's sh:name is too broad
    hint: tuple[str, str] | None = None  # how to fill the cell (fr, en)
    example: str = ""
    curie_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    target: str


@dataclass(frozen=True)
class Table:
    name: str
    kind: str | None  # the entry kind of one row (None: rows belong to another table's entry)
    node_shape: str
    title: tuple[str, str]
    description: tuple[str, str]
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # Property shapes of the node shapes this table stands for that no column covers, and why.
    uncovered: dict[str, tuple[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


KEY_PATTERN = "^[a-z0-9][a-z0-9-]{0,99}$"
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
SIREN_PATTERN = "^[0-9]{9}$"

PERIOD = Nested("periode", DCTERMS.temporal, (DCTERMS.PeriodOfTime,))
CONTACT = Nested("contact", DCAT.contactPoint, (VCARD.Organization,))
DPIA = Nested("aipd", DPV.hasImpactAssessment, (DPV.DPIA,), match=DPV.DPIA)
FRIA = Nested("aidf", DPV.hasImpactAssessment, (EU_AIACT.FRIA,), match=EU_AIACT.FRIA)
QUALITY = Nested(
    "qualite",
    DQV.hasQualityAnnotation,
    (DQV.QualityAnnotation,),
    extra=((OA.motivatedBy, DQV.qualityAssessment),),
)
SIREN_IDENTIFIER = Nested(
    "siren", ADMS.identifier, (ADMS.Identifier,), extra=((ADMS.schemaAgency, RDFLiteral("INSEE")),)
)

_DATE_HINT = (
    "AAAA-MM-JJ, JJ/MM/AAAA, AAAA-MM ou AAAA.",
    "YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY.",
)
_LIST_HINT = (
    "Plusieurs valeurs séparées par « | ».",
    "Several values separated by ' | '.",
)

DEPLOYMENTS = Table(
    name="deploiements",
    kind="deploiement",
    node_shape="DeploymentShape",
    title=("Déploiements de systèmes d'IA", "AI system deployments"),
    description=(
        "Une ligne par déploiement : l'usage d'un système d'IA par une organisation publique "
        "(l'entrée du registre).",
        "One row per deployment: the use of an AI system by a public organisation (the register "
        "entry).",
    ),
    columns=(
        Column(
            "identifiant",
            DCTERMS.identifier,
            "key",
            ("deployment-identifier",),
            example="fr-exemple-callbot-accueil",
        ),
        Column(
            "titre",
            DCTERMS.title,
            "text",
            ("deployment-title",),
            example="Callbot de l'accueil téléphonique",
        ),
        Column(
            "description",
            DCTERMS.description,
            "text",
            ("deployment-description",),
            example="Un agent conversationnel répond aux appels du standard et oriente les "
            "usagers vers le bon service.",
        ),
        Column(
            "organisation",
            TECH.hasDeployer,
            "ref",
            ("deployment-deployer",),
            ref_kind="organisation",
            hint=(
                "SIREN de l'organisation déployeuse (ou sa clé dans le registre).",
                "SIREN of the deploying organisation (or its key in the registry).",
            ),
            example="217804905",
        ),
        Column(
            "systeme",
            AI.hasAISystem,
            "ref",
            ("deployment-system",),
            ref_kind="systeme",
            hint=(
                "Identifiant d'un système d'IA du registre (onglet « systemes »).",
                "Identifier of an AI system of the registry (sheet 'systemes').",
            ),
            example="yelda-callbot",
        ),
        Column(
            "statut",
            URIRef(ADMS.status),
            "concept",
            ("deployment-status", "deployment-status-in"),
            scheme="statut",
            example="en-service",
        ),
        Column(
            "classification_ai_act",
            EU_AIACT.hasRiskLevel,
            "concept",
            ("deployment-risk-level", "deployment-risk-level-in", "rule-generative-minimal-risk"),
            scheme="classification-ai-act",
            subset="top",
            example="non-evaluee",
        ),
        Column(
            "categorie_ai_act",
            IAT.aiActCategory,
            "concept",
            ("deployment-ai-act-category-in", "rule-high-risk-annex-point"),
            multi=True,
            scheme="classification-ai-act",
            subset="narrower",
        ),
        Column(
            "finalites",
            DPV.hasPurpose,
            "concept",
            ("deployment-purpose", "deployment-purpose-in"),
            multi=True,
            scheme="finalite",
            example="information-usagers",
        ),
        Column(
            "domaines",
            DCAT.theme,
            "concept",
            ("deployment-theme", "deployment-theme-in"),
            multi=True,
            scheme="domaine",
            example="relation-usagers",
        ),
        Column(
            "decision_individuelle",
            IAT.individualDecision,
            "bool",
            ("deployment-individual-decision",),
            hint=("oui ou non.", "yes or no (oui / non)."),
            example="non",
        ),
        Column(
            "intervention_humaine",
            DPV.hasHumanInvolvement,
            "concept",
            ("deployment-human-involvement", "deployment-human-involvement-in"),
            multi=True,
            scheme="supervision",
            example="supervision-continue",
        ),
        Column(
            "date_debut",
            DCAT.startDate,
            "date",
            ("deployment-start-date", "rule-in-service-start", "rule-in-service-unknown-start"),
            nested=PERIOD,
            example="2022-09",
            hint=(
                "AAAA-MM-JJ, JJ/MM/AAAA, AAAA-MM ou AAAA ; « inconnue » si le déploiement "
                "a commencé à une date inconnue.",
                "YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY; 'inconnue' if the deployment "
                "started on an unknown date.",
            ),
        ),
        Column(
            "date_fin",
            DCAT.endDate,
            "date",
            ("deployment-end-date", "deployment-review-date", "rule-end-before-start"),
            nested=PERIOD,
            hint=_DATE_HINT,
        ),
        Column(
            "mode_acquisition",
            DCTERMS.type,
            "concept",
            ("deployment-acquisition", "deployment-acquisition-in"),
            scheme="mode-acquisition",
            example="solution-editeur",
        ),
        Column(
            "contact_nom",
            VCARD.fn,
            "string",
            ("contact-name", "deployment-contact-point"),
            nested=CONTACT,
            example="Direction du numérique",
        ),
        Column(
            "contact_courriel",
            VCARD.hasEmail,
            "email",
            ("contact-email",),
            nested=CONTACT,
            hint=(
                "Adresse fonctionnelle, sans « mailto: ».",
                "Functional address, without 'mailto:'.",
            ),
            example="numerique@ville.example",
        ),
        Column(
            "pages",
            FOAF.page,
            "url",
            ("deployment-page",),
            multi=True,
            value_types=(FOAF.Document,),
            example="https://ville.example/ia/callbot",
        ),
        Column(
            "donnees",
            DPV.hasData,
            "url",
            ("deployment-data",),
            multi=True,
            value_types=(DCAT.Dataset,),
        ),
        Column(
            "donnees_personnelles",
            DPV.hasPersonalData,
            "curie",
            ("deployment-personal-data", "rule-personal-data-legal-basis"),
            multi=True,
            curie_prefixes=("pd", "dpv"),
            example="pd:TelephoneNumber",
        ),
        Column(
            "personnes_concernees",
            DPV.hasDataSubject,
            "curie",
            ("deployment-data-subject",),
            multi=True,
            curie_prefixes=("dpv", "pd"),
            example="dpv:Citizen",
        ),
        Column(
            "base_legale",
            DPV.hasLegalBasis,
            "concept",
            ("deployment-legal-basis-in", "rule-legal-basis-undocumented"),
            multi=True,
            scheme="base-legale",
            example="rgpd-6-1-e",
        ),
        Column(
            "aipd_date",
            DCTERMS.issued,
            "date",
            ("assessment-issued", "assessment-type", "rule-personal-data-dpia"),
            nested=DPIA,
            title=("Date de l'AIPD", "DPIA date"),
            hint=_DATE_HINT,
        ),
        Column(
            "aipd_lien",
            FOAF.page,
            "url",
            ("assessment-page",),
            nested=DPIA,
            title=("Publication de l'AIPD", "DPIA publication"),
        ),
        Column(
            "aidf_date",
            DCTERMS.issued,
            "date",
            ("assessment-issued", "rule-high-risk-fria"),
            nested=FRIA,
            title=("Date de l'AIDF", "FRIA date"),
            hint=_DATE_HINT,
        ),
        Column(
            "aidf_lien",
            FOAF.page,
            "url",
            ("assessment-page",),
            nested=FRIA,
            title=("Publication de l'AIDF", "FRIA publication"),
        ),
        Column("depot_code", SCHEMA.codeRepository, "url", ("deployment-code-repository",)),
        Column("licence", DCTERMS.license, "url", ("deployment-license",)),
        Column("notes", SKOS.note, "text", ("deployment-note",), multi=True),
        Column(
            "confiance",
            OA.hasBody,
            "concept",
            ("deployment-confidence-in",),
            nested=QUALITY,
            scheme="confiance",
        ),
        Column(
            "date_mise_a_jour",
            DCTERMS.modified,
            "date",
            ("deployment-modified",),
            hint=("AAAA-MM-JJ ; vide : date du jour.", "YYYY-MM-DD; empty: today."),
        ),
    ),
    primary_key=("identifiant",),
    foreign_keys=(
        ForeignKey("organisation", "organisations", "identifiant"),
        ForeignKey("systeme", "systemes", "identifiant"),
    ),
    uncovered={
        "deployment-public-service": (
            "service public appuyé : pas de table des services publics (à venir)",
            "supported public service: no table of public services yet",
        ),
        "deployment-role-in": (
            "rôles des organisations (prov:qualifiedAttribution) : non couverts par les tables",
            "roles of organisations (prov:qualifiedAttribution): not covered by the tables",
        ),
    },
)

SYSTEMS = Table(
    name="systemes",
    kind="systeme",
    node_shape="AISystemShape",
    title=("Systèmes d'IA", "AI systems"),
    description=(
        "Une ligne par système d'IA tel que fourni, partagé par tous ses déploiements.",
        "One row per AI system as provided, shared by all its deployments.",
    ),
    columns=(
        Column(
            "identifiant",
            DCTERMS.identifier,
            "key",
            ("system-identifier",),
            example="yelda-callbot",
        ),
        Column("titre", DCTERMS.title, "text", ("system-title",), example="Callbot Yelda"),
        Column("description", DCTERMS.description, "text", ("system-description",)),
        Column(
            "familles",
            DCTERMS.type,
            "concept",
            ("system-family", "system-family-in"),
            multi=True,
            scheme="famille-ia",
            example="agent-conversationnel | parole",
        ),
        Column(
            "fournisseurs",
            TECH.hasProvider,
            "ref",
            ("system-provider",),
            multi=True,
            ref_kind="organisation",
            example="yelda",
        ),
        Column(
            "techniques",
            AI.hasTechnique,
            "curie",
            ("system-technique",),
            multi=True,
            curie_prefixes=("ai",),
            title=("Techniques", "Techniques"),
            example="ai:MachineLearning",
        ),
        Column(
            "capacites",
            AI.hasCapability,
            "curie",
            ("system-technique",),
            multi=True,
            curie_prefixes=("ai",),
            title=("Capacités", "Capabilities"),
            example="ai:SpeechRecognition",
        ),
        Column("modeles", AI.hasModel, "resource", ("system-model",), multi=True),
        Column("version", URIRef(f"{DCAT}version"), "string", ("system-version",)),
        Column("pages", FOAF.page, "url", ("system-page",), multi=True),
        Column("depot_code", SCHEMA.codeRepository, "url", ("system-code-repository",)),
        Column("licence", DCTERMS.license, "url", ("system-license",)),
    ),
    primary_key=("identifiant",),
)

ORGANISATIONS = Table(
    name="organisations",
    kind="organisation",
    node_shape="OrganisationShape",
    title=("Organisations", "Organisations"),
    description=(
        "Les organisations citées : déployeurs et fournisseurs. Les collectivités viennent du "
        "référentiel territorial (COG).",
        "The organisations referred to: deployers and providers. Local governments come from "
        "the territorial reference data (COG).",
    ),
    columns=(
        Column(
            "identifiant",
            None,
            "key",
            title=("Identifiant de l'organisation", "Organisation key"),
            hint=(
                "Le SIREN, ou une clé en minuscules et tirets sans SIREN.",
                "The SIREN, or a lower-case hyphenated key without a SIREN.",
            ),
            example="217804905",
        ),
        Column(
            "siren",
            SKOS.notation,
            "siren",
            ("organisation-identifier",),
            nested=SIREN_IDENTIFIER,
            example="217804905",
        ),
        Column("nom", FOAF.name, "string", ("organisation-name",), example="Commune de Plaisir"),
        Column(
            "publique",
            None,
            "bool",
            title=("Organisation publique", "Public organisation"),
            hint=(
                "oui pour une personne publique (cv:PublicOrganisation).",
                "yes for a public body (cv:PublicOrganisation).",
            ),
            example="oui",
        ),
        Column(
            "categorie",
            URIRef("http://www.w3.org/ns/org#classification"),
            "ref",
            ("public-organisation-classification",),
            ref_kind="categorie-juridique",
            hint=(
                "Code INSEE de catégorie juridique (7210 commune...).",
                "INSEE legal category code (7210 municipality...).",
            ),
            example="7210",
        ),
        Column(
            "territoire",
            DCTERMS.spatial,
            "ref",
            ("public-organisation-spatial",),
            ref_kind="territoire",
            hint=(
                "Clé du territoire : commune-78490, departement-38, region-11, epci-SIREN.",
                "Territory key: commune-78490, departement-38, region-11, epci-SIREN.",
            ),
            example="commune-78490",
        ),
    ),
    primary_key=("identifiant",),
)

SOURCES = Table(
    name="sources",
    kind=None,
    node_shape="SourceDocumentShape",
    title=("Sources des déploiements", "Sources of the deployments"),
    description=(
        "Les documents publics qui attestent chaque déploiement (une ligne par document cité).",
        "The public documents supporting each deployment (one row per cited document).",
    ),
    columns=(
        Column(
            "deploiement",
            DCTERMS.source,
            "ref",
            ("deployment-source",),
            ref_kind="deploiement",
            title=("Déploiement", "Deployment"),
            example="fr-exemple-callbot-accueil",
        ),
        Column(
            "url",
            None,
            "url",
            title=("Adresse du document", "Document address"),
            example="https://ville.example/deliberations/2023-02",
        ),
        Column(
            "titre",
            DCTERMS.title,
            "text",
            ("source-title",),
            example="Délibération du conseil municipal",
        ),
        Column(
            "date",
            DCTERMS.issued,
            "date",
            ("source-issued-datatype", "source-issued"),
            hint=_DATE_HINT,
            example="2023-02-09",
        ),
        Column(
            "type_document",
            DCTERMS.type,
            "concept",
            ("source-type", "source-type-in"),
            scheme="type-document",
            example="deliberation",
        ),
    ),
    primary_key=("deploiement", "url"),
    foreign_keys=(ForeignKey("deploiement", "deploiements", "identifiant"),),
)

TABLES: dict[str, Table] = {t.name: t for t in (ORGANISATIONS, SYSTEMS, DEPLOYMENTS, SOURCES)}
# Import order: what a row refers to is written before the row.
IMPORT_ORDER = ("organisations", "systemes", "deploiements")

# Node shapes whose property shapes the tables must cover (or list in ``uncovered``).
COVERED_NODE_SHAPES = {
    "DeploymentShape": "deploiements",
    "ContactPointShape": "deploiements",
    "ImpactAssessmentShape": "deploiements",
    "AISystemShape": "systemes",
    "OrganisationShape": "organisations",
    "PublicOrganisationShape": "organisations",
    "SourceDocumentShape": "sources",
}
# Shapes the registry itself satisfies (catalogue record) or that no table stands for.
NOT_TABULAR: dict[str, tuple[str, str]] = {
    "CatalogRecordShape": (
        "fiche de catalogue : écrite par le registre (dates, profil, auteur, versions)",
        "catalogue record: written by the registry (dates, profile, author, versions)",
    ),
    "PublicServiceShape": (
        "services publics : pas de table (à venir)",
        "public services: no table yet",
    ),
}

CV_PUBLIC_ORGANISATION = CV.PublicOrganisation
