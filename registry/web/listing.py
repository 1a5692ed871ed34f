"""The register listing: search (accents and case folded), facets with counts, sort and page
numbers over the API's in-memory index. Every state is a URL: ``q``, one value per facet
parameter (the REST API's names), ``sort``, ``page``. Plain dicts out, no web framework."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from registry.index import Deployment, Index
from registry.observatory import Extras, dimension_values
from registry.vocab import fold
from registry.web import concepts

PAGE_SIZE = 20
# facet parameter -> (index dimension, concept scheme for labels or None)
FACETS: dict[str, tuple[str, str | None]] = {
    "theme": ("theme", "domaine"),
    "purpose": ("purpose", "finalite"),
    "family": ("family", "famille-ia"),
    "ai_act": ("riskLevel", "classification-ai-act"),
    "status": ("status", "statut"),
    "organisation_type": ("organisationType", None),
    "departement": ("departement", None),
    "region": ("region", None),
    "provider": ("provider", None),
    "individual_decision": ("individualDecision", None),
}
# parameters that filter but have no facet box (links from other pages)
EXTRA_FILTERS = ("organisation", "system", "deployment")
SORTS = ("title", "-modified", "-start", "start", "identifier")


@dataclass
class ListingState:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "title"
    page: int = 1

    @classmethod
    def parse(cls, params: Iterable[tuple[str, str]]) -> ListingState:
        """Lenient: unknown parameters and bad values are ignored (a person typed the URL)."""
        state = cls()
        for name, value in params:
            value = value.strip()[:200]
            if name == "q":
                state.q = value
            elif name == "sort" and value in SORTS:
                state.sort = value
            elif name == "page" and value.isdigit():
                state.page = max(1, min(int(value), 100_000))
            elif (name in FACETS or name in EXTRA_FILTERS) and value:
                state.filters[name] = value
        return state

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query of this state with ``changes`` (None removes); page resets to 1 unless
        given, because any other change re-counts the results."""
        q = changes.pop("q", self.q)
        sort = changes.pop("sort", self.sort)
        page = changes.pop("page", 1)
        filters = dict(self.filters)
        for name, value in changes.items():
            if value is None:
                filters.pop(name, None)
            else:
                filters[name] = value
        out: list[tuple[str, str]] = []
        if q:
            out.append(("q", q))
        out += sorted(filters.items())
        if sort != "title":
            out.append(("sort", sort))
        if page and page > 1:
            out.append(("page", str(page)))
        return out

    def url(self, path: str = "/registre", /, **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def facet_values(index: Index, extras: Extras, d: Deployment) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for param, (dimension, _) in FACETS.items():
        values = dimension_values(index, extras, d, dimension)
        if param in ("organisation_type", "provider"):
            values = [_key(v) for v in values]
        if param == "ai_act":
            values = values + list(d.categories)
        out[param] = values
    org = index.organisations.get(d.deployer or "")
    system = index.systems.get(d.system or "")
    out["organisation"] = [org.key] if org else []
    out["system"] = [system.key] if system else []
    out["deployment"] = [d.key]
    return out


@dataclass
class Prepared:
    """Facet values and folded search text of every deployment, computed once per data
    version, so that a listing request is one pass over plain lists."""

    index: Index
    extras: Extras
    items: list[tuple[Deployment, dict[str, list[str]], str]]
    # per item, its distinct (facet parameter, value) pairs: counted in C by Counter.update
    pairs: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    # sort field -> positions of ``items`` in that order: a request filters an already sorted
    # sequence instead of sorting (and re-folding every title) again
    orders: dict[str, list[int]] = field(default_factory=dict)
    # (filter parameter, value) -> positions in ``items``: filters are set intersections
    postings: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    # (search terms, filters) -> facet counts: the same state is counted once per data version
    counted: dict[tuple[Any, ...], dict[str, Counter[str]]] = field(default_factory=dict)


def prepare(index: Index, extras: Extras) -> Prepared:
    items = []
    pairs = []
    for d in index.deployments:
        org = index.organisations.get(d.deployer or "")
        text = f"{d.search_text} {fold(org.name) if org else ''}"
        values = facet_values(index, extras, d)
        items.append((d, values, text))
        pairs.append(tuple({(p, v) for p in FACETS for v in values[p]}))
    orders = {name: _order(items, name) for name in SORT_KEYS}
    postings: dict[tuple[str, str], set[int]] = {}
    for i, (_, values, _) in enumerate(items):
        for name, wanted in values.items():
            for value in wanted:
                postings.setdefault((name, value), set()).add(i)
    return Prepared(index, extras, items, pairs, orders, postings)


def _order(items: list[tuple[Deployment, dict[str, list[str]], str]], name: str) -> list[int]:
    key = _sort_key(name)
    return sorted(range(len(items)), key=lambda i: key(items[i][0]))


def _failures(values: dict[str, list[str]], filters: dict[str, str]) -> list[str]:
    return [name for name, wanted in filters.items() if wanted not in values.get(name, [])]


def _matching(
    prep: Prepared, terms: list[str], filters: dict[str, str], skip: str | None = None
) -> set[int] | None:
    """Positions of the items matching the search terms and every filter but ``skip``;
    ``None`` when nothing restricts (all items)."""
    found: set[int] | None = None
    for name, wanted in filters.items():
        if name != skip:
            posting = prep.postings.get((name, wanted), set())
            found = set(posting) if found is None else found & posting
    for term in terms:
        if found is None:
            found = {i for i, (_, _, text) in enumerate(prep.items) if term in text}
        else:
            found = {i for i in found if term in prep.items[i][2]}
    return found


def select(prep: Prepared, state: ListingState) -> list[Deployment]:
    order = prep.orders.get(state.sort.lstrip("-"))
    if order is None:  # a Prepared built without orders
        terms = fold(state.q).split()
        out = [
            d
            for d, values, text in prep.items
            if not _failures(values, state.filters) and all(t in text for t in terms)
        ]
        return sort(out, state.sort)
    found = _matching(prep, fold(state.q).split(), state.filters)
    items = prep.items
    if found is None:
        out = [items[i][0] for i in order]
    else:
        out = [items[i][0] for i in order if i in found]
    return list(reversed(out)) if state.sort.startswith("-") else out


SORT_KEYS: dict[str, Any] = {
    "title": lambda d: fold(d.title),
    "modified": lambda d: d.modified or "",
    "start": lambda d: d.start or "",
    "identifier": lambda d: d.key,
}


def _sort_key(field_name: str) -> Any:
    by = SORT_KEYS.get(field_name, SORT_KEYS["title"])
    return lambda d: (by(d), d.key)


def sort(items: list[Deployment], how: str) -> list[Deployment]:
    ordered = sorted(items, key=_sort_key(how.lstrip("-")))
    return list(reversed(ordered)) if how.startswith("-") else ordered


def value_label(param: str, value: str, index: Index, extras: Extras, lang: str) -> str:
    _, scheme = FACETS.get(param, (param, None))
    if scheme:
        return concepts.label(scheme, value, lang)
    if param == "departement":
        name = extras.departements.get(value)
        return f"{name} ({value})" if name else value
    if param == "region":
        return extras.regions.get(value, value)
    if param == "organisation_type":
        for iri in extras.category_labels:
            if _key(iri) == value:
                return extras.category_label(iri, lang)
        return value
    if param == "provider":
        for system in index.systems.values():
            if system.provider and _key(system.provider) == value:
                return system.provider_name or value
        return value
    if param == "individual_decision":
        return {
            "true": "oui" if lang == "fr" else "yes",
            "false": "non" if lang == "fr" else "no",
        }.get(value, value)
    if param == "organisation":
        for org in index.organisations.values():
            if org.key == value:
                return org.name or value
    if param == "system":
        for system in index.systems.values():
            if system.key == value:
                return system.title or value
    return value


def _facet_counts(
    prep: Prepared, terms: list[str], filters: dict[str, str]
) -> dict[str, Counter[str]]:
    """Counts per facet over the deployments matching the search and every *other* filter;
    kept on ``prep`` (one data version) for the next request in the same state."""
    key = (tuple(terms), tuple(sorted(filters.items())))
    hit = prep.counted.get(key)
    if hit is not None:
        return hit
    counts: Counter[tuple[str, str]] = Counter()
    every = range(len(prep.items))
    matching = _matching(prep, terms, filters)
    for i in every if matching is None else matching:  # matching every filter: all facets
        counts.update(prep.pairs[i])
    for name in filters:  # failing only this filter: counts for this facet
        if name not in FACETS:
            continue
        others = _matching(prep, terms, filters, skip=name)
        for i in every if others is None else others:
            if matching is None or i not in matching:
                counts.update(pair for pair in prep.pairs[i] if pair[0] == name)
    counters: dict[str, Counter[str]] = {param: Counter() for param in FACETS}
    for (param, value), count in counts.items():
        counters[param][value] = count
    if len(prep.counted) >= 256:  # bounded: searches are unbounded
        prep.counted.clear()
    prep.counted[key] = counters
    return counters


def facets(prep: Prepared, state: ListingState, lang: str, limit: int = 30) -> list[dict[str, Any]]:
    """Counts per facet over the deployments matching the search and every *other* filter, so
    a person can switch a facet's value without losing the others (one pass)."""
    counters = _facet_counts(prep, fold(state.q).split(), state.filters)
    out = []
    for param, counter in counters.items():
        entries: list[dict[str, Any]] = [
            {
                "value": value,
                "label": value_label(param, value, prep.index, prep.extras, lang),
                "count": count,
                "active": state.filters.get(param) == value,
                "href": state.url(**{param: None if state.filters.get(param) == value else value}),
            }
            for value, count in counter.items()
        ]
        entries.sort(key=lambda v: (-v["count"], fold(v["label"])))
        if entries:
            out.append(
                {"param": param, "values": entries[:limit], "more": max(0, len(entries) - limit)}
            )
    return out


def row(index: Index, extras: Extras, d: Deployment, lang: str) -> dict[str, Any]:
    org = index.organisations.get(d.deployer or "")
    system = index.systems.get(d.system or "")
    return {
        "key": d.key,
        "href": f"/id/deploiement/{d.key}",
        "title": d.title or d.key,
        "description": d.description,
        "organisation": org.name if org else None,
        "organisation_href": f"/id/organisation/{org.key}" if org else None,
        "departement": value_label("departement", org.departement, index, extras, lang)
        if org and org.departement
        else None,
        "system": (system.title or system.key) if system else None,
        "system_href": f"/id/systeme/{system.key}" if system else None,
        "status": concepts.label("statut", d.status, lang) if d.status else None,
        "status_code": d.status,
        "risk": concepts.label("classification-ai-act", d.risk_level, lang)
        if d.risk_level
        else None,
        "themes": [concepts.label("domaine", v, lang) for v in d.themes],
        "start": d.start,
    }


def listing_view(prep: Prepared, state: ListingState, lang: str) -> dict[str, Any]:
    index, extras = prep.index, prep.extras
    selected = select(prep, state)
    pages = max(1, -(-len(selected) // PAGE_SIZE))
    page = min(state.page, pages)
    start = (page - 1) * PAGE_SIZE
    return {
        "state": state,
        "items": selected,
        "total": len(selected),
        "page": page,
        "pages": pages,
        "rows": [row(index, extras, d, lang) for d in selected[start : start + PAGE_SIZE]],
        "facets": facets(prep, state, lang),
        "active": [
            {
                "param": name,
                "label": value_label(name, value, index, extras, lang),
                "href": state.url(**{name: None}),
            }
            for name, value in sorted(state.filters.items())
        ],
        "prev": state.url(page=page - 1) if page > 1 else None,
        "next": state.url(page=page + 1) if page < pages else None,
        "sorts": [{"value": s, "selected": s == state.sort} for s in SORTS],
        "csv": state.url("/registre.csv", page=None),
        "json": state.url("/registre.json", page=None),
    }
