"""Parse RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD) from a file, bytes or text into rdflib.

Every failure becomes an :class:`~registry.errors.InputError` whose French and English messages
name the file (or the given name) and, when the syntax allows it, the line. JSON-LD never
triggers a network access: see :mod:`registry.ingest.jsonld`.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax

from registry.errors import InputError
from registry.ingest.jsonld import resolve_contexts

# Defaults generous enough for a bulk file from the CLI; the HTTP API passes its own
# (Settings.max_payload_bytes).
DEFAULT_MAX_BYTES = 200_000_000
DEFAULT_MAX_TRIPLES = 5_000_000

EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/trig": "trig",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/n-quads": "nquads",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}
FORMATS = frozenset(EXTENSIONS.values())
QUAD_FORMATS = frozenset({"trig", "nquads", "json-ld"})


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_triples: int = DEFAULT_MAX_TRIPLES


def format_of(name: str) -> str | None:
    """The rdflib format for a file name (``.gz`` allowed) or a media type; None if unknown."""
    lowered = name.lower().split(";")[0].strip()
    if lowered in MEDIA_TYPES:
        return MEDIA_TYPES[lowered]
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    return EXTENSIONS.get(Path(lowered).suffix)


def is_rdf_file(path: Path) -> bool:
    return format_of(path.name) is not None


def parse_dataset(
    source: Path | bytes | str,
    *,
    format: str | None = None,
    name: str | None = None,
    base_iri: str | None = None,
    limits: Limits = Limits(),
) -> Dataset:
    """Parse ``source`` into a Dataset (quads keep their graph; triples go to the default graph).

    ``source``: a :class:`Path` (read from disk, ``.gz`` decompressed), or the document itself
    as bytes or text. ``name`` names it in messages (defaults to the file name or "<entrée>").
    """
    parsed = _parse(source, format, name, base_iri, limits)
    if isinstance(parsed, Dataset):
        return parsed
    ds = Dataset()
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
    for prefix, ns in parsed.namespaces():
        ds.bind(prefix, ns, override=False)
    for triple in parsed:
        default.add(triple)
    return ds


def parse_graph(
    source: Path | bytes | str,
    *,
    format: str | None = None,
    name: str | None = None,
    base_iri: str | None = None,
    limits: Limits = Limits(),
) -> Graph:
    """Parse ``source`` into one Graph: the union of all its graphs (what validation sees)."""
    parsed = _parse(source, format, name, base_iri, limits)
    if not isinstance(parsed, Dataset):
        return parsed
    graph = Graph()
    for prefix, ns in parsed.namespaces():
        graph.bind(prefix, ns, override=False)
    for s, p, o, _g in parsed.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _parse(
    source: Path | bytes | str,
    fmt: str | None,
    name: str | None,
    base_iri: str | None,
    limits: Limits,
) -> Graph:
    """A Graph for triple formats, a Dataset for the formats that can carry named graphs."""
    label = name or (str(source) if isinstance(source, Path) else "<entrée>")
    data = _read(source, label, limits)
    fmt = fmt or (format_of(source.name) if isinstance(source, Path) else None)
    if fmt is None and name is not None:
        fmt = format_of(name)
    if fmt is None:
        fmt = _sniff(data)
    if fmt not in FORMATS:
        raise InputError(
            f"{label} : format RDF inconnu ({fmt}) ; formats acceptés : Turtle, TriG, "
            "N-Triples, N-Quads, JSON-LD.",
            f"{label}: unknown RDF format ({fmt}); accepted: Turtle, TriG, N-Triples, "
            "N-Quads, JSON-LD.",
            file=label,
        )
    text = _decode(data, label)
    if fmt == "json-ld":
        text = _prepare_jsonld(text, label)
    target: Graph = Dataset(default_union=True) if fmt in QUAD_FORMATS else Graph()
    try:
        target.parse(data=text, format=fmt, publicID=base_iri)
    except BadSyntax as exc:
        raise _syntax_error(label, exc.lines + 1, str(exc._why)) from None
    except ParserError as exc:
        line = _first_bad_line(text, fmt) if fmt in ("nt", "nquads") else None
        raise _syntax_error(label, line, str(exc.msg).splitlines()[0]) from None
    except InputError:
        raise
    except Exception as exc:  # rdflib raises many exception types for bad input
        raise _syntax_error(label, None, f"{type(exc).__name__}: {exc}") from None
    if len(target) > limits.max_triples:
        raise InputError(
            f"{label} : trop de triplets ({len(target)} > {limits.max_triples}).",
            f"{label}: too many triples ({len(target)} > {limits.max_triples}).",
            file=label,
        )
    return target


def _read(source: Path | bytes | str, label: str, limits: Limits) -> bytes:
    if isinstance(source, Path):
        try:
            if source.name.lower().endswith(".gz"):
                with gzip.open(source, "rb") as fh:
                    data = fh.read(limits.max_bytes + 1)
            else:
                with source.open("rb") as fh:
                    data = fh.read(limits.max_bytes + 1)
        except OSError as exc:
            raise InputError(
                f"{label} : fichier illisible ({exc.strerror or exc}).",
                f"{label}: cannot read the file ({exc.strerror or exc}).",
                file=label,
            ) from None
    elif isinstance(source, str):
        data = source.encode("utf-8")
    else:
        data = bytes(source)
    if len(data) > limits.max_bytes:
        raise InputError(
            f"{label} : document trop volumineux (plus de {limits.max_bytes} octets).",
            f"{label}: document too large (more than {limits.max_bytes} bytes).",
            file=label,
        )
    return data


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{label}, ligne {line} : le document n'est pas en UTF-8.",
            f"{label}, line {line}: the document is not UTF-8.",
            file=label,
            line=line,
        ) from None


def _sniff(data: bytes) -> str:
    head = data.lstrip()[:1]
    return "json-ld" if head in (b"{", b"[") else "turtle"


def _prepare_jsonld(text: str, label: str) -> str:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(label, exc.lineno, exc.msg) from None
    return json.dumps(resolve_contexts(doc, label))


def _first_bad_line(text: str, fmt: str) -> int | None:
    """N-Triples / N-Quads are line-based: find the first line rdflib refuses on its own."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Dataset() if fmt == "nquads" else Graph()).parse(data=line + "\n", format=fmt)
        except Exception:
            return number
    return None


def _syntax_error(label: str, line: int | None, why: str) -> InputError:
    where_fr = f"{label}, ligne {line}" if line else label
    where_en = f"{label}, line {line}" if line else label
    return InputError(
        f"{where_fr} : erreur de syntaxe RDF ({why}).",
        f"{where_en}: RDF syntax error ({why}).",
        file=label,
        line=line,
    )
