"""JSON-LD contexts without the network.

A JSON-LD document may name its ``@context`` (or ``@import`` one) by URL; a parser would then
fetch it: a server-side request forgery vector and a dependency on third-party hosts. Here the
registry's own context URL is replaced by the local copy ``ontology/context.jsonld``, and any
other URL is refused with :class:`~registry.errors.RemoteContextError`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from registry.errors import InputError, RemoteContextError
from registry.vocab import DEFAULT_BASE, ONTOLOGY_DIR

LOCAL_CONTEXT = ONTOLOGY_DIR / "context.jsonld"


def own_context_urls(base: str = DEFAULT_BASE) -> frozenset[str]:
    """The URLs under which the registry publishes its context (with and without extension)."""
    return frozenset({f"{base}context.jsonld", f"{base}context", f"{base}ns/context.jsonld"})


def resolve_contexts(doc: Any, label: str, *, base: str = DEFAULT_BASE) -> Any:
    """Return ``doc`` with every URL in ``@context`` / ``@import`` replaced by the local context.

    Raises RemoteContextError for a URL that is not the registry's own context.
    """
    own = own_context_urls(base) | own_context_urls(DEFAULT_BASE)
    return _walk(doc, label, own)


def _walk(node: Any, label: str, own: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_walk(item, label, own) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    imported = node.get("@import")
    if imported is not None:
        # JSON-LD 1.1: a context importing another by URL; only our own is allowed.
        if not isinstance(imported, str):
            raise RemoteContextError(
                f"{label} : valeur @import invalide.",
                f"{label}: invalid @import value.",
                file=label,
            )
        _check_url(imported, label, own)
        out.update(_local_context_dict(label))
    for key, value in node.items():
        if key == "@import":
            continue
        out[key] = (
            _context_value(value, label, own) if key == "@context" else _walk(value, label, own)
        )
    return out


def _context_value(value: Any, label: str, own: frozenset[str]) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        _check_url(value, label, own)
        return _local_context(label)
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            resolved = _context_value(item, label, own)
            items.extend(
                resolved if isinstance(item, str) and isinstance(resolved, list) else [resolved]
            )
        return items
    # An inline context: its term definitions may carry scoped contexts.
    return _walk(value, label, own)


def _check_url(url: str, label: str, own: frozenset[str]) -> None:
    if url not in own:
        raise RemoteContextError(
            f"{label} : contexte JSON-LD distant refusé ({url}) ; seul le contexte du registre "
            "est accepté, ou un contexte inclus dans le document.",
            f"{label}: remote JSON-LD context refused ({url}); only the registry's own context "
            "or a context embedded in the document is accepted.",
            file=label,
            url=url,
        )


def _local_context(label: str) -> Any:
    """The ``@context`` value of the local context file (a dict or a list)."""
    return json.loads(_local_context_text(label))["@context"]


def _local_context_dict(label: str) -> dict[str, Any]:
    ctx = _local_context(label)
    if isinstance(ctx, dict):
        return ctx
    merged: dict[str, Any] = {}
    for item in ctx:
        if isinstance(item, dict):
            merged.update(item)
    return merged


def _local_context_text(label: str) -> str:
    try:
        return _read_local(LOCAL_CONTEXT)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"{label} : le contexte JSON-LD local du registre est illisible ({exc}).",
            f"{label}: the registry's local JSON-LD context cannot be read ({exc}).",
            file=label,
        ) from None


@lru_cache(maxsize=4)
def _read_local(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    json.loads(text)["@context"]  # fail early (and uncached) on a broken file
    return text
