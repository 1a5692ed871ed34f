"""The deployment form, generated from the SHACL shapes: which fields (groups, order, fr/en names,
descriptions as help, level), the widget of each (drop-downs and check-boxes from the concept
schemes), reading an entry graph into form values, writing form values back into the graph
(keeping every triple the form does not show), and placing SHACL results next to their fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from registry.vocab import AI, DPV, IAT, SCHEMA, TECH
from registry.web import concepts
from registry.web.fields import DEPLOYMENT_SHAPE, fields_of, groups
from registry.web.i18n import text_in, translator

ADMS_STATUS = URIRef("http://www.w3.org/ns/adms#status")
RISK_LEVEL = URIRef("https://w3id.org/dpv/legal/eu/aiact#hasRiskLevel")


@dataclass(frozen=True)
class Editable:
    name: str  # form input name
    widget: str  # key | text | textarea | system | concept | concepts | bool | url | urls | notes


# path -> how the form edits it; every other property of the entry is kept as it is
EDITABLE: dict[str, Editable] = {
    str(DCTERMS.identifier): Editable("identifier", "key"),
    str(DCTERMS.title): Editable("title", "text"),
    str(DCTERMS.description): Editable("description", "textarea"),
    str(AI.hasAISystem): Editable("system", "system"),
    str(DPV.hasPurpose): Editable("purpose", "concepts"),
    str(DCAT.theme): Editable("theme", "concepts"),
    str(ADMS_STATUS): Editable("status", "concept"),
    str(DCTERMS.type): Editable("acquisition", "concept"),
    str(RISK_LEVEL): Editable("risk_level", "concept"),
    str(IAT.aiActCategory): Editable("ai_act_category", "concepts"),
    str(IAT.individualDecision): Editable("individual_decision", "bool"),
    str(DPV.hasHumanInvolvement): Editable("human_involvement", "concept"),
    str(DPV.hasLegalBasis): Editable("legal_basis", "concepts"),
    str(FOAF.page): Editable("pages", "urls"),
    str(SCHEMA.codeRepository): Editable("code_repository", "url"),
    str(DCTERMS.license): Editable("license", "url"),
    str(SKOS.note): Editable("notes", "textarea"),
}
START = "start_date"  # dct:temporal / dcat:startDate
FORM_NAMES = {e.name for e in EDITABLE.values()} | {START}
# concept schemes of the coded fields whose shapes carry no sh:in list
SCHEME_FALLBACK = {"status": "statut", "risk_level": "classification-ai-act"}

FormValues = dict[str, list[str]]


def _concept_options(scheme: str, lang: str) -> list[dict[str, str]]:
    info = concepts.schemes().get(scheme)
    if info is None:
        return []
    options = []
    for iri in info.concepts:
        c = concepts.concept(iri)
        if c is not None:
            options.append({"value": c.notation, "label": text_in(c.label, lang)})
    return options


def form_groups(
    lang: str,
    values: Mapping[str, list[str]],
    messages: Mapping[str, list[dict[str, str]]],
    systems: list[tuple[str, str]],
    *,
    editing: bool,
) -> list[dict[str, Any]]:
    """The form as groups of fields, in the shapes' order, with values and messages."""
    t = translator(lang)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for f in fields_of(DEPLOYMENT_SHAPE):
        editable = EDITABLE.get(f.path)
        if editable is None:
            continue
        scheme = f.scheme or SCHEME_FALLBACK.get(editable.name)
        field = {
            "name": editable.name,
            "widget": editable.widget,
            "label": text_in(f.name, lang),
            "help": text_in(f.description, lang) if f.description else "",
            "level": f.level,
            "values": list(values.get(editable.name, [])),
            "messages": messages.get(editable.name, []),
            "options": _concept_options(scheme, lang) if scheme else [],
            "readonly": editable.widget == "key" and editing,
        }
        if editable.widget == "system":
            field["options"] = [{"value": k, "label": title} for k, title in systems]
        if editable.widget == "bool":
            field["options"] = [
                {"value": "true", "label": t("yes")},
                {"value": "false", "label": t("no")},
            ]
        by_group.setdefault(f.group, []).append(field)
        if editable.name == "status":
            by_group[f.group].append(
                {
                    "name": START,
                    "widget": "date",
                    "label": t("pub.form.start"),
                    "help": t("pub.form.start.help") + " " + t("pub.form.date_hint"),
                    "level": "recommended",
                    "values": list(values.get(START, [])),
                    "messages": messages.get(START, []),
                    "options": [],
                    "readonly": False,
                }
            )
    out = []
    for iri, group in groups().items():
        if by_group.get(iri):
            out.append(
                {
                    "id": iri.rsplit("#", 1)[-1],
                    "label": text_in(group.label, lang),
                    "comment": text_in(group.comment, lang),
                    "fields": by_group[iri],
                }
            )
    return out


def _notation(value: Any) -> str:
    info = concepts.concept(str(value))
    return info.notation if info else str(value).rsplit("/", 1)[-1]


def values_from_graph(graph: Graph, node: URIRef) -> FormValues:
    values: FormValues = {}
    for path, editable in EDITABLE.items():
        objects = sorted(graph.objects(node, URIRef(path)), key=str)
        if editable.widget in ("text", "textarea", "key"):
            objects = [
                o for o in objects if not isinstance(o, Literal) or o.language in (None, "fr")
            ]
            values[editable.name] = (
                [str(o) for o in objects][:1]
                if editable.widget != "textarea"
                else ["\n\n".join(str(o) for o in objects)]
                if objects
                else []
            )
        elif editable.widget in ("concept", "concepts"):
            values[editable.name] = [_notation(o) for o in objects]
        elif editable.widget == "system":
            values[editable.name] = [str(o).rsplit("/", 1)[-1] for o in objects]
        elif editable.widget == "bool":
            values[editable.name] = [
                "true" if o.toPython() is True else "false"
                for o in objects
                if isinstance(o, Literal)
            ]
        else:
            values[editable.name] = [str(o) for o in objects]
    for period in graph.objects(node, DCTERMS.temporal):
        start = graph.value(period, DCAT.startDate)
        if start is not None:
            values[START] = [str(start)]
    if str(DCTERMS.description) in EDITABLE:
        pass
    return values


def values_from_form(items: Iterable[tuple[str, str]]) -> FormValues:
    values: FormValues = {}
    for name, value in items:
        if name in FORM_NAMES:
            value = value.replace("\r\n", "\n").strip()
            if value:
                values.setdefault(name, []).append(value[:10_000])
    return values


def _date_literal(text: str) -> Literal:
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return Literal(text, datatype=XSD.gYear)
    if len(text) == 7 and text[4] == "-":
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.date)


def apply_form(graph: Graph, node: URIRef, values: FormValues, base: str) -> Graph:
    """The entry graph with the form's fields replaced by ``values`` (everything else kept).
    Values are not checked here: the write path's SHACL validation does that."""
    from registry.vocab import VOCAB

    for path, editable in EDITABLE.items():
        if editable.widget == "key" and (node, URIRef(path), None) in graph:
            continue  # the key is the IRI: it cannot change
        prop = URIRef(path)
        graph.remove((node, prop, None))
        scheme = None
        for f in fields_of(DEPLOYMENT_SHAPE):
            if f.path == path:
                scheme = f.scheme or SCHEME_FALLBACK.get(editable.name)
        for text in values.get(editable.name, []):
            if editable.widget in ("text", "textarea"):
                graph.add((node, prop, Literal(text, lang="fr")))
            elif editable.widget == "key":
                graph.add((node, prop, Literal(text)))
            elif editable.widget in ("concept", "concepts") and scheme:
                info = concepts.concept_by_notation(scheme, text)
                graph.add((node, prop, URIRef(info.iri if info else f"{VOCAB}{scheme}/{text}")))
            elif editable.widget == "system":
                graph.add((node, prop, URIRef(f"{base}id/systeme/{text}")))
            elif editable.widget == "bool":
                graph.add((node, prop, Literal(text == "true", datatype=XSD.boolean)))
            elif editable.widget == "urls":
                for line in text.split("\n"):
                    if line.strip():
                        graph.add((node, prop, URIRef(line.strip())))
            elif editable.widget == "url":
                graph.add((node, prop, URIRef(text)))
    periods = list(graph.objects(node, DCTERMS.temporal))
    start = values.get(START, [])
    if start:
        period = periods[0] if periods else BNode()
        if not periods:
            graph.add((node, DCTERMS.temporal, period))
            graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.set((period, DCAT.startDate, _date_literal(start[0])))
    else:
        for period in periods:
            graph.remove((period, DCAT.startDate, None))
    # The registry dates the change itself.
    graph.remove((node, DCTERMS.modified, None))
    return graph


def new_entry(base: str, key: str, organisation: str) -> tuple[Graph, URIRef]:
    node = URIRef(f"{base}id/deploiement/{key}")
    graph = Graph()
    graph.add((node, RDF.type, IAT.Deployment))
    graph.add((node, TECH.hasDeployer, URIRef(organisation)))
    return graph, node


def messages_by_field(
    results: Iterable[Any], focus: str, lang: str
) -> tuple[dict[str, list[dict[str, str]]], list[dict[str, str]]]:
    """SHACL results -> ({form field: [messages]}, [messages with no field of the form])."""
    from registry.web.fields import expand

    by_field: dict[str, list[dict[str, str]]] = {}
    general = []
    for r in results:
        message = {
            "severity": r.severity,
            "text": text_in(r.message, lang),
            "field": text_in(r.field, lang) if r.field else "",
        }
        path = expand(r.path) if r.path else None
        name = EDITABLE[path].name if path in EDITABLE else None
        if path is None and r.path and "startDate" in r.path:
            name = START
        if name is None and r.shape.endswith(("in-service-start", "in-service-unknown-start")):
            name = START
        if name is not None and r.focus == focus:
            by_field.setdefault(name, []).append(message)
        else:
            general.append(message)
    return by_field, general
