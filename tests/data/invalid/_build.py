# ruff: noqa: E501  (a table of SPARQL updates: one change per line reads best)
"""Rebuild the derived fixtures: each is ``tests/data/valid/complete-entry.ttl`` with one change.

    .venv/bin/python tests/data/invalid/_build.py

Header lines read by tests/unit/test_shapes_fixtures.py:
  ``# shape: <local name>``    (invalid) the shape that must report, at its own severity;
  ``# also: <names>``          (invalid) other shapes the change necessarily triggers;
  ``# satisfies: <names>``     (valid) shapes that must NOT report on this file.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

HERE = Path(__file__).resolve().parent
VALID = HERE.parent / "valid"
BASE = VALID / "complete-entry.ttl"

PREFIXES = """
PREFIX iat: <https://w3id.org/ia-territoires/def#>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX ai: <https://w3id.org/dpv/ai#>
PREFIX tech: <https://w3id.org/dpv/tech#>
PREFIX eu-aiact: <https://w3id.org/dpv/legal/eu/aiact#>
PREFIX eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX cpsv: <http://purl.org/vocab/cpsv#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dqv: <http://www.w3.org/ns/dqv#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

V = "https://w3id.org/ia-territoires/vocab/"
ID = "https://w3id.org/ia-territoires/id/"
SUBST = {
    "$D": f"<{ID}deploiement/fx-ville-tri>",
    "$S": f"<{ID}systeme/fx-tri>",
    "$O": f"<{ID}organisation/210000001>",
    "$R": f"<{ID}fiche/fx-ville-tri>",
    "$P": f"<{ID}service/fx-aide-sociale>",
    "$AIPD": f"<{ID}deploiement/fx-ville-tri#aipd>",
    "$AIDF": f"<{ID}deploiement/fx-ville-tri#aidf>",
    "$DOC": "<https://ville.example/deliberations/2023-02>",
    "$PAGE": "<https://ville.example/ia/tri>",
    "$V/": f"<{V}",
}


SEP = "\n;;\n"  # between the operations of one change (each is run on its own)


def delete(s: str, p: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }}"


def replace(s: str, p: str, new: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }}{SEP}INSERT DATA {{ {s} {p} {new} }}"


def add(s: str, p: str, o: str) -> str:
    return f"INSERT DATA {{ {s} {p} {o} }}"


TEMPORAL = "$D dct:temporal ?t"

# name -> (shape, also, why, update)
INVALID: dict[str, tuple[str, str, str, str]] = {
    # deployment: required
    "deployment-identifier": (
        "deployment-identifier",
        "",
        "no dct:identifier",
        delete("$D", "dct:identifier"),
    ),
    "deployment-identifier--pattern": (
        "deployment-identifier",
        "",
        "key with capitals/spaces",
        replace("$D", "dct:identifier", '"Ville Tri"'),
    ),
    "deployment-title": (
        "deployment-title",
        "",
        "English title only",
        replace("$D", "dct:title", '"Triage"@en'),
    ),
    "deployment-description": (
        "deployment-description",
        "",
        "no description",
        delete("$D", "dct:description"),
    ),
    "deployment-description--untagged": (
        "deployment-description",
        "",
        "description without @fr",
        replace("$D", "dct:description", '"Tri des demandes"'),
    ),
    "deployment-deployer": (
        "deployment-deployer",
        "",
        "no deployer",
        delete("$D", "tech:hasDeployer"),
    ),
    "deployment-deployer--unknown": (
        "deployment-deployer",
        "",
        "deployer not an organisation",
        replace("$D", "tech:hasDeployer", f"<{ID}organisation/999999999>"),
    ),
    "deployment-system": ("deployment-system", "", "no AI system", delete("$D", "ai:hasAISystem")),
    "deployment-system--unknown": (
        "deployment-system",
        "",
        "AI system not described",
        replace("$D", "ai:hasAISystem", f"<{ID}systeme/inconnu>"),
    ),
    "deployment-status": ("deployment-status", "", "no status", delete("$D", "adms:status")),
    "deployment-status--two": (
        "deployment-status",
        "",
        "two statuses",
        add("$D", "adms:status", "$V/statut/suspendu>"),
    ),
    "deployment-risk-level": (
        "deployment-risk-level",
        "",
        "no AI Act classification",
        delete("$D", "eu-aiact:hasRiskLevel"),
    ),
    "deployment-purpose": ("deployment-purpose", "", "no purpose", delete("$D", "dpv:hasPurpose")),
    "deployment-theme": ("deployment-theme", "", "no policy domain", delete("$D", "dcat:theme")),
    "deployment-individual-decision": (
        "deployment-individual-decision",
        "",
        "missing",
        delete("$D", "iat:individualDecision"),
    ),
    "deployment-individual-decision--string": (
        "deployment-individual-decision",
        "",
        "'oui' string",
        replace("$D", "iat:individualDecision", '"oui"'),
    ),
    "deployment-human-involvement": (
        "deployment-human-involvement",
        "",
        "missing",
        delete("$D", "dpv:hasHumanInvolvement"),
    ),
    "deployment-modified": ("deployment-modified", "", "missing", delete("$D", "dct:modified")),
    "deployment-modified--string": (
        "deployment-modified",
        "",
        "French date as a string",
        replace("$D", "dct:modified", '"25/11/2026"'),
    ),
    "deployment-start-date": (
        "deployment-start-date",
        "",
        "start typed xsd:dateTime",
        f'DELETE {{ ?t dcat:startDate ?d }} INSERT {{ ?t dcat:startDate "2023-03-01T00:00:00"^^xsd:dateTime }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?d }}',
    ),
    "deployment-end-date": (
        "deployment-end-date",
        "",
        "end as a plain string",
        f'DELETE {{ ?t dcat:endDate ?d }} INSERT {{ ?t dcat:endDate "fin 2027" }} WHERE {{ {TEMPORAL} . ?t dcat:endDate ?d }}',
    ),
    # deployment: recommended
    "deployment-contact-point": (
        "deployment-contact-point",
        "",
        "no contact point",
        "DELETE WHERE { $D dcat:contactPoint ?c . ?c ?p ?o }",
    ),
    "deployment-page": ("deployment-page", "", "no documentation page", delete("$D", "foaf:page")),
    "deployment-page--untyped": (
        "deployment-page",
        "",
        "page not a foaf:Document",
        replace("$D", "foaf:page", "<https://ville.example/autre>"),
    ),
    "deployment-public-service": (
        "deployment-public-service",
        "",
        "no public service",
        delete("$D", "iat:supportsPublicService"),
    ),
    "deployment-data": ("deployment-data", "", "no dataset", delete("$D", "dpv:hasData")),
    "deployment-source": ("deployment-source", "", "no source", delete("$D", "dct:source")),
    # deployment: optional
    "deployment-code-repository": (
        "deployment-code-repository",
        "",
        "",
        delete("$D", "schema:codeRepository"),
    ),
    "deployment-license": ("deployment-license", "", "", delete("$D", "dct:license")),
    "deployment-review-date": (
        "deployment-review-date",
        "",
        "no end date",
        f"DELETE {{ ?t dcat:endDate ?d }} WHERE {{ {TEMPORAL} . ?t dcat:endDate ?d }}",
    ),
    "deployment-note": ("deployment-note", "", "", delete("$D", "skos:note")),
    "deployment-acquisition": ("deployment-acquisition", "", "", delete("$D", "dct:type")),
    "deployment-data-subject": (
        "deployment-data-subject",
        "",
        "",
        delete("$D", "dpv:hasDataSubject"),
    ),
    "deployment-personal-data": (
        "deployment-personal-data",
        "",
        "",
        delete("$D", "dpv:hasPersonalData"),
    ),
    # AI system
    "system-identifier": ("system-identifier", "", "", delete("$S", "dct:identifier")),
    "system-title": ("system-title", "", "", delete("$S", "dct:title")),
    "system-family": ("system-family", "", "no AI family", delete("$S", "dct:type")),
    "system-description": ("system-description", "", "", delete("$S", "dct:description")),
    "system-provider": ("system-provider", "", "", delete("$S", "tech:hasProvider")),
    "system-provider--unknown": (
        "system-provider",
        "",
        "provider not an org:Organization",
        replace("$S", "tech:hasProvider", f"<{ID}organisation/inconnue>"),
    ),
    "system-technique": ("system-technique", "", "", delete("$S", "ai:hasTechnique")),
    "system-model": ("system-model", "", "", delete("$S", "ai:hasModel")),
    "system-version": ("system-version", "", "", delete("$S", "dcat:version")),
    "system-page": ("system-page", "", "", delete("$S", "foaf:page")),
    "system-code-repository": (
        "system-code-repository",
        "",
        "",
        delete("$S", "schema:codeRepository"),
    ),
    "system-license": ("system-license", "", "", delete("$S", "dct:license")),
    # organisations
    "organisation-name": ("organisation-name", "", "", delete("$O", "foaf:name")),
    "organisation-identifier": (
        "organisation-identifier",
        "",
        "",
        "DELETE WHERE { $O adms:identifier ?i . ?i ?p ?o }",
    ),
    "public-organisation-spatial": (
        "public-organisation-spatial",
        "",
        "",
        delete("$O", "dct:spatial"),
    ),
    "public-organisation-classification": (
        "public-organisation-classification",
        "",
        "",
        delete("$O", "org:classification"),
    ),
    # public service
    "service-title": ("service-title", "", "", delete("$P", "dct:title")),
    "service-description": ("service-description", "", "", delete("$P", "dct:description")),
    # contact point
    "contact-name": (
        "contact-name",
        "",
        "",
        "DELETE { ?c vcard:fn ?o } WHERE { $D dcat:contactPoint ?c . ?c vcard:fn ?o }",
    ),
    "contact-email": (
        "contact-email",
        "",
        "",
        "DELETE { ?c vcard:hasEmail ?o } WHERE { $D dcat:contactPoint ?c . ?c vcard:hasEmail ?o }",
    ),
    "contact-email--literal": (
        "contact-email",
        "",
        "e-mail as a literal",
        'DELETE { ?c vcard:hasEmail ?o } INSERT { ?c vcard:hasEmail "numerique@ville.example" } WHERE { $D dcat:contactPoint ?c . ?c vcard:hasEmail ?o }',
    ),
    # impact assessments
    "assessment-type": (
        "assessment-type",
        "rule-personal-data-dpia",
        "DPIA typed as something else",
        replace("$AIPD", "a", "dpv:RiskAssessment"),
    ),
    "assessment-page": ("assessment-page", "", "", delete("$AIPD", "foaf:page")),
    "assessment-issued": ("assessment-issued", "", "", delete("$AIPD", "dct:issued")),
    # catalogue record
    "record-primary-topic": ("record-primary-topic", "", "", delete("$R", "foaf:primaryTopic")),
    "record-primary-topic--not-deployment": (
        "record-primary-topic",
        "",
        "topic is the AI system",
        replace("$R", "foaf:primaryTopic", "$S"),
    ),
    "record-modified": ("record-modified", "", "", delete("$R", "dct:modified")),
    "record-issued": ("record-issued", "", "", delete("$R", "dct:issued")),
    "record-conforms-to": ("record-conforms-to", "", "", delete("$R", "dct:conformsTo")),
    "record-attributed-to": ("record-attributed-to", "", "", delete("$R", "prov:wasAttributedTo")),
    # source document
    "source-title": ("source-title", "", "", delete("$DOC", "dct:title")),
    "source-issued-datatype": (
        "source-issued-datatype",
        "",
        "date as a string",
        replace("$DOC", "dct:issued", '"février 2023"'),
    ),
    "source-issued": ("source-issued", "", "", delete("$DOC", "dct:issued")),
    "source-type": ("source-type", "", "", delete("$DOC", "dct:type")),
    # code lists (generated sh:in)
    "deployment-status-in": (
        "deployment-status-in",
        "",
        "unknown status",
        replace("$D", "adms:status", "$V/statut/en-production>"),
    ),
    "deployment-risk-level-in": (
        "deployment-risk-level-in",
        "",
        "an Annex III point as level",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/annexe-iii-5>"),
    ),
    "deployment-ai-act-category-in": (
        "deployment-ai-act-category-in",
        "",
        "a level as point",
        replace("$D", "iat:aiActCategory", "$V/classification-ai-act/haut-risque-annexe-iii>"),
    ),
    "deployment-human-involvement-in": (
        "deployment-human-involvement-in",
        "",
        "",
        replace("$D", "dpv:hasHumanInvolvement", "$V/supervision/humain>"),
    ),
    "deployment-purpose-in": (
        "deployment-purpose-in",
        "",
        "",
        replace("$D", "dpv:hasPurpose", "$V/finalite/surveillance>"),
    ),
    "deployment-theme-in": (
        "deployment-theme-in",
        "",
        "",
        replace("$D", "dcat:theme", "$V/domaine/sport>"),
    ),
    "deployment-acquisition-in": (
        "deployment-acquisition-in",
        "",
        "",
        replace("$D", "dct:type", "$V/mode-acquisition/achat>"),
    ),
    "deployment-legal-basis-in": (
        "deployment-legal-basis-in",
        "",
        "",
        replace("$D", "dpv:hasLegalBasis", "eu-gdpr:A6-1-z"),
    ),
    "deployment-confidence-in": (
        "deployment-confidence-in",
        "",
        "",
        "DELETE { ?q oa:hasBody ?b } INSERT { ?q oa:hasBody $V/confiance/totale> } WHERE { $D dqv:hasQualityAnnotation ?q . ?q oa:hasBody ?b }",
    ),
    "deployment-role-in": (
        "deployment-role-in",
        "",
        "",
        "DELETE { ?a dcat:hadRole ?r } INSERT { ?a dcat:hadRole $V/role/chef> } WHERE { $D prov:qualifiedAttribution ?a . ?a dcat:hadRole ?r }",
    ),
    "system-family-in": ("system-family-in", "", "", add("$S", "dct:type", "$V/famille-ia/magie>")),
    "source-type-in": (
        "source-type-in",
        "",
        "",
        replace("$DOC", "dct:type", "$V/type-document/tweet>"),
    ),
    # rules
    "rule-personal-data-legal-basis": (
        "rule-personal-data-legal-basis",
        "",
        "",
        delete("$D", "dpv:hasLegalBasis"),
    ),
    "rule-legal-basis-undocumented": (
        "rule-legal-basis-undocumented",
        "",
        "",
        replace("$D", "dpv:hasLegalBasis", "$V/base-legale/non-documentee>"),
    ),
    "rule-personal-data-dpia": (
        "rule-personal-data-dpia",
        "",
        "DPIA removed",
        "DELETE WHERE { $D dpv:hasImpactAssessment $AIPD . $AIPD ?p ?o }",
    ),
    "rule-high-risk-annex-point": (
        "rule-high-risk-annex-point",
        "",
        "",
        delete("$D", "iat:aiActCategory"),
    ),
    "rule-high-risk-fria": (
        "rule-high-risk-fria",
        "",
        "FRIA removed",
        "DELETE WHERE { $D dpv:hasImpactAssessment $AIDF . $AIDF ?p ?o }",
    ),
    "rule-generative-minimal-risk": (
        "rule-generative-minimal-risk",
        "",
        "LLM classified minimal",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/risque-minimal>")
        + SEP
        + add("$S", "dct:type", "$V/famille-ia/llm>"),
    ),
    "rule-generative-minimal-risk--chatbot": (
        "rule-generative-minimal-risk",
        "",
        "chatbot minimal",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/risque-minimal>")
        + SEP
        + replace("$S", "dct:type", "$V/famille-ia/agent-conversationnel>"),
    ),
    "rule-in-service-start": (
        "rule-in-service-start",
        "deployment-review-date",
        "no dct:temporal",
        "DELETE WHERE { $D dct:temporal ?t . ?t ?p ?o }",
    ),
    "rule-in-service-unknown-start": (
        "rule-in-service-unknown-start",
        "",
        "beginning without date",
        f"DELETE {{ ?t dcat:startDate ?d }} INSERT {{ ?t time:hasBeginning [ a time:Instant ] }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?d }}",
    ),
    "rule-end-before-start": (
        "rule-end-before-start",
        "",
        "ends 2022-12-31, starts 2023-03",
        f'DELETE {{ ?t dcat:endDate ?d }} INSERT {{ ?t dcat:endDate "2022-12-31"^^xsd:date }} WHERE {{ {TEMPORAL} . ?t dcat:endDate ?d }}',
    ),
    "rule-end-before-start--years": (
        "rule-end-before-start",
        "",
        "starts 2023 (gYear), ends 2022-06",
        f'DELETE {{ ?t dcat:startDate ?s . ?t dcat:endDate ?e }} INSERT {{ ?t dcat:startDate "2023"^^xsd:gYear . ?t dcat:endDate "2022-06"^^xsd:gYearMonth }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?s ; dcat:endDate ?e }}',
    ),
}

# name -> (satisfied shapes, why, update)
VALID_DERIVED: dict[str, tuple[str, str, str]] = {
    "generative-transparency": (
        "rule-generative-minimal-risk system-family-in deployment-risk-level-in",
        "a chatbot classified transparence-art-50",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/transparence-art-50>")
        + SEP
        + delete("$D", "iat:aiActCategory")
        + SEP
        + replace("$S", "dct:type", "$V/famille-ia/agent-conversationnel>"),
    ),
    "minimal-risk-not-generative": (
        "rule-generative-minimal-risk",
        "a prediction system classified risque-minimal",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/risque-minimal>"),
    ),
    "in-service-explicit-unknown-start": (
        "rule-in-service-start deployment-start-date",
        "time:hasBeginning without date: no Violation (a Warning instead)",
        f"DELETE {{ ?t dcat:startDate ?d }} INSERT {{ ?t time:hasBeginning [ a time:Instant ] }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?d }}",
    ),
    "in-service-dated-beginning": (
        "rule-in-service-start rule-in-service-unknown-start",
        "time:hasBeginning with time:inXSDgYear",
        f'DELETE {{ ?t dcat:startDate ?d }} INSERT {{ ?t time:hasBeginning [ a time:Instant ; time:inXSDgYear "2023"^^xsd:gYear ] }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?d }}',
    ),
    "planned-without-start": (
        "rule-in-service-start rule-in-service-unknown-start deployment-status-in",
        "status envisage and no dct:temporal",
        replace("$D", "adms:status", "$V/statut/envisage>")
        + SEP
        + "DELETE WHERE { $D dct:temporal ?t . ?t ?p ?o }",
    ),
    "dates-mixed-precisions": (
        "rule-end-before-start deployment-start-date deployment-end-date",
        "starts 2023-03-01 (date), ends 2023-03 (gYearMonth): same month is not before",
        f'DELETE {{ ?t dcat:startDate ?s . ?t dcat:endDate ?e }} INSERT {{ ?t dcat:startDate "2023-03-01"^^xsd:date . ?t dcat:endDate "2023-03"^^xsd:gYearMonth }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?s ; dcat:endDate ?e }}',
    ),
    "dates-years": (
        "rule-end-before-start deployment-start-date deployment-end-date",
        "starts 2023 (gYear), ends 2024-01-15 (date)",
        f'DELETE {{ ?t dcat:startDate ?s . ?t dcat:endDate ?e }} INSERT {{ ?t dcat:startDate "2023"^^xsd:gYear . ?t dcat:endDate "2024-01-15"^^xsd:date }} WHERE {{ {TEMPORAL} . ?t dcat:startDate ?s ; dcat:endDate ?e }}',
    ),
    "undocumented-basis-no-personal-data": (
        "rule-legal-basis-undocumented rule-personal-data-legal-basis rule-personal-data-dpia",
        "legal basis non-documentee but no personal data",
        delete("$D", "dpv:hasPersonalData")
        + SEP
        + replace("$D", "dpv:hasLegalBasis", "$V/base-legale/non-documentee>"),
    ),
    "assessments-as-documents": (
        "rule-personal-data-dpia rule-high-risk-fria",
        "DPIA and FRIA given as documents of type aipd / aidf",
        "DELETE WHERE { $D dpv:hasImpactAssessment ?a . ?a ?p ?o }"
        + SEP
        + "INSERT DATA { $D foaf:page <https://ville.example/ia/tri/aipd> , <https://ville.example/ia/tri/aidf> . "
        '<https://ville.example/ia/tri/aipd> a foaf:Document ; dct:title "AIPD"@fr ; dct:type $V/type-document/aipd> . '
        '<https://ville.example/ia/tri/aidf> a foaf:Document ; dct:title "AIDF"@fr ; dct:type $V/type-document/aidf> . }',
    ),
    "not-high-risk": (
        "rule-high-risk-annex-point rule-high-risk-fria",
        "risque-minimal: no Annex III point nor FRIA needed",
        replace("$D", "eu-aiact:hasRiskLevel", "$V/classification-ai-act/risque-minimal>")
        + SEP
        + delete("$D", "iat:aiActCategory")
        + SEP
        + "DELETE WHERE { $D dpv:hasImpactAssessment $AIDF . $AIDF ?p ?o }",
    ),
    "legal-basis-article-9": (
        "rule-personal-data-legal-basis rule-legal-basis-undocumented deployment-legal-basis-in",
        "legal basis eu-gdpr:A9-2-g",
        replace("$D", "dpv:hasLegalBasis", "eu-gdpr:A9-2-g"),
    ),
}


def _expand(update: str) -> str:
    for key, value in sorted(SUBST.items(), key=lambda kv: -len(kv[0])):
        update = update.replace(key, value)
    return PREFIXES + update


def _write(path: Path, header: list[str], update: str) -> None:
    graph = Graph().parse(BASE, format="turtle")
    for operation in update.split(SEP):
        graph.update(_expand(operation))
    graph.bind("v", V)
    graph.bind("id", ID)
    body = graph.serialize(format="turtle")
    path.write_text("\n".join(f"# {line}" for line in header) + "\n" + body, encoding="utf-8")


def main() -> None:
    for old in HERE.glob("*.ttl"):
        old.unlink()
    for name, (shape, also, why, update) in INVALID.items():
        header = [f"shape: {shape}"] + ([f"also: {also}"] if also else [])
        header.append(f"complete-entry.ttl with one change: {why or 'field removed'}.")
        _write(HERE / f"{name}.ttl", header, update)
    for name, (shapes, why, update) in VALID_DERIVED.items():
        _write(
            VALID / f"{name}.ttl",
            [f"satisfies: {shapes}", f"complete-entry.ttl with one change: {why}."],
            update,
        )


if __name__ == "__main__":
    main()
