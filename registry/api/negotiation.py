"""Content negotiation: pick a representation from ``Accept`` or from a file extension."""

from __future__ import annotations

from dataclasses import dataclass

from registry.api.problems import HttpProblem


@dataclass(frozen=True)
class Format:
    name: str  # short name, also the rdflib serializer name when RDF
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()


TURTLE = Format("turtle", "text/turtle", "ttl", ("application/x-turtle",))
JSONLD = Format("json-ld", "application/ld+json", "jsonld")
NTRIPLES = Format("nt", "application/n-triples", "nt", ("text/plain",))
RDFXML = Format("xml", "application/rdf+xml", "rdf", ("application/xml", "text/xml"))
JSON = Format("json", "application/json", "json")
HTML = Format("html", "text/html", "html", ("application/xhtml+xml",))
CSV = Format("csv", "text/csv", "csv")

RDF_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML)
RESOURCE_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, JSON, HTML)
BY_EXTENSION = {f.extension: f for f in (*RESOURCE_FORMATS, CSV)}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their quality, best first (stable for ties)."""
    if not header:
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(param[2:])))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    # more specific ranges win ties (text/turtle over text/* over */*)
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(m, q) for m, q, _ in ranges]


def _matches(media_range: str, fmt: Format) -> bool:
    if media_range == "*/*":
        return True
    for media in (fmt.media_type, *fmt.aliases):
        if media_range == media:
            return True
        major = media.split("/")[0]
        if media_range == f"{major}/*":
            return True
    return False


def negotiate(accept: str | None, offers: tuple[Format, ...]) -> Format:
    """The best of ``offers`` for this Accept header (the first offer answers ``*/*``).
    Raises 406 when none is acceptable."""
    for media_range, q in parse_accept(accept):
        if q <= 0:
            continue
        # exact types before aliases so that application/xml picks RDF/XML only when asked
        for fmt in offers:
            if media_range == fmt.media_type:
                return fmt
        for fmt in offers:
            if _matches(media_range, fmt):
                return fmt
    raise not_acceptable(offers)


def not_acceptable(offers: tuple[Format, ...]) -> HttpProblem:
    available = ", ".join(f.media_type for f in offers)
    return HttpProblem(
        406,
        f"Aucun des formats demandés n'est disponible. Formats proposés : {available}.",
        f"None of the requested formats is available. Available formats: {available}.",
        available=[f.media_type for f in offers],
    )


def split_extension(name: str, offers: tuple[Format, ...]) -> tuple[str, Format | None]:
    """``key.ttl`` -> (``key``, Turtle); an unknown extension on a key is left in the key."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext in BY_EXTENSION:
        fmt = BY_EXTENSION[ext]
        if fmt not in offers:
            raise not_acceptable(offers)
        return stem, fmt
    return name, None


def alternate_links(url_without_ext: str, offers: tuple[Format, ...]) -> str:
    """``Link`` header listing each representation of a resource."""
    return ", ".join(
        f'<{url_without_ext}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offers
    )
