"""SHACL Core constraint components compiled to plain functions, with pySHACL's semantics
(``pyshacl/constraints/core/*``: the same tests, the same one result per value node or per
focus node). A check returns the values of its results: a value node, or ``None`` for a result
without value (cardinalities)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from registry.shacl.errors import shapes_error
from registry.shacl.index import RDF_TYPE, EntryIndex, node_key
from registry.vocab import SH

Check = Callable[[EntryIndex, Node, list[Node]], list[Node | None]]


class Nested(Protocol):
    """A shape used as a parameter (sh:or members, sh:qualifiedValueShape)."""

    def conforms(self, idx: EntryIndex, node: Node) -> bool: ...


CompileNested = Callable[[Node], Nested]

# Parameters read together with another one (they are no constraint by themselves).
COMPANIONS = frozenset(
    {SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
)


def _where(shape: Node, parameter: URIRef) -> tuple[str, str]:
    name = parameter.removeprefix(str(SH))
    return f"sh:{name} de {shape}", f"sh:{name} of {shape}"


def _single(shapes: Graph, shape: Node, parameter: URIRef) -> Node:
    values = list(shapes.objects(shape, parameter))
    if len(values) != 1:
        fr, en = _where(shape, parameter)
        raise shapes_error(
            f"{fr} : une seule valeur attendue.", f"{en}: exactly one value expected."
        )
    return values[0]


def _count(shapes: Graph, shape: Node, parameter: URIRef) -> int:
    value = _single(shapes, shape, parameter)
    if not isinstance(value, Literal) or not isinstance(value.value, int):
        fr, en = _where(shape, parameter)
        raise shapes_error(f"{fr} : un entier est attendu.", f"{en}: an integer is expected.")
    return int(value.value)


# ---------------------------------------------------------------- cardinality


def min_count(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    minimum = _count(shapes, shape, SH.minCount)
    if minimum == 0:
        return []  # pySHACL: a minCount of zero always passes

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [None] if len(values) < minimum else []

    return [check]


def max_count(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    maximum = _count(shapes, shape, SH.maxCount)

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [None] if len(values) > maximum else []

    return [check]


# ---------------------------------------------------------------- value type


def _actual_datatype(rule: str) -> Callable[[Any], bool]:
    """pySHACL's ``_assert_actual_datatype``: the parsed value has the rule's Python type."""
    types: dict[str, type | tuple[type, ...]] = {
        str(XSD.string): (str, bytes),
        str(RDF.langString): (str, bytes),
        str(XSD.integer): int,
        str(XSD.float): float,
        str(XSD.decimal): Decimal,
        str(XSD.boolean): bool,
        str(XSD.date): date,
        str(XSD.time): time,
        str(XSD.dateTime): datetime,
    }
    expected = types.get(rule)
    if expected is None:
        return lambda _value: True  # pySHACL does not check other datatypes further
    return lambda value: isinstance(value, expected)


def datatype(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    rule_node = _single(shapes, shape, SH.datatype)
    rule = str(rule_node)
    actual = _actual_datatype(rule)
    is_literal_rule = rule == str(RDFS.Literal)
    is_datatype_rule = rule == str(RDFS.Datatype)
    is_string_rule = rule == str(XSD.string)
    is_lang_string_rule = rule == str(RDF.langString)

    def matches(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        dt = v.datatype
        if dt is not None and str(dt) == rule:
            if getattr(v, "ill_typed", None) is True:
                return False
            return actual(v.value)
        if is_literal_rule:
            return True
        if is_datatype_rule and dt:
            return True
        if dt is None and v.language is None and is_string_rule:
            return actual(v.value)
        if is_lang_string_rule and v.language:
            return actual(v.value)
        return False

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not matches(v)]

    return [check]


_NODE_KINDS: dict[URIRef, tuple[bool, bool, bool]] = {  # (IRI, blank node, literal) allowed
    SH.IRI: (True, False, False),
    SH.BlankNode: (False, True, False),
    SH.Literal: (False, False, True),
    SH.BlankNodeOrIRI: (True, True, False),
    SH.BlankNodeOrLiteral: (False, True, True),
    SH.IRIOrLiteral: (True, False, True),
}


def node_kind(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    rule = _single(shapes, shape, SH.nodeKind)
    if not isinstance(rule, URIRef) or rule not in _NODE_KINDS:
        fr, en = _where(shape, SH.nodeKind)
        raise shapes_error(f"{fr} : valeur inconnue {rule}.", f"{en}: unknown value {rule}.")
    iri_ok, bnode_ok, literal_ok = _NODE_KINDS[rule]

    def matches(v: Node) -> bool:
        if isinstance(v, BNode):
            return bnode_ok
        if isinstance(v, Literal):
            return literal_ok
        return iri_ok

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not matches(v)]

    return [check]


def class_(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    # Each sh:class value is its own rule, with its own results (pySHACL's class_rules).
    checks: list[Check] = []
    for rule in shapes.objects(shape, SH["class"]):
        rule_key = node_key(rule)
        if rule_key is None:
            fr, en = _where(shape, SH["class"])
            raise shapes_error(f"{fr} : un littéral.", f"{en}: a literal.")
        checks.append(_class_check(rule_key))
    return checks


def is_instance(idx: EntryIndex, v: Node, class_key: str) -> bool:
    """pySHACL's SHACL instance test: an rdf:type of ``v`` is the class or one of its
    subclasses (rdfs:subClassOf*, in the data graph)."""
    if isinstance(v, Literal):
        return False
    return any(class_key in idx.classes(t) for t in idx.objects(v, RDF_TYPE))


def _class_check(class_key: str) -> Check:
    def check(idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not is_instance(idx, v, class_key)]

    return check


# ---------------------------------------------------------------- value range, lists, strings


def in_(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    members = list(shapes.items(_single(shapes, shape, SH["in"])))
    # rdflib equality is type and text for IRIs: plain strings answer it for IRIs, in C.
    iris = frozenset(str(m) for m in members if type(m) is URIRef)
    others = frozenset(m for m in members if type(m) is not URIRef)

    def allowed(v: Node) -> bool:
        if type(v) is URIRef:
            return str(v) in iris
        return v in others

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not allowed(v)]

    return [check]


def _as_string(v: Node) -> str:
    """pySHACL's ``value_node_to_string``."""
    if isinstance(v, Literal):
        if v.value is not None and (
            v.datatype is None or v.datatype in (RDF.langString, XSD.string)
        ):
            return str(v.value)
        return str(v)
    return str(v)


def pattern(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    flags_found = list(shapes.objects(shape, SH.flags))
    if len(flags_found) > 1:
        fr, en = _where(shape, SH.flags)
        raise shapes_error(f"{fr} : une seule valeur attendue.", f"{en}: one value expected.")
    re_flags = 0
    if flags_found:
        flag_node = flags_found[0]
        text = str(flag_node.value if isinstance(flag_node, Literal) else flag_node).lower()
        re_flags |= re.I if "i" in text else 0
        re_flags |= re.M if "m" in text else 0
    checks: list[Check] = []
    for rule in shapes.objects(shape, SH.pattern):
        if not isinstance(rule, Literal):
            fr, en = _where(shape, SH.pattern)
            raise shapes_error(f"{fr} : un littéral est attendu.", f"{en}: a literal is expected.")
        source = str(rule.value) if rule.value is not None and len(rule.value) > 1 else str(rule)
        checks.append(_pattern_check(re.compile(source, re_flags)))
    return checks


def _pattern_check(matcher: re.Pattern[str]) -> Check:
    def matches(v: Node) -> bool:
        if isinstance(v, BNode):
            return False  # blank nodes cannot pass pattern validation
        return matcher.search(_as_string(v)) is not None

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not matches(v)]

    return check


def language_in(shapes: Graph, shape: Node, _nested: CompileNested) -> list[Check]:
    needed: set[str] = set()
    for lang in shapes.items(_single(shapes, shape, SH.languageIn)):
        if not isinstance(lang, Literal) or not isinstance(lang.value, str):
            fr, en = _where(shape, SH.languageIn)
            raise shapes_error(f"{fr} : des chaînes sont attendues.", f"{en}: strings expected.")
        needed.add(str(lang.value).lower())
    wildcard = "*" in needed

    def matches(v: Node) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language)
        return wildcard or lang.lower() in needed or lang.split("-")[0].lower() in needed

    def check(_idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not matches(v)]

    return [check]


# ---------------------------------------------------------------- shape-based


def or_(shapes: Graph, shape: Node, nested: CompileNested) -> list[Check]:
    checks: list[Check] = []
    for members in shapes.objects(shape, SH["or"]):
        options = [nested(member) for member in shapes.items(members)]
        if not options:
            fr, en = _where(shape, SH["or"])
            raise shapes_error(f"{fr} : liste vide.", f"{en}: empty list.")
        checks.append(_or_check(options))
    return checks


def _or_check(options: list[Nested]) -> Check:
    def check(idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        return [v for v in values if not any(o.conforms(idx, v) for o in options)]

    return check


def qualified_value_shape(shapes: Graph, shape: Node, nested: CompileNested) -> list[Check]:
    disjoint = list(shapes.objects(shape, SH.qualifiedValueShapesDisjoint))
    if any(isinstance(d, Literal) and d.value is True for d in disjoint):
        fr, en = _where(shape, SH.qualifiedValueShapesDisjoint)
        raise shapes_error(
            f"{fr} : non pris en charge par le validateur compilé.",
            f"{en}: not supported by the compiled validator.",
        )
    minimum = (
        _count(shapes, shape, SH.qualifiedMinCount)
        if (shape, SH.qualifiedMinCount, None) in shapes
        else None
    )
    maximum = (
        _count(shapes, shape, SH.qualifiedMaxCount)
        if (shape, SH.qualifiedMaxCount, None) in shapes
        else None
    )
    if minimum is None and maximum is None:
        return []
    return [
        _qualified_check(nested(value_shape), minimum, maximum)
        for value_shape in shapes.objects(shape, SH.qualifiedValueShape)
    ]


def _qualified_check(value_shape: Nested, minimum: int | None, maximum: int | None) -> Check:
    def check(idx: EntryIndex, _focus: Node, values: list[Node]) -> list[Node | None]:
        if not values and (minimum is None or minimum < 1):
            return []
        conforming = sum(1 for v in values if value_shape.conforms(idx, v))
        out: list[Node | None] = []
        if maximum is not None and conforming > maximum:
            out.append(None)
        if minimum is not None and conforming < minimum:
            out.append(None)
        return out

    return check


# ---------------------------------------------------------------- the table

Builder = Callable[[Graph, Node, CompileNested], list[Check]]

BUILDERS: dict[URIRef, Builder] = {
    SH.minCount: min_count,
    SH.maxCount: max_count,
    SH.datatype: datatype,
    SH.nodeKind: node_kind,
    SH["class"]: class_,
    SH["in"]: in_,
    SH.pattern: pattern,
    SH.languageIn: language_in,
    SH["or"]: or_,
    SH.qualifiedValueShape: qualified_value_shape,
}
# The only components with a result when there is no value node (the others have one per
# value node): a shape whose path gives no value runs just these.
FIRE_ON_EMPTY = frozenset({SH.minCount, SH.qualifiedValueShape})
