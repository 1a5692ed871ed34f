"""The fields of a node kind as the SHACL shapes declare them: group (``sh:group``, ordered), rank
(``sh:order``), fr/en name and description, level (required / recommended / optional from the
severity), and for coded fields the concept scheme whose concepts the ``sh:in`` lists allow.
The deployment page and the entry form are both laid out from this."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH

from registry.validate import default_validator, iter_shape_infos
from registry.vocab import PREFIXES, SHAPES_DIR
from registry.web.concepts import concept

SHAPES = "https://w3id.org/ia-territoires/shapes#"
DEPLOYMENT_SHAPE = f"{SHAPES}DeploymentShape"
AI_SYSTEM_SHAPE = f"{SHAPES}AISystemShape"
LEVELS = {"Violation": "required", "Warning": "recommended", "Info": "optional"}
LEVEL_RANK = {"required": 0, "recommended": 1, "optional": 2}


@dataclass
class FieldInfo:
    path: str
    group: str
    order: float
    name: dict[str, str]
    description: dict[str, str]
    level: str  # required | recommended | optional
    scheme: str | None = None  # concept scheme of a coded field
    shapes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroupInfo:
    iri: str
    order: float
    label: dict[str, str]
    comment: dict[str, str]


@lru_cache(maxsize=1)
def groups() -> dict[str, GroupInfo]:
    graph = Graph()
    graph.parse(SHAPES_DIR / "groups.ttl", format="turtle")
    out: dict[str, GroupInfo] = {}
    for group in graph.subjects(SH.order, None):
        labels = {v.language or "fr": str(v) for v in graph.objects(group, RDFS.label)}  # type: ignore[attr-defined]
        comments = {v.language or "fr": str(v) for v in graph.objects(group, RDFS.comment)}  # type: ignore[attr-defined]
        order = graph.value(group, SH.order)
        out[str(group)] = GroupInfo(str(group), float(order or 99), labels, comments)  # type: ignore[arg-type]
    return dict(sorted(out.items(), key=lambda kv: kv[1].order))


def _scheme_help(scheme: str) -> dict[str, str]:
    """Help text of a coded field whose only description is the generated "allowed values"
    one (which names the scheme by its IRI): the scheme's name and definition instead."""
    from registry.web.concepts import schemes

    info = schemes().get(scheme)
    if info is None:
        return {}
    return {
        lang: f"{prefix} « {info.label.get(lang, scheme)} »"
        + (f" : {info.definition[lang]}" if info.definition.get(lang) else ".")
        for lang, prefix in (("fr", "Une valeur de la liste"), ("en", "A value of the list"))
    }


def expand(path: str) -> str | None:
    """``dct:title`` or a full IRI -> the IRI; a complex path (``/``, ``^``, ``|``) -> None."""
    if path.startswith(("http://", "https://")):
        return path
    prefix, sep, local = path.partition(":")
    if not sep or any(c in local for c in "/^|()*+? "):
        return None
    namespace = PREFIXES.get(prefix)
    return f"{namespace}{local}" if namespace else None


def _scheme_of_in_list(shapes: Graph, shape: URIRef) -> str | None:
    members = shapes.value(shape, SH["in"])
    if members is None:
        return None
    for member in Collection(shapes, members):
        info = concept(str(member))
        if info is not None:
            return info.scheme
    return None


@lru_cache(maxsize=4)
def fields_of(node_shape: str = DEPLOYMENT_SHAPE) -> tuple[FieldInfo, ...]:
    """One FieldInfo per one-step path of ``node_shape``, in group then rank order; a path
    checked by several shapes takes the strictest level and the first name seen."""
    validator = default_validator()
    by_path: dict[str, FieldInfo] = {}
    for info in iter_shape_infos(validator):
        if info.kind != "property" or info.node_shape != node_shape or not info.path:
            continue
        path = expand(info.path)
        if path is None:
            continue  # sequence, inverse or alternative paths: not a form field
        scheme = _scheme_of_in_list(validator.shapes, URIRef(info.iri))
        # A "value in the list" shape says nothing about whether the field must be present.
        level = "optional" if scheme else LEVELS.get(info.severity, "optional")
        current = by_path.get(path)
        if current is None:
            current = by_path[path] = FieldInfo(
                path=path,
                group=info.group or "",
                order=info.order if info.order is not None else 99.0,
                name=dict(info.name),
                description=dict(info.description),
                level=level,
            )
        elif LEVEL_RANK[level] < LEVEL_RANK[current.level]:
            current.level = level
        if scheme and not current.scheme:
            current.scheme = scheme
            if "Valeurs admises" in current.description.get("fr", ""):
                current.description = _scheme_help(scheme)
        if info.description and "Valeurs admises" not in info.description.get("fr", ""):
            current.description = current.description or dict(info.description)
        current.shapes.append(info.iri)
    group_rank = {iri: g.order for iri, g in groups().items()}
    return tuple(
        sorted(by_path.values(), key=lambda f: (group_rank.get(f.group, 99), f.order, f.path))
    )
