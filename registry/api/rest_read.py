"""REST listings under ``/api/v1/``: deployments, AI systems and organisations with filters,
accent- and case-folded full-text search, facet counts, sort, stable cursor paging, as JSON or
CSV; and the statistics of the observatory. Everything is computed from the in-memory index
(rebuilt once per data version), so no request pays a store aggregate."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from registry.api.problems import HttpProblem
from registry.api.state import ApiState, api_state, blocking
from registry.index import AISystem, Deployment, Index, Organisation, build_index
from registry.vocab import fold

router = APIRouter(prefix="/api/v1", tags=["API REST (lecture) / REST API (read)"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
PAGING_PARAMS = {"limit", "cursor", "sort", "q", "facets", "format"}
DEPLOYMENT_FILTERS = {
    "organisation",
    "departement",
    "region",
    "theme",
    "purpose",
    "family",
    "ai_act",
    "status",
    "individual_decision",
    "provider",
    "system",
}
SYSTEM_FILTERS = {"family", "provider"}
ORGANISATION_FILTERS = {"departement", "region"}
CSV_UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---- the index and its per-version caches ------------------------------------------------------
def get_index(state: ApiState) -> Index:
    return state.cached("index", lambda: build_index(state.store))


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or_build(self, key: Any, build: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = build()
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


def _lru(state: ApiState, name: str) -> _Lru:
    return state.cached(name, lambda: _Lru(128))


# ---- parameters --------------------------------------------------------------------------------
def _bad(name: str, fr: str, en: str) -> HttpProblem:
    return HttpProblem(400, f"Paramètre « {name} » : {fr}", f"Parameter '{name}': {en}", field=name)


def _params(request: Request, allowed: set[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise HttpProblem(
                400,
                f"Paramètre inconnu : « {name} ». Paramètres admis : {', '.join(sorted(allowed))}.",
                f"Unknown parameter '{name}'. Allowed: {', '.join(sorted(allowed))}.",
                field=name,
            )
        if name in params:
            raise _bad(name, "donné plusieurs fois.", "given more than once.")
        if len(value) > 500:
            raise _bad(name, "valeur trop longue.", "value too long.")
        params[name] = value
    return params


def _limit(params: dict[str, str]) -> int:
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise _bad(
            "limit",
            f"entier entre 1 et {MAX_LIMIT} attendu.",
            f"expected an integer between 1 and {MAX_LIMIT}.",
        )
    return int(raw)


def _bool(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1", "oui", "yes"):
        return True
    if raw.lower() in ("false", "0", "non", "no"):
        return False
    raise _bad(name, "true ou false attendu.", "expected true or false.")


def _filter_key(params: dict[str, str]) -> str:
    relevant = sorted((k, v) for k, v in params.items() if k not in ("limit", "cursor", "format"))
    return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()[:16]


def _encode_cursor(filters: str, sort_value: Any, key: str) -> str:
    raw = json.dumps({"f": filters, "v": sort_value, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, filters: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(data, dict) or data.get("f") != filters or not isinstance(data["k"], str):
            raise ValueError("cursor for other filters")
        return data["v"], data["k"]
    except (ValueError, KeyError, UnicodeDecodeError, TypeError) as exc:
        raise _bad(
            "cursor",
            "curseur invalide ou obtenu avec d'autres filtres : repartez de la première page.",
            "invalid cursor, or one obtained with other filters: start again from the first page.",
        ) from exc


# ---- paging over a sorted list -----------------------------------------------------------------
def _sort_value(value: Any) -> Any:
    return "" if value is None else value


def page_of(
    items: list[Any],
    key_of: Callable[[Any], str],
    sort_of: Callable[[Any], Any],
    params: dict[str, str],
    filters: str,
) -> tuple[list[Any], str | None]:
    """Keyset paging: the cursor names the last (sort value, key) seen, so a page never repeats
    or skips an item that stayed in place, even when others were added meanwhile."""
    limit = _limit(params)
    start = 0
    if params.get("cursor"):
        after_value, after_key = _decode_cursor(params["cursor"], filters)
        marker = (after_value, after_key)
        lo, hi = 0, len(items)
        while lo < hi:  # first item strictly after the marker
            mid = (lo + hi) // 2
            if (_sort_value(sort_of(items[mid])), key_of(items[mid])) <= marker:
                lo = mid + 1
            else:
                hi = mid
        start = lo
    page = items[start : start + limit]
    next_cursor = None
    if start + limit < len(items) and page:
        last = page[-1]
        next_cursor = _encode_cursor(filters, _sort_value(sort_of(last)), key_of(last))
    return page, next_cursor


def _next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


RowSort = Callable[[dict[str, Any]], Any]

# Sort keys of the system and organisation listings (rows are their JSON dicts); ties are
# broken by identifier, which also keys the cursors.
SYSTEM_SORTS: dict[str, RowSort] = {
    "identifier": lambda r: "",
    "title": lambda r: fold(r["title"]),
    "-organisations": lambda r: -r["organisations"],
    "-deployments": lambda r: -r["deployments"],
}
ORGANISATION_SORTS: dict[str, RowSort] = {
    "identifier": lambda r: "",
    "name": lambda r: fold(r["name"]),
    "-deployments": lambda r: -r["deployments"],
}


def _row_sort(params: dict[str, str], sorts: dict[str, RowSort]) -> RowSort:
    """The key function named by ``sort`` (default ``identifier``), or a 400 listing them."""
    sort = params.get("sort", "identifier")
    if sort not in sorts:
        *first, last = sorts
        names = ", ".join(first)
        raise _bad("sort", f"{names} ou {last}.", f"{names} or {last}.")
    return sorts[sort]


def _sorted_page(
    rows: list[dict[str, Any]], sort_of: RowSort, params: dict[str, str], filters: str
) -> tuple[int, list[dict[str, Any]], str | None]:
    rows.sort(key=lambda r: (sort_of(r), r["identifier"]))
    page, cursor = page_of(rows, lambda r: r["identifier"], sort_of, params, filters)
    return len(rows), page, cursor


def _page_response(
    request: Request, state: ApiState, total: int, items: list[dict[str, Any]], cursor: str | None
) -> JSONResponse:
    """The body shared by every listing: one page, the total and the link to the next page."""
    return JSONResponse(
        {
            "total": total,
            "items": items,
            "next": _next_url(request, cursor),
            "nextCursor": cursor,
            "dataVersion": state.data_version,
        }
    )


# ---- deployments ---------------------------------------------------------------------------
SORTS: dict[str, Callable[[Deployment], Any]] = {
    "identifier": lambda d: "",
    "title": lambda d: fold(d.title),
    "modified": lambda d: d.modified or "",
    "start": lambda d: d.start or "",
}


def _matches(index: Index, d: Deployment, params: dict[str, str], terms: list[str]) -> bool:
    org = index.organisations.get(d.deployer or "")
    system = index.systems.get(d.system or "")
    checks: list[tuple[str, Iterable[str | None]]] = [
        ("organisation", [org.key if org else None, d.deployer]),
        ("departement", [org.departement if org else None]),
        ("region", [org.region if org else None]),
        ("theme", d.themes),
        ("purpose", d.purposes),
        ("family", system.families if system else []),
        ("ai_act", [d.risk_level, *d.categories]),
        ("status", [d.status]),
        ("provider", [_key(system.provider) if system and system.provider else None]),
        ("system", [system.key if system else None]),
    ]
    for name, values in checks:
        wanted = params.get(name)
        if wanted is not None and wanted not in set(values):
            return False
    if "individual_decision" in params and d.individual_decision is not _bool(
        params, "individual_decision", False
    ):
        return False
    return all(term in d.search_text for term in terms)


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _sorted_deployments(state: ApiState, params: dict[str, str]) -> list[Deployment]:
    sort = params.get("sort", "identifier")
    field_name = sort.lstrip("-")
    if field_name not in SORTS:
        raise _bad(
            "sort",
            f"valeurs admises : {', '.join(SORTS)} (préfixe - : décroissant).",
            f"allowed: {', '.join(SORTS)} (prefix - for descending).",
        )
    _bool(params, "individual_decision", False)  # validate early
    index = get_index(state)
    terms = fold(params.get("q", "")).split()
    selected = [d for d in index.deployments if _matches(index, d, params, terms)]
    by = SORTS[field_name]
    selected.sort(key=lambda d: (by(d), d.key), reverse=sort.startswith("-"))
    return selected


def deployment_json(index: Index, d: Deployment) -> dict[str, Any]:
    org = index.organisations.get(d.deployer or "")
    system = index.systems.get(d.system or "")
    return {
        "id": d.iri,
        "identifier": d.key,
        "title": d.title,
        "description": d.description,
        "deployer": {
            "id": d.deployer,
            "identifier": org.key if org else None,
            "name": org.name if org else None,
            "departement": org.departement if org else None,
            "region": org.region if org else None,
        },
        "aiSystem": {
            "id": d.system,
            "identifier": system.key if system else None,
            "title": system.title if system else None,
            "kind": system.families if system else [],
            "provider": system.provider if system else None,
        },
        "status": d.status,
        "riskLevel": d.risk_level,
        "aiActCategory": d.categories,
        "purpose": d.purposes,
        "theme": d.themes,
        "individualDecision": d.individual_decision,
        "humanInvolvement": d.human_involvement,
        "startDate": d.start,
        "modified": d.modified,
    }


CSV_COLUMNS = (
    "identifier",
    "title",
    "description",
    "deployer_name",
    "deployer_identifier",
    "departement",
    "region",
    "system_identifier",
    "system_title",
    "families",
    "provider",
    "status",
    "risk_level",
    "ai_act_categories",
    "purposes",
    "themes",
    "individual_decision",
    "human_involvement",
    "start_date",
    "modified",
    "id",
)


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_UNSAFE_PREFIXES) else text


def deployments_csv(index: Index, items: list[Deployment]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for d in items:
        j = deployment_json(index, d)
        row = [
            d.key,
            d.title,
            d.description,
            j["deployer"]["name"],
            j["deployer"]["identifier"],
            j["deployer"]["departement"],
            j["deployer"]["region"],
            j["aiSystem"]["identifier"],
            j["aiSystem"]["title"],
            "|".join(j["aiSystem"]["kind"]),
            j["aiSystem"]["provider"],
            d.status,
            d.risk_level,
            "|".join(d.categories),
            "|".join(d.purposes),
            "|".join(d.themes),
            "" if d.individual_decision is None else str(d.individual_decision).lower(),
            d.human_involvement,
            d.start,
            d.modified,
            d.iri,
        ]
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _wants_csv(request: Request, params: dict[str, str], ext: str | None) -> bool:
    if ext is not None:
        return ext == "csv"
    fmt = params.get("format")
    if fmt is not None:
        if fmt not in ("json", "csv"):
            raise _bad("format", "json ou csv attendu.", "expected json or csv.")
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


async def _list_deployments(request: Request, ext: str | None) -> Response:
    state = api_state(request)
    params = _params(request, PAGING_PARAMS | DEPLOYMENT_FILTERS)
    filters = _filter_key(params)
    as_csv = _wants_csv(request, params, ext)
    want_facets = _bool(params, "facets", True)

    def work() -> tuple[Index, list[Deployment], list[Deployment], str | None, Any]:
        index = get_index(state)
        selected = _lru(state, "deployments").get_or_build(
            filters, lambda: _sorted_deployments(state, params)
        )
        if as_csv and "limit" not in params and "cursor" not in params:
            page, cursor = selected, None  # a CSV download is the whole (filtered) table
        else:
            sort_field = SORTS[params.get("sort", "identifier").lstrip("-")]
            if params.get("sort", "").startswith("-"):
                ordered = list(reversed(selected))  # ascending view for the keyset bisection
                page_items, cursor = _desc_page(ordered, sort_field, params, filters)
                page = page_items
            else:
                page, cursor = page_of(selected, lambda d: d.key, sort_field, params, filters)
        facets = (
            _lru(state, "facets").get_or_build(filters, lambda: index.facets(selected))
            if want_facets and not as_csv
            else None
        )
        return index, selected, page, cursor, facets

    index, selected, page, cursor, facets = await blocking(work)
    if as_csv:
        return Response(
            deployments_csv(index, page),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="deploiements.csv"',
                "X-Total-Count": str(len(selected)),
            },
        )
    body: dict[str, Any] = {
        "total": len(selected),
        "limit": _limit(params),
        "items": [deployment_json(index, d) for d in page],
        "next": _next_url(request, cursor),
        "nextCursor": cursor,
        "dataVersion": state.data_version,
    }
    if facets is not None:
        body["facets"] = facets
    return JSONResponse(body)


def _desc_page(
    ascending: list[Deployment],
    sort_field: Callable[[Deployment], Any],
    params: dict[str, str],
    filters: str,
) -> tuple[list[Deployment], str | None]:
    """Descending keyset paging: mirror positions in the ascending list."""
    limit = _limit(params)
    end = len(ascending)
    if params.get("cursor"):
        value, key = _decode_cursor(params["cursor"], filters)
        marker = (value, key)
        lo, hi = 0, len(ascending)
        while lo < hi:  # first item not before the marker
            mid = (lo + hi) // 2
            if (_sort_value(sort_field(ascending[mid])), ascending[mid].key) < marker:
                lo = mid + 1
            else:
                hi = mid
        end = lo
    start = max(0, end - limit)
    page = list(reversed(ascending[start:end]))
    cursor = None
    if start > 0 and page:
        last = page[-1]
        cursor = _encode_cursor(filters, _sort_value(sort_field(last)), last.key)
    return page, cursor


LISTING_DOC = (
    "Filtres : organisation (SIREN ou clé), departement, region (codes INSEE), theme, purpose, "
    "family, ai_act, status (notations des vocabulaires), individual_decision (true/false), "
    "provider, system ; q : recherche plein texte (accents et casse ignorés) ; sort : "
    "identifier, title, modified, start (préfixe - : décroissant) ; limit (1–500), cursor "
    "(opaque, donné par `next`) ; facets=false pour les omettre ; format=csv ou `.csv`. / "
    "Filters, full-text search `q` (accent- and case-folded), sort, cursor paging, facets; "
    "CSV with format=csv or the .csv path."
)


def _openapi_params(**params: tuple[str, str]) -> dict[str, Any]:
    """OpenAPI description of query parameters (name -> (description, example)); the handlers
    read and check them themselves, so that unknown parameters are refused with 400."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": {"type": "string"},
                "example": example,
            }
            for name, (description, example) in params.items()
        ]
    }


PAGING_OPENAPI = {
    "limit": ("Taille de page (1–500) / page size", "50"),
    "cursor": ("Curseur opaque donné par `next` / opaque cursor from `next`", ""),
    "q": ("Recherche plein texte / full-text search", "callbot"),
}
DEPLOYMENT_OPENAPI = _openapi_params(
    **PAGING_OPENAPI,
    sort=("identifier, title, modified, start ; préfixe - : décroissant", "-modified"),
    facets=("Compter les facettes (true/false) / facet counts", "true"),
    format=("json ou csv", "json"),
    organisation=("SIREN ou clé de l'organisation / organisation SIREN or key", "217804905"),
    departement=("Code INSEE du département du déployeur / deployer's département", "38"),
    region=("Code INSEE de la région du déployeur / deployer's région", "84"),
    theme=("Domaine (notation) / policy domain", "relation-usagers"),
    purpose=("Finalité (notation) / purpose", "information-usagers"),
    family=("Famille d'IA (notation) / technique family", "agent-conversationnel"),
    ai_act=("Classe ou point AI Act (notation) / AI Act class", "haut-risque-annexe-iii"),
    status=("Statut (notation) / status", "en-service"),
    individual_decision=("Décisions individuelles (true/false)", "true"),
    provider=("Fournisseur (clé) / provider key", "yelda"),
    system=("Système d'IA (clé) / AI system key", "yelda-callbot"),
)
DEPLOYMENTS_EXAMPLE = {
    "total": 1,
    "limit": 50,
    "items": [
        {
            "id": "https://w3id.org/ia-territoires/id/deploiement/fr-plaisir-optimus",
            "identifier": "fr-plaisir-optimus",
            "title": "Optimus, callbot du standard téléphonique de la mairie",
            "deployer": {
                "id": "https://w3id.org/ia-territoires/id/organisation/217804905",
                "identifier": "217804905",
                "name": "Commune de Plaisir",
                "departement": "78",
                "region": "11",
            },
            "status": "en-service",
            "riskLevel": "non-evaluee",
            "theme": ["relation-usagers"],
            "individualDecision": False,
        }
    ],
    "next": None,
    "nextCursor": None,
    "facets": {"status": [{"value": "en-service", "label": "En service", "count": 1}]},
    "dataVersion": 0,
}


@router.get(
    "/deployments",
    summary="Déploiements / Deployments",
    description=LISTING_DOC,
    openapi_extra=DEPLOYMENT_OPENAPI,
    responses={200: {"content": {"application/json": {"example": DEPLOYMENTS_EXAMPLE}}}},
)
async def list_deployments(request: Request) -> Response:
    return await _list_deployments(request, None)


@router.get(
    "/deployments.csv",
    summary="Déploiements (CSV) / Deployments (CSV)",
    openapi_extra=DEPLOYMENT_OPENAPI,
    responses={200: {"content": {"text/csv": {"example": "identifier,title,...\r\n"}}}},
)
async def list_deployments_csv(request: Request) -> Response:
    return await _list_deployments(request, "csv")


# ---- AI systems and organisations ------------------------------------------------------------
def _usage(index: Index) -> tuple[Counter[str], Counter[str], dict[str, set[str]]]:
    by_system: Counter[str] = Counter()
    by_org: Counter[str] = Counter()
    orgs_of_system: dict[str, set[str]] = {}
    for d in index.deployments:
        if d.system:
            by_system[d.system] += 1
            if d.deployer:
                orgs_of_system.setdefault(d.system, set()).add(d.deployer)
        if d.deployer:
            by_org[d.deployer] += 1
    return by_system, by_org, orgs_of_system


def system_json(s: AISystem, deployments: int, organisations: int) -> dict[str, Any]:
    return {
        "id": s.iri,
        "identifier": s.key,
        "title": s.title,
        "description": s.description,
        "kind": s.families,
        "provider": {"id": s.provider, "name": s.provider_name} if s.provider else None,
        "deployments": deployments,
        "organisations": organisations,
    }


@router.get(
    "/systems",
    summary="Systèmes d'IA / AI systems",
    description="Filtres : family, provider, q ; sort : identifier, title, -organisations "
    "(les plus réutilisés). / Filters family, provider, q; sort.",
    openapi_extra=_openapi_params(
        **PAGING_OPENAPI,
        sort=("identifier, title, -organisations, -deployments", "-organisations"),
        family=("Famille d'IA (notation)", "llm"),
        provider=("Fournisseur (clé)", "yelda"),
    ),
)
async def list_systems(request: Request) -> Response:
    state = api_state(request)
    params = _params(request, PAGING_PARAMS | SYSTEM_FILTERS)
    params.pop("facets", None)
    filters = _filter_key(params)
    sort_of = _row_sort(params, SYSTEM_SORTS)

    def work() -> tuple[int, list[dict[str, Any]], str | None]:
        index = get_index(state)
        by_system, _, orgs_of = _usage(index)
        terms = fold(params.get("q", "")).split()
        rows = []
        for s in index.systems.values():
            if "family" in params and params["family"] not in s.families:
                continue
            if "provider" in params and (not s.provider or _key(s.provider) != params["provider"]):
                continue
            text = fold(f"{s.title} {s.description}")
            if not all(t in text for t in terms):
                continue
            rows.append(system_json(s, by_system[s.iri], len(orgs_of.get(s.iri, ()))))
        return _sorted_page(rows, sort_of, params, filters)

    total, page, cursor = await blocking(work)
    return _page_response(request, state, total, page, cursor)


def organisation_json(o: Organisation, deployments: int) -> dict[str, Any]:
    return {
        "id": o.iri,
        "identifier": o.key,
        "name": o.name,
        "departement": o.departement,
        "region": o.region,
        "classification": o.type_label,
        "deployments": deployments,
    }


@router.get(
    "/organisations",
    summary="Organisations déployant des systèmes d'IA / Deploying organisations",
    description="Filtres : departement, region, q ; sort : identifier, name, -deployments.",
    openapi_extra=_openapi_params(
        **PAGING_OPENAPI,
        sort=("identifier, name, -deployments", "-deployments"),
        departement=("Code INSEE du département", "38"),
        region=("Code INSEE de la région", "84"),
    ),
)
async def list_organisations(request: Request) -> Response:
    state = api_state(request)
    params = _params(request, PAGING_PARAMS | ORGANISATION_FILTERS)
    params.pop("facets", None)
    filters = _filter_key(params)
    sort_of = _row_sort(params, ORGANISATION_SORTS)

    def work() -> tuple[int, list[dict[str, Any]], str | None]:
        index = get_index(state)
        _, by_org, _ = _usage(index)
        terms = fold(params.get("q", "")).split()
        rows = []
        for o in index.organisations.values():
            if "departement" in params and o.departement != params["departement"]:
                continue
            if "region" in params and o.region != params["region"]:
                continue
            if not all(t in fold(o.name) for t in terms):
                continue
            rows.append(organisation_json(o, by_org[o.iri]))
        return _sorted_page(rows, sort_of, params, filters)

    total, page, cursor = await blocking(work)
    return _page_response(request, state, total, page, cursor)


# ---- statistics ----------------------------------------------------------------------------------
def statistics(index: Index) -> dict[str, Any]:
    facets = index.facets(index.deployments)
    years: Counter[str] = Counter(d.start[:4] for d in index.deployments if d.start)
    return {
        "deployments": len(index.deployments),
        "organisations": len({d.deployer for d in index.deployments if d.deployer}),
        "systems": len({d.system for d in index.deployments if d.system}),
        "byTheme": facets["theme"],
        "byPurpose": facets["purpose"],
        "byFamily": facets["family"],
        "byRiskLevel": facets["riskLevel"],
        "byStatus": facets["status"],
        "byOrganisationType": facets["organisationType"],
        "byDepartement": facets["departement"],
        "byRegion": facets["region"],
        "byStartYear": [{"value": y, "count": n} for y, n in sorted(years.items())],
    }


@router.get(
    "/statistics",
    summary="Statistiques de l'observatoire / Observatory statistics",
    description="Comptes par domaine, finalité, famille, classe AI Act, statut, type "
    "d'organisation, département, région et année de mise en service ; en cache par version "
    "des données. / Counts, cached per data version.",
)
async def get_statistics(request: Request) -> Response:
    state = api_state(request)
    _params(request, set())
    stats = await blocking(lambda: state.cached("statistics", lambda: statistics(get_index(state))))
    return JSONResponse(
        {**stats, "dataVersion": state.data_version},
        headers={"Cache-Control": "public, max-age=60"},
    )
