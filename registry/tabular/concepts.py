"""Coded values: what a person types in a cell (a notation, a French or English label, with or
without accents and capitals) → the concept; and back (concept → notation for exports).

Built once from the vocabulary (``registry.ontology``): the concept schemes and the French labels
of the reused DPV concepts (``ontology/labels/``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from registry.ontology import concepts_of, load_vocabulary
from registry.vocab import PREFIXES, VOCAB, fold

_CURIE = re.compile(r"^(?P<prefix>[a-z][a-z0-9-]*):(?P<local>[A-Za-z0-9_.-]+)$")


@dataclass(frozen=True)
class Concept:
    iri: URIRef
    notation: str
    label_fr: str
    label_en: str
    top: bool


@dataclass(frozen=True)
class Resolved:
    """The outcome of reading one coded value: the concept, or why not (with suggestions)."""

    iri: URIRef | None
    suggestions: tuple[str, ...] = ()
    unknown_but_allowed: bool = False  # a well-formed CURIE outside our labels


class Vocabulary:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._schemes: dict[str, list[Concept]] = {}
        self._labels: dict[URIRef, tuple[str, str]] = {}
        for s, label in graph.subject_objects(SKOS.prefLabel):
            if isinstance(s, URIRef):
                fr, en = self._labels.get(s, ("", ""))
                lang = getattr(label, "language", None)
                if lang == "fr" and not fr:
                    fr = str(label)
                elif lang == "en" and not en:
                    en = str(label)
                self._labels[s] = (fr, en)

    def scheme(self, name: str) -> list[Concept]:
        if name not in self._schemes:
            out = []
            for iri in concepts_of(name):
                notation = self.graph.value(iri, SKOS.notation)
                fr, en = self._labels.get(iri, ("", ""))
                out.append(
                    Concept(
                        iri=iri,
                        notation=str(notation) if notation is not None else _local(iri),
                        label_fr=fr,
                        label_en=en,
                        top=self.graph.value(iri, SKOS.broader) is None,
                    )
                )
            self._schemes[name] = out
        return self._schemes[name]

    def allowed(self, scheme: str, subset: str = "all") -> list[Concept]:
        concepts = self.scheme(scheme)
        if subset == "top":
            return [c for c in concepts if c.top]
        if subset == "narrower":
            return [c for c in concepts if not c.top]
        return concepts

    def resolve(self, scheme: str, subset: str, text: str) -> Resolved:
        """Notation, French or English label, or IRI; accents, case and spaces folded."""
        wanted = fold(text)
        candidates = self.allowed(scheme, subset)
        for c in candidates:
            if wanted in (
                _fold(c.notation),
                _fold(c.label_fr),
                _fold(c.label_en),
                _fold(str(c.iri)),
            ):
                return Resolved(c.iri)
        squeezed = _squeeze(wanted)
        for c in candidates:
            if squeezed in (_squeeze(_fold(c.notation)), _squeeze(_fold(c.label_fr))):
                return Resolved(c.iri)
        return Resolved(None, self.suggest(candidates, wanted))

    def suggest(self, candidates: list[Concept], wanted: str) -> tuple[str, ...]:
        keys: dict[str, str] = {}
        for c in candidates:
            for label in (c.notation, c.label_fr, c.label_en):
                if label:
                    keys.setdefault(fold(label), c.notation)
        close = difflib.get_close_matches(wanted, list(keys), n=5, cutoff=0.5)
        if not close:
            close = [k for k in keys if wanted and (wanted in k or k in wanted)]
        seen: list[str] = []
        for k in close:
            if keys[k] not in seen:
                seen.append(keys[k])
        return tuple(seen[:3])

    def notation(self, iri: URIRef) -> str:
        """The cell value for a concept: its notation (our schemes), else a CURIE."""
        value = self.graph.value(iri, SKOS.notation)
        if value is not None and str(iri).startswith(str(VOCAB)):
            return str(value)
        if value is not None and self.graph.value(iri, SKOS.inScheme) is not None:
            return str(value)
        return curie(iri)

    def label(self, iri: URIRef, lang: str = "fr") -> str:
        fr, en = self._labels.get(iri, ("", ""))
        return (en if lang == "en" else fr) or fr or en

    def resolve_curie(self, prefixes: tuple[str, ...], text: str) -> Resolved:
        """A reused DPV concept: ``pd:TelephoneNumber``, its full IRI, or its French or English
        label. A well-formed CURIE unknown to our labels is accepted (flagged)."""
        value = text.strip()
        m = _CURIE.match(value)
        if m and m["prefix"] in prefixes and m["prefix"] in PREFIXES:
            iri = URIRef(f"{PREFIXES[m['prefix']]}{m['local']}")
            return Resolved(iri, unknown_but_allowed=iri not in self._labels)
        if value.startswith(("http://", "https://")):
            for prefix in prefixes:
                if value.startswith(str(PREFIXES[prefix])):
                    iri = URIRef(value)
                    return Resolved(iri, unknown_but_allowed=iri not in self._labels)
        wanted = fold(value)
        keys: dict[str, URIRef] = {}
        for iri, (fr, en) in self._labels.items():
            if any(str(iri).startswith(str(PREFIXES[p])) for p in prefixes):
                for label in (fr, en, _local(iri)):
                    if label:
                        keys.setdefault(fold(label), iri)
        if wanted in keys:
            return Resolved(keys[wanted])
        close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.6)
        return Resolved(None, tuple(curie(keys[k]) for k in close))


def curie(iri: URIRef | str) -> str:
    text = str(iri)
    best = ""
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)) and len(str(ns)) > len(str(PREFIXES.get(best, ""))):
            best = prefix
    if best:
        return f"{best}:{text[len(str(PREFIXES[best])) :]}"
    return text


def _local(iri: URIRef) -> str:
    return re.split(r"[/#]", str(iri))[-1]


def _squeeze(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text)


@cache
def vocabulary() -> Vocabulary:
    """The project's vocabulary, indexed once per process."""
    return Vocabulary(load_vocabulary())


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    # resolve() folds every candidate label of a scheme for every cell: a few labels, folded
    # once each (a tenth of an import's time before).
    return fold(text)
