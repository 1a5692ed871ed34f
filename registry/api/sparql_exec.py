"""Running one public SPARQL query within the endpoint's limits.

- read-only: the form is found by :mod:`registry.sparql_guard`; updates never reach the store;
- time budget: the store gets ``timeout_s`` (so it stops the query itself) and the request is
  answered 504 when the budget is spent, even if the store overruns;
- row cap: the query is rewritten with ``LIMIT cap+1``; when ``cap+1`` rows come back the result
  is cut to ``cap`` rows and flagged (``X-Result-Truncated``);
- concurrency: at most ``sparql_max_concurrent`` queries run; more are answered 429.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from anyio import to_thread
from rdflib import Graph

from registry.api import sparql_results as results
from registry.api.problems import HttpProblem
from registry.api.state import ApiState
from registry.errors import InputError, RegistryError
from registry.sparql_guard import QueryInfo, explain_refusal, with_dataset, with_row_cap
from registry.store.base import NotAcceptable, QueryTimeout

# How long past its budget a query may run before the HTTP layer gives up on it (the store's own
# timeout should have fired before).
GRACE_S = 0.5
N_TRIPLES = "application/n-triples"
GRAPH_SERIALIZERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    N_TRIPLES: "nt",
}


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    media_type: str
    truncated: bool
    count: int  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned


def budget_for(state: ApiState, client_timeout: float | None) -> float:
    """The server's budget, lowered (never raised) by the client's ``timeout``."""
    budget = state.settings.sparql_timeout_s
    if client_timeout is not None:
        budget = min(budget, client_timeout)
    return budget


def _store_refusal(query: str, exc: Exception) -> RegistryError:
    message = exc.message_en if isinstance(exc, RegistryError) else str(exc)
    return explain_refusal(query, message)


def execute(
    state: ApiState, query: str, info: QueryInfo, media_type: str, budget: float
) -> QueryOutcome:
    """Blocking: run the (already inspected) query and serialise its result."""
    cap = state.settings.sparql_row_cap
    text = with_row_cap(query, info, cap + 1)
    try:
        if info.form in ("SELECT", "ASK"):
            body, _ = state.store.query_raw(text, results.SPARQL_JSON, timeout_s=budget)
        else:
            body, _ = state.store.query_raw(text, N_TRIPLES, timeout_s=budget)
    except QueryTimeout as exc:
        raise over_budget(budget) from exc
    except NotAcceptable:
        raise
    except (SyntaxError, InputError) as exc:
        raise _store_refusal(query, exc) from exc
    if info.form in ("SELECT", "ASK"):
        return _solutions(body, media_type, cap)
    return _graph(body, media_type, cap)


def _solutions(body: bytes, media_type: str, cap: int) -> QueryOutcome:
    import json

    result = json.loads(body)
    truncated = False
    count = 1
    if "results" in result:
        bindings = result["results"]["bindings"]
        count = len(bindings)
        if count > cap:
            result["results"]["bindings"] = bindings[:cap]
            count = cap
            truncated = True
        elif media_type == results.SPARQL_JSON:
            return QueryOutcome(body, media_type, False, count)
    return QueryOutcome(results.CONVERTERS[media_type](result), media_type, truncated, count)


def _graph(body: bytes, media_type: str, cap: int) -> QueryOutcome:
    lines = [line for line in body.split(b"\n") if line.strip()]
    truncated = len(lines) > cap
    if truncated:
        lines = lines[:cap]
    if media_type == N_TRIPLES:
        return QueryOutcome(b"\n".join(lines) + b"\n", media_type, truncated, len(lines))
    graph = Graph()
    graph.parse(data=b"\n".join(lines).decode("utf-8"), format="nt")
    out = graph.serialize(format=GRAPH_SERIALIZERS[media_type], encoding="utf-8")
    return QueryOutcome(out, media_type, truncated, len(lines))


async def run_query(
    state: ApiState,
    query: str,
    info: QueryInfo,
    media_type: str,
    *,
    client_timeout: float | None,
    default_graphs: list[str],
    named_graphs: list[str],
) -> QueryOutcome:
    budget = budget_for(state, client_timeout)
    text = with_dataset(query, info, default_graphs, named_graphs)
    if text is not query:
        from registry.sparql_guard import inspect_query

        info = inspect_query(text)
    if not state.gate.try_acquire():
        raise HttpProblem(
            429,
            f"Trop de requêtes SPARQL en cours ({state.gate.capacity} au plus) : réessayez dans "
            "un instant.",
            f"Too many SPARQL queries running (at most {state.gate.capacity}): retry shortly.",
            headers={"Retry-After": "1"},
        )

    def work() -> QueryOutcome:
        try:
            return execute(state, text, info, media_type, budget)
        finally:
            state.gate.release()

    try:
        with anyio.fail_after(budget + GRACE_S):
            return await to_thread.run_sync(work, abandon_on_cancel=True)
    except TimeoutError as exc:
        raise over_budget(budget) from exc


def over_budget(budget: float) -> HttpProblem:
    return HttpProblem(
        504,
        f"La requête a dépassé le temps alloué ({budget:g} s) et a été interrompue. "
        "Restreignez-la (filtres, LIMIT) ou utilisez les exports.",
        f"The query exceeded its time budget ({budget:g} s) and was stopped. Narrow it "
        "(filters, LIMIT) or use the data exports.",
        budget_s=budget,
    )
