"""RDF written in one syntax, re-written in others by Oxigraph, for callers above ``store/``
(which must not import pyoxigraph).

The data-package export reads each chunk of entries from the store once, as N-Triples (the
cheapest syntax for the store to write), and needs it as Turtle and as JSON-LD: asking the
store twice cost twice the reading (measured: 4.5 s per 10,000 entries for each format), while
parsing and re-writing in memory costs half of one reading. Parsing and writing run in Rust,
without the GIL, so another thread keeps working meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from registry.errors import StoreError
from registry.store.base import NotAcceptable


def reserialize(data: bytes, media_type: str, targets: Sequence[str]) -> list[bytes]:
    """``data`` (triples in ``media_type``) written in each of the ``targets`` media types.
    Blank nodes keep their identity within ``data``; the order of the triples is the
    serialiser's."""
    source = _format(media_type)
    formats = [_format(t) for t in targets]
    try:
        # Parsed once into a list, then written by the streaming serialisers: 30 % less work
        # than loading an in-memory store and dumping it (which indexes and sorts the triples).
        triples = list(ox.parse(data, source))
        return [bytes(ox.serialize(triples, format=f) or b"") for f in formats]
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(
            f"RDF illisible renvoyé par le magasin ({media_type}) : {exc}",
            f"Unreadable RDF returned by the store ({media_type}): {exc}",
        ) from exc


def _format(media_type: str) -> ox.RdfFormat:
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise NotAcceptable(
            f"Format RDF inconnu : {media_type!r}",
            f"Unknown RDF media type: {media_type!r}",
            media_type=media_type,
        )
    return rdf_format


__all__ = ["reserialize"]
