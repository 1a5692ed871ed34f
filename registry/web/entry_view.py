"""Entry pages as plain data: a deployment's fields grouped and ordered as in the shapes, labels in
the page's language, concept values linked to their concept pages, sources with dates,
completeness, version history; and the pages of AI systems, organisations, concepts and concept
schemes in the same spirit. Input: rdflib graphs and the API's index; output: dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from registry.history import curie, field_labels
from registry.index import Index
from registry.observatory import Extras
from registry.vocab import VCARD
from registry.web import concepts
from registry.web.fields import DEPLOYMENT_SHAPE, FieldInfo, fields_of, groups
from registry.web.i18n import text_in, translator

DCAT = "http://www.w3.org/ns/dcat#"
ADMS_STATUS = "http://www.w3.org/ns/adms#status"
ENTRY_DOWNLOADS = (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("JSON", "json"), ("N-Triples", "nt"))
# shown elsewhere on the page, or bookkeeping
SKIPPED = {str(RDF.type), str(DCTERMS.source), "http://www.w3.org/ns/dqv#hasQualityAnnotation"}

Namer = Callable[[str], str | None]


def local_href(iri: str, base: str) -> str:
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def _literal(value: Literal, lang: str) -> str:
    t = translator(lang)
    if value.datatype == XSD.boolean:
        return t("yes") if value.toPython() is True else t("no")
    return str(value)


def _pick_language(values: list[Any], lang: str) -> list[Any]:
    """Of language-tagged literals, keep those in the page's language when there are any."""
    tagged = [v for v in values if isinstance(v, Literal) and v.language]
    if len({v.language for v in tagged}) <= 1:
        return values
    preferred = [v for v in tagged if v.language == lang] or [
        v for v in tagged if v.language == "fr"
    ]
    return [v for v in values if not (isinstance(v, Literal) and v.language)] + preferred


def cell(graph: Graph, obj: Any, base: str, lang: str, names: Namer) -> dict[str, Any]:
    """One value as {label, href?, external?, note?}."""
    if isinstance(obj, Literal):
        return {"label": _literal(obj, lang)}
    if isinstance(obj, BNode):
        parts = []
        for p, o in sorted(graph.predicate_objects(obj), key=lambda po: str(po[0])):
            if p == RDF.type:
                continue
            label = property_label(str(p), lang)
            shown = cell(graph, o, base, lang, names)["label"] if not isinstance(o, BNode) else "…"
            parts.append(f"{label} : {shown}" if lang == "fr" else f"{label}: {shown}")
        return {"label": " ; ".join(parts) if lang == "fr" else "; ".join(parts)}
    iri = str(obj)
    info = concepts.concept(iri)
    if info is not None:
        return {"label": text_in(info.label, lang), "href": local_href(iri, base)}
    if iri.startswith("mailto:"):
        return {"label": iri[len("mailto:") :], "href": iri}
    name = names(iri) or _title(graph, obj, lang)
    if iri.startswith(base):
        return {"label": name or iri.rsplit("/", 1)[-1], "href": local_href(iri, base)}
    return {"label": name or iri, "href": iri, "external": True}


def _title(graph: Graph, node: URIRef, lang: str) -> str | None:
    for prop in (DCTERMS.title, FOAF.name, SKOS.prefLabel, RDFS.label, VCARD.fn):
        values = _pick_language(list(graph.objects(node, prop)), lang)
        if values:
            return str(sorted(values, key=str)[0])
    return None


# Labels of properties as they appear on a deployment (the shapes name some of them for other
# node kinds first, e.g. dct:issued is a source's date there).
PROPERTY_LABELS = {
    str(DCTERMS.temporal): ("Période de service", "Service period"),
    f"{DCAT}startDate": ("début", "start"),
    f"{DCAT}endDate": ("fin", "end"),
    "http://www.w3.org/2006/time#hasBeginning": ("début (date inconnue)", "start (date unknown)"),
    str(DCTERMS.issued): ("Date de première publication", "First published"),
    str(VCARD.fn): ("nom", "name"),
    str(VCARD.hasEmail): ("courriel", "e-mail"),
}


def property_label(iri: str, lang: str) -> str:
    labels = PROPERTY_LABELS.get(iri) or field_labels().get(iri)
    if labels:
        return labels[1] if lang == "en" and labels[1] else labels[0]
    return curie(iri)


def field_rows(
    graph: Graph,
    node: URIRef,
    fields: tuple[FieldInfo, ...],
    base: str,
    lang: str,
    names: Namer,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(groups with their rows, rows of properties no shape names)."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    known = set()
    for f in fields:
        known.add(f.path)
        values = _pick_language(sorted(graph.objects(node, URIRef(f.path)), key=str), lang)
        if not values or f.path in SKIPPED:
            continue
        by_group.setdefault(f.group, []).append(
            {
                "path": f.path,
                "label": text_in(f.name, lang),
                "help": text_in(f.description, lang),
                "values": [cell(graph, v, base, lang, names) for v in values],
            }
        )
    temporal = list(graph.objects(node, DCTERMS.temporal))
    if temporal:
        usage = next((g for g in groups() if g.endswith("g-usage")), "")
        by_group.setdefault(usage, []).append(
            {
                "path": str(DCTERMS.temporal),
                "label": property_label(str(DCTERMS.temporal), lang),
                "help": "",
                "values": [cell(graph, v, base, lang, names) for v in temporal],
            }
        )
        known.add(str(DCTERMS.temporal))
    out = []
    for iri, group in groups().items():
        if by_group.get(iri):
            out.append(
                {
                    "label": text_in(group.label, lang),
                    "comment": text_in(group.comment, lang),
                    "rows": by_group[iri],
                    "id": iri.rsplit("#", 1)[-1],
                }
            )
    others = []
    for p in sorted({str(p) for p in graph.predicates(node)} - known - SKIPPED):
        values = _pick_language(sorted(graph.objects(node, URIRef(p)), key=str), lang)
        others.append(
            {
                "path": p,
                "label": property_label(p, lang),
                "help": "",
                "values": [cell(graph, v, base, lang, names) for v in values],
            }
        )
    return out, others


def sources(graph: Graph, node: URIRef, base: str, lang: str) -> list[dict[str, Any]]:
    out = []
    for doc in sorted(graph.objects(node, DCTERMS.source), key=str):
        kind = graph.value(doc, DCTERMS.type)
        kind_info = concepts.concept(str(kind)) if kind is not None else None
        issued = graph.value(doc, DCTERMS.issued)
        out.append(
            {
                "title": _title(graph, doc, lang) or str(doc),  # type: ignore[arg-type]
                "href": str(doc) if isinstance(doc, URIRef) else None,
                "issued": str(issued) if issued is not None else None,
                "type": text_in(kind_info.label, lang) if kind_info else None,
                "type_href": local_href(str(kind), base) if kind_info else None,
            }
        )
    return out


def confidence(graph: Graph, node: URIRef, lang: str) -> str | None:
    for annotation in graph.objects(node, URIRef("http://www.w3.org/ns/dqv#hasQualityAnnotation")):
        body = graph.value(annotation, URIRef("http://www.w3.org/ns/oa#hasBody"))
        info = concepts.concept(str(body)) if body is not None else None
        if info is not None:
            return text_in(info.label, lang)
    return None


def index_namer(index: Index) -> Namer:
    def name(iri: str) -> str | None:
        org = index.organisations.get(iri)
        if org is not None and org.name:
            return org.name
        system = index.systems.get(iri)
        if system is not None and system.title:
            return system.title
        return None

    return name


def graph_namer(index: Index, labels: Graph, lang: str) -> Namer:
    from_index = index_namer(index)

    def name(iri: str) -> str | None:
        return from_index(iri) or _title(labels, URIRef(iri), lang)

    return name


def territory(index: Index, extras: Extras, org_iri: str, lang: str) -> dict[str, Any] | None:
    org = index.organisations.get(org_iri)
    if org is None:
        return None
    del lang
    return {
        "departement": extras.departements.get(org.departement or ""),
        "departement_code": org.departement,
        "region": extras.regions.get(org.region or ""),
        "region_code": org.region,
    }


def versions_view(versions: list[Any], kind: str, key: str, lang: str) -> list[dict[str, Any]]:
    out = []
    previous = None
    for v in versions:
        out.append(
            {
                "number": v.number,
                "date": v.generated_at.strftime("%Y-%m-%d %H:%M") if v.generated_at else "",
                "summary": (v.summary_en if lang == "en" and v.summary_en else v.summary_fr),
                "by": v.attributed_to,
                "current": v.current,
                "diff": f"/historique/{kind}/{key}?de={previous}&a={v.number}"
                if previous
                else None,
                "href": f"/graph/version/{kind}/{key}/{v.number}.ttl",
            }
        )
        previous = v.number
    return list(reversed(out))


def deployment_view(
    graph: Graph,
    key: str,
    base: str,
    lang: str,
    index: Index,
    extras: Extras,
    names: Namer,
    completeness: Any | None,
    versions: list[Any],
) -> dict[str, Any]:
    node = URIRef(f"{base}id/deploiement/{key}")
    grouped, others = field_rows(graph, node, fields_of(DEPLOYMENT_SHAPE), base, lang, names)
    status = graph.value(node, URIRef(ADMS_STATUS))
    status_code = str(status).rsplit("/", 1)[-1] if status is not None else None
    title_values = _pick_language(list(graph.objects(node, DCTERMS.title)), lang)
    deployer = graph.value(node, URIRef("https://w3id.org/dpv/tech#hasDeployer"))
    system = graph.value(node, URIRef("https://w3id.org/dpv/ai#hasAISystem"))
    system_key = str(system).rsplit("/", 1)[-1] if system is not None else None
    others_using = []
    if system is not None:
        seen = set()
        for d in index.deployments:
            if d.system == str(system) and d.key != key and d.deployer not in seen:
                seen.add(d.deployer)
                org = index.organisations.get(d.deployer or "")
                others_using.append(
                    {
                        "label": org.name if org else d.deployer,
                        "href": f"/id/deploiement/{d.key}",
                        "deployment": d.title,
                    }
                )
    comp = None
    if completeness is not None:
        comp = {
            "score": completeness.score,
            "satisfied": completeness.satisfied,
            "total": completeness.total,
            "missing": [m.get(lang) or m.get("fr") for m in completeness.missing],
        }
    return {
        "key": key,
        "iri": str(node),
        "title": str(title_values[0]) if title_values else key,
        "status": status_code,
        "groups": grouped,
        "others": others,
        "sources": sources(graph, node, base, lang),
        "confidence": confidence(graph, node, lang),
        "deployer": cell(graph, deployer, base, lang, names) if deployer is not None else None,
        "territory": territory(index, extras, str(deployer), lang)
        if deployer is not None
        else None,
        "system": cell(graph, system, base, lang, names) if system is not None else None,
        "system_key": system_key,
        "others_using": others_using,
        "completeness": comp,
        "versions": versions_view(versions, "deploiement", key, lang),
        "downloads": [
            {"label": label, "href": f"/id/deploiement/{key}.{ext}"}
            for label, ext in ENTRY_DOWNLOADS
        ]
        + [{"label": "CSV", "href": f"/registre.csv?deployment={key}"}],
    }


def resource_view(
    graph: Graph, iri: str, base: str, lang: str, names: Namer, node_shape: str | None = None
) -> dict[str, Any]:
    """A generic page body (AI system, organisation): shape fields when a node shape is given,
    then every other property."""
    node = URIRef(iri)
    fields = fields_of(node_shape) if node_shape else ()
    grouped, others = field_rows(graph, node, fields, base, lang, names)
    return {
        "iri": iri,
        "title": _title(graph, node, lang) or iri.rsplit("/", 1)[-1],
        "groups": grouped,
        "others": others,
    }
